"""The 新旧条文对照 table of one old text: each old article (and each 款 of a split one) beside the articles in
force that carry its rule, with how and what changed. Plain data for the page and the exports."""

from __future__ import annotations

from typing import Any

from policy_search.alignment import NONE, Alignment
from policy_search.errors import ClauseNotFound
from service.retrieval.results import document_json
from service.retrieval.succession import Succession

HOW_LABELS = {"same": "未变", "amended": "修改", "split": "拆分", "merged": "合并", "none": "无对应条文"}
CHANGE_LABELS = {"amounts": "金额", "deadlines": "期限", "subjects": "主体"}


def aligned_texts(succession: Succession) -> list[dict[str, Any]]:
    """Every old text that has a successor text: its document, the new one, and how many rows."""
    index = succession.index
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for row in index.alignments:
        if row.old_doc not in index.doc_pos or row.new_doc not in index.doc_pos:
            continue
        pair = pairs.setdefault((row.old_doc, row.new_doc), {
            "old": document_json(index.documents[index.doc_pos[row.old_doc]]),
            "new": document_json(index.documents[index.doc_pos[row.new_doc]]),
            "reason": row.reason, "articles": 0, "none": 0})
        if row.paragraph is None:
            pair["articles"] += 1
            pair["none"] += not row.successors
    return list(pairs.values())


def comparison(succession: Succession, doc_id: str) -> dict[str, Any]:
    """The table of one old text; ClauseNotFound where the text has no successor text."""
    index = succession.index
    rows = [row for row in index.alignments if row.old_doc == doc_id and row.old in index.clause_pos]
    if doc_id not in index.doc_pos or not rows:
        raise ClauseNotFound(f"no 新旧对照 for document {doc_id!r}: it has no successor text in generation {index.generation}")
    rows.sort(key=lambda row: (index.clause_pos[row.old], row.paragraph or 0))
    table = []
    for row in shown_rows(rows):
        position = index.clause_pos[row.old]
        _, steps = succession.successors(position, row.paragraph)
        table.append({
            "old": {"citation": succession.citation(position, row.paragraph), "clause_id": row.old,
                    "paragraph": row.paragraph, "text": _text(succession, position, row.paragraph)},
            "how": row.how if steps else NONE,
            "similarity": row.similarity,
            "changes": row.changes,
            "successors": [{"citation": succession.citation(s.position, s.paragraph),
                            "clause_id": index.clauses[s.position].clause_id,
                            "text": _text(succession, s.position, s.paragraph)} for s in steps],
        })
    new_doc = rows[0].new_doc
    return {"old": document_json(index.documents[index.doc_pos[doc_id]]),
            "new": document_json(index.documents[index.doc_pos[new_doc]]) if new_doc in index.doc_pos else None,
            "rows": table, "index_generation": index.generation}


def shown_rows(rows: list[Alignment]) -> list[Alignment]:
    """The rows a table shows: the 款 rows of an article whose 款 all went where it went only name the new 款 for
    a citation of one, so that article is shown once; a row per 款 only where the 款 go separate ways."""
    whole = {row.old: tuple(s.clause_id for s in row.successors) for row in rows if row.paragraph is None}
    apart = {row.old for row in rows if row.paragraph is not None
             and (not row.successors or whole.get(row.old) != (row.successors[0].clause_id,))}
    together = set(whole) - apart
    return [row for row in rows if row.paragraph is None or row.old not in together]


def changes_text(changes: dict[str, dict[str, list[str]]]) -> str:
    """金额：百分之一、百分之五 → 二十万元、一千万元; one line per kind of change."""
    return "\n".join(f"{CHANGE_LABELS.get(kind, kind)}：{'、'.join(c['old']) or '无'} → {'、'.join(c['new']) or '无'}"
                     for kind, c in changes.items())


def _text(succession: Succession, position: int, paragraph: int | None) -> str:
    """The article's text (all its parts), or the one 款."""
    index = succession.index
    members = index.group_members[int(index.group_of[position])]
    if paragraph is not None:
        for member in members:
            loc = index.clauses[member].locator
            at = paragraph - loc.first_paragraph
            if loc.paragraph_count > 1 and 0 <= at < len(loc.paragraphs):
                start, end = loc.paragraphs[at]
                return index.clauses[member].text[start:end].strip()
    return "".join(index.clauses[m].text for m in members).strip()
