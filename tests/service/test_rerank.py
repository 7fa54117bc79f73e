"""The learned ranker: features of the fused candidates, the shipped model, and how it reorders a search."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from service.retrieval.loaded import load_index
from service.retrieval.ranking import RankingConfig
from service.retrieval.rerank import BELOW, FEATURES, MODEL_FILE, RECORD_FILE, Candidates, hit_features, load_reranker
from service.retrieval.searcher import Searcher
from tests.scripts import load_script

COLUMN = {name: i for i, name in enumerate(FEATURES)}


class Recorder:
    """Keeps what the searcher hands to its ranker, and changes nothing."""

    def __init__(self) -> None:
        self.seen: tuple | None = None

    def rerank(self, index, hits, candidates, weight=None):
        self.seen = (list(hits), candidates)
        return hits


@pytest.fixture
def index(small_index):
    out, embedder = small_index
    return load_index(out, embedder), embedder


def _features(index, query: str):
    loaded, embedder = index
    recorder = Recorder()
    searcher = Searcher(loaded, embedder, RankingConfig(rerank=True), reranker=recorder)
    searcher.search(query)
    hits, candidates = recorder.seen
    return searcher, hits, hit_features(searcher.index, hits, candidates)


def test_features_describe_each_candidate(index):
    searcher, hits, rows = _features(index, "环境保护法 第五十九条 拒不改正 按日连续处罚 罚款")
    assert rows.shape == (len(hits), len(FEATURES))
    loaded = searcher.index
    for hit, row in zip(hits, rows):
        clause = loaded.clauses[hit.clause]
        title = loaded.documents[loaded.doc_of[hit.clause]].title
        assert row[COLUMN["title_named"]] == float(title == "中华人民共和国环境保护法")
        assert row[COLUMN["article_named"]] == float(clause.locator.article == "第五十九条" and title.endswith("环境保护法"))
        assert 0.0 <= row[COLUMN["coverage"]] <= 1.0
        assert row[COLUMN["asks_penalty"]] == 1.0
        for name in ("fused", "cosine", "bm25", "dense_rank", "bm25_rank", "coverage", "title_coverage", "length"):
            assert np.isfinite(row[COLUMN[name]]), name
    best = next(row for hit, row in zip(hits, rows) if loaded.clauses[hit.clause].locator.article == "第五十九条")
    assert best[COLUMN["coverage"]] > 0.8 and best[COLUMN["penalty"]] == 1.0
    assert rows[:, COLUMN["fused_rank"]].tolist() == sorted(rows[:, COLUMN["fused_rank"]].tolist())


def test_a_missing_retriever_reads_as_missing(index):
    loaded, _ = index
    recorder = Recorder()
    searcher = Searcher(loaded, None, RankingConfig(rerank=True), reranker=recorder)
    searcher.search("暗管 渗井")
    hits, candidates = recorder.seen
    rows = hit_features(searcher.index, hits, candidates)
    assert np.isnan(rows[:, COLUMN["cosine"]]).all() and np.isfinite(rows[:, COLUMN["bm25"]]).all()


def _synthetic(queries: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Questions whose one relevant candidate holds all the query's words; the fused order says nothing."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(queries):
        x = rng.random((30, len(FEATURES))).astype(np.float32)
        x[:, COLUMN["coverage"]] = rng.random(30) * 0.8
        y = np.zeros(30)
        answer = rng.integers(30)
        x[answer, COLUMN["coverage"]] = 1.0
        y[answer] = 1.0
        rows.append((x, y))
    return rows


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A ranker trained by scripts/train_ranker.py's own routine on synthetic questions, written as the script writes it."""
    pytest.importorskip("lightgbm")
    script = load_script("train_ranker")
    booster, _ = script.train(_synthetic(80, 1), _synthetic(20, 2), leaves=7, rate=0.1, min_rows=20, seed=7)
    folder = tmp_path_factory.mktemp("ranker")
    (folder / MODEL_FILE).write_text(booster.model_to_string(), encoding="utf-8")
    (folder / RECORD_FILE).write_text(json.dumps({"features": list(FEATURES), "depth": 5}), encoding="utf-8")
    return script, booster, folder


