"""Local documents as staff receive them: measures, an 意见, a letter, a 印发 notice carrying a 办法."""

from __future__ import annotations

import pytest

from indexer.pipeline import discover, parse_files
from policy_search.model import SEARCH_KINDS, ClauseKind, citation_for
from tests.genres import write_genres


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    files, _ = discover([write_genres(tmp_path_factory.mktemp("genres"))])
    result = parse_files(files)
    assert not result.failures
    return {doc.meta.source: doc for doc in result.documents}


def _unit(doc, start):
    return next(c for c in doc.clauses if c.text.startswith(start))


def test_a_heading_and_its_one_body_paragraph_are_one_unit(documents):
    doc = documents["measures.txt"]
    unit = _unit(doc, "二、加强大气污染防治。")
    assert unit.kind is ClauseKind.PARAGRAPH
    assert unit.text == "二、加强大气污染防治。\n全面推进工地扬尘治理，渣土车辆一律密闭运输，沿途遗撒的依法从重处罚。"
    assert not any(c.text == "二、加强大气污染防治。" for c in doc.clauses)


def test_a_heading_over_several_units_is_only_in_the_outline(documents):
    doc = documents["measures.txt"]
    heading = _unit(doc, "三、加强饮用水水源保护")
    assert heading.kind is ClauseKind.HEADING and heading.kind not in SEARCH_KINDS
    items = [c for c in doc.clauses if c.locator.path[:1] == ("三、加强饮用水水源保护",) and c.kind in SEARCH_KINDS]
    assert [c.text[:5] for c in items] == ["（一）规范", "（二）清理", "（三）强化"]


def test_measures_are_cited_as_articles(documents):
    doc = documents["measures.txt"]
    assert doc.meta.part_label == "条"
    item = _unit(doc, "（二）清理保护区内违法项目")
    assert citation_for(doc.meta, item).render() == "《东湖市全面加强生态环境保护十二条措施》第三条第（二）项"
    opinion = documents["opinion.txt"]
    assert opinion.meta.part_label == "部分"
    soil = _unit(opinion, "（三）深入打好净土保卫战")
    assert citation_for(opinion.meta, soil).render().endswith("的实施意见》第二部分第（三）项")


@pytest.mark.parametrize("source, line, kind", [
    ("measures.txt", "各县（市、区）人民政府，市级有关部门：", ClauseKind.ADDRESSEE),
    ("measures.txt", "东湖市人民政府办公室", ClauseKind.SIGNATURE),
    ("measures.txt", "2023年6月15日", ClauseKind.SIGNATURE),
    ("measures.txt", "（此件公开发布）", ClauseKind.SIGNATURE),
    ("measures.txt", "抄送：市委办公室，市人大常委会办公室。", ClauseKind.DISTRIBUTION),
    ("letter.txt", "省审计厅：", ClauseKind.ADDRESSEE),
    ("letter.txt", "附件：1.整改台账", ClauseKind.ATTACHMENTS),
    ("letter.txt", "2.相关佐证材料", ClauseKind.ATTACHMENTS),
    ("letter.txt", "特此函告。", ClauseKind.PROCEDURE),
    ("letter.txt", "（联系人：王某，电话：0000-1234567）", ClauseKind.SIGNATURE),
    ("opinion.txt", "中共西山省委", ClauseKind.SIGNATURE),
    ("signoff.txt", "现将《西山省生态环境保护督察问题整改销号办法》印发给你们，请认真贯彻执行。", ClauseKind.PROCEDURE),
    ("signoff.txt", "抄送：省委办公厅。", ClauseKind.DISTRIBUTION),
])
def test_parts_of_the_letter_are_recognised_and_are_not_search_units(documents, source, line, kind):
    unit = next(c for c in documents[source].clauses if c.text == line)
    assert unit.kind is kind
    assert kind not in SEARCH_KINDS


def test_signature_and_header_feed_the_metadata(documents):
    measures = documents["measures.txt"].meta
    assert (measures.doc_number, measures.date, measures.issuer, measures.region) == (
        "东府办发〔2023〕8号", "2023-06-15", "东湖市人民政府办公室", "东湖市")
    opinion = documents["opinion.txt"].meta
    assert opinion.issuers == ("中共西山省委", "西山省人民政府")
    assert opinion.issuer == "中共西山省委、西山省人民政府"


def test_a_printed_notice_is_the_document_it_sends_out(documents):
    doc = documents["signoff.txt"]
    assert doc.meta.title == "西山省生态环境保护督察问题整改销号办法"
    assert (doc.meta.doc_type, doc.meta.doc_number, doc.meta.issuer) == ("规范性文件", "西办发〔2023〕12号", "西山省人民政府办公厅")
    articles = [c for c in doc.clauses if c.kind is ClauseKind.ARTICLE]
    assert [c.locator.article for c in articles] == ["第一条", "第二条", "第三条", "第四条"]
    assert articles[-1].text == "本办法自2023年6月1日起施行。"  # the 抄送 line after it is not part of it
