"""Malformed URLs, reversed date ranges, wrong keys and the API docs: each answered in the error shape, offline."""

from __future__ import annotations

import base64
import json
import re
import socket
import threading
import time
from contextlib import contextmanager

import pytest
from starlette.routing import Mount

from cli.serving import UVICORN_OPTIONS, ready_server
from policy_search.errors import InvalidQuery
from service.app import create_app
from service.retrieval.filters import SearchFilters
from service.settings import Settings
from tests.service.conftest import ADMIN_KEY, SEARCH_KEY

ERROR_FIELDS = {"status", "code", "message", "request_id"}
OPEN = {"/healthz", "/readyz", "/", "/favicon.ico"}
DOCS = {"/docs", "/openapi.json"}


def _assert_error_shape(body: dict, status: int, code: str) -> dict:
    error = body["error"]
    assert set(error) >= ERROR_FIELDS and error["status"] == status and error["code"] == code, error
    assert error["request_id"], error
    return error


# -- URLs that are not UTF-8, or too long --------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/search?q=%FF%FE", "/search?q=%E6%8E&top_k=3", "/documents/%FF%FE", "/%C3%28"])
def test_urls_that_are_not_utf8_answer_400_in_the_error_shape(client, url):
    response = client.get(url)
    assert response.status_code == 400, (url, response.text)
    assert "UTF-8" in _assert_error_shape(response.json(), 400, "bad_request")["message"]


def test_percent_encoded_chinese_still_searches(client):
    assert client.get("/search?q=%E6%8E%92%E6%B1%A1").json()["query"] == "排污"


# The test client refuses URLs over 64 KiB; the served app's test below sends 100,000 characters.
@pytest.mark.parametrize("url", ["/search?q=" + "a" * 60_000, "/" + "a" * 60_000, "/healthz?" + "x" * 20_000])
def test_overlong_urls_answer_414_in_the_error_shape(client, url):
    response = client.get(url)
    assert response.status_code == 414
    _assert_error_shape(response.json(), 414, "uri_too_long")


