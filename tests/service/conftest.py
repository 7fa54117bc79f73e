from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings

ADMIN_KEY = "admin-key-0123456789"
SEARCH_KEY = "search-key-0123456789"


@pytest.fixture
def client(small_index):
    out, embedder = small_index
    app = create_app(Settings(index_dir=out), embedder=embedder)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def keyed_client(small_index):
    out, embedder = small_index
    settings = Settings(index_dir=out, admin_keys=[ADMIN_KEY], search_keys=[SEARCH_KEY])
    with TestClient(create_app(settings, embedder=embedder), raise_server_exceptions=False) as test_client:
        yield test_client
