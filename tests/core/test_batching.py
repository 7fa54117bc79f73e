from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from policy_search.embedding.batching import BatchingEmbedder
from tests.fakes import BigramEmbedder


class SlowEmbedder(BigramEmbedder):
    """Records the size of every batch and takes a while, so that concurrent calls pile up."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    def embed_queries(self, texts):
        self.batches.append(len(texts))
        time.sleep(0.05)
        if "boom" in texts:
            raise RuntimeError("model failed")
        return super().embed_queries(texts)


def test_concurrent_queries_share_batches_and_get_their_own_vectors():
    inner = SlowEmbedder()
    batching = BatchingEmbedder(inner)
    texts = [f"排污许可 第{i}条" for i in range(16)]
    results: dict[str, np.ndarray] = {}

    def ask(text):
        results[text] = batching.embed_queries([text])[0]

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(inner.batches) == 16 and len(inner.batches) < 16
    for text in texts:
        assert np.allclose(results[text], BigramEmbedder().embed_queries([text])[0])


def test_a_failing_batch_reports_to_its_callers_and_the_worker_goes_on():
    batching = BatchingEmbedder(SlowEmbedder())
    with pytest.raises(RuntimeError, match="model failed"):
        batching.embed_queries(["boom"])
    assert batching.embed_queries(["排污"]).shape == (1, 256)


def test_recent_queries_are_answered_from_the_cache():
    inner = SlowEmbedder()
    batching = BatchingEmbedder(inner, cache_size=2)
    first = batching.embed_queries(["排污许可"])
    assert np.array_equal(batching.embed_queries(["排污许可"]), first)
    assert sum(inner.batches) == 1
    batching.embed_queries(["按日连续处罚"])
    batching.embed_queries(["河长制"])  # pushes 排污许可 out of a two-entry cache
    batching.embed_queries(["排污许可"])
    assert sum(inner.batches) == 4
