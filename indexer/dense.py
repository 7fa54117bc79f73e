"""The dense index: normalised vectors in FAISS, exact below a size threshold and HNSW above it."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

FAISS_INDEX = "faiss.index"
ANN_THRESHOLD = 200_000  # below this an exact scan is fast enough and has perfect recall
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80


def choose_kind(count: int, kind: str = "auto", threshold: int = ANN_THRESHOLD) -> str:
    if kind not in ("auto", "flat", "hnsw"):
        raise ValueError(f"index kind must be auto, flat or hnsw, got {kind!r}")
    if kind != "auto":
        return kind
    return "hnsw" if count >= threshold else "flat"


def build_faiss(vectors: np.ndarray, kind: str) -> faiss.Index:
    """An inner-product index over L2-normalised vectors (inner product = cosine)."""
    dimension = vectors.shape[1]
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        index = faiss.IndexFlatIP(dimension)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def write_dense(folder: Path, vectors: np.ndarray, kind: str) -> str:
    """Write the FAISS index (row i = clause i of clauses.jsonl); returns the kind written."""
    kind = choose_kind(len(vectors), kind)
    faiss.write_index(build_faiss(vectors, kind), str(folder / FAISS_INDEX))
    return kind
