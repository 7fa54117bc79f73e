"""Schema-driven fuzzing of the whole API with schemathesis: the app's own OpenAPI schema generates the requests.

Every route gets valid and invalid requests (a bounded number each, so this stays fast); no answer may be a
5xx, every error must have the one JSON shape, and every answer must be one the schema documents (status,
content type, headers; 405 with the right Allow). A stateful run follows the schema's links, so it reaches
real ids: search → clause → related, upload → task → document → delete. `scripts/fuzz_api.py` runs the same
checks against a live server for minutes.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance, use_after_free

from service.app import create_app
from service.settings import Settings
from tests.conftest import LAW_TEXT, index_small_corpus
from tests.fakes import BigramEmbedder
from tests.fuzzing import CONFIG, REFUSES_VALID, error_shape

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
# The apps exist when the module is collected (schemathesis makes one test per operation from their schemas,
# which do not depend on the index); their indexes are built, and their lifespans run, by the fixture below.
WORK = Path(tempfile.mkdtemp(prefix="policy-search-fuzz-"))
EMBEDDER = BigramEmbedder()
READ_APP = create_app(Settings(index_dir=WORK / "read" / "index"), embedder=EMBEDDER)  # vectors: every mode
UPDATE_APP = create_app(Settings(index_dir=WORK / "update" / "index", max_upload_files=3), load_model=False)  # BM25 only:
# an upload's or a delete's child then loads no model
UPDATES = "^/(documents|tasks)"


def _schema(app) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


read_schema = _schema(READ_APP).exclude(method_regex="POST|DELETE", path_regex=UPDATES)  # reading routes only
update_schema = _schema(UPDATE_APP).include(path_regex=UPDATES)


@pytest.fixture(scope="module", autouse=True)
def served():
    """The indexes, before the first case. schemathesis runs each app's lifespan itself: at loading the schemas, before
    there was an index (that holder reloads now, as the first case may reach it), then around the tests, each
    updater stopped (queued uploads interrupted, the running one killed) before the next starts."""
    index_small_corpus(WORK / "read", EMBEDDER)
    index_small_corpus(WORK / "update")
    for app in (READ_APP, UPDATE_APP):
        app.state.holder.reload()
    try:
        yield
    finally:
        shutil.rmtree(WORK, ignore_errors=True)


def _checks(case) -> dict:
    """The built-in checks and the error shape; schema-valid requests a route refuses on their meaning excused."""
    excluded = [positive_data_acceptance] if f"{case.method.upper()} {case.path}" in REFUSES_VALID else []
    return {"additional_checks": [error_shape], "excluded_checks": excluded}


@read_schema.parametrize()
@FUZZ
def test_every_reading_route_answers_as_its_schema_says(case):
    case.call_and_validate(**_checks(case))


@update_schema.parametrize()
@settings(FUZZ, max_examples=8)
def test_every_updating_route_answers_as_its_schema_says(case):
    case.call_and_validate(**_checks(case))


def test_the_schema_links_reach_real_ids(tmp_path):
    """Upload → task → document → delete, and search → clause, by the ids the schema's links name."""
    app = create_app(Settings(index_dir=index_small_corpus(tmp_path)), load_model=False)
    paths = app.openapi()["paths"]
    assert paths["/documents"]["post"]["responses"]["202"]["links"]["task"]["parameters"] == {"task_id": "$response.body#/task_id"}
    assert paths["/tasks/{task_id}"]["get"]["responses"]["200"]["links"]["document"]["parameters"] == {"doc_id": "$response.body#/doc_ids/0"}
    assert paths["/search"]["get"]["responses"]["200"]["links"]["clause"]["parameters"] == {"clause_id": "$response.body#/results/0/clause_id"}
    law = ("示例链接保护法(2020-01-01).txt", LAW_TEXT.replace("示例保护法", "示例链接保护法").encode())
    with TestClient(app) as client:
        upload = client.post("/documents", params={"wait": 60}, files={"files": law})
        assert upload.status_code == 200 and upload.json()["status"] == "done", upload.text
        doc_id = client.get(f"/tasks/{upload.json()['task_id']}").json()["doc_ids"][0]
        assert client.get(f"/documents/{doc_id}").json()["document"]["title"] == "中华人民共和国示例链接保护法"
        hit = client.get("/search", params={"q": "示例链接保护法第四条"}).json()["results"][0]
        assert hit["document"]["doc_id"] == doc_id
        assert client.get(f"/clauses/{hit['clause_id']}").status_code == 200
        assert client.delete(f"/documents/{doc_id}", params={"wait": 60}).json()["status"] == "done"
        assert client.get(f"/documents/{doc_id}").status_code == 404


def test_a_stateful_run_over_the_links_finds_nothing():
    """Hypothesis chains calls along the links (search → clause → related, list → document → delete, upload →
    task) and checks every answer as above."""
    machine = _schema(UPDATE_APP).as_state_machine()

    class Checked(machine):
        def validate_response(self, response, case, additional_checks=None, **kwargs):
            checks = _checks(case)
            # A DELETE answers 202: the removal is queued, and the document answers until its update publishes
            # (the 404 after the task is done: test_the_schema_links_reach_real_ids), where this check wants it gone.
            excluded = [*checks["excluded_checks"], use_after_free]
            case.validate_response(response, additional_checks=[*(additional_checks or ()), *checks["additional_checks"]],
                                   excluded_checks=excluded, transport_kwargs=kwargs or None, recorder=self.recorder)

    Checked.run(settings=settings(max_examples=10, stateful_step_count=5, deadline=None,
                                  suppress_health_check=list(HealthCheck), database=None))


def test_405_names_every_method_of_the_path(client):
    response = client.request("PUT", "/documents")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert set(client.request("PATCH", "/documents/x").headers["allow"].split(", ")) >= {"GET", "DELETE"}


def test_errors_are_documented_in_the_one_shape(client):
    """Each route lists the errors it can answer, all with the error model; no FastAPI default error schema."""
    schema = client.app.openapi()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    error_ref = {"$ref": "#/components/schemas/ErrorOut"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            errors = {status: r for status, r in operation["responses"].items() if status.startswith(("4", "5"))}
            assert {"400", "414", "422"} <= set(errors), (method, path)
            for status, response in errors.items():
                assert response["content"]["application/json"]["schema"] == error_ref, (method, path, status)
    assert "404" in schema["paths"]["/clauses/{clause_id}"]["get"]["responses"]
    assert "403" in schema["paths"]["/documents"]["post"]["responses"]
