"""The embedding cache: only missing texts are computed, in chunks of about the same length, with progress."""

from __future__ import annotations

import numpy as np

from policy_search.embedding.cache import EmbeddingCache


class Bar:
    def __init__(self) -> None:
        self.total = None
        self.done = 0

    def update(self, n: int) -> None:
        self.done += n


def _lengths(texts: list[str]) -> np.ndarray:
    return np.array([[float(len(t))] * 4 for t in texts], dtype=np.float32)


def test_missing_texts_are_embedded_in_chunks_of_like_length_with_progress(tmp_path):
    cache = EmbeddingCache(tmp_path / "e.sqlite", "m@1", 4)
    texts = ["a" * n for n in (1, 40, 2, 41, 3, 42, 4, 43)]
    chunks: list[list[int]] = []

    def compute(batch: list[str]) -> np.ndarray:
        chunks.append(sorted(len(t) for t in batch))
        return _lengths(batch)

    bar = Bar()
    vectors, computed = cache.embed(texts, compute, batch=4, progress=bar)
    assert computed == 8 and bar.total == 8 and bar.done == 8
    assert sorted(chunks) == [[1, 2, 3, 4], [40, 41, 42, 43]]  # short with short: little padding
    assert vectors[:, 0].tolist() == [len(t) for t in texts]  # in the order asked, whatever the order computed
    again = Bar()
    _, computed = cache.embed(texts + ["b"], compute, batch=4, progress=again)
    assert computed == 1 and again.total == 1 and chunks[-1] == [1]
    cache.close()
