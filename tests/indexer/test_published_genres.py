"""Official texts as they are published: the title, 文号, issuer and date read off each shape, and the lines
of a 公文 or a web page that are not clauses kept out of the search units."""

from __future__ import annotations

import pytest

from indexer.dates import find_dates
from indexer.layout import line_roles, signature
from indexer.pipeline import discover, parse_files
from policy_search.catalog import part_numbers
from policy_search.model import SEARCH_KINDS, ClauseKind, citation_for
from tests.published import write_published


@pytest.fixture(scope="module")
def documents(tmp_path_factory):
    files, _ = discover([write_published(tmp_path_factory.mktemp("published"))])
    result = parse_files(files)
    assert not result.failures
    return {doc.meta.source: doc for doc in result.documents}


def _unit(doc, text):
    return next(c for c in doc.clauses if c.text == text)


@pytest.mark.parametrize("source, title, doc_number, issuer, date, doc_type", [
    ("reply.txt", "东湖市人民政府办公室关于西岭县尾矿库险情有关问题的复函", "东府办函〔2021〕45号", "东湖市人民政府办公室",
     "2021-11-04", "工作文件"),
    ("measures.txt", "国务院关于支持东湖示范区深化改革创新若干措施的通知", "国发〔2018〕99号", "国务院", "2018-11-07", "规范性文件"),
    ("transmittal.txt", "推进东湖市河湖长制提质增效实施方案", "东环函〔2023〕88号",
     "东湖市生态环境局、东湖市水务局、东湖市财政局", "2023-10-19", "规范性文件"),
    ("order.txt", "东湖市扬尘污染防治办法", "东湖市人民政府令第12号", "东湖市人民政府", "2022-03-01", "地方政府规章"),
    ("department_rule.txt", "排污单位示例监测管理办法", "示例保护部令第9号", "示例保护部", "2015-06-01", "部门规章"),
    ("report.txt", "政府工作报告", None, "东湖省人民政府", "2025-01-20", "讲话"),
])
def test_each_shape_gives_its_title_number_issuer_date_and_type(documents, source, title, doc_number, issuer, date, doc_type):
    meta = documents[source].meta
    assert (meta.title, meta.doc_number, meta.issuer, meta.date, meta.doc_type) == (title, doc_number, issuer, date, doc_type)


def test_a_title_over_two_lines_is_one_title_and_neither_line_is_a_unit(documents):
    for source, first, second in [("reply.txt", "东湖市人民政府办公室关于西岭县", "尾矿库险情有关问题的复函"),
                                  ("measures.txt", "国务院关于支持东湖示范区", "深化改革创新若干措施的通知")]:
        texts = [c.text for c in documents[source].clauses]
        assert documents[source].meta.title == first + second
        assert first not in texts and second not in texts


def test_the_text_a_notice_carries_keeps_the_notices_title_as_another(documents):
    meta = documents["transmittal.txt"].meta
    assert meta.also_titles[0] == "东湖市生态环境局等3部门关于印发推进东湖市河湖长制提质增效实施方案的通知"
    assert "关于推进东湖市河湖长制提质增效实施方案" in meta.also_titles
    assert not any(c.text == "关于推进东湖市河湖长制提质增效实施方案" for c in documents["transmittal.txt"].clauses)


def test_a_report_is_also_known_by_its_place_and_year(documents):
    meta = documents["report.txt"].meta
    assert meta.region == "东湖"
    assert {"东湖省政府工作报告", "东湖省2025年政府工作报告", "2025年东湖省政府工作报告"} <= set(meta.also_titles)


def test_a_rule_under_its_order_repeats_no_title_and_no_preamble_as_a_unit(documents):
    doc = documents["order.txt"]
    searchable = [c for c in doc.clauses if c.kind in SEARCH_KINDS]
    assert [c.locator.article for c in searchable] == ["第一条", "第二条", "第三条"]
    assert _unit(doc, "《东湖市扬尘污染防治办法》已经2022年2月18日市政府第16届30次常务会议通过，现予公布，"
                      "自2022年5月1日起施行。").kind is ClauseKind.PROCEDURE
    assert _unit(doc, "2022年3月1日").kind is ClauseKind.SIGNATURE