@contextmanager
def _uvicorn(app, **options):
    """`app` on uvicorn on a free localhost port, in a background thread; yields (host, port)."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, ws="none", lifespan="on", **options))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.started, "uvicorn did not start"
        yield sock.getsockname()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _raw_get(address, target: bytes) -> tuple[int, dict, bytes]:
    """GET `target` sent byte for byte (no client would send raw non-ASCII); (status, headers, body)."""
    with socket.create_connection(address, timeout=10) as conn:
        conn.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize(
    "target, status, code",
    [
        (b"/search?q=\xff\xfe", 400, "bad_request"),  # refused by the HTTP parser, before the app
        (b"/documents/\xff", 400, "bad_request"),
        (b"/search?q=" + b"a" * 100_000, 414, "uri_too_long"),  # over httptools' 64 KiB URL limit
        (b"/search?q=" + b"a" * 20_000, 414, "uri_too_long"),  # within it: the app's own limit
        (b"/search?q=%FF%FE", 400, "bad_request"),
    ],
)
def test_the_served_app_answers_malformed_requests_in_the_error_shape(small_index, target, status, code):
    out, embedder = small_index
    with _uvicorn(create_app(Settings(index_dir=out), embedder=embedder), **UVICORN_OPTIONS) as address:
        got, headers, body = _raw_get(address, target)
    assert got == status, body[:200]
    assert headers["content-type"] == "application/json"
    _assert_error_shape(json.loads(body), status, code)


# -- date ranges -----------------------------------------------------------------------------------------------------

def test_a_reversed_date_range_is_refused_naming_both_fields(client):
    reversed_range = {"q": "排污", "date_from": "2020-01-01", "date_to": "2010-01-01"}
    for response in (client.get("/search", params=reversed_range), client.post("/search", json=reversed_range)):
        assert response.status_code == 422
        message = _assert_error_shape(response.json(), 422, "invalid_query")["message"]
        assert "date_from" in message and "date_to" in message and "2020-01-01" in message
    same_day = {"q": "排污", "date_from": "2014-04-24", "date_to": "2014-04-24"}
    assert client.get("/search", params=same_day).status_code == 200


def test_filters_refuse_a_reversed_date_range():
    with pytest.raises(InvalidQuery, match="date_from .* after date_to"):
        SearchFilters(date_from="2020-01-01", date_to="2019-12-31")
    SearchFilters(date_from="2019-12-31", date_to="2020-01-01")


# -- keys ------------------------------------------------------------------------------------------------------------

def test_a_wrong_key_is_told_apart_from_a_missing_one(keyed_client):
    missing = keyed_client.get("/search", params={"q": "排污"})
    assert "required" in _assert_error_shape(missing.json(), 401, "unauthorized")["message"]
    for headers in ({"X-API-Key": "wrong-key-0123456789"}, {"Authorization": "Bearer wrong-key-0123456789"}):
        wrong = keyed_client.get("/search", params={"q": "排污"}, headers=headers)
        assert _assert_error_shape(wrong.json(), 401, "unauthorized")["message"] == "the API key is not valid"


# -- the API docs: offline, and behind a key when keys are configured ---------------------------------------------

def _basic(key: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"docs:{key}".encode()).decode()}


def _referenced_urls(html: str) -> list[str]:
    """Every URL a docs page loads: src and href attributes, and the schema URL in its script."""
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html) + re.findall(r"""url:\s*["']([^"']+)""", html)


def test_the_docs_load_nothing_from_other_hosts(client):
    response = client.get("/docs")
    assert response.status_code == 200
    urls = _referenced_urls(response.text)
    assert urls and not re.search(r"https?://", response.text), urls
    for url in urls:
        assert client.get(url).status_code == 200, url


def _keyed_routes(routes, prefix=""):
    """Every (method, path) outside the health routes, the page and /static, docs included: the whole route table."""
    for route in routes:
        if hasattr(route, "original_router"):  # an included router, kept whole by FastAPI
            yield from _keyed_routes(route.original_router.routes, prefix + route.include_context.prefix)
        elif not isinstance(route, Mount) and prefix + route.path_format not in OPEN:
            for method in route.methods - {"HEAD"}:
                yield method, prefix + route.path_format  # {draft_ref}, not {draft_ref:draft_ref}


def test_with_keys_the_docs_need_a_search_key_and_the_page_stays_open(keyed_client):
    routes = set(_keyed_routes(keyed_client.app.routes))
    api = {(method.upper(), path) for path, operations in keyed_client.app.openapi()["paths"].items() for method in operations}
    assert api - {("GET", path) for path in OPEN} < routes  # the schema's routes, and more
    assert {("GET", path) for path in DOCS | {"/docs/assets/{name}"}} <= routes
    assert [route.path for route in keyed_client.app.routes if isinstance(route, Mount)] == ["/static"]
    for method, path in routes:
        url = re.sub(r"\{[^}]+\}", "0123456789ab", path)  # also the shape of a draft id, which its route asks for
        response = keyed_client.request(method, url, params={"q": "排污"})
        assert response.status_code == 401, (method, path, response.status_code)
        _assert_error_shape(response.json(), 401, "unauthorized")
    for path in DOCS:
        refused = keyed_client.get(path)
        assert refused.headers["www-authenticate"].startswith("Basic"), path  # the browser asks for the key
        assert keyed_client.get(path, headers=_basic("wrong-key-0123456789")).status_code == 401
        assert keyed_client.get(path, headers=_basic(SEARCH_KEY)).status_code == 200, path
        assert keyed_client.get(path, headers={"X-API-Key": ADMIN_KEY}).status_code == 200, path
    for url in _referenced_urls(keyed_client.get("/docs", headers=_basic(SEARCH_KEY)).text):
        assert keyed_client.get(url).status_code == 401, url
        assert keyed_client.get(url, headers=_basic(SEARCH_KEY)).status_code == 200, url
    for path in OPEN | {"/static/app.js", "/static/app.css"}:
        assert keyed_client.get(path).status_code == 200, path
    assert "www-authenticate" not in keyed_client.get("/documents").headers  # the page's fetches raise no dialog


def test_swagger_ui_tries_requests_with_the_key_given_to_the_browser(keyed_client):
    """Swagger UI's "try it out" sends the browser's Basic credentials: the API takes the key from them too."""
    assert keyed_client.get("/search", params={"q": "排污"}, headers=_basic(SEARCH_KEY)).status_code == 200
    assert keyed_client.post("/documents", headers=_basic(SEARCH_KEY)).status_code == 403


@pytest.mark.browser
def test_swagger_ui_renders_offline_behind_a_key(small_index):
    from tests.service.test_page_browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install playwright)")
    out, embedder = small_index
    settings = Settings(index_dir=out, admin_keys=[ADMIN_KEY], search_keys=[SEARCH_KEY])
    with _uvicorn(create_app(settings, embedder=embedder), log_level="warning") as (host, port):
        base = f"http://{host}:{port}"
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(http_credentials={"username": "docs", "password": SEARCH_KEY})
                elsewhere = []

                def offline(route):
                    if route.request.url.startswith(base):
                        route.continue_()
                    else:
                        elsewhere.append(route.request.url)
                        route.abort()

                context.route("**/*", offline)
                page = context.new_page()
                errors = []
                page.on("pageerror", lambda error: errors.append(error))
                page.goto(base + "/docs")
                sync_api.expect(page.locator(".swagger-ui .info .title")).to_contain_text("policy-search", timeout=10_000)
                sync_api.expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=10_000)
                # what "Try it out" does: a fetch with no key of its own, the browser adding the one it was given
                status = page.evaluate("fetch('/documents').then((response) => response.status)")
            finally:
                browser.close()
    assert status == 200 and elsewhere == [] and errors == []


