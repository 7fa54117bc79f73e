"""Optional API keys: a search key reads, an admin key also changes the index; compared in constant time."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Annotated

from fastapi import Depends, Request

from service.errors import ApiError

MISSING = "an API key is required (header X-API-Key or Authorization: Bearer)"
NOT_VALID = "the API key is not valid"
# Only the docs pages challenge: a browser then asks for the key itself. The page's own fetches get no
# challenge, so a wrong key there shows the page's message, not the browser's login dialog.
DOCS_CHALLENGE = {"WWW-Authenticate": 'Basic realm="policy-search API docs (password: an API key)", charset="UTF-8"'}


def presented_key(request: Request) -> str | None:
    """The key from X-API-Key, a Bearer token, or the password of Basic credentials (what a browser sends for /docs)."""
    key = request.headers.get("x-api-key")
    if key:
        return key
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return credentials.strip() or None
    if scheme.lower() == "basic":
        return _basic_password(credentials.strip()) or None
    return None


def _basic_password(credentials: str) -> str:
    """The password of Basic credentials; what was sent, as it is, when that is not base64 (it then matches no key)."""
    try:
        return base64.b64decode(credentials, validate=True).decode().partition(":")[2]
    except (binascii.Error, UnicodeDecodeError):
        return credentials


def _matches(key: str, candidates: list[str]) -> bool:
    found = False
    for candidate in candidates:  # no early exit: the time taken does not tell which key was close
        found |= hmac.compare_digest(key.encode(), candidate.encode())
    return found


def role_of(request: Request, challenge: dict | None = None) -> str:
    """'admin' or 'search'; 401 when keys are configured and the request has none, or one that is not valid."""
    settings = request.app.state.settings
    if not settings.keys_required:
        return "admin"
    key = presented_key(request)
    if not key:
        raise ApiError(401, MISSING, headers=challenge)
    if _matches(key, settings.admin_keys):
        return "admin"
    if _matches(key, settings.search_keys):
        return "search"
    raise ApiError(401, NOT_VALID, headers=challenge)


def require_search(request: Request) -> str:
    return role_of(request)


def require_admin(request: Request) -> str:
    role = role_of(request)
    if role != "admin":
        raise ApiError(403, "this route changes the index and needs an admin key")
    return role


def require_docs(request: Request) -> str:
    """The API docs and schema: a search key, asked for by the browser (HTTP Basic, the key as password)."""
    return role_of(request, DOCS_CHALLENGE)


SearchAccess = Annotated[str, Depends(require_search)]
AdminAccess = Annotated[str, Depends(require_admin)]
DocsAccess = Annotated[str, Depends(require_docs)]
