"""With keys configured: every route but health needs a key, and only the admin key may change the index."""

from __future__ import annotations

import re

import pytest

from service.settings import Settings
from tests.service.conftest import ADMIN_KEY, SEARCH_KEY

OPEN = {"/healthz", "/readyz", "/"}
MUTATING = {"POST /documents", "DELETE /documents/{doc_id}", "GET /tasks/{task_id}"}  # tasks reveal upload details


def _routes(app):
    """Every API route, from the app's own OpenAPI table (included routers are resolved there)."""
    for path, operations in app.openapi()["paths"].items():
        if path not in OPEN:
            for method in operations:
                yield method.upper(), path


def _call(client, method, path, key=None):
    url = re.sub(r"\{[^}]+\}", "0123456789ab", path)  # also the shape of a draft id, which its route asks for
    headers = {"X-API-Key": key} if key else {}
    return client.request(method, url, headers=headers, params={"q": "排污"})


def test_the_route_table_is_walked(keyed_client):
    routes = set(f"{m} {p}" for m, p in _routes(keyed_client.app))
    assert MUTATING <= routes and "GET /search" in routes and "POST /drafts/rectification" in routes
    assert len(routes) == 18  # every route but health: a new route must be added to this walk knowingly


def test_every_route_needs_a_key(keyed_client):
    for method, path in _routes(keyed_client.app):
        response = _call(keyed_client, method, path)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.json()["error"]["code"] == "unauthorized"
        assert _call(keyed_client, method, path, key="wrong-key-0123456789").status_code == 401


def test_mutating_routes_refuse_the_search_key_and_take_the_admin_key(keyed_client):
    for method, path in _routes(keyed_client.app):
        with_search = _call(keyed_client, method, path, key=SEARCH_KEY)
        with_admin = _call(keyed_client, method, path, key=ADMIN_KEY)
        if f"{method} {path}" in MUTATING:
            assert with_search.status_code == 403, (method, path)
            assert with_admin.status_code not in (401, 403), (method, path)
        else:
            assert with_search.status_code not in (401, 403), (method, path, with_search.status_code)


def test_bearer_header_works_and_health_stays_open(keyed_client):
    assert keyed_client.get("/healthz").status_code == 200
    assert keyed_client.get("/readyz").status_code == 200
    ok = keyed_client.get("/search", params={"q": "排污"}, headers={"Authorization": f"Bearer {SEARCH_KEY}"})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"admin_keys": ["short"]}, "at least 16"),
        ({"search_keys": [SEARCH_KEY]}, "no admin key"),
        ({"admin_keys": [ADMIN_KEY], "search_keys": [ADMIN_KEY]}, "both"),
        ({"admin_keys": [ADMIN_KEY], "cors_origins": ["*"]}, "CORS"),
    ],
)
def test_unsafe_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        Settings(**settings)


def test_keys_from_the_environment_are_comma_separated(monkeypatch):
    monkeypatch.setenv("POLICY_SEARCH_ADMIN_KEYS", f"{ADMIN_KEY}, another-admin-key-01")
    assert Settings().admin_keys == [ADMIN_KEY, "another-admin-key-01"]


def test_oversize_bodies_are_refused_quickly(client):
    limit_bytes = 20 * 1024 * 1024 * 4 + 64 * 1024 + 1
    response = client.post("/search", content=b"x", headers={"content-length": str(limit_bytes), "content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_upload_bounds(client):
    files = [("files", (f"f{i}.txt", b"x", "text/plain")) for i in range(21)]
    response = client.post("/documents", files=files)
    assert response.status_code == 413