def test_an_effective_date_in_the_note_is_not_the_version_date(documents):
    meta = documents["department_rule.txt"].meta
    assert meta.date == "2015-06-01"  # 公布; 自2015年7月1日起施行 is when it took effect


@pytest.mark.parametrize("source, line, kind", [
    ("reply.txt", "李明远副主任：", ClauseKind.ADDRESSEE),
    ("reply.txt", "市人民政府：", ClauseKind.ADDRESSEE),  # an attachment's own addressee
    ("reply.txt", "东湖市应急管理局", ClauseKind.SIGNATURE),
    ("reply.txt", "二〇二一年十月十日", ClauseKind.SIGNATURE),
    ("reply.txt", "西岭县尾矿库", ClauseKind.SIGNATURE),  # a name over two lines
    ("reply.txt", "险情调查专家组", ClauseKind.SIGNATURE),
    ("reply.txt", "二〇二一年九月二十三日", ClauseKind.SIGNATURE),
    ("transmittal.txt", "市生态环境局联系人：王某，联系电话：00000000", ClauseKind.SIGNATURE),
    ("transmittal.txt", "东湖市财政局", ClauseKind.SIGNATURE),
    ("transmittal.txt", "2.东湖市河湖长制任务分工", ClauseKind.ATTACHMENTS),
    ("order.txt", "市　长：张某某", ClauseKind.SIGNATURE),
    ("order.txt", "公开方式：主动公开", ClauseKind.DISTRIBUTION),
    ("report.txt", "2025-01-25 08:00:00", ClauseKind.DISTRIBUTION),
    ("report.txt", "来源：东湖日报", ClauseKind.DISTRIBUTION),
    ("report.txt", "（来源：东湖日报）", ClauseKind.DISTRIBUTION),
    ("report.txt", "编辑：王某某", ClauseKind.DISTRIBUTION),
])
def test_lines_that_are_not_clauses_are_never_search_units(documents, source, line, kind):
    unit = _unit(documents[source], line)
    assert unit.kind is kind
    assert kind not in SEARCH_KINDS


def test_the_occasion_and_speaker_of_a_report_are_header_not_units(documents):
    texts = [c.text for c in documents["report.txt"].clauses]
    assert not any(text.startswith(("——2025年1月20日", "省长")) for text in texts)


def test_a_signature_over_two_lines_names_one_issuer(documents):
    lines = ["专家组认为，坝体稳定。", "西岭县尾矿库", "险情调查专家组", "二〇二一年九月二十三日"]
    signed = signature(lines, line_roles(lines))
    assert signed.issuers == ("西岭县尾矿库险情调查专家组",)
    assert signed.date == "2021-09-23"


def test_chinese_numeral_dates_are_read():
    assert find_dates("二〇〇四年十一月四日") == ["2004-11-04"]
    assert find_dates("成文于二〇二一年九月二十三日，印发于2021年9月30日") == ["2021-09-23", "2021-09-30"]


def test_an_attachments_parts_are_its_own(documents):
    doc = documents["reply.txt"]
    basics = _unit(doc, "一、基本情况\n尾矿库位于西岭县北部山区，总库容约三百万立方米。")
    assert basics.locator.path[0] == "附件1 关于西岭县尾矿库险情调查情况的报告"
    assert part_numbers(basics.locator.path) == (-1, 1)
    assert citation_for(doc.meta, basics).render() == "《东湖市人民政府办公室关于西岭县尾矿库险情有关问题的复函》附件1第一部分"
    letter = _unit(doc, "一、已组织专家现场调查，尾矿库坝体总体稳定。")
    assert part_numbers(letter.locator.path) == (1,)


def test_a_table_row_is_never_a_heading(documents):
    doc = documents["transmittal.txt"]
    row = _unit(doc, "2.黑臭水体消除比例\t达到百分之百")
    assert row.kind is ClauseKind.PARAGRAPH
    assert row.locator.path == ("附件1 东湖市河湖长制考核指标",)


@pytest.mark.parametrize("line", ["加快经济增长速度", "着力提升城市品质", "市长", "坚持生态优先，绿色发展："])
def test_a_short_body_line_is_not_taken_for_a_signing_official(line):
    assert line_roles(["正文第一段。", "正文第二段。", "正文第三段。", line])[-1] is None
