"""The real published documents of ../shared/realdocs (skipped where absent): each one's 文号, issuer, date and
type, no line that is not a clause among the search units, and every numbered part and article citable."""

from __future__ import annotations

import re

import pytest

from indexer.dates import is_date_line
from indexer.layout import is_issuer_line
from indexer.pipeline import parse_files
from policy_search.catalog import Catalog
from policy_search.citations import find_citations
from policy_search.labels import PLACEHOLDER_RE
from policy_search.model import SEARCH_KINDS, Citation, citation_for
from policy_search.resolve import OK, CitationResolver
from tests.conftest import SHARED

REALDOCS = SHARED / "realdocs"
pytestmark = pytest.mark.skipif(not REALDOCS.is_dir(), reason="../shared/realdocs is not here")

EXPECTED = {  # file: (文号, issuer, date, type), as each document prints them
    "巴东县地质灾害险情复函.txt": ("国办函〔2004〕80号", "国务院办公厅", "2004-11-04", "工作文件"),
    "广东省碳排放管理试行办法.txt": ("粤府令第197号", "广东省人民政府", "2020-05-12", "地方政府规章"),
    "广州市家庭医生签约服务实施方案.txt": ("穗卫函〔2023〕1930号", "广州市卫生健康委员会、广州市财政局、广州市人力资源和社会保障局、"
                                       "广州市医疗保障局", "2023-10-19", "规范性文件"),
    "广州市户籍家庭住房保障通知.txt": ("穗建规字〔2024〕5号", "广州市住房和城乡建设局", "2024-03-04", "规范性文件"),
    "广州市特困人员救助供养通知.txt": ("穗府办规〔2021〕7号", "广州市人民政府办公厅", "2021-04-13", "规范性文件"),
    "广州市老年人优待办法.txt": ("广州市人民政府令第179号", "广州市人民政府", "2021-01-29", "地方政府规章"),
    "无废城市建设试点工作方案.txt": ("国办发〔2018〕128号", "国务院办公厅", "2018-12-29", "规范性文件"),
    "环保部门限制生产停产整治办法.txt": ("环境保护部令第30号", "环境保护部", "2014-12-19", "部门规章"),
    "科技节水建议复函.txt": ("国办函〔2005〕21号", "国务院办公厅", "2005-03-03", "工作文件"),
    "综合保税区高水平开放若干意见.txt": ("国发〔2019〕3号", "国务院", "2019-01-12", "规范性文件"),
    "自贸试验区深化改革创新若干措施.txt": ("国发〔2018〕38号", "国务院", "2018-11-07", "规范性文件"),
    "青海省2026年政府工作报告.txt": (None, "青海省人民政府", "2026-01-27", "讲话"),
}
# what a search unit never is: a date, an issuer's name, an addressee or a person addressed, a contact line,
# a web page's own lines, a 令's signing line
_NOT_A_CLAUSE = re.compile(
    r"^(?:[^。；，,]{1,40}[：:]|.{0,20}联系人[：:].*|[（(]?(?:来源|编辑)[：:].*|\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?"
    r"|附件\d*|[^。，]{0,12}长[\s\u3000]*[：:]?[\s\u3000]*\S{2,4})$"
)


@pytest.fixture(scope="module")
def parsed():
    result = parse_files(sorted(REALDOCS.glob("*.txt")))
    assert not result.failures
    return {doc.meta.source: doc for doc in result.documents}


@pytest.fixture(scope="module")
def resolver(parsed):
    docs = list(parsed.values())
    return CitationResolver(Catalog([d.meta for d in docs], [c for d in docs for c in d.clauses]))


def test_every_document_is_read(parsed):
    assert set(parsed) == set(EXPECTED)


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_number_issuer_date_and_type(parsed, source):
    meta = parsed[source].meta
    assert (meta.doc_number, meta.issuer, meta.date, meta.doc_type) == EXPECTED[source]


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_no_placeholder_or_letter_line_is_a_search_unit(parsed, source):
    doc = parsed[source]
    for clause in doc.clauses:
        if clause.kind not in SEARCH_KINDS:
            continue
        text = clause.text.strip()
        assert not PLACEHOLDER_RE.match(text), text
        assert not is_date_line(text) and not is_issuer_line(text), text
        assert not _NOT_A_CLAUSE.match(text), text
        assert text != doc.meta.title and text not in doc.meta.also_titles, text


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_every_numbered_part_and_article_is_citable(parsed, resolver, source):
    doc = parsed[source]
    pos = resolver.index.doc_pos[doc.meta.doc_id]
    cited = 0
    for clause in doc.clauses:
        if clause.kind not in SEARCH_KINDS or not (clause.locator.article or clause.locator.path):
            continue
        citation = citation_for(doc.meta, clause).render()
        if "第" not in citation.removeprefix(f"《{doc.meta.title}》"):
            continue  # a paragraph under no numbered heading (of the document or of an attachment)
        found = find_citations(citation)
        assert len(found) == 1 and not found[0].document_only, citation
        resolution = resolver.resolve(found[0])
        assert resolution.status == OK and resolution.doc == pos, (citation, resolution.message)
        held = resolution.units or resolver.index.group_members[resolution.group]
        assert resolver.index.clause_pos[clause.clause_id] in held or clause.locator.article, citation
        cited += 1
    assert cited > 0


@pytest.mark.parametrize("citation, starts", [
    ("《推进广州市家庭医生签约服务高质量发展实施方案》第二部分第（一）项", "1.有序扩大家庭医生来源"),
    ("《广州市卫生健康委等4部门关于印发推进广州市家庭医生签约服务高质量发展实施方案的通知》第三部分第（二）项", "（二）强化监管评价"),
    ("《“无废城市”建设试点工作方案》第四部分第（一）项", "（一）加强组织领导"),
    ("《国务院办公厅关于印发“无废城市”建设试点工作方案的通知》第三部分第（二）项", "（二）制定实施方案"),
    ("《国务院关于促进综合保税区高水平开放高质量发展的若干意见》第四部分第（三）项", "10.简化进出区管理"),
    ("《国务院关于支持自由贸易试验区深化改革创新若干措施的通知》第（二十九）项", "（二十九）支持平潭口岸"),
    ("《政府工作报告》第三部分第（一）项", "加强生态系统保护修复"),
    ("《青海省政府工作报告》第二部分第（一）项", "（一）以更高标准打造生态文明高地"),
    ("《国务院办公厅关于湖北省巴东县地质灾害险情有关问题的复函》附件1第二部分", "二、地质险情成因分析"),
    ("《环境保护主管部门实施限制生产、停产整治办法》第十七条", "排污者完成整改任务的"),
    ("《广州市老年人优待办法》第六条第二款", "年满60周岁不满65周岁"),
])
def test_documents_are_cited_by_their_own_titles(resolver, citation, starts):
    found = find_citations(citation)
    resolution = resolver.resolve(found[0])
    assert resolution.status == OK, resolution.message
    index = resolver.index
    texts = [index.clauses[u].text for u in (resolution.units or [resolution.position])]
    assert any(text.startswith(starts) for text in texts), texts[:2]


def test_a_measure_named_under_the_wrong_part_is_refused(resolver):
    found = find_citations("《国务院关于支持自由贸易试验区深化改革创新若干措施的通知》第一部分第（二十九）项")
    assert resolver.resolve(found[0]).status == "item_not_found"


def test_citations_render_the_way_they_resolve():
    assert Citation("某复函", path=("附件1 关于某事的报告", "二、处理情况")).render() == "《某复函》附件1第二部分"
