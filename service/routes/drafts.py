"""POST /drafts/rectification, POST /drafts/export and GET /drafts/{id}(.docx|.md|.xlsx): the rectification-plan drafting aid."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import ConfigDict, Field, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor

from service.auth import SearchAccess
from service.deps import SearcherDep
from service.drafting.content import DEADLINE_KINDS
from service.drafting.export import DOCX_TYPE, FORMATS, XLSX_TYPE, plan_citations
from service.drafting.plan import (
    DEFAULT_TITLE,
    MAX_BASES,
    MAX_PROBLEM_CHARS,
    MAX_PROBLEMS,
    Draft,
    DraftOptions,
    Problem,
    draft_plan,
)
from service.errors import ApiError
from service.retrieval.check import CitationChecker
from service.schemas import HAS_TEXT, Body, FilterValue, JsonInt, error_responses, links, merged

router = APIRouter(tags=["drafts"], responses=error_responses(401, 413, 503))
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_FILES = {DOCX_TYPE: _BINARY, XLSX_TYPE: _BINARY, "text/markdown": {"schema": {"type": "string"}}}
EXPORTED = {200: {"description": "the plan as a Word file, Markdown, or the 整改台账 spreadsheet", "content": _FILES}}
DEADLINE_KIND = "^(" + "|".join(DEADLINE_KINDS) + ")$"
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def _real_date(value: str | None) -> str | None:
    """A 落款 date that is a day of the calendar (2026-02-30 is not)."""
    if value is not None:
        date.fromisoformat(value)  # ValueError: pydantic answers 422 naming the field
    return value


DRAFTED = {200: {"description": "the draft as JSON, or exported by `format`", "content": {"application/json": {}} | _FILES}}


class ProblemIn(Body):
    text: str = Field(min_length=1, max_length=MAX_PROBLEM_CHARS, pattern=HAS_TEXT)
    unit: str | None = Field(default=None, max_length=200)
    deadline: str | None = Field(default=None, max_length=100)
    region: str | None = Field(default=None, max_length=50)
    measures: str | None = Field(default=None, max_length=2000)
    signoff: str | None = Field(default=None, max_length=2000)
    target: str | None = Field(default=None, max_length=1000, description="整改目标")
    leader: str | None = Field(default=None, max_length=200, description="责任领导")
    partners: str | None = Field(default=None, max_length=500, description="配合单位")
    owner: str | None = Field(default=None, max_length=200, description="责任人")
    deadline_kind: str | None = Field(default=None, pattern=DEADLINE_KIND, description="立行立改, 限期整改 or 长期坚持")
    evidence: str | None = Field(default=None, max_length=2000, description="佐证材料")


class OptionsIn(Body):
    bases_per_problem: JsonInt = Field(default=10, ge=1, le=MAX_BASES, description="the most relevant bases, laws and local texts alike")
    doc_types: list[FilterValue] = Field(default=[], max_length=20)
    region: str | None = Field(default=None, max_length=50)
    include_samples: bool = Field(default=False, description="let the sample documents be bases (they are not real texts)")


class DraftRequest(Body):
    problems: list[ProblemIn] = Field(min_length=1, max_length=MAX_PROBLEMS)
    options: OptionsIn = OptionsIn()
    title: str | None = Field(default=None, max_length=100)
    issuer: str | None = Field(default=None, max_length=100, description="the 落款's unit")
    date: str | None = Field(default=None, pattern=ISO_DATE, json_schema_extra={"format": "date"},
                             description="the 落款's date, YYYY-MM-DD; today when left out")
    format: str = Field(default="json", pattern="^(json|docx|markdown|xlsx)$")

    _date = field_validator("date")(_real_date)


class CitedIn(Body):
    model_config = ConfigDict(extra="allow")  # the rest of a result, as /drafts/rectification returned it

    citation: str = Field(min_length=1, max_length=300)


class ObligationIn(Body):
    model_config = ConfigDict(extra="allow")

    citation: str = Field(min_length=1, max_length=300)
    sentence: str = Field(min_length=1, max_length=5000)


class ReviewedProblem(Body):
    model_config = ConfigDict(extra="allow")

    problem: str = Field(min_length=1, max_length=MAX_PROBLEM_CHARS)
    bases: list[CitedIn] = Field(default=[], max_length=100)
    obligations: list[ObligationIn] = Field(default=[], max_length=200)
    penalties: list[CitedIn] = Field(default=[], max_length=100)
    measures: str | None = Field(default=None, max_length=2000)
    unit: str | None = Field(default=None, max_length=200)
    deadline: str | None = Field(default=None, max_length=100)
    signoff: str | None = Field(default=None, max_length=2000)
    target: str | None = Field(default=None, max_length=1000)
    leader: str | None = Field(default=None, max_length=200)
    partners: str | None = Field(default=None, max_length=500)
    owner: str | None = Field(default=None, max_length=200)
    deadline_kind: str | None = Field(default=None, pattern=DEADLINE_KIND)
    evidence: str | None = Field(default=None, max_length=2000)


class ExportRequest(Body):
    problems: list[ReviewedProblem] = Field(min_length=1, max_length=MAX_PROBLEMS)
    title: str | None = Field(default=None, max_length=100)
    issuer: str | None = Field(default=None, max_length=100, description="the 落款's unit")
    date: str | None = Field(default=None, pattern=ISO_DATE, json_schema_extra={"format": "date"},
                             description="the 落款's date, YYYY-MM-DD; today when left out")
    format: str = Field(default="docx", pattern="^(docx|markdown|xlsx)$")

    _date = field_validator("date")(_real_date)


def _export(draft, fmt: str):
    if fmt == "json":
        return draft.to_dict()
    write, media_type, extension = FORMATS[fmt]
    if fmt == "markdown":
        return PlainTextResponse(write(draft), media_type=media_type)
    headers = {"Content-Disposition": f'attachment; filename="rectification-{draft.draft_id}.{extension}"'}
    return Response(write(draft), media_type=media_type, headers=headers)


@router.post("/drafts/rectification", responses=merged(DRAFTED, links(
    200, draft=("GET", "/drafts/{draft_ref}", {"draft_ref": "$response.body#/draft_id"}))))
async def create_draft(_: SearchAccess, request: Request, searcher: SearcherDep, body: DraftRequest):
    """For each problem: the most relevant bases (the page groups them by authority), the obligations they state, and linked penalty clauses."""
    problems = [Problem(**p.model_dump()) for p in body.problems]
    options = DraftOptions(bases_per_problem=body.options.bases_per_problem, doc_types=tuple(body.options.doc_types), region=body.options.region,
                           include_samples=body.options.include_samples)
    draft = await run_in_threadpool(draft_plan, searcher, problems, options, body.title, body.issuer, body.date)
    request.app.state.drafts.put(draft)
    return await run_in_threadpool(_export, draft, body.format)


@router.post("/drafts/export", response_class=Response, responses=EXPORTED)
async def export_reviewed(_: SearchAccess, searcher: SearcherDep, body: ExportRequest):
    """Export a plan a person reviewed: the problems as /drafts/rectification returned them, edited. The
    citations of its bases, penalties and measures are checked first (POST /citations/check): the
    `X-Citation-Problems` header counts those that are not ok (the page shows them before downloading)."""
    problems = [p.model_dump() for p in body.problems]
    draft = Draft(uuid.uuid4().hex[:12], body.title or DEFAULT_TITLE, problems, index_generation="", issuer=body.issuer, date=body.date)
    checked = await run_in_threadpool(CitationChecker(searcher).check, plan_citations(problems))
    response = await run_in_threadpool(_export, draft, body.format)
    response.headers["X-Citation-Problems"] = str(checked["problems"])
    return response


class DraftRef(Convertor):
    """A draft id, with .docx, .md or .xlsx to export it: only these reach the route, so /drafts/rectification and
    /drafts/export name their own routes alone (405 there says POST, nothing else)."""

    regex = DRAFT_REF = r"[0-9a-f]{12}(?:\.(?:docx|md|xlsx))?"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("draft_ref", DraftRef())


@router.get("/drafts/{draft_ref:draft_ref}", responses=error_responses(404) | DRAFTED)
def get_draft(_: SearchAccess, request: Request, draft_ref: Annotated[str, Path(pattern=f"^{DraftRef.DRAFT_REF}$")]):
    """A draft made earlier, as JSON, or exported: /drafts/{id}.docx, /drafts/{id}.md or /drafts/{id}.xlsx."""
    draft_id, _dot, suffix = draft_ref.partition(".")
    fmt = {"": "json", "docx": "docx", "md": "markdown", "xlsx": "xlsx"}[suffix]
    draft = request.app.state.drafts.get(draft_id)
    if draft is None:
        raise ApiError(404, f"no draft {draft_id!r} (drafts are kept in memory for a while)")
    return _export(draft, fmt)
