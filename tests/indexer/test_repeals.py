"""Repeals over the whole law database: a repeal clause strikes the text it names, and no other."""

from __future__ import annotations

import pytest

from indexer.pipeline import mark_versions, parse_law_database
from indexer.readers.lawdb import packaged_database
from indexer.references import Linker, explicit_references, repealed_titles
from policy_search.errors import UnsupportedDocument
from policy_search.text import fold
from policy_search.tokenize import TITLE_PREFIX


@pytest.fixture(scope="module")
def repeals():
    try:
        path = packaged_database()
    except UnsupportedDocument as exc:
        pytest.skip(str(exc))
    result = parse_law_database(path, None)
    documents = mark_versions([doc.meta for doc in result.documents])
    clauses = [clause for doc in result.documents for clause in doc.clauses]
    _, repealed = explicit_references(Linker(documents, clauses))
    by_id = {meta.doc_id: meta for meta in documents}
    named = {}
    for clause in clauses:
        for title in repealed_titles(clause.text):
            named.setdefault(clause.doc_id, set()).add(fold(title))
    return by_id, repealed, named


def _names(title: str) -> set[str]:
    return {fold(title), fold(title).removeprefix(fold(TITLE_PREFIX))}


def test_every_law_marked_repealed_is_named_exactly_by_its_repeal_clause(repeals):
    by_id, repealed, named = repeals
    assert repealed, "the database's laws repeal others (环境保护法 1989 by 2014, …): none found"
    for target, source in repealed.items():
        title = by_id[target].title
        assert _names(title) & named.get(source, set()), f"{title} marked repealed by {by_id[source].title}, which names it nowhere"


def test_current_laws_whose_titles_end_like_a_repealed_one_stay_current(repeals):
    by_id, repealed, _ = repeals
    struck = {by_id[target].title for target in repealed}
    assert "中华人民共和国劳动合同法" not in struck  # 民法典 repeals 《中华人民共和国合同法》
    assert "中华人民共和国人民警察警衔条例" not in struck  # 人民警察法 repeals 《人民警察条例》
