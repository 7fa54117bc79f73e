"""A search hit and a search's outcome: plain data that the searcher makes, the ranking steps around it reorder
and the results shape."""

from __future__ import annotations

from dataclasses import dataclass, field

from policy_search.resolve import Resolution
from service.retrieval.weak import WEAK_NOTICE


@dataclass
class Hit:
    """One article (all its parts) or one paragraph, with the part that matched best."""

    group: int
    clause: int  # position of the best-matching part
    score: float
    components: dict[str, float] = field(default_factory=dict)
    citation: Resolution | None = None  # set when the hit was resolved from a citation in the query
    brought_by: int | None = None  # clause position of the hit above whose counterpart this is (companions.py)


@dataclass
class SearchOutcome:
    hits: list[Hit]
    tokens: list[str]
    timings_ms: dict[str, float]
    citations: list[Resolution]  # every citation in the query, found or not
    expansions: dict[str, list[str]] = field(default_factory=dict)  # query word → synonyms searched at reduced weight
    # The words the person typed besides citations, which the page marks; `tokens` may be the cited articles'
    # text instead (a bare citation searches for what resembles them), and marking those marks almost everything.
    query_tokens: list[str] | None = None
    match: dict[str, float] = field(default_factory=dict)  # the best hits' word coverage and cosine (service/retrieval/weak.py)
    weak: bool = False  # nothing matches well: the hits are the least unlike, not answers

    @property
    def notice(self) -> str | None:
        """What the person must know before reading the hits: a cited document, article, 款 or 项 that is not
        in the index, a short title that fits several documents, a cited text that is not current, or that
        nothing matches well."""
        messages = [r.message for r in self.citations if r.message]
        if self.weak:
            messages.append(WEAK_NOTICE)
        return "；".join(messages) + "。" if messages else None