def test_training_learns_what_marks_the_answer(trained):
    script, booster, _ = trained
    held_out = _synthetic(30, 3)
    queries = [{"relevant": [{}]} for _ in held_out]
    scores = [booster.predict(x) for x, _ in held_out]
    assert script.metrics(held_out, queries, scores)["MRR@10"] > 0.95
    assert script.metrics(held_out, queries, None)["MRR@10"] < 0.5


def test_the_ranker_reorders_only_its_depth(trained, index):
    _, _, folder = trained
    loaded, embedder = index
    ranker = load_reranker(folder)
    assert ranker.depth == 5
    fused = Searcher(loaded, embedder, RankingConfig(rerank=False)).search("排放污染物 暗管 罚款", top_k=20).hits
    reranked = Searcher(loaded, embedder, RankingConfig(rerank=True), reranker=ranker).search("排放污染物 暗管 罚款", top_k=20).hits
    assert len(fused) > 5
    top = [h for h in reranked if "rerank" in h.components]
    assert len(top) == 5 and {h.group for h in top} == {h.group for h in fused[:5]}
    assert all(BELOW <= h.score / h.components["prior"] <= 1.0 + 1e-6 for h in top)
    assert max(h.components["rerank"] for h in top) == 1.0 and min(h.components["rerank"] for h in top) >= 0.0
    rest = [h for h in reranked if "rerank" not in h.components]
    assert all(h.score <= BELOW for h in rest)


def test_the_weight_mixes_the_ranker_with_the_fused_order(trained, index):
    _, _, folder = trained
    loaded, embedder = index
    ranker = load_reranker(folder)
    searcher = Searcher(loaded, embedder, RankingConfig(rerank=False))
    hits = searcher.search("排放污染物 暗管 罚款", top_k=20).hits
    candidates = _candidates(searcher, "排放污染物 暗管 罚款")
    groups = [h.group for h in hits[: ranker.depth]]
    model = ranker.score(hit_features(searcher.index, hits[: ranker.depth], candidates))

    def order(weight):
        fresh = searcher.search("排放污染物 暗管 罚款", top_k=20, rerank=False).hits
        return [h.group for h in ranker.rerank(searcher.index, fresh, candidates, weight)[: ranker.depth]]

    assert order(0.0) == groups  # the fused order alone
    assert order(1.0) == [groups[i] for i in np.argsort(-model, kind="stable")]  # the model alone
    assert ranker.weight == 1.0  # a record without a weight: the model alone
    with pytest.raises(ValueError, match="rerank_weight"):
        RankingConfig(rerank_weight=1.5)


def _candidates(searcher, query: str) -> Candidates:
    recorder = Recorder()
    Searcher(searcher.index, searcher.embedder, RankingConfig(rerank=True), reranker=recorder).search(query)
    return recorder.seen[1]


def test_rerank_is_a_per_search_switch(index):
    loaded, embedder = index
    recorder = Recorder()
    searcher = Searcher(loaded, embedder, RankingConfig(rerank=True), reranker=recorder)
    searcher.search("暗管 渗井", rerank=False)
    assert recorder.seen is None
    searcher.search("暗管 渗井", mode="bm25")
    assert recorder.seen is None  # the ranker learnt hybrid features: single retrievers are left as they are
    searcher.search("暗管 渗井")
    assert recorder.seen is not None
    recorder.seen = None
    Searcher(loaded, embedder, RankingConfig(rerank=False), reranker=recorder).search("暗管 渗井", rerank=True)
    assert recorder.seen is not None


