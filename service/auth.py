"""Optional API keys: a search key reads, an admin key also changes the index; compared in constant time."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from service.errors import ApiError


def presented_key(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def _matches(key: str, candidates: list[str]) -> bool:
    found = False
    for candidate in candidates:  # no early exit: the time taken does not tell which key was close
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def role_of(request: Request) -> str | None:
    """'admin', 'search', or None when keys are configured and none valid was presented."""
    settings = request.app.state.settings
    if not settings.keys_required:
        return "admin"
    key = presented_key(request)
    if not key:
        return None
    if _matches(key, settings.admin_keys):
        return "admin"
    if _matches(key, settings.search_keys):
        return "search"
    return None


def require_search(request: Request) -> str:
    role = role_of(request)
    if role is None:
        raise ApiError(401, "an API key is required (header X-API-Key or Authorization: Bearer)")
    return role


def require_admin(request: Request) -> str:
    role = require_search(request)
    if role != "admin":
        raise ApiError(403, "this route changes the index and needs an admin key")
    return role


SearchAccess = Annotated[str, Depends(require_search)]
AdminAccess = Annotated[str, Depends(require_admin)]
