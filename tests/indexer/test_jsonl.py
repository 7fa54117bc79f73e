from __future__ import annotations

import json

from indexer.pipeline import parse_files

ROWS = [
    {"id": 7, "title": "中华人民共和国刑法", "article": "第三百三十八条", "text": "违反国家规定，排放有毒物质，严重污染环境的，处三年以下有期徒刑。"},
    {"id": 8, "title": "中华人民共和国刑法", "article": "第三百三十九条", "text": "违反国家规定，将境外的固体废物进境倾倒的，处五年以下有期徒刑。"},
    {"id": 9, "title": "中华人民共和国民法典", "article": "第一千二百二十九条", "text": "因污染环境、破坏生态造成他人损害的，侵权人应当承担侵权责任。"},
]


def test_jsonl_lines_become_documents_per_title_with_external_ids(tmp_path):
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8")
    result = parse_files([path])
    assert not result.failures
    by_title = {d.meta.title: d for d in result.documents}
    assert set(by_title) == {"中华人民共和国刑法", "中华人民共和国民法典"}
    criminal = by_title["中华人民共和国刑法"]
    assert criminal.meta.source == "articles.jsonl"
    assert [(c.locator.article, c.locator.article_number, c.external_id) for c in criminal.clauses] == [
        ("第三百三十八条", 338, "7"),
        ("第三百三十九条", 339, "8"),
    ]
    assert by_title["中华人民共和国民法典"].clauses[0].locator.article_number == 1229


def test_a_bad_line_is_reported_with_its_number(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(ROWS[0], ensure_ascii=False) + "\n" + json.dumps({"id": 1, "title": "x"}) + "\n", encoding="utf-8")
    result = parse_files([path])
    assert not result.documents
    assert result.failures[0].reason == "line 2: field 'text' is missing or empty"


def test_titles_that_differ_only_by_a_version_note_stay_two_documents(tmp_path):
    rows = [
        {"id": 1, "title": "中华人民共和国刑法", "article": "第一条", "text": "为了惩罚犯罪，保护人民，制定本法。"},
        {"id": 2, "title": "中华人民共和国刑法（2020年修正）", "article": "第一条", "text": "为了惩罚犯罪，保护人民，根据宪法，制定本法。"},
    ]
    path = tmp_path / "two.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    documents = parse_files([path]).documents
    assert len({d.meta.doc_id for d in documents}) == 2
    assert len({d.meta.version_key for d in documents}) == 1  # still versions of one law
