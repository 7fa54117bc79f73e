"""Successors and predecessors of a clause (新旧条文对照), from the alignments the indexer stored.

A successor of a text that is itself superseded (the 2017 version of a law, aligned with the 2023 one, which
a code then repealed) is followed on to the text in force. Plain data only: positions, 款 and relations; the
result shapes are made by service/retrieval/successors.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from policy_search.alignment import NONE, Alignment
from policy_search.model import Citation
from service.retrieval.loaded import LoadedIndex

MAX_HOPS = 4  # old version → newer version → code: never more in practice


@dataclass(frozen=True)
class Step:
    """One successor: the first unit of the new article, the 款 that holds the rule, how it came there."""

    position: int
    paragraph: int | None
    how: str
    similarity: float
    changes: dict[str, Any]
    via: tuple[str, ...] = ()  # citations of superseded texts passed on the way

    def relation(self) -> dict[str, Any]:
        relation = {"how": self.how, "similarity": self.similarity, "changes": self.changes}
        if self.via:
            relation["via"] = list(self.via)
        return relation


@dataclass
class Succession:
    """The alignments of one generation, by old clause (and 款) and by new clause."""

    index: LoadedIndex
    rows: dict[tuple[str, int | None], Alignment] = field(init=False)
    incoming: dict[str, list[Alignment]] = field(init=False)

    def __post_init__(self) -> None:
        self.rows, self.incoming = {}, {}
        for row in self.index.alignments:
            self.rows[(row.old, row.paragraph)] = row
            for successor in row.successors:
                self.incoming.setdefault(successor.clause_id, []).append(row)

    def row(self, position: int, paragraph: int | None = None) -> Alignment | None:
        """The row of a clause's article, or of its 款 where the 款 has a row of its own."""
        first = self._first(position)
        key = self.index.clauses[first].clause_id
        return self.rows.get((key, paragraph)) or self.rows.get((key, None))

    def successors(self, position: int, paragraph: int | None = None) -> tuple[Alignment | None, list[Step]]:
        """The row found (None: the text has no successor) and the articles in force that carry the rule."""
        row = self.row(position, paragraph)
        if row is None:
            return None, []
        return row, self._follow(row, (), 0)

    def _follow(self, row: Alignment, via: tuple[str, ...], hops: int) -> list[Step]:
        steps: list[Step] = []
        for successor in row.successors:
            position = self.index.clause_pos.get(successor.clause_id)
            if position is None:
                continue
            step = Step(position, successor.paragraph, row.how, successor.similarity, row.changes, via)
            onward = self.row(position, successor.paragraph) if hops < MAX_HOPS else None
            if onward is None:
                steps.append(step)
            elif onward.how != NONE:
                steps.extend(self._follow(onward, via + (self.citation(position, successor.paragraph),), hops + 1))
        return list({(s.position, s.paragraph): s for s in steps}.values())

    def predecessors(self, position: int) -> list[tuple[int, int | None, Alignment]]:
        """Old articles (and 款) whose rule this article carries: (position of the old article, 款, row)."""
        key = self.index.clauses[self._first(position)].clause_id
        found = []
        for row in self.incoming.get(key, []):
            old = self.index.clause_pos.get(row.old)
            if old is not None:
                found.append((old, row.paragraph, row))
        return found

    def citation(self, position: int, paragraph: int | None = None) -> str:
        clause = self.index.clauses[position]
        meta = self.index.documents[int(self.index.doc_of[position])]
        paragraph = paragraph if clause.locator.paragraph_count > 1 else None
        return Citation(meta.title, clause.locator.article, paragraph).render()

    def _first(self, position: int) -> int:
        return self.index.group_members[int(self.index.group_of[position])][0]
