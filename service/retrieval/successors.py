"""Successors and predecessors in the usual result shape, each with its `relation` {how, similarity, changes}."""

from __future__ import annotations

from typing import Any

from policy_search.model import Citation
from service.retrieval.loaded import LoadedIndex
from service.retrieval.results import clause_result
from service.retrieval.succession import Step, Succession


def step_result(index: LoadedIndex, step: Step) -> dict[str, Any]:
    """A successor cited down to its 款 where one 款 holds the rule."""
    result = article_result(index, step.position, step.similarity, step.paragraph)
    result["relation"] = step.relation()
    return result


def article_result(index: LoadedIndex, position: int, score: float, paragraph: int | None = None) -> dict[str, Any]:
    result = clause_result(index, position, score, [])
    clause, meta = index.clauses[position], index.documents[int(index.doc_of[position])]
    paragraph = paragraph if clause.locator.paragraph_count > 1 else None
    result["citation"] = Citation(meta.title, clause.locator.article, paragraph).render()
    result["location"].update(paragraph=paragraph, item=None)
    return result


def successors_of(index: LoadedIndex, succession: Succession, position: int, paragraph: int | None = None) -> dict[str, Any] | None:
    """{"successors": [...], "alignment": {how, similarity, reason}} for a clause of a text that has a successor
    text; None for a text that has none (in force, or repealed by a text not indexed)."""
    row, steps = succession.successors(position, paragraph)
    if row is None:
        return None
    return {
        "successors": [step_result(index, step) for step in steps],
        "alignment": {"how": row.how if steps else "none", "similarity": row.similarity, "reason": row.reason,
                      "paragraph": row.paragraph, "new_doc": row.new_doc},
    }


def predecessors_of(index: LoadedIndex, succession: Succession, position: int) -> list[dict[str, Any]]:
    """The old articles (or 款) whose rule this article carries."""
    results = []
    for old, paragraph, row in succession.predecessors(position):
        result = article_result(index, old, row.similarity, paragraph)
        result["relation"] = {"how": row.how, "similarity": row.similarity, "changes": row.changes}
        results.append(result)
    return results


def in_force_bases(index: LoadedIndex, succession: Succession, bases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bases for a plan: a repealed or superseded clause gives way to the articles in force that carry its rule
    (each marked with the citation it `replaces`), and is dropped where none does."""
    kept: list[dict[str, Any]] = []
    seen: set[str] = set()
    for base in bases:
        position = index.clause_pos.get(base["clause_id"])
        current = base["document"]["status"] not in ("已废止", "已被修改") and not base["document"]["superseded"]
        if current or position is None:
            if base["clause_id"] not in seen:
                seen.add(base["clause_id"])
                kept.append(base)
            continue
        for step in succession.successors(position, base["location"].get("paragraph"))[1]:
            result = step_result(index, step)
            if result["clause_id"] not in seen:
                seen.add(result["clause_id"])
                kept.append(result | {"score": base["score"], "replaces": base["citation"]})
    return kept
