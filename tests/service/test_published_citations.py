"""Citations of texts as they are published: a carried text by its own title and by the notice's, a measure by
its number alone, an attachment's parts, a report by its place and year, and an excerpt whose numbers skip."""

from __future__ import annotations

import pytest

from indexer.build import build_index
from indexer.pipeline import discover, parse_files
from policy_search.model import SEARCH_KINDS
from service.retrieval.check import CitationChecker
from service.retrieval.context import CitationNotFound, cite
from service.retrieval.loaded import load_index
from service.retrieval.results import search_answer
from service.retrieval.searcher import Searcher
from tests.conftest import LAW_TEXT
from tests.fakes import BigramEmbedder
from tests.published import write_published

PLAN = "《推进东湖市河湖长制提质增效实施方案》"
MEASURES = "《国务院关于支持东湖示范区深化改革创新若干措施的通知》"
REPLY = "《东湖市人民政府办公室关于西岭县尾矿库险情有关问题的复函》"
EXCERPT = "《东湖市加强水环境治理若干措施（节选）》"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    root = tmp_path_factory.mktemp("published")
    files, _ = discover([write_published(root / "corpus")])
    result = parse_files(files)
    embedder = BigramEmbedder()
    build_index(root / "index", result.documents, read_sources=result.sources, embedder=embedder)
    return Searcher(load_index(root / "index", embedder), embedder)


@pytest.mark.parametrize("query, citation, text", [
    (PLAN + "第二部分第（一）项", PLAN + "第二部分第（一）项", "1.落实巡河制度"),
    ("《东湖市生态环境局等3部门关于印发推进东湖市河湖长制提质增效实施方案的通知》第二部分第（二）项",
     PLAN + "第二部分第（二）项", "1.开展排查溯源"),
    ("《关于推进东湖市河湖长制提质增效实施方案》第三部分", PLAN + "第三部分", "（一）加强组织领导"),
    ("东环函〔2023〕88号第一部分", PLAN + "第一部分", "一、主要目标"),
    (MEASURES + "第（四）项", MEASURES + "第二部分第（四）项", "（四）开展艺术品保税仓储"),
    (MEASURES + "第二部分第（五）项", MEASURES + "第二部分第（五）项", "（五）试点汽车平行进口"),
    (REPLY + "附件1第二部分", REPLY + "附件1第二部分", "二、处理建议"),
    (REPLY + "第一部分", REPLY + "第一部分", "一、已组织专家现场调查"),
    ("《政府工作报告》第二部分第（一）项", "《政府工作报告》第二部分第（一）项", "（一）聚焦绿色转型"),
    ("《东湖省政府工作报告》第一部分", "《政府工作报告》第一部分", "一、2024年工作回顾"),
    ("《2025年东湖省政府工作报告》第二部分第（二）项", "《政府工作报告》第二部分第（二）项", "新建改建农村污水"),
    (EXCERPT + "第三条", EXCERPT + "第三条", "三、强化工业废水监管"),
    (EXCERPT + "第十二条", EXCERPT + "第十二条", "十二、严格考核问责"),
])
def test_published_texts_are_cited_as_written(searcher, query, citation, text):
    found = cite(searcher, query)
    assert found["result"]["citation"] == citation
    assert found["result"]["text"].startswith(text)


@pytest.mark.parametrize("query, words", [
    (PLAN + "第（一）项", ["有2个第（一）项", "第二部分第（一）项", "第三部分第（一）项"]),  # one label under two parts
    (MEASURES + "第一部分第（四）项", ["第一部分没有第（四）项"]),
    (EXCERPT + "第四条", ["没有第四条"]),  # a gap in the numbering is not filled by the next number
    (REPLY + "附件2第一部分", ["附件2没有第一部分"]),
    (REPLY + "附件1第三部分", ["附件1没有第三部分"]),
])
def test_what_the_numbering_does_not_hold_is_refused(searcher, query, words):
    with pytest.raises(CitationNotFound) as refused:
        cite(searcher, query)
    said = str(refused.value) + " ".join(refused.value.suggestions)
    assert all(word in said for word in words), said


def test_a_search_for_a_cited_measure_answers_it_first(searcher):
    query = MEASURES + "第（四）项"
    answer = search_answer(searcher.index, query, searcher.search(query, top_k=3))
    assert answer["results"][0]["citation"] == MEASURES + "第二部分第（四）项"
    assert answer["citations"][0]["status"] == "ok"


@pytest.mark.parametrize("line", ["李明远副主任：", "市生态环境局联系人：王某，联系电话：00000000", "险情调查专家组",
                                  "来源：东湖日报", "编辑：王某某", "2025-01-25 08:00:00", "市　长：张某某"])
def test_no_line_that_is_not_a_clause_is_a_hit(searcher, line):
    index = searcher.index
    for mode in ("bm25", "dense", "hybrid"):
        for hit in searcher.search(line, top_k=20, mode=mode).hits:
            assert index.clauses[hit.clause].kind in SEARCH_KINDS, (line, index.clauses[hit.clause].text)
            assert line not in index.clauses[hit.clause].text


def test_the_citation_check_reads_a_measure_alone_and_an_attachments_part(searcher):
    text = (f"依据{MEASURES}第（四）项、{PLAN}第（一）项、{REPLY}附件1第二部分和{REPLY}附件1第九部分。")
    verdicts = {c["text"]: c["verdict"] for c in CitationChecker(searcher).check(text)["citations"]}
    assert verdicts == {MEASURES + "第（四）项": "ok", PLAN + "第（一）项": "no_item", REPLY + "附件1第二部分": "ok",
                        REPLY + "附件1第九部分": "no_article"}


def test_an_item_alone_in_a_text_with_articles_asks_for_its_article(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "示例保护法(2014-04-24).txt").write_text(LAW_TEXT, encoding="utf-8")
    files, _ = discover([tmp_path / "c"])
    result = parse_files(files)
    embedder = BigramEmbedder()
    build_index(tmp_path / "i", result.documents, read_sources=result.sources, embedder=embedder)
    with pytest.raises(CitationNotFound) as refused:
        cite(Searcher(load_index(tmp_path / "i", embedder), embedder), "《中华人民共和国示例保护法》第（一）项")
    assert "须写明所在条" in str(refused.value)
