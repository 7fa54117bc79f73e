"""A clause in its document: neighbours and the outline of headings around it; citation lookup with suggestions."""

from __future__ import annotations

from typing import Any

from policy_search.citations import find_citations
from policy_search.errors import ClauseNotFound, InvalidQuery
from policy_search.resolve import OK
from service.retrieval.filters import SearchFilters
from service.retrieval.loaded import LoadedIndex
from service.retrieval.results import clause_result, document_json
from service.retrieval.searcher import Searcher
from service.retrieval.successors import successors_of


def outline(index: LoadedIndex, positions: list[int], marked: int | None = None) -> list[dict[str, Any]]:
    """The document's headings in order, each with its first clause and article range; the marked clause's path flagged."""
    entries: list[dict[str, Any]] = []
    seen: dict[tuple[str, ...], dict[str, Any]] = {}
    marked_path = index.clauses[marked].locator.path if marked is not None else ()
    for pos in positions:
        clause = index.clauses[pos]
        path = clause.locator.path
        for depth in range(len(path)):
            key = path[: depth + 1]
            if key not in seen:
                seen[key] = {
                    "heading": path[depth],
                    "depth": depth,
                    "first_clause_id": clause.clause_id,
                    "articles": [],
                    "current": marked_path[: depth + 1] == key,
                }
                entries.append(seen[key])
        if path and clause.locator.article and clause.locator.part == 1:
            seen[path]["articles"].append(clause.locator.article)
    for entry in entries:
        articles = entry.pop("articles")
        entry["article_range"] = f"{articles[0]}—{articles[-1]}" if len(articles) > 1 else (articles[0] if articles else None)
    return entries


def clause_context(index: LoadedIndex, clause_id: str, neighbours: int = 2) -> dict[str, Any]:
    position = index.clause_pos.get(clause_id)
    if position is None:
        raise ClauseNotFound(f"no clause {clause_id!r} in generation {index.generation}")
    positions = index.doc_clauses[int(index.doc_of[position])]
    at = positions.index(position)
    brief = lambda pos: clause_result(index, pos, 0.0, [])  # noqa: E731
    return {
        "clause": brief(position),
        "previous": [brief(p) for p in positions[max(0, at - neighbours) : at]],
        "next": [brief(p) for p in positions[at + 1 : at + 1 + neighbours]],
        "outline": outline(index, positions, position),
        "index_generation": index.generation,
    }


def cite(searcher: Searcher, text: str) -> dict[str, Any]:
    """The clause a citation names (all units of a numbered part); ClauseNotFound with suggestions when the
    document, article, 款 or 项 does not exist, or when a short title fits several documents."""
    index = searcher.index
    citations = [c for c in find_citations(text) if not c.document_only]
    if not citations:
        raise InvalidQuery(
            "no citation found: write it as 《法规名称》第N条, 法规名称第N条, a short form such as 环保法第59条, "
            "or 《文件名称》第二部分第（三）项"
        )
    resolution = searcher.resolver.resolve(citations[0], SearchFilters().document_mask(index))
    if resolution.status != OK:
        raise CitationNotFound(resolution.message, resolution.suggestions, resolution.status)
    meta = index.documents[resolution.doc]
    result = clause_result(index, resolution.position, 1.0, [], cited=resolution)
    answer = {"query": text, "index_generation": index.generation, "result": result, "document": document_json(meta)}
    if len(resolution.units) > 1:
        answer["units"] = [clause_result(index, pos, 1.0, []) for pos in resolution.units]
    succession = successors_of(index, searcher.succession, resolution.position, resolution.citation.paragraph)
    if succession is not None:  # a repealed or superseded text: the articles in force that carry the rule
        answer.update(succession)
    return answer


class CitationNotFound(ClauseNotFound):
    def __init__(self, message: str, suggestions: list[str], reason: str = "document_not_found") -> None:
        super().__init__(message)
        self.suggestions = suggestions
        self.reason = reason
