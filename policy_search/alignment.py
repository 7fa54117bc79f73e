"""新旧条文对照: which article of the text in force carries the rule of an article of a repealed or older text.

An `Alignment` is one row of the table: an old article (or one 款 of it, where its 款 go separate ways or a
new 款 holds it) and
the new articles that carry its rule, with how (same, amended, split, merged, none), the similarity and what
changed (amounts, deadlines, subjects). The indexer works them out for every generation
(indexer/align.py) and writes them as JSON lines beside the clauses; the service reads them back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

SAME, AMENDED, SPLIT, MERGED, NONE = "same", "amended", "split", "merged", "none"
RELATIONS = (SAME, AMENDED, SPLIT, MERGED, NONE)
REPEAL, VERSION = "repeal", "version"  # why the old text has a successor: repealed by it, or an older version of it


@dataclass(frozen=True)
class Successor:
    """A new article carrying the old rule: its first unit, and the 款 that holds it where one does."""

    clause_id: str
    paragraph: int | None = None
    similarity: float = 0.0


@dataclass(frozen=True)
class Alignment:
    """One old article (paragraph None) or one of its 款, and where its rule went."""

    old: str  # clause id of the old article's first unit
    old_doc: str
    new_doc: str
    how: str  # one of RELATIONS
    paragraph: int | None = None  # the old article's 款 this row is about; None: the whole article
    successors: tuple[Successor, ...] = ()
    similarity: float = 0.0  # of the first successor (for none: of the nearest article, which was not taken)
    changes: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # kind → {"old": […], "new": […]}
    reason: str = REPEAL

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["successors"] = [{k: v for k, v in asdict(s).items() if v is not None} for s in self.successors]
        return {k: v for k, v in data.items() if v is not None and v != {}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alignment:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["successors"] = tuple(Successor(**s) for s in data.get("successors", ()))
        return cls(**fields)
