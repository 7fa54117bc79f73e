"""Query embeddings batched across concurrent requests: one worker embeds whatever is waiting, together.

A lone request is embedded at once (no waiting window); under load the requests that arrive while a
batch is being embedded form the next batch, and one forward pass over many short queries costs far
less than as many passes over one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import Future

import numpy as np

from policy_search.embedding.encoder import DEFAULT_DENSE_WEIGHT, Embedder

MAX_BATCH = 4  # per-token cost dominates: larger batches only add padding and waiting


class BatchingEmbedder:
    """Wraps an embedder; embed_queries may be called from many threads at once."""

    def __init__(self, inner: Embedder, max_batch: int = MAX_BATCH, cache_size: int = 256, workers: int = 1) -> None:
        self.inner = inner
        self.cache_size = cache_size  # recent queries: the page re-runs a query when a filter changes
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self.dense_weight = getattr(inner, "dense_weight", DEFAULT_DENSE_WEIGHT)
        self.tuned = getattr(inner, "tuned", False)
        self.max_batch = max_batch
        self._pending: list[tuple[str, Future]] = []
        self._lock = threading.Condition()
        for number in range(workers):  # ONNX Runtime releases the GIL: workers run batches side by side
            threading.Thread(target=self._run, name=f"query-embedder-{number}", daemon=True).start()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        futures = []
        with self._lock:
            for text in texts:
                future: Future = Future()
                cached = self._cache.get(text)
                if cached is not None:
                    self._cache.move_to_end(text)
                    future.set_result(cached)
                else:
                    self._pending.append((text, future))
                futures.append(future)
            self._lock.notify()
        return np.stack([future.result() for future in futures]) if futures else np.zeros((0, self.dimension), np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._pending:
                    self._lock.wait()
                batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
            try:
                vectors = self.inner.embed_queries([text for text, _ in batch])
            except Exception as exc:  # every waiting request gets the error, the worker goes on
                for _, future in batch:
                    future.set_exception(exc)
                continue
            with self._lock:
                for text, vector in zip((text for text, _ in batch), vectors):
                    if self.cache_size:
                        self._cache[text] = vector
                        if len(self._cache) > self.cache_size:
                            self._cache.popitem(last=False)
            for (_, future), vector in zip(batch, vectors):
                future.set_result(vector)
