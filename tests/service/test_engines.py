"""The Milvus engine beside the local one: the same ranking, generations published by alias, updates and failures.

The contract tests (test_retrieval_contract.py) run on both engines; these add what is Milvus's own.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from indexer.build import build_index
from policy_search import milvus, store
from policy_search.errors import EngineUnavailable, IndexMismatch
from service.app import create_app
from service.retrieval.filters import SearchFilters
from service.retrieval.loaded import load_index
from service.retrieval.searcher import Searcher
from service.settings import Settings
from tests.conftest import LAW_TEXT, LOCAL, index_small_corpus, milvus_engine

QUERIES = ("暗管 渗井 逃避监管", "按日连续处罚", "农药管理", "排放污染物 罚款", "环境保护法第五十九条", "整改销号 回头看")
FILTERS = (
    SearchFilters(),
    SearchFilters(regions=("山东",)),
    SearchFilters(doc_types=("法律", "讲话")),
    SearchFilters(date_from="2015-01-01"),
    SearchFilters(date_to="2017-12-31", include_superseded=True),
    SearchFilters(issuers=("人民代表大会",)),
)


def _ids(searcher, query, mode, filters):
    return [h.clause for h in searcher.search(query, filters, top_k=5, mode=mode).hits]


def test_both_engines_rank_alike(small_index, small_milvus_index):
    out, embedder = small_index
    local = Searcher(load_index(out, embedder, LOCAL), embedder)
    milvus_out, _, engine = small_milvus_index
    remote = Searcher(load_index(milvus_out, embedder, engine), embedder)
    assert [c.clause_id for c in local.index.clauses] == [c.clause_id for c in remote.index.clauses]
    compared = 0
    for filters in FILTERS:
        for query in QUERIES:
            for mode in ("bm25", "dense", "hybrid"):
                a, b = _ids(local, query, mode, filters), _ids(remote, query, mode, filters)
                assert a[:1] == b[:1], (query, mode, filters)
                assert len(set(a) & set(b)) >= len(a) - 1, (query, mode, filters, a, b)
                compared += bool(a)
    assert compared > 60


def test_an_index_published_to_one_engine_is_refused_by_the_other(small_milvus_index, small_index):
    milvus_out, embedder, engine = small_milvus_index
    with pytest.raises(IndexMismatch, match="POLICY_SEARCH_BACKEND=milvus"):
        load_index(milvus_out, embedder, LOCAL)
    with pytest.raises(IndexMismatch, match="POLICY_SEARCH_BACKEND=local"):
        load_index(small_index[0], embedder, engine)


def _law(root, title):
    from indexer.pipeline import discover, parse_files

    path = root / f"{title}(2020-01-01).txt"
    path.write_text(LAW_TEXT.replace("示例保护法", title), encoding="utf-8")
    files, _ = discover([path])
    return parse_files(files)


def test_generations_are_published_by_alias_and_old_collections_dropped(tmp_path):
    engine = milvus_engine(tmp_path, prefix="ps_alias")
    out = index_small_corpus(tmp_path, None, engine)
    client = milvus.connect(engine["uri"])
    first = store.read_manifest(store.IndexStore(out).current())["engine"]["collection"]
    assert client.list_aliases(first)["aliases"] == ["ps_alias"]
    reader = Searcher(load_index(out, None, engine), None)  # a search on generation 1 while others are published
    gone = reader.index.documents[0].doc_id
    build_index(out, [], remove_doc_ids={gone}, engine=engine)
    second = store.IndexStore(out).current()
    assert store.read_manifest(second)["engine"]["collection"] != first
    assert client.list_aliases(store.read_manifest(second)["engine"]["collection"])["aliases"] == ["ps_alias"]
    assert reader.search("排污", top_k=3).hits  # generation 1 still answers from its own collection
    fresh = Searcher(load_index(out, None, engine), None)
    assert gone not in {d.doc_id for d in fresh.index.documents}
    assert all(fresh.index.documents[fresh.index.doc_of[h.clause]].doc_id != gone for h in fresh.search("排污", top_k=20).hits)
    for title in ("示例甲法", "示例乙法", "示例丙法"):
        parsed = _law(tmp_path, title)
        build_index(out, parsed.documents, read_sources=parsed.sources, engine=engine)
    kept = set(store.IndexStore(out).kept())
    collections = {c for c in client.list_collections() if c.startswith("ps_alias_g")}
    assert collections == {milvus.collection_name("ps_alias", g) for g in kept} and first not in collections
    hit = Searcher(load_index(out, None, engine), None).search("示例丙法第四条").hits[0]
    assert hit.citation is not None and hit.citation.doc is not None


def test_a_failed_milvus_write_leaves_the_published_generation(tmp_path, monkeypatch):
    engine = milvus_engine(tmp_path, prefix="ps_fail")
    out = index_small_corpus(tmp_path, None, engine)
    published = store.IndexStore(out).current()
    client = milvus.connect(engine["uri"])
    before = set(client.list_collections())

    def refuse(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(client), "insert", refuse)
    parsed = _law(tmp_path, "示例失败法")
    with pytest.raises(EngineUnavailable, match="disk full"):
        build_index(out, parsed.documents, read_sources=parsed.sources, engine=engine)
    assert store.IndexStore(out).current() == published
    assert set(client.list_collections()) == before  # the half-made collection is dropped
    assert Searcher(load_index(out, None, engine), None).search("排污").hits


def test_an_unreachable_milvus_is_named():
    with pytest.raises(EngineUnavailable, match="POLICY_SEARCH_MILVUS_URI"):
        milvus.connect(None)


def test_the_service_updates_a_milvus_index_through_its_child(tmp_path):
    """Upload and delete over the API: the child process writes through the Milvus Lite server the service runs."""
    engine = milvus_engine(tmp_path, prefix="ps_service")
    out = index_small_corpus(tmp_path, None, engine)
    settings = Settings(index_dir=out, backend="milvus", milvus_uri=engine["uri"], milvus_collection="ps_service")
    law = ("示例服务法(2020-01-01).txt", LAW_TEXT.replace("示例保护法", "示例服务法").encode())
    with TestClient(create_app(settings, load_model=False)) as client:
        task = client.post("/documents", params={"wait": 120}, files={"files": law}).json()
        assert task["status"] == "done", task
        hit = client.get("/search", params={"q": "示例服务法第四条"}).json()["results"][0]
        assert hit["document"]["title"] == "中华人民共和国示例服务法"
        assert client.delete(f"/documents/{task['doc_ids'][0]}", params={"wait": 120}).json()["status"] == "done"
        titles = {d["title"] for d in client.get("/documents", params={"limit": 100}).json()["documents"]}
        assert "中华人民共和国示例服务法" not in titles
    manifest = store.read_manifest(store.IndexStore(out).current())
    assert manifest["engine"]["uri"] == milvus.lite_path(engine["uri"])  # the file, not the detour the child took


def test_with_nothing_configured_an_index_is_opened_in_the_engine_it_records(small_milvus_index):
    out, embedder, _ = small_milvus_index
    searcher = Searcher(load_index(out, embedder, {}), embedder)  # no backend, no address: the manifest's
    assert searcher.index.manifest["engine"]["kind"] == "milvus"
    assert searcher.search("暗管 渗井", top_k=3).hits
