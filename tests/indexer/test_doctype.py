"""效力级别, issuers and region read from a document's own evidence, on documents of every authority level."""

from __future__ import annotations

import pytest

from indexer.metadata import read_header
from indexer.readers.base import RawDocument, TextBlock
from policy_search.authority import authority_level, canonical_doc_type
from policy_search.model import DocumentMeta

CASES = [
    # lines, doc_type, region, issuers
    (["四川省人民政府办公厅关于印发生态环境保护督察问题整改销号办法的通知", "川办发〔2023〕12号", "各市（州）人民政府，省政府各部门：",
      "现将《生态环境保护督察问题整改销号办法》印发给你们，请认真贯彻执行。", "四川省人民政府办公厅", "2023年5月10日"],
     "规范性文件", "四川", ("四川省人民政府办公厅",)),
    # a provincial 销号办法 in article form, signed by a government office: not a 地方性法规
    (["四川省生态环境保护督察问题整改销号办法", "第一条　为规范整改销号，制定本办法。", "第二条　本办法自印发之日起施行。",
      "四川省人民政府办公厅", "2023年5月10日"],
     "规范性文件", "四川", ("四川省人民政府办公厅",)),
    # a city's 办法 whose title names no place: the 令 line says whose it is
    (["饮用水水源地保护管理办法", "南宁市人民政府令 第12号", "第一条　为保护本市饮用水水源，制定本办法。",
      "第二条　本市行政区域内的饮用水水源地保护适用本办法。"],
     "地方政府规章", "南宁市", ("南宁市人民政府",)),
    # the same without the 令 line: local by its own words, of no known region, and never 全国
    (["饮用水水源地保护管理办法", "第一条　为保护本市饮用水水源，制定本办法。", "第二条　本市行政区域内的饮用水水源地保护适用本办法。"],
     "地方政府规章", None, ()),
    (["中共江苏省委 江苏省人民政府关于深入打好污染防治攻坚战的实施意见", "一、总体要求。到2025年，生态环境持续改善。",
      "二、主要任务。加强细颗粒物和臭氧协同控制。"],
     "规范性文件", "江苏", ("中共江苏省委", "江苏省人民政府")),
    (["中华人民共和国环境保护法", "（2014年4月24日第十二届全国人民代表大会常务委员会第八次会议修订）",
      "第一条　为保护和改善环境，制定本法。", "第二条　本法自2015年1月1日起施行。"],
     "法律", "全国", ()),
    (["排污许可管理条例", "第一条　为了加强排污许可管理，制定本条例。", "第二条　本条例自2021年3月1日起施行。"],
     "行政法规", "全国", ()),
    (["山东省土壤污染防治条例", "（2019年11月29日山东省第十三届人民代表大会常务委员会第十五次会议通过）",
      "第一条　为了保护和改善土壤环境，制定本条例。", "第二条　本条例自2020年1月1日起施行。"],
     "地方性法规", "山东", ()),
    (["最高人民法院关于审理生态环境侵权责任纠纷案件适用法律若干问题的解释", "第一条　侵权人因污染环境造成他人损害的，应当承担侵权责任。",
      "第二条　本解释自2023年9月1日起施行。"],
     "司法解释", "全国", ()),
    (["排污许可管理办法", "生态环境部令　第32号", "第一条　为了规范排污许可管理，制定本办法。", "第二条　本办法自2024年7月1日起施行。"],
     "部门规章", "全国", ("生态环境部",)),
    (["在全市生态环境保护大会上的讲话", "同志们：", "今天召开大会，主要任务是部署下一阶段工作。"],
     "讲话", None, ()),
    (["南宁市人民政府关于自治区审计厅审计发现问题整改情况的函", "自治区审计厅：", "现将整改情况函复如下。",
      "一、已整改问题。全部完成。", "南宁市人民政府", "2022年11月30日"],
     "工作文件", "南宁市", ("南宁市人民政府",)),
    (["国务院办公厅关于加强入河入海排污口监督管理工作的实施意见", "国办函〔2022〕17号",
      "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：", "一、总体要求。严格排污口监督管理。", "国务院办公厅", "2022年1月29日"],
     "规范性文件", "全国", ("国务院办公厅",)),
    (["中华人民共和国民法典", "第一条　为了保护民事主体的合法权益，制定本法。", "第二条　本法调整平等主体之间的关系。"],
     "法律", "全国", ()),
    (["国务院关于职工工作时间的规定", "第一条　为了合理安排职工的工作和休息时间，制定本规定。", "第二条　本规定适用于各类企业。"],
     "行政法规", "全国", ("国务院",)),
    # issuer and date on one signature line
    (["排污许可执法检查工作要点", "各乡镇人民政府：", "一、检查范围。全县排污单位。", "示例县生态环境局　　　2023年3月2日"],
     "规范性文件", "示例县", ("示例县生态环境局",)),
]


def _header(lines):
    return read_header(RawDocument(source="doc.txt", blocks=[TextBlock(t) for t in lines]))


@pytest.mark.parametrize("lines, doc_type, region, issuers", CASES, ids=[c[0][0][:14] for c in CASES])
def test_type_region_and_issuers_come_from_the_documents_evidence(lines, doc_type, region, issuers):
    header = _header(lines)
    assert (header.doc_type, header.region, header.issuers) == (doc_type, region, issuers)


def test_the_signature_block_gives_the_date_and_is_not_text():
    assert _header(CASES[-1][0]).date == "2023-03-02"
    header = _header(next(lines for lines, *_ in CASES if lines[0].startswith("国务院办公厅")))
    assert header.date == "2022-01-29"
    assert sorted(role.value for role in header.roles.values()) == ["addressee", "signature", "signature"]


def test_one_authority_order():
    order = ["宪法", "法律", "行政法规", "地方性法规", "地方政府规章", "规范性文件", "讲话"]
    assert [authority_level(t) for t in order] == sorted(authority_level(t) for t in order)
    assert authority_level("部门规章") == authority_level("地方性法规")
    assert authority_level(None) == authority_level("工作文件") == authority_level("讲话")


@pytest.mark.parametrize("old, region, new", [("规章", "全国", "部门规章"), ("规章", "山东", "地方政府规章"),
                                              ("其他", None, "工作文件"), ("立法解释", "全国", "法律")])
def test_existing_manifests_map_onto_the_scale(old, region, new):
    assert canonical_doc_type(old, region) == new
    meta = DocumentMeta.from_dict({"doc_id": "d", "title": "t", "source": "s", "doc_type": old, "region": region, "issuer": "某局"})
    assert meta.doc_type == new
    assert meta.issuers == ("某局",)  # written before joint issuers were a list
