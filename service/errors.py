"""One JSON shape for every error: {"error": {"status", "code", "message", "request_id", "details"?}}."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from policy_search.errors import (
    ClauseNotFound,
    EngineUnavailable,
    IndexMismatch,
    IndexNotReady,
    InvalidQuery,
    PolicySearchError,
    UnsupportedDocument,
)

log = logging.getLogger("policy_search.service")

# Domain errors to HTTP statuses, in one place.
STATUS = {
    InvalidQuery: (422, "invalid_query"),
    ClauseNotFound: (404, "not_found"),
    UnsupportedDocument: (415, "unsupported_document"),
    IndexNotReady: (503, "index_not_ready"),
    IndexMismatch: (503, "index_mismatch"),
    EngineUnavailable: (503, "engine_unavailable"),
}
HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "payload_too_large", 414: "uri_too_long", 415: "unsupported_media_type", 422: "invalid_request",
    429: "too_many_requests", 503: "unavailable",
}


class ApiError(Exception):
    """An error raised by a route with its status, code, optional details (e.g. suggestions) and response headers."""

    def __init__(
        self, status: int, message: str, code: str | None = None, details: dict | None = None, headers: dict | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or HTTP_CODES.get(status, "error")
        self.details = details
        self.headers = headers


def error_response(request: Request, status: int, code: str, message: str, details=None, headers=None) -> JSONResponse:
    body = {"status": status, "code": code, "message": message, "request_id": getattr(request.state, "request_id", None)}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _leaf_routes(routes, prefix: str = ""):
    """(prefix, route) for every route with methods, inside included routers too (FastAPI keeps them whole)."""
    for route in routes:
        if hasattr(route, "original_router"):
            yield from _leaf_routes(route.original_router.routes, prefix + route.include_context.prefix)
        elif getattr(route, "methods", None):
            yield prefix, route


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers on the request's path (GET and POST /documents are two routes)."""
    path = request.url.path
    methods: set[str] = set()
    for prefix, route in _leaf_routes(request.app.router.routes):
        if path.startswith(prefix) and route.path_regex.match(path[len(prefix):]):
            methods |= route.methods
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error_response(request, exc.status, exc.code, str(exc), exc.details, exc.headers)

    @app.exception_handler(PolicySearchError)
    async def _domain_error(request: Request, exc: PolicySearchError):
        status, code = next((v for k, v in STATUS.items() if isinstance(exc, k)), (400, "bad_request"))
        return error_response(request, status, code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError):
        details = [
            {"field": ".".join(str(part) for part in error["loc"]), "message": error["msg"]} for error in exc.errors()
        ]
        fields = ", ".join(d["field"] for d in details)
        return error_response(request, 422, "invalid_request", f"invalid request: {fields}", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else HTTP_CODES.get(exc.status_code, "error")
        headers = exc.headers
        if exc.status_code == 405:  # the router names the methods of the first route on the path only
            headers = (headers or {}) | {"Allow": ", ".join(allowed_methods(request))}
        return error_response(request, exc.status_code, HTTP_CODES.get(exc.status_code, "error"), message, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("event=unhandled_error request_id=%s", getattr(request.state, "request_id", None))
        return error_response(request, 500, "internal_error", "internal error; quote the request id when reporting it")
