"""Documents: list, show, upload (POST, multipart) and delete; GET /tasks/{id} follows an update."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from service.auth import AdminAccess, SearchAccess
from service.deps import SearcherDep, SettingsDep
from service.errors import ApiError
from service.retrieval.context import outline
from service.retrieval.results import document_json
from service.schemas import error_responses, links, merged

router = APIRouter(tags=["documents"], responses=error_responses(401, 404, 503))
ENDED = {200: {"description": "the update ended within `wait` seconds: the task, done or failed"}}
WAIT_POLL_S = 0.05
UPLOAD_FIELDS = {"files", "metadata"}
METADATA_FIELDS = ("title", "doc_type", "issuer", "doc_number", "region", "date", "status", "effective_date")


@router.get("/documents", responses=links(
    200,
    document=("GET", "/documents/{doc_id}", {"doc_id": "$response.body#/documents/0/doc_id"}),
    delete=("DELETE", "/documents/{doc_id}", {"doc_id": "$response.body#/documents/0/doc_id"}),
))
def list_documents(
    _: SearchAccess,
    searcher: SearcherDep,
    doc_type: Annotated[str | None, Query(max_length=50)] = None,
    region: Annotated[str | None, Query(max_length=50)] = None,
    q: Annotated[str | None, Query(max_length=100, description="words of the title")] = None,
    include_superseded: bool = True,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
):
    index = searcher.index
    documents = [
        meta
        for meta in index.documents
        if (doc_type is None or meta.doc_type == doc_type)
        and (region is None or meta.region == region)
        and (q is None or q in meta.title)
        and (include_superseded or not meta.superseded)
    ]
    return {
        "total": len(documents),
        "offset": offset,
        "limit": limit,
        "index_generation": index.generation,
        "documents": [
            document_json(meta) | {"clauses": len(index.doc_clauses[index.doc_pos[meta.doc_id]])}
            for meta in documents[offset : offset + limit]
        ],
    }


@router.get("/documents/{doc_id}")
def get_document(_: SearchAccess, searcher: SearcherDep, doc_id: str):
    index = searcher.index
    position = index.doc_pos.get(doc_id)
    if position is None:
        raise ApiError(404, f"no document {doc_id!r} in generation {index.generation}")
    meta = index.documents[position]
    versions = [
        document_json(other) for other in index.documents if other.version_key == meta.version_key and other.doc_id != doc_id
    ]
    clauses = index.doc_clauses[position]
    return {
        "document": document_json(meta),
        "versions": sorted(versions, key=lambda d: d["date"] or "", reverse=True),
        "clauses": len(clauses),
        "articles": sum(1 for p in clauses if index.clauses[p].locator.article and index.clauses[p].locator.part == 1),
        "first_clause_id": index.clauses[clauses[0]].clause_id if clauses else None,
        "outline": outline(index, clauses),
        "index_generation": index.generation,
    }


@router.post("/documents", status_code=202, responses=merged(error_responses(403, 413), ENDED, links(
    202, task=("GET", "/tasks/{task_id}", {"task_id": "$response.body#/task_id"}))))
async def upload_documents(
    _: AdminAccess,
    request: Request,
    settings: SettingsDep,
    files: Annotated[list[UploadFile], File(description="txt, md, docx, pdf, html or jsonl files")],
    metadata: Annotated[str | None, Form(max_length=4000, description="JSON object: title, doc_type, issuer, doc_number, region, date, status, effective_date")] = None,
    wait: Annotated[float, Query(ge=0, le=600, description="seconds to wait for the update to finish")] = 0,
):
    unknown = sorted(set((await request.form()).keys()) - UPLOAD_FIELDS)  # parsed already: FastAPI read the form
    if unknown:
        raise ApiError(422, f"unknown form field(s) {', '.join(map(repr, unknown))}; an upload has files and metadata")
    if len(files) > settings.max_upload_files:
        raise ApiError(413, f"at most {settings.max_upload_files} files per upload, got {len(files)}")
    fields = _metadata(metadata)
    uploads = []
    total = 0
    for upload in files:
        data = await upload.read(settings.max_upload_bytes + 1)
        total += len(data)
        if len(data) > settings.max_upload_bytes or total > settings.max_upload_bytes * 2:
            raise ApiError(413, f"{upload.filename}: larger than the {settings.max_upload_bytes}-byte upload limit")
        uploads.append((upload.filename or "upload", data))
    task = request.app.state.updater.submit_upload(uploads, fields)
    return await _answer(task, wait, request)


@router.delete("/documents/{doc_id}", status_code=202, responses=error_responses(403) | ENDED)
async def delete_document(
    _: AdminAccess,
    request: Request,
    searcher: SearcherDep,
    doc_id: str,
    wait: Annotated[float, Query(ge=0, le=600)] = 0,
):
    if doc_id not in searcher.index.doc_pos:
        raise ApiError(404, f"no document {doc_id!r} in generation {searcher.index.generation}")
    task = request.app.state.updater.submit_delete(doc_id)
    return await _answer(task, wait, request)


@router.get("/tasks/{task_id}", responses=error_responses(403) | links(
    200,
    document=("GET", "/documents/{doc_id}", {"doc_id": "$response.body#/doc_ids/0"}),
    delete=("DELETE", "/documents/{doc_id}", {"doc_id": "$response.body#/doc_ids/0"}),
))
def get_task(_: AdminAccess, request: Request, task_id: str):
    task = request.app.state.updater.get(task_id)
    if task is None:
        raise ApiError(404, f"no task {task_id!r}")
    return task.to_dict()


async def _answer(task, wait: float, request: Request):
    """The task, once ended or after `wait` seconds; waiting holds no worker thread (a thread each, up to 600 s,
    would let a few clients starve every other request), and ends when the client goes away."""
    deadline = time.monotonic() + wait
    while not task.done_event.is_set() and time.monotonic() < deadline and not await request.is_disconnected():
        await asyncio.sleep(WAIT_POLL_S)
    status = 200 if task.status in ("done", "failed") else 202
    return JSONResponse(task.to_dict(), status_code=status)


def _metadata(raw: str | None) -> dict | None:
    if not raw:
        return None
    try:
        fields = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ApiError(422, f"metadata: not valid JSON ({exc.msg})") from exc
    if not isinstance(fields, dict):
        raise ApiError(422, "metadata: expected a JSON object")
    unknown = set(fields) - set(METADATA_FIELDS)
    if unknown:
        raise ApiError(422, f"metadata: unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(METADATA_FIELDS)}")
    for key, value in fields.items():
        if not isinstance(value, str) or len(value) > 300:
            raise ApiError(422, f"metadata: field {key!r} must be a string of at most 300 characters")
    return fields
