"""Sample documents out of the way, exact phrases first, and the weak-match notice."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.drafting.plan import DraftOptions, Problem, draft_problem
from service.retrieval.loaded import load_index
from service.retrieval.ranking import RankingConfig
from service.retrieval.results import hit_result
from service.retrieval.searcher import Searcher
from service.retrieval.weak import WEAK_NOTICE
from service.settings import Settings
from tests.conftest import index_folder, write_small_corpus
from tests.fakes import BigramEmbedder

SAMPLE_NAME = "示例市暗管偷排专项整治措施.txt"
SAMPLE_TEXT = """示例市暗管偷排专项整治措施
一、严禁企业通过暗管、渗井、渗坑偷排污水逃避监管，发现暗管偷排的依法从严查处。
二、企业违法排放污染物拒不改正的，按日连续处罚。
"""
QUERY = "企业通过暗管渗井偷排污水逃避监管"


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory):
    """The small corpus plus one sample document that resembles the query more than any law does."""
    root = tmp_path_factory.mktemp("samples")
    folder = write_small_corpus(root / "corpus")
    (folder / SAMPLE_NAME).write_text(SAMPLE_TEXT, encoding="utf-8")
    with (folder / "manifest.jsonl").open("a", encoding="utf-8") as manifest:
        manifest.write(json.dumps({"file": SAMPLE_NAME, "sample": True}, ensure_ascii=False) + "\n")
    embedder = BigramEmbedder()
    return index_folder(folder, root / "index", embedder), embedder


def searcher_for(sample_index, **knobs) -> Searcher:
    """No local prior unless asked: the sample is a city's text, and only its sample mark may keep it back here."""
    out, embedder = sample_index
    return Searcher(load_index(out, embedder), embedder, RankingConfig(rerank=False, **{"local_factor": 1.0} | knobs))


def results(searcher: Searcher, query: str, **kwargs) -> list[dict]:
    outcome = searcher.search(query, **kwargs)
    return [hit_result(searcher.index, hit, outcome.tokens) for hit in outcome.hits]


def test_samples_are_marked_and_never_outrank_a_real_clause(sample_index):
    found = results(searcher_for(sample_index), QUERY, top_k=100)
    flags = [r["document"]["sample"] for r in found]
    assert True in flags and False in flags  # the sample is found, and so are real texts
    assert flags == sorted(flags)  # every real clause before every sample
    scores = [r["score"] for r in found]
    assert scores == sorted(scores, reverse=True)


def test_a_sample_would_lead_without_its_mark(sample_index):
    """The fixture is a fair test: unmarked, the sample outranks every law."""
    searcher = searcher_for(sample_index)
    searcher._samples = frozenset()
    assert results(searcher, QUERY)[0]["document"]["sample"] is True


def test_samples_are_no_drafting_bases_unless_asked(sample_index):
    searcher = searcher_for(sample_index)
    row = draft_problem(searcher, Problem(QUERY), DraftOptions())
    assert row["bases"] and not any(b["document"]["sample"] for b in row["bases"])
    asked = draft_problem(searcher, Problem(QUERY), DraftOptions(include_samples=True))
    assert any(b["document"]["sample"] for b in asked["bases"])


def test_a_sample_named_in_the_query_is_not_pushed_back(sample_index):
    found = results(searcher_for(sample_index), "《示例市暗管偷排专项整治措施》 按日连续处罚")
    assert found[0]["document"]["sample"] is True


def test_drafting_bases_are_ordered_by_relevance(sample_index):
    row = draft_problem(searcher_for(sample_index), Problem("企业违法排放污染物被罚款后拒不改正"), DraftOptions())
    ranks = [b["relevance_rank"] for b in row["bases"]]
    assert ranks == sorted(ranks) and len(ranks) >= 2
    assert row["bases"][0]["citation"].startswith("《中华人民共和国环境保护法》第五十九条")


def test_a_verbatim_phrase_finds_its_clause_first(sample_index):
    searcher = searcher_for(sample_index)
    first = results(searcher, "四不两直")[0]
    assert "四不两直" in first["text"]
    fragment = "按照原处罚数额按日连续处罚"  # copied from 环境保护法第五十九条
    assert results(searcher, f"“{fragment}”")[0]["citation"].startswith("《中华人民共和国环境保护法》第五十九条")
    assert results(searcher, fragment)[0]["citation"].startswith("《中华人民共和国环境保护法》第五十九条")


