from __future__ import annotations

from indexer.pipeline import parse_files
from indexer.readers.base import RawDocument, TextBlock
from indexer.segment import segment
from policy_search.model import ClauseKind, citation_for


def _speech(speech_file):
    result = parse_files([speech_file])
    assert not result.failures
    (doc,) = result.documents
    return doc


def test_speech_title_and_type_come_from_the_sidecar(speech_file):
    meta = _speech(speech_file).meta
    assert meta.title == "在全市生态环境保护委员会第三次会议暨生态环境保护领域问题整改推进会上的讲话"
    assert meta.doc_type == "讲话"


def test_speech_has_four_parts_with_their_paragraphs(speech_file):
    doc = _speech(speech_file)
    headings = [c for c in doc.clauses if c.kind is ClauseKind.HEADING]
    assert [h.text[:2] for h in headings] == ["一、", "二、", "三、", "四、"]
    assert headings[0].text == "一、以领袖思想为指引，坚定生态文明建设的正确方向。"
    for heading in headings:
        body = [c for c in doc.clauses if c.kind is ClauseKind.PARAGRAPH and c.locator.path == heading.locator.path]
        assert len(body) >= 3, heading.text
    run_on = next(c for c in doc.clauses if c.kind is ClauseKind.PARAGRAPH and c.locator.path == headings[0].locator.path)
    assert run_on.text.startswith("新时代十年来")


def test_agenda_lines_are_units_and_placeholders_are_not(speech_file):
    doc = _speech(speech_file)
    texts = [c.text for c in doc.clauses]
    assert "今天会议共有六项议程。" in texts
    assert "请市水利局发言。" in texts
    assert not any(set(t) <= set("…") for t in texts)
    agenda = next(c for c in doc.clauses if c.text == "请市水利局发言。")
    assert agenda.locator.path == ()


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
    paths = {c.text: c.locator.path for c in clauses}
    assert paths["各地要严格执行生态保护红线管理办法。"] == ("一、严格生态空间管控", "（一）落实生态保护红线")
    assert paths["具体由自然资源部门负责。"] == ("一、严格生态空间管控", "（一）落实生态保护红线", "1.开展勘界定标")
    assert paths["（二）加强监管。"] == ("一、严格生态空间管控", "（二）加强监管")
    assert paths["二、推进问题整改。"] == ("二、推进问题整改",)
    assert len(clauses) == 7  # five headings, two body paragraphs, no placeholder
