from __future__ import annotations

import json

from indexer.metadata import doc_type_of, read_header
from indexer.pipeline import mark_versions, parse_files
from indexer.readers.base import RawDocument, TextBlock
from policy_search.model import DocumentMeta
from policy_search.places import region_of

OFFICIAL = [
    "四川省人民政府办公厅关于印发生态环境保护督察问题整改销号办法的通知",
    "川办发〔2023〕12号",
    "各市（州）人民政府，省政府各部门：",
    "现将《生态环境保护督察问题整改销号办法》印发给你们，请认真贯彻执行。",
    "四川省人民政府办公厅",
    "2023年5月10日",
]


def test_official_document_header_gives_issuer_number_and_date():
    raw = RawDocument(source="notice.txt", blocks=[TextBlock(t) for t in OFFICIAL])
    header = read_header(raw)
    assert header.title == OFFICIAL[0]
    assert header.doc_number == "川办发〔2023〕12号"
    assert header.issuer == "四川省人民政府办公厅"
    assert header.date == "2023-05-10"
    assert header.doc_type == "规范性文件"
    assert header.region == "四川"
    assert header.header_blocks == {0, 1}


def test_chinese_numeral_signature_date():
    blocks = ["某市生态环境局", "关于开展回头看的通知", "各县（市）：", "请抓好落实。", "某市生态环境局", "二〇二三年十一月二十日"]
    header = read_header(RawDocument(source="n.txt", blocks=[TextBlock(t) for t in blocks]))
    assert header.date == "2023-11-20"
    assert header.issuer == "某市生态环境局"


def test_type_and_region_from_title():
    assert doc_type_of("中华人民共和国环境保护法", "全国") == "法律"
    assert doc_type_of("排污许可管理条例", "全国") == "行政法规"
    assert doc_type_of("山东省土壤污染防治条例", "山东") == "地方性法规"
    assert doc_type_of("最高人民法院关于审理生态环境损害赔偿案件的若干规定（试行）", "全国") == "司法解释"
    assert doc_type_of("某市全面加强生态环境保护十二条措施", "某市") == "规范性文件"
    assert doc_type_of("在全市生态环境保护大会上的讲话", "全国") == "讲话"
    assert region_of("山东省土壤污染防治条例") == "山东"
    assert region_of("济南市大气污染防治条例") == "济南市"
    assert region_of("中华人民共和国长江保护法") == "全国"
    assert region_of("在全市生态环境保护大会上的讲话") is None


def test_sidecar_manifest_overrides_what_the_document_says(tmp_path, law_file):
    row = {"file": law_file.name, "title": "中华人民共和国环境保护法", "doc_type": "法律", "region": "全国", "date": "2014-04-24"}
    (tmp_path / "manifest.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    (doc,) = parse_files([law_file]).documents
    assert doc.meta.title == "中华人民共和国环境保护法"
    assert doc.meta.region == "全国"


def test_bad_sidecar_field_is_named(tmp_path, law_file):
    (tmp_path / "manifest.jsonl").write_text(json.dumps({"file": law_file.name, "date": "someday"}) + "\n", encoding="utf-8")
    result = parse_files([law_file])
    assert not result.documents
    assert "manifest.jsonl line 1" in result.failures[0].reason and "'date'" in result.failures[0].reason


def test_newest_version_supersedes_older_ones():
    def meta(doc_id, title, date):
        return DocumentMeta(doc_id=doc_id, title=title, source=f"{doc_id}.txt", date=date, version_key=title)

    docs = mark_versions([meta("a", "农药管理条例", "2017-03-16"), meta("b", "农药管理条例", "2022-03-29"), meta("c", "渔业法", None)])
    assert [d.superseded for d in docs] == [True, False, False]
