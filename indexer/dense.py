"""The dense index: normalised vectors in FAISS, exact below a size threshold and IVF above it (HNSW on request)."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

FAISS_INDEX = "faiss.index"
ANN_THRESHOLD = 200_000  # below this an exact scan is fast enough and has perfect recall
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
IVF_NPROBE = 32
KINDS = ("auto", "flat", "hnsw", "ivf")


def choose_kind(count: int, kind: str = "auto", threshold: int = ANN_THRESHOLD) -> str:
    if kind not in KINDS:
        raise ValueError(f"index kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind != "auto":
        return kind
    return "ivf" if count >= threshold else "flat"  # IVF builds in minutes where HNSW takes far longer


def build_faiss(vectors: np.ndarray, kind: str) -> faiss.Index:
    """An inner-product index over L2-normalised vectors (inner product = cosine)."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    count, dimension = vectors.shape
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = HNSW_EF_SEARCH
    elif kind == "ivf":
        lists = max(1, min(int(4 * np.sqrt(count)), count // 39))  # FAISS wants ~39 training points a list
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
        sample = vectors[np.random.default_rng(0).choice(count, size=min(count, lists * 64), replace=False)]
        index.train(sample)
        index.nprobe = IVF_NPROBE
    else:
        index = faiss.IndexFlatIP(dimension)
    if count:
        index.add(vectors)
    return index


def search_params(kind: str) -> dict:
    """Search-time settings the reader applies after loading (they are not all kept in the file)."""
    return {"hnsw": {"efSearch": HNSW_EF_SEARCH}, "ivf": {"nprobe": IVF_NPROBE}}.get(kind, {})


def write_dense(folder: Path, vectors: np.ndarray, kind: str) -> dict:
    """Write the FAISS index (row i = clause i of clauses.jsonl); returns its kind and search settings."""
    kind = choose_kind(len(vectors), kind)
    faiss.write_index(build_faiss(vectors, kind), str(folder / FAISS_INDEX))
    return {"index": kind, "search_params": search_params(kind)}
