"""Request and response models of the HTTP API (also what /docs shows)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service.retrieval.searcher import MAX_QUERY_CHARS, MAX_TOP_K


class DocumentOut(BaseModel):
    doc_id: str
    title: str
    source: str
    doc_type: str | None
    issuer: str | None
    doc_number: str | None
    region: str | None
    date: str | None
    superseded: bool


class LocationOut(BaseModel):
    path: list[str]
    article: str | None = Field(description="article label as written, e.g. 第五十九条; null for texts without articles")
    paragraph: int | None = Field(description="款 number, when the article has several")
    item: str | None = Field(description="项 label, e.g. （三）")


class ResultOut(BaseModel):
    model_config = ConfigDict(extra="allow")  # external_id (JSON-lines input) and components (explain)

    clause_id: str
    score: float
    text: str
    highlights: list[list[int]]
    citation: str
    document: DocumentOut
    location: LocationOut


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    top_k: int = Field(default=10, ge=1, le=MAX_TOP_K)
    doc_type: list[str] = Field(default=[], max_length=50)
    region: list[str] = Field(default=[], max_length=50)
    issuer: list[str] = Field(default=[], max_length=50)
    doc_id: list[str] = Field(default=[], max_length=50)
    date_from: str | None = Field(default=None, max_length=10)
    date_to: str | None = Field(default=None, max_length=10)
    include_superseded: bool = False
    mode: str = Field(default="hybrid", pattern="^(hybrid|bm25|dense)$")
    explain: bool = False


class SearchResponse(BaseModel):
    query: str
    took_ms: float
    index_generation: str
    results: list[ResultOut]
