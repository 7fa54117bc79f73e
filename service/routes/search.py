"""GET/POST /search: clause search with filters."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse  # built here: the result dicts already have the documented shape
from starlette.concurrency import run_in_threadpool

from service.auth import SearchAccess
from service.deps import SearcherDep
from service.retrieval.filters import SearchFilters
from service.retrieval.results import search_answer
from service.retrieval.searcher import MAX_QUERY_CHARS, MAX_TOP_K, Searcher
from service.schemas import HAS_TEXT, FilterValue, IsoDate, SearchRequest, SearchResponse, error_responses, links

FIRST_HIT = links(
    200,
    clause=("GET", "/clauses/{clause_id}", {"clause_id": "$response.body#/results/0/clause_id"}),
    related=("GET", "/clauses/{clause_id}/related", {"clause_id": "$response.body#/results/0/clause_id"}),
    document=("GET", "/documents/{doc_id}", {"doc_id": "$response.body#/results/0/document/doc_id"}),
)
router = APIRouter(tags=["search"], responses=error_responses(401, 413, 503) | FIRST_HIT)


def run_search(searcher: Searcher, request: SearchRequest) -> dict:
    started = time.perf_counter()
    outcome = searcher.search(request.q, SearchFilters.of(request), top_k=request.top_k, mode=request.mode, rerank=request.rerank)
    return search_answer(searcher.index, request.q, outcome, explain=request.explain, started=started)


@router.get("/search", response_model=SearchResponse, response_model_exclude_unset=True)
async def search_get(
    _: SearchAccess,
    searcher: SearcherDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, pattern=HAS_TEXT, description="query or citation")],
    top_k: Annotated[int, Query(ge=1, le=MAX_TOP_K)] = 10,
    doc_type: Annotated[list[FilterValue], Query(max_length=50)] = [],
    region: Annotated[list[FilterValue], Query(max_length=50)] = [],
    issuer: Annotated[list[FilterValue], Query(max_length=50)] = [],
    doc_id: Annotated[list[FilterValue], Query(max_length=50)] = [],
    date_from: Annotated[IsoDate | None, Query()] = None,
    date_to: Annotated[IsoDate | None, Query()] = None,
    include_superseded: bool = False,
    mode: Annotated[str, Query(pattern="^(hybrid|bm25|dense)$")] = "hybrid",
    rerank: bool | None = None,
    explain: bool = False,
):
    request = SearchRequest(
        q=q, top_k=top_k, doc_type=doc_type, region=region, issuer=issuer, doc_id=doc_id,
        date_from=date_from, date_to=date_to, include_superseded=include_superseded, mode=mode, rerank=rerank, explain=explain,
    )
    return JSONResponse(await run_in_threadpool(run_search, searcher, request))


@router.post("/search", response_model=SearchResponse, response_model_exclude_unset=True)
async def search_post(_: SearchAccess, searcher: SearcherDep, body: SearchRequest):
    return JSONResponse(await run_in_threadpool(run_search, searcher, body))
