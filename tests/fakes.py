"""A keyword embedder for tests: hashed character bigrams, so texts sharing words are close."""

from __future__ import annotations

import hashlib

import numpy as np

from policy_search.text import fold


class BigramEmbedder:
    model_id = "fake-bigrams@test"

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.calls = 0  # texts embedded, to check the cache

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        folded = fold(text)
        for a, b in zip(folded, folded[1:]):
            if a.strip() and b.strip():
                slot = int.from_bytes(hashlib.md5((a + b).encode()).digest()[:4], "little") % self.dimension
                vector[slot] += 1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        return self.embed_queries(texts)
