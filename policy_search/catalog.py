"""Documents and their clauses with the lookup tables that citations are resolved against: clause and
document positions, article groups (the parts of one split article), article labels and numbered parts.

The indexer builds one to link references between documents; the service's loaded index extends it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from policy_search.labels import attachment_label, heading_label, label_number
from policy_search.model import SEARCH_KINDS, Clause, DocumentMeta


@dataclass
class Catalog:
    """Documents and clauses, with every table indexed by position (row i = clause i)."""

    documents: list[DocumentMeta]
    clauses: list[Clause]
    doc_of: np.ndarray = field(init=False)  # doc position of every clause
    group_of: np.ndarray = field(init=False)  # article group of every clause: parts of one article share it
    group_members: list[list[int]] = field(init=False)
    doc_clauses: list[list[int]] = field(init=False)  # clause positions of each document, in order
    doc_pos: dict[str, int] = field(init=False)
    clause_pos: dict[str, int] = field(init=False)
    articles: dict[tuple[int, str], int] = field(init=False)  # (doc position, article label) → first group
    searchable: np.ndarray = field(init=False)  # False for units that are not clauses (signature, 抄送, headings)
    parts: dict[tuple[int, tuple[int, ...]], list[int]] = field(init=False)  # (doc, 三→(3,), 三（二）→(3, 2)) → units

    def __post_init__(self) -> None:
        self.doc_pos = {meta.doc_id: i for i, meta in enumerate(self.documents)}
        self.clause_pos = {clause.clause_id: i for i, clause in enumerate(self.clauses)}
        doc_of = [self.doc_pos[c.doc_id] for c in self.clauses]  # lists while building: numpy scalars are slow
        self.doc_of = np.array(doc_of, dtype=np.int32)
        self.doc_clauses = [[] for _ in self.documents]
        for i, doc in enumerate(doc_of):
            self.doc_clauses[doc].append(i)
        groups: dict[tuple, int] = {}
        group_of = [0] * len(self.clauses)
        self.group_members = []
        self.articles = {}
        for i, clause in enumerate(self.clauses):
            loc = clause.locator
            key = (clause.doc_id, loc.article, loc.path) if loc.article and loc.parts > 1 else (clause.clause_id,)
            if key not in groups or loc.part == 1:
                groups[key] = len(self.group_members)
                self.group_members.append([])
            group_of[i] = groups[key]
            self.group_members[groups[key]].append(i)
            if loc.article and loc.part == 1:
                self.articles.setdefault((doc_of[i], loc.article), group_of[i])
        self.group_of = np.array(group_of, dtype=np.int32)
        self.searchable = np.array([c.kind in SEARCH_KINDS for c in self.clauses], dtype=bool)
        self.parts = {}
        for i, clause in enumerate(self.clauses):
            doc = doc_of[i]
            if self.documents[doc].part_label:
                numbers = part_numbers(clause.locator.path)
                for depth in range(1, len(numbers) + 1):
                    self.parts.setdefault((doc, numbers[:depth]), []).append(i)


def part_numbers(path: tuple[str, ...]) -> tuple[int, ...]:
    """The numbers of the numbered headings in a path: (三、…, （二）…) → (3, 2). Under an attachment they follow
    its number negated, apart from the document's own parts: (附件1 …, 一、…) → (-1, 1)."""
    numbers = []
    attachment = attachment_label(path[0]) if path else None
    if attachment:
        numbers.append(-(label_number(attachment[2:]) or 1) if attachment[2:] else -1)
        path = path[1:]
    for heading in path:
        found = heading_label(heading)
        number = label_number(found[1]) if found else None
        if number is not None:
            numbers.append(number)
    return tuple(numbers)
