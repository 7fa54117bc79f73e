"""Embeddings cached by (model, text hash) in SQLite: re-indexing unchanged text embeds nothing."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np


class Progress(Protocol):
    """What the cache reports to: a tqdm bar fits (total set once the texts to embed are known)."""

    total: int | None

    def update(self, n: int) -> object: ...


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
        progress: Progress | None = None,
    ) -> tuple[np.ndarray, int]:
        """Vectors for all texts, computing only those not cached; returns (vectors, how many were computed).

        The texts to embed go in chunks of about the same length (little padding in the model's batches), the
        chunks in a fixed shuffled order, so that the rate, and the time left shown on `progress`, stay even.
        Each chunk is stored as soon as it is done: a build stopped half-way keeps what it embedded."""
        keys = [text_key(t) for t in texts]
        known = self.get_many(sorted(set(keys)))
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in known}.items(), key=lambda item: (len(item[1]), item[0]))
        chunks = [missing[start : start + batch] for start in range(0, len(missing), batch)]
        random.Random(0).shuffle(chunks)
        if progress is not None:
            progress.total = len(missing)
        for chunk in chunks:
            vectors = compute([text for _, text in chunk])
            fresh = {key: vectors[i] for i, (key, _) in enumerate(chunk)}
            self.put_many(fresh)
            known.update(fresh)
            if progress is not None:
                progress.update(len(chunk))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = known[key]
        return out, len(missing)