def test_the_shipped_ranker_matches_its_record():
    folder = Path(str(resources.files("service") / "data"))
    record = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
    text = (folder / MODEL_FILE).read_text(encoding="utf-8")
    assert record["features"] == list(FEATURES)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == record["sha256"]
    assert "tuning part" in record["data"]  # trained on STARD's tuning questions, never on eco_dev
    ranker = load_reranker()
    assert ranker.depth == record["depth"] and ranker.weight == record["weight"]
    assert record["held_out"]["reranked"]["MRR@10"] > record["held_out"]["fused"]["MRR@10"]
    assert ranker.score(np.zeros((3, len(FEATURES)), np.float32)).shape == (3,)


def test_the_search_route_takes_rerank(client):
    on = client.get("/search", params={"q": "排放污染物 暗管", "explain": True, "rerank": True}).json()["results"]
    off = client.get("/search", params={"q": "排放污染物 暗管", "explain": True, "rerank": False}).json()["results"]
    assert on and off
    assert all("rerank" in r["components"] for r in on[:2]) and not any("rerank" in r["components"] for r in off)
    default = client.get("/search", params={"q": "排放污染物 暗管", "explain": True}).json()["results"]
    assert not any("rerank" in r["components"] for r in default)  # the ranker fits the tuned model's scores only
    posted = client.post("/search", json={"q": "排放污染物 暗管", "rerank": False, "explain": True}).json()["results"]
    assert [r["clause_id"] for r in posted] == [r["clause_id"] for r in off]
    assert client.get("/search", params={"q": "暗管", "rerank": "maybe"}).status_code == 422


@pytest.mark.slow
def test_the_default_model_and_the_shipped_ranker_answer_a_plain_question(tmp_path, built_model_dir):
    pytest.importorskip("peft")
    from policy_search.embedding.encoder import SentenceTransformerEmbedder
    from policy_search.embedding.tuned import DEFAULT_MODEL, ensure_model
    from tests.conftest import index_small_corpus

    embedder = SentenceTransformerEmbedder(ensure_model(DEFAULT_MODEL, built_model_dir.parent), threads=1)
    loaded = load_index(index_small_corpus(tmp_path, embedder), embedder)
    searcher = Searcher(loaded, embedder, RankingConfig(dense_weight=embedder.dense_weight, rerank=True))
    outcome = searcher.search("企业违法排污被罚款后还拒不改正，可以按日连续罚吗？")
    first = outcome.hits[0]
    assert "rerank" in first.components
    assert loaded.clauses[first.clause].locator.article == "第五十九条"


class _Model:
    def __init__(self, tuned: bool) -> None:
        self.tuned, self.dense_weight = tuned, 0.7 if tuned else 0.5


def test_the_ranker_is_off_by_default_and_a_setting_turns_it_on(monkeypatch):
    from service.settings import Settings

    monkeypatch.delenv("POLICY_SEARCH_RERANK", raising=False)
    assert Settings().ranking(_Model(tuned=True)).rerank is False  # it lost under the validation protocol
    assert Settings().ranking(_Model(tuned=False)).rerank is False
    assert Settings().ranking(None).rerank is False
    monkeypatch.setenv("POLICY_SEARCH_RERANK", "true")
    assert Settings().ranking(_Model(tuned=False)).rerank is True
    monkeypatch.setenv("POLICY_SEARCH_RERANK", "false")
    assert Settings().ranking(_Model(tuned=True)).rerank is False


def test_preparing_works_out_what_searches_would(index):
    loaded, embedder = index
    searcher = Searcher(loaded, embedder, RankingConfig(rerank=False))
    searcher.prepare()
    assert loaded.clause_features is None and not loaded.folded  # no ranker, nothing to prepare
    expected = Searcher(loaded, embedder, RankingConfig(rerank=True)).search("排放污染物 暗管 罚款").hits
    prepared = Searcher(loaded, embedder, RankingConfig(rerank=True))
    prepared.prepare()
    assert loaded.clause_features.shape == (len(loaded.clauses), 8) and len(loaded.folded) == len(loaded.clauses)
    assert [(h.group, h.score) for h in prepared.search("排放污染物 暗管 罚款").hits] == [(h.group, h.score) for h in expected]