def test_nothing_matching_gets_the_weak_notice(sample_index):
    searcher = searcher_for(sample_index)
    outcome = searcher.search("量子纠缠区块链元宇宙")
    assert outcome.weak and WEAK_NOTICE in outcome.notice
    plain = searcher.search("暗管 逃避监管 按日连续处罚")
    assert not plain.weak and plain.notice is None


def test_a_query_found_verbatim_is_never_a_weak_match(sample_index):
    strict = searcher_for(sample_index, weak_coverage=1.0, weak_cosine=1.0)  # every other search reads as weak
    assert strict.search("按日连续处罚 逃避监管").weak
    copied = strict.search("四不两直")  # a phrase of the speech, which BM25 and the model weigh as nothing
    assert copied.hits[0].components.get("verbatim") == 1.0 and not copied.weak and copied.notice is None


def test_the_api_carries_the_weak_notice_and_the_sample_mark(sample_index):
    out, embedder = sample_index
    with TestClient(create_app(Settings(index_dir=out), embedder=embedder), raise_server_exceptions=False) as client:
        weak = client.get("/search", params={"q": "量子纠缠区块链元宇宙"}).json()
        assert weak["weak"] is True and WEAK_NOTICE in weak["notice"]
        found = client.get("/search", params={"q": QUERY, "top_k": 100}).json()
        assert "notice" not in found or found["notice"] is None
        flags = [r["document"]["sample"] for r in found["results"]]
        assert True in flags and flags == sorted(flags)


def test_a_cited_sample_still_answers_first(sample_index):
    """What a first run shows of local genres: a sample's numbered measure, cited, comes first."""
    found = results(searcher_for(sample_index), "《示例市暗管偷排专项整治措施》第二条")
    assert found[0]["document"]["sample"] is True and found[0]["citation"] == "《示例市暗管偷排专项整治措施》第二条"


def test_dense_feedback_moves_the_query_towards_its_best_clauses_and_leaves_the_weak_signal_alone(sample_index):
    from service.retrieval.searcher import feedback_vector

    query = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    best = np.array([[0.0, 1.0, 0.0], [0.0, 0.6, 0.8]], dtype=np.float32)
    moved = feedback_vector(query, best, 0.5)
    assert moved.dtype == np.float32 and abs(float(np.linalg.norm(moved)) - 1.0) < 1e-6
    assert moved[0] > moved[1] > moved[2] > 0  # still mostly the query, moved towards the mean of the two
    assert np.allclose(feedback_vector(query, best, 0.0), query)

    plain, fed = searcher_for(sample_index, feedback_k=0), searcher_for(sample_index, feedback_k=3)
    without, with_feedback = plain.search(QUERY), fed.search(QUERY)
    assert "feedback" in with_feedback.timings_ms and "feedback" not in without.timings_ms
    assert with_feedback.match["cosine"] == without.match["cosine"]  # calibrated on the query's own cosines
    assert "feedback" not in fed.search(QUERY, rerank=True).timings_ms  # the ranker learnt the query's own scores
    assert {h.group for h in with_feedback.hits} & {h.group for h in without.hits}
    with pytest.raises(ValueError, match="feedback"):
        RankingConfig(feedback_k=-1)


def test_cosines_are_scaled_from_the_floor_quantile_of_the_pool(sample_index):
    """The dense part is 0 at and below the floor quantile of the pool's cosines and 1 at the best; a reranked
    search scales as the ranker was trained (RANKER_DENSE_FLOOR), whatever the configured floor."""
    from service.retrieval.rerank import RANKER_DENSE_FLOOR

    searcher = searcher_for(sample_index, dense_floor=0.5)
    pool = np.arange(5)
    raw = np.array([0.2, 0.4, 0.5, 0.6, 0.8], dtype=np.float32)
    _, parts = searcher._fuse(pool, {"dense": raw}, "dense", 0.5)
    assert np.allclose(parts["dense"], [0.0, 0.0, 0.0, 1 / 3, 1.0])
    _, parts = searcher._fuse(pool, {"dense": raw}, "dense", 0.0)
    assert np.allclose(parts["dense"], [0.0, 1 / 3, 0.5, 2 / 3, 1.0])
    scaled = []
    fuse = searcher._fuse
    searcher._fuse = lambda pool, components, mode, floor: scaled.append(floor) or fuse(pool, components, mode, floor)
    searcher.search(QUERY, rerank=False)
    assert set(scaled) == {0.5}
    scaled.clear()
    searcher.search(QUERY, rerank=True)
    assert set(scaled) == {RANKER_DENSE_FLOOR}
    with pytest.raises(ValueError, match="dense_floor"):
        RankingConfig(dense_floor=1.0)