# -- start-up --------------------------------------------------------------------------------------------------------

def test_serve_says_serving_only_once_the_port_answers_with_the_index_loaded(monkeypatch, small_index):
    """The lifespan loads the model (here: a second of sleep) before uvicorn opens the port; "serving" comes after."""
    import service.app

    out, _ = small_index
    monkeypatch.setattr(service.app, "_load_embedder", lambda settings: time.sleep(1.0))  # a slow load, then no model
    app = create_app(Settings(index_dir=out))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    seen = {}

    def on_ready() -> None:
        with socket.create_connection(sock.getsockname(), timeout=2):
            seen["port_open"] = True
        seen["index_loaded"] = app.state.holder.ready
        server.should_exit = True

    server = ready_server(app, "127.0.0.1", 0, on_ready)
    started = time.monotonic()
    server.run(sockets=[sock])
    sock.close()
    assert seen == {"port_open": True, "index_loaded": True}
    assert time.monotonic() - started >= 1.0


def test_clients_waiting_on_updates_hold_no_worker_thread(small_index):
    """More clients waiting on an update (?wait=) than the thread pool has threads: searches still answer at once."""
    import httpx

    from service.updates import Task

    out, embedder = small_index
    app = create_app(Settings(index_dir=out), embedder=embedder)
    with _uvicorn(app) as (host, port):
        app.state.updater.submit_delete = lambda doc_id: Task(task_id="never-ends", kind="delete", doc_ids=[doc_id])
        base = f"http://{host}:{port}"
        doc_id = httpx.get(f"{base}/documents").json()["documents"][0]["doc_id"]
        waiting = [threading.Thread(target=lambda: httpx.delete(f"{base}/documents/{doc_id}", params={"wait": 8}, timeout=30))
                   for _ in range(48)]  # the pool has 40
        for thread in waiting:
            thread.start()
        time.sleep(1.0)
        started = time.monotonic()
        answer = httpx.get(f"{base}/search", params={"q": "排污"}, timeout=15)
        assert answer.status_code == 200 and time.monotonic() - started < 5
        for thread in waiting:
            thread.join()


def test_an_upload_with_an_unknown_form_field_is_refused_naming_it(client):
    response = client.post("/documents", files={"files": ("a.txt", "第一条　排污。".encode())}, data={"metdata": "{}"})
    assert response.status_code == 422
    assert "'metdata'" in _assert_error_shape(response.json(), 422, "invalid_request")["message"]
