"""GET /healthz (the process is up) and GET /readyz (index and model loaded)."""

from __future__ import annotations

from fastapi import APIRouter

from service.deps import HolderDep
from service.errors import ApiError
from service.schemas import error_responses

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz():
    return {"status": "ok"}


@router.get("/readyz", responses=error_responses(503))
def readyz(holder: HolderDep):
    if not holder.ready:
        raise ApiError(503, holder.last_error or "index not loaded", code="index_not_ready")
    index = holder.searcher.index
    embedding = index.manifest.get("embedding") or {}
    return {
        "status": "ready",
        "index_generation": index.generation,
        "documents": len(index.documents),
        "clauses": len(index.clauses),
        "model": embedding.get("model_id"),
        "model_loaded": holder.embedder is not None,
        "reload_error": holder.last_error,
    }
