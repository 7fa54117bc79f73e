from __future__ import annotations

import numpy as np
import pytest

from indexer.dense import build_faiss, choose_kind, write_dense
from service.retrieval.loaded import _vectors_and_settings


def _unit(rows: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_kind_follows_size_unless_forced():
    assert choose_kind(10, "auto", threshold=100) == "flat"
    assert choose_kind(100, "auto", threshold=100) == "ivf"
    assert choose_kind(10, "ivf") == "ivf"
    with pytest.raises(ValueError, match="index kind"):
        choose_kind(10, "lsh")


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_every_kind_finds_each_vector_itself_and_reads_back(tmp_path, kind):
    vectors = _unit(2000)
    written = write_dense(tmp_path, vectors, kind)
    assert written["index"] == kind
    import faiss

    index = faiss.read_index(str(tmp_path / "faiss.index"))
    restored = _vectors_and_settings(index, {"dimension": 32, **written})
    assert np.allclose(restored, vectors, atol=1e-6)
    _, found = index.search(vectors[:50], 1)
    assert (found[:, 0] == np.arange(50)).mean() >= 0.95


def test_flat_index_is_exact():
    vectors = _unit(500, seed=1)
    query = _unit(1, seed=2)
    _, found = build_faiss(vectors, "flat").search(query, 5)
    assert found[0].tolist() == np.argsort(-(vectors @ query[0]))[:5].tolist()
