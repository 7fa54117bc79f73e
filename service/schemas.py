"""Request and response models of the HTTP API (also what /docs shows)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from service.retrieval.searcher import MAX_QUERY_CHARS, MAX_TOP_K

class Body(BaseModel):
    """A JSON request body: strict types (0 is not false, "10" not 10), no unknown fields, and text that is Unicode.

    JSON may escape a lone surrogate (\\ud800), which no UTF-8 answer or file can hold: refused here, by name.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _unicode_text(cls, data: Any) -> Any:
        where = lone_surrogate_at(data)
        if where is not None:
            raise ValueError(f"{where or 'text'}: not valid Unicode (a lone surrogate escape such as \\ud800)")
        return data


def lone_surrogate_at(value: Any, path: str = "") -> str | None:
    """The path of the first string (or key) in a JSON value holding a lone surrogate, else None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and lone_surrogate_at(key) is not None:
            return where
        found = lone_surrogate_at(item, where)
        if found is not None:
            return found
    return None


def _whole_number(value: Any) -> Any:
    """JSON Schema's integer: 19.0 is one (a strict int would refuse it); "19" and true stay refused."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


JsonInt = Annotated[int, BeforeValidator(_whole_number)]
# A query or problem of whitespace alone says nothing: refused by the schema, not after it. Whitespace as str.strip()
# sees it: Unicode's White_Space (\s of the Rust and Python engines alike) and the separators \x1c-\x1f; \x85
# (NEL) is named too, as generators that read \s as the Z categories (hypothesis) would not count it.
HAS_TEXT = r"[^\s\x1c-\x1f\x85]"
FilterValue = Annotated[str, StringConstraints(min_length=1, max_length=200)]  # one value of a repeatable filter
# An ISO date, checked by the filters (a pattern would admit 2023-02-30); the schema says so for clients and fuzzers
IsoDate = Annotated[str, Field(max_length=10, json_schema_extra={"format": "date", "examples": ["2014-04-24"]})]


class ErrorBody(BaseModel):
    status: int
    code: str = Field(description="machine-readable: invalid_request, invalid_query, not_found, unauthorized, …")
    message: str = Field(description="a sentence for a person, naming the field or file at fault")
    request_id: str | None = Field(description="also in the X-Request-ID header; quote it when reporting a 500")
    details: Any = Field(default=None, description="per-field errors, or suggestions and the reason of a 404")


class ErrorOut(BaseModel):
    """Every error the service answers, whatever the route and status."""

    error: ErrorBody


ERRORS = {
    400: "the URL is not valid UTF-8, or the request is not valid HTTP",
    401: "keys are configured and the request has none, or one that is not valid",
    403: "a search key on a route that changes the index (admin key needed)",
    404: "no such clause, document, task, draft or cited place; `details` says what is missing",
    413: "the body, a file or the number of files is over its limit",
    414: "the URL is over 16 KiB (send long searches as POST /search)",
    422: "a field is missing, of the wrong type or out of range, or the query is not one the route can answer",
    503: "the index is not loaded yet, or was built with another model",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these error statuses, all in the one error shape."""
    return {status: {"model": ErrorOut, "description": ERRORS[status]} for status in statuses}


def merged(*responses: dict) -> dict:
    """OpenAPI `responses` dicts joined status by status (a status's description, content and links together)."""
    out: dict = {}
    for response in responses:
        for status, fields in response.items():
            out[status] = out.get(status, {}) | fields
    return out


def links(status: int, **targets: tuple[str, str, dict[str, str]]) -> dict[int, dict[str, Any]]:
    """OpenAPI links from a response to the operations its values lead to: name → (method, path, parameter →
    runtime expression). Clients, and the fuzzer's stateful runs, follow real ids instead of guessing them."""
    def ref(method: str, path: str) -> str:
        return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method.lower()

    return {status: {"links": {name: {"operationRef": ref(method, path), "parameters": parameters}
                               for name, (method, path, parameters) in targets.items()}}}


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
    sample: bool = Field(default=False, description="a sample document written to show the project, not a real text: "
                         "it never ranks ahead of a real text and is no drafting basis unless asked")


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
    counterpart_of: str | None = Field(default=None, description="clause_id of the result just above whose rule this "
                                       "article carries in another version of its text, or in the text that replaced it")


class SearchRequest(Body):
    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, pattern=HAS_TEXT)
    top_k: JsonInt = Field(default=10, ge=1, le=MAX_TOP_K)
    doc_type: list[FilterValue] = Field(default=[], max_length=50)
    region: list[FilterValue] = Field(default=[], max_length=50)
    issuer: list[FilterValue] = Field(default=[], max_length=50)
    doc_id: list[FilterValue] = Field(default=[], max_length=50)
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
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
    notice: str | None = Field(default=None, description="what to know before the hits: a cited document or clause not in the index, "
                                "or that nothing matches the query well (`weak`)")
    weak: bool = Field(default=False, description="the best hits match the query weakly: least unlike, not answers")
    match: dict[str, float] | None = Field(default=None, description="with explain: the best hits' word coverage and the nearest clause's cosine")
    citations: list[CitationOut] = []
    expansions: dict[str, list[str]] | None = Field(default=None, description="with explain: query word → the synonyms BM25 also searched")
    results: list[ResultOut]
