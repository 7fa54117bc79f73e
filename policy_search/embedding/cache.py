"""Embeddings cached by (model, text hash) in SQLite: re-indexing unchanged text embeds nothing."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """One SQLite file beside the index generations; vectors stored as float32 bytes."""

    def __init__(self, path: Path, model_id: str, dimension: int) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.model_id = model_id
        self.dimension = dimension
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vector BLOB, PRIMARY KEY (model, key))"
        )

    def close(self) -> None:
        self._db.close()

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT key, vector FROM vectors WHERE model = ? AND key IN ({marks})", [self.model_id, *chunk]
            )
            for key, blob in rows:
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape == (self.dimension,):
                    found[key] = vector
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                [(self.model_id, key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in items.items()],
            )

    def embed(
        self,
        texts: list[str],
        compute: Callable[[list[str]], np.ndarray],
        *,
        batch: int = 256,
        on_progress: Callable[[int], None] | None = None,
    ) -> tuple[np.ndarray, int]:
        """Vectors for all texts, computing only those not cached; returns (vectors, how many were computed)."""
        keys = [text_key(t) for t in texts]
        known = self.get_many(sorted(set(keys)))
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in known}.items())
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            vectors = compute([text for _, text in chunk])
            fresh = {key: vectors[i] for i, (key, _) in enumerate(chunk)}
            self.put_many(fresh)
            known.update(fresh)
            if on_progress:
                on_progress(len(chunk))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = known[key]
        return out, len(missing)
