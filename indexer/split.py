"""Splitting very long units into parts that keep their article label and heading path; nothing is dropped."""

from __future__ import annotations

import re
from dataclasses import replace

from policy_search.model import ClauseLocator

_SENTENCE_END = re.compile(r"(?<=[。；！？;!?])")


def cut_points(text: str, max_chars: int) -> list[int]:
    """Offsets where a long text is cut: at a line end if one is near the limit, else a sentence end, else hard."""
    cuts: list[int] = []
    start = 0
    while len(text) - start > max_chars:
        limit = start + max_chars
        floor = start + max_chars // 3
        cut = text.rfind("\n", floor + 1, limit + 1)
        if cut < 0:
            # a sentence end at `limit` at the latest: one past it would make a part of max_chars + 1 and, where the
            # text ends there, index past its end
            ends = [m.start() for m in _SENTENCE_END.finditer(text, floor + 1, limit) if m.start() > floor]
            cut = ends[-1] if ends else limit
        cuts.append(cut)
        start = cut + 1 if text[cut] == "\n" else cut
    return cuts


def split_text(text: str, locator: ClauseLocator, max_chars: int) -> list[tuple[str, ClauseLocator]]:
    """The parts of a unit with their locators; "\n".join of line-cut parts and "".join of sentence cuts give it back."""
    cuts = cut_points(text, max_chars)
    if not cuts:
        return [(text, locator)]
    bounds = []
    start = 0
    for cut in cuts:
        bounds.append((start, cut))
        start = cut + 1 if text[cut] == "\n" else cut
    bounds.append((start, len(text)))
    parts = []
    for number, (start, end) in enumerate(bounds, start=1):
        paragraphs, first = _rebase_paragraphs(locator, start, end)
        items = tuple(
            replace(item, start=max(item.start, start) - start, end=min(item.end, end) - start)
            for item in locator.items
            if item.start < end and item.end > start
        )
        parts.append(
            (text[start:end], replace(locator, paragraphs=paragraphs, first_paragraph=first, items=items, part=number, parts=len(bounds)))
        )
    return parts


def _rebase_paragraphs(locator: ClauseLocator, start: int, end: int) -> tuple[tuple[tuple[int, int], ...], int]:
    spans = []
    first = None
    for index, (p_start, p_end) in enumerate(locator.paragraphs):
        if p_start < end and p_end > start or (p_start == p_end == start):
            first = first if first is not None else locator.first_paragraph + index
            spans.append((max(p_start, start) - start, min(p_end, end) - start))
    return tuple(spans), first if first is not None else locator.first_paragraph

