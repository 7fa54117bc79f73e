"""Exact phrases: the clauses that hold a query's words verbatim, found by substring search over every clause.

Staff paste a phrase from a document to find its source. jieba splits an uncommon phrase (四不两直) into
characters that BM25 weighs as common words, and the dense model favours short texts, so neither finds it.
A substring search over the folded texts of all clauses, joined into one string, takes a few milliseconds
and finds it exactly.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from policy_search.text import compact

MIN_PHRASE = 4  # an unquoted piece shorter than this is a word, which BM25 already matches
MIN_QUOTED = 2  # a quoted piece is a phrase from two characters up
MAX_MATCHES = 200  # a piece held by more clauses is a common expression, not a phrase to find
MAX_WHOLE = 50  # a longer query is a question, not a pasted phrase (and BM25 finds long verbatim text by itself)
_QUOTED = re.compile(r"[“\"「『‘'](?P<phrase>[^“”\"「」『』‘’']+)[”\"」』’']")
_BREAK = re.compile(r"[\s\u3000，。；：、！？,.;:!?（）()《》〈〉【】\[\]“”\"「」『』‘’'—…·/\\-]+")
_SEPARATOR = "\x00"


@dataclass(frozen=True)
class Phrase:
    text: str  # folded, without whitespace
    quoted: bool


def query_phrases(query: str) -> list[Phrase]:
    """The pieces of a query to look for verbatim: quoted spans, and the runs between punctuation and spaces."""
    phrases: list[Phrase] = []
    seen: set[str] = set()
    for match in _QUOTED.finditer(query):
        text = compact(match.group("phrase"))
        if len(text) >= MIN_QUOTED and text not in seen:
            seen.add(text)
            phrases.append(Phrase(text, True))
    for piece in _BREAK.split(_QUOTED.sub(" ", query)):
        text = compact(piece)
        if len(text) >= MIN_PHRASE and text not in seen:
            seen.add(text)
            phrases.append(Phrase(text, False))
    return phrases


def query_length(query: str) -> int:
    """Characters of the query that a phrase can cover: all but punctuation and spaces."""
    return sum(len(compact(piece)) for piece in _BREAK.split(query))


class PhraseIndex:
    """The folded texts of all clauses in one string, and where each starts."""

    def __init__(self, texts: list[str]) -> None:
        folded = [compact(text) for text in texts]
        self.text = _SEPARATOR.join(folded)
        lengths = np.fromiter((len(t) + 1 for t in folded), dtype=np.int64, count=len(folded))
        self.starts = (np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(folded) else np.zeros(0, np.int64)).tolist()

    def clauses_with(self, phrase: str, limit: int = MAX_MATCHES) -> list[int] | None:
        """Positions of the clauses holding `phrase`, or None when more than `limit` do."""
        found: list[int] = []
        at = self.text.find(phrase)
        while at >= 0:
            clause = bisect_right(self.starts, at) - 1
            found.append(clause)
            if len(found) > limit:
                return None
            at = self.text.find(phrase, self.starts[clause + 1] if clause + 1 < len(self.starts) else len(self.text))
        return found


def whole_query_clauses(index: PhraseIndex, phrases: list[Phrase], length: int) -> dict[int, float]:
    """Clause position → 1.0 for the clauses holding every piece of the query verbatim, with one scan of the joined
    text (for the longest piece) rather than one per piece: under concurrent searches each scan holds the
    interpreter lock, and one per piece cost a third of the throughput."""
    if not phrases or length > MAX_WHOLE or sum(len(p.text) for p in phrases) < length:  # a short word outside every piece
        return {}
    longest, *rest = sorted(phrases, key=lambda p: -len(p.text))
    found = index.clauses_with(longest.text)
    if not found:
        return {}
    def text_of(c: int) -> str:
        end = index.starts[c + 1] - 1 if c + 1 < len(index.starts) else len(index.text)
        return index.text[index.starts[c]: end]

    return {c: 1.0 for c in found if all(p.text in text_of(c) for p in rest)}


def phrase_scores(index: PhraseIndex, phrases: list[Phrase], length: int) -> dict[int, float]:
    """Clause position → the share of the query's characters it holds verbatim (whole phrases only)."""
    scores: dict[int, float] = {}
    if length <= 0:
        return scores
    for phrase in phrases:
        found = index.clauses_with(phrase.text)
        for clause in found or ():
            scores[clause] = scores.get(clause, 0.0) + len(phrase.text) / length
    return {clause: min(score, 1.0) for clause, score in scores.items()}
