"""Request and response models of the HTTP API (also what /docs shows)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service.retrieval.searcher import MAX_QUERY_CHARS, MAX_TOP_K


class DocumentOut(BaseModel):
    doc_id: str
    title: str
    source: str
    doc_type: str | None
    authority: int = Field(description="level on the authority scale: 0 宪法, 1 法律, 2 行政法规 and 司法解释, … 6 工作文件 and 讲话")
    issuer: str | None
    doc_number: str | None
    region: str | None
    date: str | None
    superseded: bool
    status: str | None = Field(default=None, description="现行有效, 已被修改, 已废止 or 尚未施行: from the source, a repeal "
                               "clause in a newer text, a newer version, or a 施行日期 still to come")
    repealed_by: str | None = Field(default=None, description="doc_id of the indexed text that repeals this one")
    issuers: list[str] = Field(default=[], description="every 发文机关 of a joint document")
    effective_date: str | None = None


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
    rerank: bool | None = Field(default=None, description="hybrid only: false skips the learned ranker for the fastest answer; default: the service's setting")
    explain: bool = False


class CitationOut(BaseModel):
    text: str = Field(description="the citation as written in the query")
    status: str = Field(description="ok, document_not_found, ambiguous, article_not_found, paragraph_not_found, item_not_found")
    doc_id: str | None
    title: str | None
    message: str | None = None
    suggestions: list[str] = []


class SearchResponse(BaseModel):
    query: str
    took_ms: float
    index_generation: str
    notice: str | None = Field(default=None, description="what to know before the hits: a cited document or clause not in the index")
    citations: list[CitationOut] = []
    expansions: dict[str, list[str]] | None = Field(default=None, description="with explain: query word → the synonyms BM25 also searched")
    results: list[ResultOut]
