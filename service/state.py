"""The searcher of the published generation, swapped whole so that every request answers from one generation."""

from __future__ import annotations

import gc
import logging
import threading
import time

from policy_search import store
from policy_search.embedding.encoder import Embedder
from policy_search.errors import IndexNotReady
from service.retrieval.loaded import load_index
from service.retrieval.searcher import Searcher
from service.settings import Settings

log = logging.getLogger("policy_search.service")


class IndexHolder:
    """Holds one Searcher at a time; a request takes a reference once and keeps it to the end."""

    def __init__(self, settings: Settings, embedder: Embedder | None) -> None:
        self.settings = settings
        self.embedder = embedder
        self._searcher: Searcher | None = None
        self._reload_lock = threading.Lock()
        self.last_error: str | None = None

    @property
    def searcher(self) -> Searcher:
        searcher = self._searcher
        if searcher is None:
            raise IndexNotReady(self.last_error or f"no index loaded from {self.settings.index_dir}")
        return searcher

    @property
    def ready(self) -> bool:
        return self._searcher is not None

    def published_generation(self) -> str | None:
        folder = store.IndexStore(self.settings.index_dir).current()
        return folder.name if folder else None

    def reload(self) -> bool:
        """Load the published generation if it is not the one in use; True when a new one was swapped in."""
        with self._reload_lock:
            published = self.published_generation()
            if published is None:
                self.last_error = f"no index at {self.settings.index_dir}"
                return False
            if self._searcher is not None and self._searcher.index.generation == published:
                return False
            started = time.perf_counter()
            try:
                index = load_index(self.settings.index_dir, self.embedder, self.settings.engine)
            except Exception as exc:  # keep serving the generation in use; readyz reports the reason
                self.last_error = f"generation {published} could not be loaded: {exc}"
                log.error("event=reload_failed generation=%s error=%r", published, str(exc))
                return False
            searcher = Searcher(index, self.embedder, self.settings.ranking(self.embedder))
            searcher.prepare()  # the ranker's per-clause work, before the first request rather than during it
            self._searcher = searcher
            self.last_error = None
            # The loaded index is millions of long-lived objects: keep them out of the collector's full
            # passes, which otherwise stall every request thread for tens of milliseconds.
            gc.unfreeze()  # the previous generation's objects may be collected now
            gc.collect()
            gc.freeze()
            log.info(
                "event=generation_loaded generation=%s clauses=%d ms=%.0f",
                index.generation, len(index.clauses), (time.perf_counter() - started) * 1000,
            )
            return True
