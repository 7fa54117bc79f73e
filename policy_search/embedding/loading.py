"""Choosing the embedding model: a configured local folder, or the default built offline from PyPI packages."""

from __future__ import annotations

from pathlib import Path

from policy_search.embedding.encoder import SentenceTransformerEmbedder


def load_embedder(
    model_dir: Path | None = None, *, threads: int | None = None, onnx_queries: bool = True
) -> SentenceTransformerEmbedder:
    """The model in `model_dir`, or multilingual-e5-small built once into the cache; queries through ONNX Runtime."""
    if model_dir is None:
        from policy_search.embedding.e5_build import ensure_e5_small

        model_dir = ensure_e5_small()
    return SentenceTransformerEmbedder(Path(model_dir), threads=threads, onnx_queries=onnx_queries)
