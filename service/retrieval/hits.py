"""A search hit: plain data that the searcher makes and the ranking steps around it reorder."""

from __future__ import annotations

from dataclasses import dataclass, field

from policy_search.resolve import Resolution


@dataclass
class Hit:
    """One article (all its parts) or one paragraph, with the part that matched best."""

    group: int
    clause: int  # position of the best-matching part
    score: float
    components: dict[str, float] = field(default_factory=dict)
    citation: Resolution | None = None  # set when the hit was resolved from a citation in the query
    brought_by: int | None = None  # clause position of the hit above whose counterpart this is (companions.py)
