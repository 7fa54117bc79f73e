from __future__ import annotations

import pytest

from policy_search import store
from policy_search.errors import IndexNotReady


def test_publish_switches_current_and_keeps_a_few_generations(tmp_path):
    index = store.IndexStore(tmp_path / "idx")
    assert index.current() is None
    with pytest.raises(IndexNotReady):
        index.require_current()
    names = []
    for n in range(5):
        folder = index.publish(lambda f, n=n: (f.joinpath("payload").write_text(str(n)), {"n": n})[1])
        names.append(folder.name)
        assert index.current() == folder
        assert store.read_manifest(folder)["n"] == n
    remaining = sorted(p.name for p in index.generations.iterdir())
    assert remaining == sorted(names[-store.KEEP_GENERATIONS:])


def test_a_failed_write_leaves_the_published_generation(tmp_path):
    index = store.IndexStore(tmp_path / "idx")
    first = index.publish(lambda f: {"n": 1})

    def broken(folder):
        (folder / "half.jsonl").write_text("{")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        index.publish(broken)
    assert index.current() == first
    assert not list(index.generations.glob(".staging-*"))
