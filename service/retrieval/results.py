"""The result shape shared by the command line and the HTTP API, with highlights and a precise citation."""

from __future__ import annotations

import time
from typing import Any

from policy_search.authority import authority_level
from policy_search.labels import heading_label
from policy_search.model import Citation, Clause, DocumentMeta, Item
from policy_search.resolve import OK, Resolution
from policy_search.text import fold_with_offsets
from policy_search.validity import validity
from service.retrieval.loaded import LoadedIndex
from service.retrieval.hits import Hit, SearchOutcome


def highlights(text: str, tokens: list[str]) -> list[list[int]]:
    """Spans of the original text where query tokens occur (matched on folded text), merged."""
    folded, offsets = fold_with_offsets(text)
    spans = []
    for token in set(tokens):
        if len(token) < 2 and not token.isdigit():
            continue
        start = folded.find(token)
        while start >= 0:
            end = start + len(token)
            spans.append((offsets[start], offsets[end - 1] + 1))
            start = folded.find(token, end)
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _covered(spans: list[list[int]], start: int, end: int) -> int:
    return sum(max(0, min(e, end) - max(s, start)) for s, e in spans)


def best_place(clause: Clause, spans: list[list[int]]) -> tuple[int | None, Item | None]:
    """The 款 (number) and 项 that hold most of the highlighted text, for a precise citation."""
    loc = clause.locator
    if not loc.article or not loc.paragraphs or not spans:  # nothing marked points to a 款: cite the article
        return None, None
    scored = [(_covered(spans, s, e), -i, i) for i, (s, e) in enumerate(loc.paragraphs)]
    best = max(scored)[2]
    paragraph = loc.first_paragraph + best if loc.paragraph_count > 1 else None
    items = [item for item in loc.items if item.level == 1 and item.paragraph == loc.first_paragraph + best]
    item = None
    if items:
        top = max(items, key=lambda it: (_covered(spans, it.start, it.end), -it.start))
        intro_end = min(it.start for it in items)
        if _covered(spans, top.start, top.end) > _covered(spans, loc.paragraphs[best][0], intro_end):
            item = top
    return paragraph, item


def document_json(meta: DocumentMeta) -> dict[str, Any]:
    return {
        "doc_id": meta.doc_id,
        "title": meta.title,
        "source": meta.source,
        "doc_type": meta.doc_type,
        "authority": authority_level(meta.doc_type),
        "issuer": meta.issuer,
        "doc_number": meta.doc_number,
        "region": meta.region,
        "date": meta.date,
        "superseded": meta.superseded,
        "status": validity(meta),  # 现行有效, 已被修改, 已废止 or 尚未施行, on today's date
        "repealed_by": meta.repealed_by,
        "issuers": list(meta.issuers),
        "effective_date": meta.effective_date,
        **({"ocr_pages": meta.ocr_pages, "ocr_confidence": meta.ocr_confidence} if meta.ocr_pages else {}),
        "sample": meta.sample,
    }


def clause_result(
    index: LoadedIndex,
    position: int,
    score: float,
    tokens: list[str],
    *,
    cited: Resolution | None = None,
    marked: list[str] | None = None,
) -> dict[str, Any]:
    """One result object; for a citation in the query (`cited`) it cites what was asked, not the highlights.

    `tokens` choose the 款 and 项 to cite; `marked` (default: the same) are the words highlighted.
    """
    clause = index.clauses[position]
    meta = index.documents[index.doc_of[position]]
    spans = highlights(clause.text, tokens)
    best_paragraph, best_item = best_place(clause, spans)
    item_label = best_item.label if best_item else None
    path = clause.locator.path
    if cited is not None:
        asked = cited.citation
        valid = cited.status == OK
        best_paragraph = asked.paragraph if valid and asked.paragraph and asked.paragraph <= clause.locator.paragraph_count else None
        matching = [it for it in clause.locator.items if it.level == 1 and it.number == asked.item] if valid else []
        item_label = matching[0].label if matching else None
        if cited.depth:  # a numbered part: cite it at the depth asked (第三条, not the first unit's 第三条第（一）项)
            path = _numbered_prefix(path, cited.depth)
    citation = Citation(meta.title, clause.locator.article, best_paragraph, item_label, path, meta.part_label)
    result = {
        "clause_id": clause.clause_id,
        "score": round(float(score), 4),
        "text": clause.text,
        "highlights": spans if marked is None else highlights(clause.text, marked),
        "citation": citation.render(),
        "document": document_json(meta),
        "location": {
            "path": list(clause.locator.path),
            "article": clause.locator.article,
            "paragraph": best_paragraph,
            "item": item_label,
        },
    }
    if clause.external_id is not None:
        result["external_id"] = clause.external_id
    if clause.ocr_confidence is not None:  # read by OCR: its lowest line confidence, so quotes get checked
        result["ocr_confidence"] = clause.ocr_confidence
    return result


def _numbered_prefix(path: tuple[str, ...], depth: int) -> tuple[str, ...]:
    """The path up to and including its depth-th numbered heading."""
    kept, numbered = [], 0
    for heading in path:
        kept.append(heading)
        numbered += heading_label(heading) is not None
        if numbered == depth:
            break
    return tuple(kept)


def hit_result(
    index: LoadedIndex, hit: Hit, tokens: list[str], *, explain: bool = False, marked: list[str] | None = None
) -> dict[str, Any]:
    """The result object of a search hit; `explain` adds each ranking component's contribution."""
    result = clause_result(index, hit.clause, hit.score, tokens, cited=hit.citation, marked=marked)
    if hit.brought_by is not None:
        result["counterpart_of"] = index.clauses[hit.brought_by].clause_id
    if explain:
        result["components"] = {k: round(v, 4) for k, v in hit.components.items()}
    return result


def search_answer(index: LoadedIndex, query: str, outcome: SearchOutcome, *, explain: bool = False,
                  started: float | None = None) -> dict:
    """The search response shared by the API and the command line: notice first, then the hits."""
    answer = {
        "query": query,
        "took_ms": round((time.perf_counter() - started) * 1000, 2) if started else outcome.timings_ms["total"],
        "index_generation": index.generation,
    }
    if outcome.notice:
        answer["notice"] = outcome.notice
    if outcome.weak:
        answer["weak"] = True
    if explain and outcome.match:
        answer["match"] = outcome.match
    if outcome.citations:
        answer["citations"] = [resolution.to_json(index) for resolution in outcome.citations]
    if explain and outcome.expansions:
        answer["expansions"] = outcome.expansions
    answer["results"] = [
        hit_result(index, hit, outcome.tokens, explain=explain, marked=outcome.query_tokens) for hit in outcome.hits
    ]
    return answer
