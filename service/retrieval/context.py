"""A clause in its document: neighbours and the outline of headings around it; citation lookup with suggestions."""

from __future__ import annotations

from typing import Any

from policy_search.citations import find_citations
from policy_search.errors import ClauseNotFound, InvalidQuery
from policy_search.model import Citation
from policy_search.text import fold
from service.retrieval.filters import SearchFilters
from service.retrieval.loaded import LoadedIndex
from service.retrieval.results import clause_result, document_json
from service.retrieval.searcher import Searcher


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
    """The clause a citation names; ClauseNotFound with suggestions when the document or article does not exist."""
    index = searcher.index
    citations = find_citations(text)
    if not citations:
        raise InvalidQuery("no citation found: write it as 《法规名称》第N条, 法规名称第N条 or a short form such as 环保法第59条")
    citation = citations[0]
    documents = searcher.resolve_title(citation.names, SearchFilters().document_mask(index))
    if not documents:
        raise CitationNotFound(f"no document matches {citation.names[0]!r}", suggest_titles(index, citation.names[0]))
    doc_pos = documents[0]
    group = index.articles.get((doc_pos, citation.article))
    meta = index.documents[doc_pos]
    if group is None:
        labels = [label for (pos, label) in index.articles if pos == doc_pos]
        nearby = sorted(labels, key=lambda label: abs(_number(index, doc_pos, label) - citation.article_number))[:5]
        raise CitationNotFound(
            f"《{meta.title}》 has no {citation.article} (it has {len(labels)} articles)",
            [Citation(meta.title, label).render() for label in nearby],
        )
    position = index.group_members[group][0]
    result = clause_result(index, position, 1.0, [], pinned=True, paragraph=citation.paragraph, item=citation.item)
    return {"query": text, "index_generation": index.generation, "result": result, "document": document_json(meta)}


class CitationNotFound(ClauseNotFound):
    def __init__(self, message: str, suggestions: list[str]) -> None:
        super().__init__(message)
        self.suggestions = suggestions


def _number(index: LoadedIndex, doc_pos: int, label: str) -> int:
    group = index.articles[(doc_pos, label)]
    return index.clauses[index.group_members[group][0]].locator.article_number or 0


def suggest_titles(index: LoadedIndex, name: str, limit: int = 5) -> list[str]:
    """Current titles sharing the most character bigrams with what was typed."""
    grams = {name[i : i + 2] for i in range(len(name) - 1)}
    scored = []
    for meta in index.documents:
        if meta.superseded:
            continue
        title = fold(meta.title)
        overlap = sum(1 for g in grams if g in title)
        if overlap:
            scored.append((-overlap, len(title), meta.title))
    return [title for _, _, title in sorted(scored)[:limit]]
