"""ASGI middleware: request ids with a structured access log, and a hard limit on request body size."""

from __future__ import annotations

import json
import logging
import time
import uuid

log = logging.getLogger("policy_search.access")


def _error_body(status: int, code: str, message: str, request_id: str | None) -> bytes:
    return json.dumps({"error": {"status": status, "code": code, "message": message, "request_id": request_id}}).encode()


class RequestContext:
    """Gives each request an id (X-Request-ID), logs method, path, status and latency, turns crashes into 500s."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
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
        body = _error_body(413, "payload_too_large", f"request body over the {self.limit}-byte limit", request_id)
        await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
