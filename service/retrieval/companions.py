"""Companions: an article of a text that has another version in the index brings its counterpart along.

Where a law is indexed in two versions (海洋环境保护法 2017 and 2023), or with the text that repealed it, the
indexer has aligned their articles (indexer/align.py). A search that finds one side of such a pair has found
the rule, and the other side carries the same rule: the version in force for a citation that must be
current, the older one for a document written under it. So each of the first hits brings its counterparts in
right after it, unless they already rank above. An older article brings the article that carries its rule
now (a repealed one its successor); an article of a newer version brings its predecessor too, but an article
of a code does not bring the repealed laws it absorbed. Plain data: hits, a map of counterparts, a scope.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from policy_search.alignment import NONE, VERSION, Alignment
from service.retrieval.hits import Hit

PER_HIT = 2  # counterparts brought by one hit at most: an old article split over two new ones, say


def companion_map(alignments: Sequence[Alignment], group_of: Callable[[str], int | None]) -> dict[int, tuple[int, ...]]:
    """Article group → the groups of its counterparts, most similar first. `group_of` maps a clause id to its
    article group (None where the clause is not indexed)."""
    found: dict[int, dict[int, float]] = {}

    def add(source: int, target: int, similarity: float) -> None:
        if source != target:
            targets = found.setdefault(source, {})
            targets[target] = max(targets.get(target, 0.0), similarity)

    for row in alignments:
        old = group_of(row.old)
        if old is None or row.how == NONE:
            continue
        for successor in row.successors:
            new = group_of(successor.clause_id)
            if new is None:
                continue
            add(old, new, successor.similarity)
            if row.reason == VERSION:
                add(new, old, successor.similarity)
    return {group: tuple(sorted(targets, key=lambda g: -targets[g])[:PER_HIT]) for group, targets in found.items()}


def bring_companions(hits: list[Hit], companions: Mapping[int, tuple[int, ...]], lead: int,
                     first_clause: Callable[[int], int], allowed: np.ndarray) -> list[Hit]:
    """The hits, with the counterparts of the first `lead` placed right after the hit that brought them (moved up
    where they ranked lower, added where they were not found); only counterparts inside `allowed` (by clause
    position: the search's filters, but admitting superseded texts, which come only this way by default) come.
    Each one scores just under its bringer and records it (`brought_by`)."""
    if lead <= 0 or not companions:
        return hits
    by_group = {hit.group: hit for hit in hits}
    placed: set[int] = set()
    ordered: list[Hit] = []
    for at, hit in enumerate(hits):
        if hit.group in placed:
            continue
        ordered.append(hit)
        placed.add(hit.group)
        if at >= lead:
            continue
        for step, group in enumerate(companions.get(hit.group, ())):
            if group in placed:
                continue
            clause = first_clause(group)
            if not allowed[clause]:
                continue
            companion = by_group.get(group) or Hit(group, clause, 0.0, {})
            companion.score = hit.score - 1e-6 * (step + 1)
            companion.components["companion"] = 1.0
            companion.brought_by = hit.clause
            ordered.append(companion)
            placed.add(group)
    return ordered
