"""Query embeddings batched across concurrent requests: one worker embeds whatever is waiting, together.

A lone request is embedded at once (no waiting window); under load the requests that arrive while a
batch is being embedded form the next batch, and one forward pass over many short queries costs far
less than as many passes over one.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future

import numpy as np

from policy_search.embedding.encoder import Embedder

MAX_BATCH = 32


class BatchingEmbedder:
    """Wraps an embedder; embed_queries may be called from many threads at once."""

    def __init__(self, inner: Embedder, max_batch: int = MAX_BATCH) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self.max_batch = max_batch
        self._pending: list[tuple[str, Future]] = []
        self._lock = threading.Condition()
        self._worker = threading.Thread(target=self._run, name="query-embedder", daemon=True)
        self._worker.start()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        futures = []
        with self._lock:
            for text in texts:
                future: Future = Future()
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
            for (_, future), vector in zip(batch, vectors):
                future.set_result(vector)
