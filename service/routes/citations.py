"""POST /citations/check: the citation check (引用核验) of a pasted text or an uploaded .txt/.md/.docx."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from pydantic import Field, ValidationError
from starlette.concurrency import run_in_threadpool

from policy_search.errors import UnsupportedDocument
from service.auth import SearchAccess
from service.deps import SearcherDep, SettingsDep
from service.errors import ApiError
from service.retrieval.check import MAX_CHECK_CHARS, CitationChecker
from service.schemas import Body, error_responses

router = APIRouter(tags=["citations"], responses=error_responses(401, 413, 503))
CHECKED_SUFFIXES = (".txt", ".md", ".docx")


class CheckRequest(Body):
    text: str = Field(min_length=1, max_length=MAX_CHECK_CHARS, description="the text whose citations are checked")
    doc_id: str | None = Field(default=None, max_length=64, description="the indexed document the text is part of: "
                               "本法/本办法 then means it")


_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": CheckRequest.model_json_schema()},
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary", "description": ".txt, .md or .docx"},
            "doc_id": {"type": "string", "maxLength": 64}}}},
    },
}


@router.post("/citations/check", openapi_extra={"requestBody": _BODY})
async def check_citations(_: SearchAccess, request: Request, searcher: SearcherDep, settings: SettingsDep):
    """Every citation in the text (《X》第N条第M款第（K）项, short names, 本法/该法 第N条, 文号), each with a verdict:
    ok (with the text quoted), unknown_document, ambiguous, no_article, no_paragraph, no_item (with the nearest
    existing place), older_version (with the current one), repealed, not_in_force; `span` locates it in the text."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        text, doc_id = await _uploaded_text(request, settings.max_upload_bytes)
    else:
        try:
            body = CheckRequest.model_validate(json.loads(await request.body() or b"null"))
        except (ValueError, ValidationError) as exc:
            raise ApiError(422, f"expected a JSON body {{\"text\": …}}: {_first_error(exc)}") from exc
        text, doc_id = body.text, body.doc_id
    checker = CitationChecker(searcher)
    return await run_in_threadpool(checker.check, text, doc_id)


async def _uploaded_text(request: Request, limit: int) -> tuple[str, str | None]:
    async with request.form(max_files=1, max_fields=4) as form:
        upload, doc_id = form.get("file"), form.get("doc_id")
        if upload is None or isinstance(upload, str):
            raise ApiError(422, "file: a .txt, .md or .docx file is required")
        name = upload.filename or "upload.txt"
        if Path(name).suffix.lower() not in CHECKED_SUFFIXES:
            raise ApiError(422, f"{name}: only .txt, .md and .docx files are checked")
        data = await upload.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, f"{name}: larger than the {limit}-byte upload limit")
    from indexer.readers import read_bytes

    try:
        documents = await run_in_threadpool(read_bytes, name, data)
    except UnsupportedDocument as exc:
        raise ApiError(422, str(exc)) from exc
    text = "\n".join(document.text for document in documents)
    if len(text) > MAX_CHECK_CHARS:
        raise ApiError(413, f"{name}: more than {MAX_CHECK_CHARS} characters of text")
    return text, doc_id if isinstance(doc_id, str) and doc_id else None


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        return f"{'.'.join(map(str, error['loc'])) or 'body'}: {error['msg']}"
    return "not valid JSON"
