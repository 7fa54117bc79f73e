from __future__ import annotations

from indexer.pipeline import parse_files
from indexer.readers.base import RawDocument, TextBlock
from indexer.segment import segment
from policy_search.model import SEARCH_KINDS, ClauseKind, citation_for


def _speech(speech_file):
    result = parse_files([speech_file])
    assert not result.failures
    (doc,) = result.documents
    return doc


def test_speech_title_and_type_come_from_the_sidecar(speech_file):
    meta = _speech(speech_file).meta
    assert meta.title == "在全市生态环境保护委员会第三次会议暨生态环境保护领域问题整改推进会上的讲话"
    assert meta.doc_type == "讲话"


def test_speech_parts_are_one_unit_with_the_text_they_run_on_into(speech_file):
    doc = _speech(speech_file)
    firsts = [c for c in doc.clauses if c.text[:2] in ("一、", "二、", "三、", "四、")]
    assert [c.text[:2] for c in firsts] == ["一、", "二、", "三、", "四、"]
    assert all(c.kind is ClauseKind.PARAGRAPH for c in firsts)
    assert firsts[0].text.startswith("一、以领袖思想为指引，坚定生态文明建设的正确方向。新时代十年来")
    assert firsts[0].locator.path == ("一、以领袖思想为指引，坚定生态文明建设的正确方向",)
    assert not any(c.kind is ClauseKind.HEADING for c in doc.clauses)
    for first in firsts:
        body = [c for c in doc.clauses if c.locator.path == first.locator.path]
        assert len(body) >= 4, first.text[:20]


def test_agenda_salutation_and_placeholders_are_not_search_units(speech_file):
    doc = _speech(speech_file)
    kinds = {c.text: c.kind for c in doc.clauses}
    assert kinds["同志们："] is ClauseKind.SALUTATION
    assert kinds["今天会议共有六项议程。"] is ClauseKind.PROCEDURE
    assert kinds["请市水利局发言。"] is ClauseKind.PROCEDURE
    assert kinds["原则同意，请生态环境局根据会议讨论情况，进一步修改完善后，按程序办理。"] is ClauseKind.PROCEDURE
    assert not any(set(t) <= set("…") for t in kinds)
    searchable = [c for c in doc.clauses if c.kind in SEARCH_KINDS]
    assert searchable[0].text.startswith("党的十八大以来")  # the leader's speech, after the chair's agenda
    assert all(len(c.text) > 40 for c in searchable)


def test_speech_paragraph_cites_its_part(speech_file):
    doc = _speech(speech_file)
    clause = next(c for c in doc.clauses if "严禁压哨整改" in c.text)
    assert citation_for(doc.meta, clause).render() == f"《{doc.meta.title}》第二部分"


def test_nested_outline_headings_build_a_path():
    lines = [
        "关于加强生态保护的十二条措施",
        "一、严格生态空间管控。",
        "（一）落实生态保护红线。各地要严格执行生态保护红线管理办法。",
        "1.开展勘界定标。",
        "具体由自然资源部门负责。",
        "（二）加强监管。",
        "二、推进问题整改。",
        "…………",
    ]
    raw = RawDocument(source="measures.txt", blocks=[TextBlock(t) for t in lines])
    clauses = segment("doc", raw, {0})
    units = {c.text: (c.kind, c.locator.path) for c in clauses}
    assert units["一、严格生态空间管控。"] == (ClauseKind.HEADING, ("一、严格生态空间管控",))  # its body is other units
    run_on = "（一）落实生态保护红线。各地要严格执行生态保护红线管理办法。"
    assert units[run_on] == (ClauseKind.PARAGRAPH, ("一、严格生态空间管控", "（一）落实生态保护红线"))
    assert units["1.开展勘界定标。\n具体由自然资源部门负责。"] == (
        ClauseKind.PARAGRAPH, ("一、严格生态空间管控", "（一）落实生态保护红线", "1.开展勘界定标"))
    assert units["（二）加强监管。"] == (ClauseKind.PARAGRAPH, ("一、严格生态空间管控", "（二）加强监管"))
    assert units["二、推进问题整改。"] == (ClauseKind.PARAGRAPH, ("二、推进问题整改",))
    assert len(clauses) == 5  # no placeholder, no heading apart from the one over several units
