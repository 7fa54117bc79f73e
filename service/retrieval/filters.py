"""Search filters, validated on construction, and the clause mask they select."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from policy_search.errors import InvalidQuery
from service.retrieval.loaded import LoadedIndex

MAX_FILTER_VALUES = 50


@dataclass(frozen=True)
class SearchFilters:
    doc_types: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()
    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None
    doc_ids: tuple[str, ...] = ()
    include_superseded: bool = False
    # sample documents (written to show the project, not real texts): None admits them after every real text,
    # False leaves them out, True ranks them as any other
    include_samples: bool | None = None

    def __post_init__(self) -> None:
        for name in ("doc_types", "regions", "issuers", "doc_ids"):
            values = getattr(self, name)
            if len(values) > MAX_FILTER_VALUES:
                raise InvalidQuery(f"{name}: at most {MAX_FILTER_VALUES} values, got {len(values)}")
            if any(not v or len(v) > 200 for v in values):
                raise InvalidQuery(f"{name}: values must be 1 to 200 characters")
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not _is_iso_date(value):
                raise InvalidQuery(f"{name}: expected a date as YYYY-MM-DD, got {value!r}")
        # ISO dates order as strings; a reversed range would silently match nothing
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidQuery(f"date_from {self.date_from} is after date_to {self.date_to}: no date can fall between them")

    @classmethod
    def of(cls, request) -> SearchFilters:
        """From anything with the request's field names: an API body or the command line's arguments."""
        return cls(
            doc_types=tuple(request.doc_type),
            regions=tuple(request.region),
            issuers=tuple(request.issuer),
            date_from=request.date_from,
            date_to=request.date_to,
            doc_ids=tuple(request.doc_id),
            include_superseded=request.include_superseded,
        )

    def document_mask(self, index: LoadedIndex) -> np.ndarray:
        """True for every document these filters admit."""
        keep = np.ones(len(index.documents), dtype=bool)
        ids = set(self.doc_ids)
        for i, meta in enumerate(index.documents):
            if (
                (meta.superseded and not self.include_superseded)
                or (meta.sample and self.include_samples is False)
                or (self.doc_types and meta.doc_type not in self.doc_types)
                or (self.regions and meta.region not in self.regions)
                or (self.issuers and not any(issuer in (meta.issuer or "") for issuer in self.issuers))
                or (ids and meta.doc_id not in ids)
                or (self.date_from and (meta.date or "") < self.date_from)
                or (self.date_to and (meta.date or "9999") > self.date_to)
            ):
                keep[i] = False
        return keep


def _is_iso_date(value: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10
