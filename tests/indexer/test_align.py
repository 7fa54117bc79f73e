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

    old = [align.Article("old-1", "old", 1, "排放单位应当安装监测设备，保存原始监测记录。", False, path=("第三章 大气污染防治措施",))]
    new = [
        align.Article("new-1", "code", 1, "排放单位应当安装监测设备，保存原始监测记录。", False, path=("第二编 污染防治", "第三分编 水污染防治", "第七章 一般规定")),
        align.Article("new-2", "code", 2, "排放单位应当安装监测设备，保存原始监测记录。", False, path=("第二编 污染防治", "第二分编 大气污染防治", "第三章 一般规定")),
    ]
    assert [s.clause_id for s in align.align_texts(old, new)[0].successors] == ["new-2"]
    monkeypatch.setattr(align, "HEADING_BONUS", 0.0)  # words alone cannot tell them apart: the first is taken
    assert [s.clause_id for s in align.align_texts(old, new)[0].successors] == ["new-1"]


def test_the_bodies_an_article_names_weigh_less_than_what_it_requires(monkeypatch):
    """A candidate that only shares who acts (a long department name) loses against the one that shares the rule."""
    from indexer import align

    old = [align.Article("old-1", "old", 1, "设区的市级以上地方人民政府生态环境主管部门应当公布举报方式，方便公众举报。", False)]
    new = [
        align.Article("new-1", "code", 1, "设区的市级以上地方人民政府生态环境主管部门应当对修复活动进行信用监管。", False),
        align.Article("new-2", "code", 2, "有关部门应当公布举报电话等举报方式，方便公众举报。", False),
    ]
    assert [s.clause_id for s in align.align_texts(old, new)[0].successors] == ["new-2"]
    monkeypatch.setattr(align, "BODY_WEIGHT", 1.0)  # every bigram alike: the shared department name wins
    assert [s.clause_id for s in align.align_texts(old, new)[0].successors] == ["new-1"]


def test_a_candidate_in_the_part_another_old_law_went_into_counts_less():
    """Two laws replaced by one code: the noise law's articles clearly fill the noise part, so a water article that
    reads almost as well there as in the general part goes to the general part."""
    from indexer import align

    def article(doc, n, text, path=()):
        return align.Article(f"{doc}-{n}", doc, n, text, False, path=path)

    noise_part = ("第二编 污染防治", "第七分编 噪声污染防治")
    general = ("第一章 基本规定",)
    code = [article("code", 1, "国务院生态环境主管部门制定国家污染物排放标准。", general)] + [
        article("code", 1 + n, text, noise_part) for n, text in enumerate((
            "国务院生态环境主管部门根据国家经济、技术条件，制定国家噪声排放标准。",
            "建设单位应当对建筑施工噪声进行监测，并保存原始监测记录。",
            "文化娱乐场所经营者应当采取有效措施，防止社会生活噪声污染。",
            "机动车消声器和喇叭应当符合国家规定，禁止驾驶拆除消声器的机动车。",
        ), 1)
    ]
    noise = [article("noise", n, text) for n, text in enumerate((
        "建设单位应当对建筑施工噪声进行监测，并保存原始监测记录。",
        "文化娱乐场所经营者应当采取有效措施，防止社会生活噪声污染。",
        "机动车消声器和喇叭应当符合国家规定，禁止驾驶拆除消声器的机动车。",
    ), 1)]
    water = [article("water", 1, "国务院生态环境主管部门根据技术条件，制定国家污染物排放标准。")]
    articles = {"code": code, "noise": noise, "water": water}
    pairs = [("noise", "code", "repeal"), ("water", "code", "repeal")]
    by_old = {row.old: [s.clause_id for s in row.successors] for row in align.align_pairs(articles, pairs)}
    assert by_old["water-1"] == ["code-1"]
    assert by_old["noise-2"] == ["code-4"]
    alone = {row.old: [s.clause_id for s in row.successors] for row in align.align_pairs(articles, pairs[1:])}
    assert alone["water-1"] == ["code-2"]  # without the noise law beside it, the nearer words win


def test_an_article_of_several_paragraphs_is_cited_whole_and_each_paragraph_names_its_own():
    """The old article's two 款 are the new article's two 款: its row names the new article, not one of its 款
    (the other would be wrong), and each 款 has a row naming the 款 that holds it, for a citation of that 款."""
    from indexer import align

    first = "新建煤矿应当同步建设配套的煤炭洗选设施，使煤炭的硫分、灰分含量达到规定标准。"
    second = "禁止开采含放射性和砷等有毒有害物质超过规定标准的煤炭。"
    old = [align.Article("old-1", "old", 1, first + second, False, paragraphs=[(1, first), (2, second)])]
    new = [
        align.Article("new-1", "code", 1, "国家推行清洁能源，鼓励使用天然气。", False),
        align.Article("new-2", "code", 2, first + second, False, paragraphs=[(1, first), (2, second)]),
    ]
    rows = {row.paragraph: row for row in align.align_texts(old, new)}
    assert [(s.clause_id, s.paragraph) for s in rows[None].successors] == [("new-2", None)]
    assert [(s.clause_id, s.paragraph) for s in rows[1].successors] == [("new-2", 1)]
    assert [(s.clause_id, s.paragraph) for s in rows[2].successors] == [("new-2", 2)]
    one = [align.Article("old-2", "old", 2, second, False)]  # a one-款 article still names the 款 that holds it
    assert [(s.clause_id, s.paragraph) for s in align.align_texts(one, new)[0].successors] == [("new-2", 2)]
