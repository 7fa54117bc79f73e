"""ASGI middleware: request ids with a structured access log, hard limits on URL and body, and URLs that are UTF-8.

Also the HTTP protocol `policy-search serve` runs uvicorn with: requests its parser refuses before any app sees
them (raw bytes that are not ASCII, a URL over 64 KiB) are answered in the service's error shape too.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from urllib.parse import unquote_to_bytes

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

log = logging.getLogger("policy_search.access")
MAX_URL_BYTES = 16 * 1024  # path and query; a GET /search near it belongs in POST /search
NOT_UTF8 = "the URL is not valid UTF-8: percent-encoded bytes must spell UTF-8 text"
TOO_LONG = f"the URL is over the {MAX_URL_BYTES}-byte limit; send long searches as POST /search"
NOT_HTTP = "not a valid HTTP request (the URL must be ASCII, other characters percent-encoded as UTF-8)"


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def _error_body(status: int, code: str, message: str, request_id: str | None) -> bytes:
    return json.dumps({"error": {"status": status, "code": code, "message": message, "request_id": request_id}}).encode()


async def _send_error(send, status: int, code: str, message: str, request_id: str | None) -> None:
    body = _error_body(status, code, message, request_id)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RequestContext:
    """Gives each request an id (X-Request-ID), logs method, path, status and latency, turns crashes into 500s."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_holder = {"status": 500, "sent": False}

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["sent"] = True
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("event=unhandled_error request_id=%s", request_id)
            if not status_holder["sent"]:
                body = _error_body(500, "internal_error", "internal error; quote the request id when reporting it", request_id)
                await send({"type": "http.response.start", "status": 500,
                            "headers": [(b"content-type", b"application/json"), (b"x-request-id", request_id.encode())]})
                await send({"type": "http.response.body", "body": body})
                status_holder["status"] = 500
        finally:
            log.info(
                "event=request request_id=%s method=%s path=%s status=%d ms=%.1f",
                request_id, scope.get("method"), scope.get("path"), status_holder["status"],
                (time.perf_counter() - started) * 1000,
            )


class BodyLimit:
    """Refuses bodies over `limit` bytes with 413: at once from Content-Length, or as soon as a chunked body passes it."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = scope.get("state", {}).get("request_id")
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._refuse(send, request_id)
            return
        seen = 0
        responded = False

        async def counting_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        async def tracking_send(message):
            nonlocal responded
            if message["type"] == "http.response.start":
                responded = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not responded:
                await self._refuse(send, request_id)

    async def _refuse(self, send, request_id) -> None:
        await _send_error(send, 413, "payload_too_large", f"request body over the {self.limit}-byte limit", request_id)


class _TooLarge(Exception):
    pass


class UrlCheck:
    """Refuses URLs over MAX_URL_BYTES with 414, and with 400 those whose percent-encoded bytes are not UTF-8.

    Servers decode such bytes to U+FFFD, so without this a search for %FF%FE would search for "��".
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = scope.get("state", {}).get("request_id")
        raw_path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        if len(raw_path) + len(query) > MAX_URL_BYTES:
            await _send_error(send, 414, "uri_too_long", TOO_LONG, request_id)
            return
        try:
            unquote_to_bytes(raw_path).decode("utf-8")
            unquote_to_bytes(query).decode("utf-8")
        except UnicodeDecodeError:
            await _send_error(send, 400, "bad_request", NOT_UTF8, request_id)
            return
        await self.app(scope, receive, send)


class JSONErrorHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, answering the requests its parser refuses in the error shape, not plain text."""

    def send_400_response(self, msg: str) -> None:
        if len(getattr(self, "url", b"")) > MAX_URL_BYTES:  # httptools cannot parse URLs over 64 KiB
            status, code, message = 414, "uri_too_long", TOO_LONG
        else:
            status, code, message = 400, "bad_request", NOT_HTTP
        request_id = new_request_id()
        log.warning("event=invalid_http request_id=%s status=%d", request_id, status)
        body = _error_body(status, code, message, request_id)
        headers = [*self.server_state.default_headers, (b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode()), (b"x-request-id", request_id.encode()), (b"connection", b"close")]
        head = STATUS_LINE[status] + b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        self.transport.write(head + b"\r\n" + body)
        self.transport.close()
