"""Choosing the embedding model: a configured local folder, or a built-in one built offline from PyPI packages."""

from __future__ import annotations

from pathlib import Path

from policy_search.embedding.encoder import SentenceTransformerEmbedder


def load_embedder(
    model_dir: Path | None = None,
    *,
    model: str | None = None,
    threads: int | None = None,
    onnx_queries: bool = True,
    int8_queries: bool = False,
    passage_precision: str = "auto",
) -> SentenceTransformerEmbedder:
    """The model in `model_dir`, else the built-in `model` (default: e5-small-stard, the tuned one), built once
    into the cache; queries go through ONNX Runtime, with `int8_queries` through its 8-bit graph; passages in
    `passage_precision` (auto: bfloat16 where the CPU has it natively)."""
    if model_dir is None:
        from policy_search.embedding.tuned import DEFAULT_MODEL, ensure_model

        model_dir = ensure_model(model or DEFAULT_MODEL)
    return SentenceTransformerEmbedder(Path(model_dir), threads=threads, onnx_queries=onnx_queries, int8_queries=int8_queries,
                                       passage_precision=passage_precision)
