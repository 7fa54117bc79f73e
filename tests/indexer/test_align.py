"""新旧条文对照 worked out by the indexer: a code that renumbers, merges, splits and drops the articles of the
laws it repeals, and a law in two versions."""

from __future__ import annotations

import pytest

from policy_search import store
from policy_search.model import Citation
from tests.alignment import write_alignment_corpus
from tests.conftest import index_folder
from tests.fakes import BigramEmbedder


@pytest.fixture(scope="module")
def generation(tmp_path_factory):
    root = tmp_path_factory.mktemp("align")
    out = index_folder(write_alignment_corpus(root / "corpus"), root / "index", BigramEmbedder())
    return store.IndexStore(out).require_current()


@pytest.fixture(scope="module")
def table(generation):
    """(old citation, 款 or None) → (how, [new citations])."""
    documents = {d.doc_id: d for d in store.read_documents(generation)}
    clauses = {c.clause_id: c for c in store.read_clauses(generation)}

    def cite(clause_id, paragraph=None):
        clause = clauses[clause_id]
        meta = documents[clause.doc_id]
        title = meta.title + (f"({meta.date[:4]})" if "海洋" in meta.title else "")
        return Citation(title, clause.locator.article, paragraph).render()

    return {
        (cite(row.old), row.paragraph): (row.how, [cite(s.clause_id, s.paragraph) for s in row.successors], row)
        for row in store.read_alignments(generation)
    }


def _entry(table, old, paragraph=None):
    return table[(f"《中华人民共和国{old}", paragraph)]


def test_renumbered_articles_find_the_code_article_that_carries_them(table):
    how, new, row = _entry(table, "示例大气污染防治法》第五条")
    assert new == ["《中华人民共和国示例生态环境法典》第六条"] and how == "amended"
    how, new, _ = _entry(table, "示例水污染防治法》第二条")
    assert new == ["《中华人民共和国示例生态环境法典》第七条"] and how == "same"


def test_purpose_articles_of_both_laws_are_merged_into_one(table):
    for old in ("示例大气污染防治法》第一条", "示例水污染防治法》第一条"):
        how, new, _ = _entry(table, old)
        assert (how, new) == ("merged", ["《中华人民共和国示例生态环境法典》第一条"])


def test_an_article_whose_paragraphs_go_separate_ways_is_split(table):
    how, new, _ = _entry(table, "示例大气污染防治法》第四条")
    assert how == "split"
    assert new == ["《中华人民共和国示例生态环境法典》第四条", "《中华人民共和国示例生态环境法典》第五条"]
    assert _entry(table, "示例大气污染防治法》第四条", 1)[1] == ["《中华人民共和国示例生态环境法典》第四条"]
    assert _entry(table, "示例大气污染防治法》第四条", 2)[1] == ["《中华人民共和国示例生态环境法典》第五条"]


def test_rules_the_code_dropped_have_no_successor(table):
    """环境日, 排污费 and its penalty, the old commencement: none, not the nearest article."""
    for old in ("示例大气污染防治法》第二条", "示例大气污染防治法》第三条", "示例大气污染防治法》第七条",
                "示例大气污染防治法》第八条", "示例水污染防治法》第四条"):
        how, new, _ = _entry(table, old)
        assert (old, how, new) == (old, "none", [])


def test_a_penalty_goes_to_a_penalty_with_its_changed_amounts(table):
    how, new, row = _entry(table, "示例大气污染防治法》第六条")
    assert new == ["《中华人民共和国示例生态环境法典》第十条"] and how == "amended"
    assert row.changes["amounts"] == {"old": ["百分之一", "百分之五"], "new": ["二十万元", "一千万元"]}
    assert 0.3 <= row.similarity <= 1.0


def test_older_versions_are_aligned_with_the_current_one(table):
    how, new, _ = _entry(table, "示例海洋法(2017)》第三条")
    assert new == ["《中华人民共和国示例海洋法(2023)》第三条"] and how == "amended"
    assert _entry(table, "示例海洋法(2017)》第二条")[:2] == ("none", [])
    assert ("《中华人民共和国示例海洋法(2023)》第一条", None) not in table  # the current text has no successor


def test_the_manifest_records_the_alignment_and_its_time(generation):
    recorded = store.read_manifest(generation)["alignments"]
    assert recorded["rows"] == len(store.read_alignments(generation)) > 0
    assert recorded["seconds"] >= 0


def test_of_two_articles_with_the_same_words_the_one_under_the_old_articles_headings_is_chosen(monkeypatch):
    from indexer import align

    old = [align.Article("old-1", "old", 1, "排放单位应当安装监测设备，保存原始监测记录。", False, headings="第三章 大气污染防治措施")]
    new = [
        align.Article("new-1", "code", 1, "排放单位应当安装监测设备，保存原始监测记录。", False, headings="第二编 污染防治 第三分编 水污染防治 第七章 一般规定"),
        align.Article("new-2", "code", 2, "排放单位应当安装监测设备，保存原始监测记录。", False, headings="第二编 污染防治 第二分编 大气污染防治 第三章 一般规定"),
    ]
    assert [s.clause_id for s in align.align_texts(old, new)[0].successors] == ["new-2"]
    monkeypatch.setattr(align, "HEADING_BONUS", 0.0)  # words alone cannot tell them apart: the first is taken
    assert [s.clause_id for s in align.align_texts(old, new)[0].successors] == ["new-1"]
