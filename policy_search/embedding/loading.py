"""Choosing the embedding model: a configured local folder, or a built-in one built offline from PyPI packages."""

from __future__ import annotations

from pathlib import Path

from policy_search.embedding.encoder import Embedder, SentenceTransformerEmbedder


def load_embedder(
    model_dir: Path | None = None,
    *,
    model: str | None = None,
    threads: int | None = None,
    onnx_queries: bool = True,
    int8_queries: bool = False,
    passage_precision: str = "auto",
) -> Embedder:
    """The model in `model_dir`, else the built-in `model` (default: e5-small-stard, the tuned one), built once
    into the cache; queries go through ONNX Runtime, with `int8_queries` through its 8-bit graph; passages in
    `passage_precision` (auto: bfloat16 where the CPU has it natively).

    With `onnx_queries` and the model's graph already exported, PyTorch is not even imported (a cold search
    in about a second); otherwise the full model loads and exports the graph for the next process."""
    if model_dir is None:
        from policy_search.embedding.tuned import DEFAULT_MODEL, ensure_model

        model_dir = ensure_model(model or DEFAULT_MODEL)
    if onnx_queries:
        from policy_search.embedding.query_only import OnnxQueryEmbedder, exported_graph

        exported = exported_graph(Path(model_dir), int8=int8_queries)
        if exported is not None:
            graph, model_id = exported
            return OnnxQueryEmbedder(Path(model_dir), graph, threads=threads, int8_queries=int8_queries,
                                     passage_precision=passage_precision, model_id=model_id)
    return SentenceTransformerEmbedder(Path(model_dir), threads=threads, onnx_queries=onnx_queries, int8_queries=int8_queries,
                                       passage_precision=passage_precision)
