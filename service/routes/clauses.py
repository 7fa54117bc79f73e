"""GET /clauses/{id} (a clause in its context), GET /clauses/{id}/related (its basis chain) and GET /cite."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from service.auth import SearchAccess
from service.deps import SearcherDep
from service.errors import ApiError
from service.retrieval.context import CitationNotFound, cite, clause_context
from service.schemas import error_responses

router = APIRouter(tags=["clauses"], responses=error_responses(401, 404, 503))
ClauseId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/clauses/{clause_id}")
def get_clause(
    _: SearchAccess,
    searcher: SearcherDep,
    clause_id: ClauseId,
    neighbours: Annotated[int, Query(ge=0, le=20)] = 2,
):
    """The clause with its heading path, the units before and after it, and the document outline."""
    return clause_context(searcher.index, clause_id, neighbours)


@router.get("/clauses/{clause_id}/related")
def get_related(_: SearchAccess, searcher: SearcherDep, clause_id: ClauseId):
    """What the clause rests on and what rests on it: `bases` (higher-authority clauses it cites or restates,
    best first, then the documents its text says it rests on), `implemented_by`, `cites`, `cited_by`,
    `penalties`, `duties`, and `chain`: the clause and each first base up to the law at the top. Each item is
    a result with a `relation` saying how it was found: cited, restates, document (a document named alone),
    unresolved (a reference to a text not in the index, as written), penalty or duty."""
    return searcher.relations.related(clause_id)


@router.get("/cite")
def get_citation(_: SearchAccess, searcher: SearcherDep, q: Annotated[str, Query(min_length=2, max_length=200)]):
    """Look a clause up by citation, e.g. 环保法第五十九条; 404 with suggestions when it does not exist."""
    try:
        return cite(searcher, q)
    except CitationNotFound as exc:
        raise ApiError(404, str(exc), details={"reason": exc.reason, "suggestions": exc.suggestions}) from exc
