from __future__ import annotations

from indexer.pipeline import parse_files
from indexer.readers.base import RawDocument, TextBlock
from indexer.segment import segment
from policy_search.model import ClauseKind, citation_for


def _parse(path):
    result = parse_files([path])
    assert not result.failures
    (doc,) = result.documents
    return doc


def test_articles_carry_label_path_and_text(law_file):
    doc = _parse(law_file)
    articles = [c for c in doc.clauses if c.kind is ClauseKind.ARTICLE]
    assert [c.locator.article for c in articles] == ["第一条", "第二条", "第三条", "第四条", "第五条"]
    assert [c.locator.article_number for c in articles] == [1, 2, 3, 4, 5]
    third = articles[2]
    assert third.locator.path == ("第二章　监督管理", "第一节　一般规定")
    assert third.text == "排放污染物的企业事业单位，应当采取措施，防治污染。\n违反前款规定的，责令改正。"
    assert articles[4].locator.path == ("第三章　附则",)


def test_title_is_metadata_and_note_is_a_unit(law_file):
    doc = _parse(law_file)
    assert doc.meta.title == "中华人民共和国示例保护法"
    assert doc.meta.date == "2014-04-24"
    assert doc.meta.doc_type == "法律"
    assert all("中华人民共和国示例保护法" != c.text for c in doc.clauses)
    assert doc.clauses[0].kind is ClauseKind.NOTE
    assert doc.clauses[0].text.startswith("（2014年4月24日")


def test_paragraphs_and_items_are_addressable(law_file):
    doc = _parse(law_file)
    fourth = next(c for c in doc.clauses if c.locator.article == "第四条")
    loc = fourth.locator
    assert loc.paragraph_count == 2
    assert [item.label for item in loc.items] == ["（一）", "（二）", "（三）"]
    assert all(item.paragraph == 1 for item in loc.items)
    assert fourth.text[slice(*loc.paragraphs[1])] == "有前款第（三）项行为的，移送公安机关。"
    third_item = loc.items[2]
    assert fourth.text[third_item.start:third_item.end] == "（三）通过暗管、渗井逃避监管的。"
    cite = citation_for(doc.meta, fourth, offset=third_item.start + 3).render()
    assert cite == "《中华人民共和国示例保护法》第四条第一款第（三）项"
    assert citation_for(doc.meta, fourth, offset=loc.paragraphs[1][0]).render() == "《中华人民共和国示例保护法》第四条第二款"


def test_single_paragraph_article_cites_without_kuan(law_file):
    doc = _parse(law_file)
    first = next(c for c in doc.clauses if c.locator.article == "第一条")
    assert citation_for(doc.meta, first, offset=0).render() == "《中华人民共和国示例保护法》第一条"


def test_reference_at_line_start_is_not_a_new_article():
    raw = RawDocument(
        source="x.txt",
        blocks=[TextBlock(t) for t in ("第一条　应当依法申报。", "第一条规定的申报，由县级部门受理。", "第二条　本办法自公布之日起施行。")],
    )
    clauses = segment("doc", raw, set())
    assert [c.locator.article for c in clauses] == ["第一条", "第二条"]
    assert clauses[0].locator.paragraph_count == 2


def test_long_article_is_split_into_parts_that_keep_the_label():
    paragraphs = [f"第{i}款的内容" + "污染防治" * 40 + "。" for i in range(6)]
    raw = RawDocument(source="x.txt", blocks=[TextBlock("第一条　" + paragraphs[0])] + [TextBlock(p) for p in paragraphs[1:]] + [TextBlock("第二条　短条文。")])
    clauses = segment("doc", raw, set(), max_chars=400)
    parts = [c for c in clauses if c.locator.article == "第一条"]
    assert len(parts) > 1
    assert {c.locator.parts for c in parts} == {len(parts)}
    assert [c.locator.part for c in parts] == list(range(1, len(parts) + 1))
    assert all(len(c.text) <= 400 for c in parts)
    assert "\n".join(c.text for c in parts) == "\n".join(paragraphs)
    # every part knows which 款 it starts with
    assert parts[0].locator.first_paragraph == 1 and parts[-1].locator.first_paragraph > 1
    assert len({c.clause_id for c in parts}) == len(parts)


def test_long_single_sentence_run_is_cut_without_losing_text():
    text = "。".join("排放标准" * 30 for _ in range(10)) + "。"
    raw = RawDocument(source="x.txt", blocks=[TextBlock("第一条　" + text), TextBlock("第二条　完。")])
    parts = [c for c in segment("doc", raw, set(), max_chars=300) if c.locator.article == "第一条"]
    assert "".join(c.text for c in parts) == text
    assert all(len(c.text) <= 300 for c in parts)


def test_ids_are_stable_and_follow_content(law_file, tmp_path):
    first = [c.clause_id for c in _parse(law_file).clauses]
    assert first == [c.clause_id for c in _parse(law_file).clauses]
    changed = law_file.read_text(encoding="utf-8").replace("制定本法。", "制定本法，特此规定。")
    law_file.write_text(changed, encoding="utf-8")
    second = [c.clause_id for c in _parse(law_file).clauses]
    assert second[0] == first[0]  # the note did not change
    assert sum(a != b for a, b in zip(first, second)) == 1
