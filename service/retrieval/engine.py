"""Opening an index for searching: the embedder its manifest asks for, the loaded generation, the searcher."""

from __future__ import annotations

from pathlib import Path

from policy_search import store
from policy_search.embedding.encoder import DEFAULT_DENSE_WEIGHT, Embedder
from policy_search.embedding.loading import load_embedder
from service.retrieval.loaded import load_index
from service.retrieval.ranking import RankingConfig
from service.retrieval.searcher import Searcher


def open_searcher(
    index_dir: Path,
    *,
    model_dir: Path | None = None,
    model: str | None = None,
    threads: int | None = None,
    embedder: Embedder | None = None,
    config: RankingConfig | None = None,
    ranking: dict | None = None,
    vectors: bool = True,
) -> Searcher:
    """A searcher over the published generation; loads the embedding model only when the index has vectors and
    `vectors` is asked (a BM25 search needs none: it answers without loading the model).
    Without a `config`, the ranking is the default one with the model's own hybrid mix (the learned ranker off
    unless asked), changed by `ranking`."""
    manifest = store.read_manifest(store.IndexStore(index_dir).require_current())
    if embedder is None and vectors and manifest.get("embedding"):
        embedder = load_embedder(model_dir, model=model, threads=threads)
    if config is None:
        model = {"dense_weight": getattr(embedder, "dense_weight", DEFAULT_DENSE_WEIGHT)}
        config = RankingConfig(**model | (ranking or {}))
    return Searcher(load_index(index_dir, embedder), embedder, config)
