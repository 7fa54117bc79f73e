from __future__ import annotations

import pytest

from policy_search.text import fold


def test_search_returns_the_result_shape(client):
    response = client.get("/search", params={"q": "企业违法排放污染物 拒不改正 按日连续处罚", "top_k": 3})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"query", "took_ms", "index_generation", "results"}
    first = body["results"][0]
    assert first["citation"].startswith("《中华人民共和国环境保护法》第五十九条")
    assert first["location"]["article"] == "第五十九条"
    assert first["location"]["path"] == ["第六章　法律责任"]
    assert first["document"]["source"] == "环境保护法(2014-04-24).txt"
    assert first["document"]["date"] == "2014-04-24"


def test_post_search_with_filters_matches_get(client):
    body = {"q": "暗管 渗井", "region": ["山东"], "top_k": 5}
    posted = client.post("/search", json=body).json()["results"]
    got = client.get("/search", params={"q": "暗管 渗井", "region": "山东", "top_k": 5}).json()["results"]
    assert [r["clause_id"] for r in posted] == [r["clause_id"] for r in got]
    assert {r["document"]["region"] for r in posted} == {"山东"}


def test_speech_paragraph_fields(client):
    results = client.get("/search", params={"q": "严禁压哨整改 逾期整改", "doc_type": "讲话"}).json()["results"]
    top = results[0]
    assert top["document"]["doc_type"] == "讲话"
    assert top["location"]["article"] is None and top["location"]["paragraph"] is None
    assert top["location"]["path"][0].startswith("二、")
    start, end = top["highlights"][0]
    assert fold(top["text"][start:end]) in {"压哨整改", "逾期整改", "严禁压哨整改", "整改", "严禁"}


def test_clause_context_has_neighbours_and_outline(client):
    result = client.get("/search", params={"q": "按日连续处罚", "top_k": 1}).json()["results"][0]
    context = client.get(f"/clauses/{result['clause_id']}").json()
    assert context["clause"]["clause_id"] == result["clause_id"]
    assert context["previous"][-1]["location"]["article"] == "第四十二条"
    assert context["next"][0]["location"]["article"] == "第六十三条"
    current = [entry for entry in context["outline"] if entry["current"]]
    assert [entry["heading"] for entry in current] == ["第六章　法律责任"]


def test_cite_resolves_and_suggests(client):
    found = client.get("/cite", params={"q": "环保法第五十九条第二款"}).json()
    assert found["result"]["citation"] == "《中华人民共和国环境保护法》第五十九条第二款"
    missing = client.get("/cite", params={"q": "环保法第九十九条"})
    assert missing.status_code == 404
    assert missing.json()["error"]["details"]["suggestions"][0].startswith("《中华人民共和国环境保护法》第")
    unknown = client.get("/cite", params={"q": "不存在法第一条"})
    assert unknown.status_code == 404


def test_documents_list_and_detail(client):
    listing = client.get("/documents", params={"limit": 2}).json()
    assert listing["total"] == 5 and len(listing["documents"]) == 2
    pesticides = client.get("/documents", params={"q": "农药"}).json()["documents"]
    newest = next(d for d in pesticides if not d["superseded"])
    detail = client.get(f"/documents/{newest['doc_id']}").json()
    assert detail["versions"][0]["superseded"] is True
    assert detail["articles"] == 2


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["clauses"] > 0 and ready["model"] == "fake-bigrams@test"


def test_page_is_served(client):
    response = client.get("/")
    assert response.status_code == 200 and "<html" in response.text.lower()


def test_favicon_is_served_and_linked(client, keyed_client):
    for each in (client, keyed_client):  # open like the page, with keys set too
        icon = each.get("/favicon.ico")
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/vnd.microsoft.icon"
        assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO directory
    linked = client.get("/static/favicon.svg")
    assert linked.status_code == 200 and linked.headers["content-type"].startswith("image/svg+xml")
    assert 'rel="icon"' in client.get("/").text


def test_a_citation_lookup_marks_only_the_words_typed_besides_it(client):
    bare = client.get("/search", params={"q": "环保法第五十九条"}).json()["results"]
    assert bare[0]["citation"] == "《中华人民共和国环境保护法》第五十九条"
    assert all(result["highlights"] == [] for result in bare)  # not the cited article's every word
    with_words = client.get("/search", params={"q": "环保法第五十九条 按日连续处罚"}).json()["results"]
    top = with_words[0]
    assert top["citation"] == "《中华人民共和国环境保护法》第五十九条"
    marked = {fold(top["text"][start:end]) for start, end in top["highlights"]}
    assert marked and marked <= {"按日", "连续", "处罚", "按日连续处罚", "连续处罚", "按日连续"}


def test_a_clause_without_marked_words_is_cited_by_its_article_not_its_first_paragraph(client):
    hit = client.get("/search", params={"q": "环保法第五十九条"}).json()["results"][0]
    shown = client.get(f"/clauses/{hit['clause_id']}").json()["clause"]  # 查看上下文, from the check tab too
    assert shown["citation"] == "《中华人民共和国环境保护法》第五十九条"
    assert shown["location"]["paragraph"] is None and shown["highlights"] == []


@pytest.mark.parametrize(
    "method, path, kwargs, status",
    [
        ("get", "/search", {"params": {"q": ""}}, 422),
        ("get", "/search", {"params": {"q": "x", "top_k": 101}}, 422),
        ("get", "/search", {"params": {"q": "排" * 501}}, 422),
        ("post", "/search", {"json": {"q": "x", "unknown": 1}}, 422),
        ("get", "/search", {"params": {"q": "x", "date_from": "2020/1/1"}}, 422),
        ("get", "/clauses/nope", {}, 404),
        ("get", "/cite", {"params": {"q": "没有条号"}}, 422),
        ("get", "/documents/nope", {}, 404),
        ("delete", "/documents/nope", {}, 404),
        ("get", "/tasks/nope", {}, 404),
        ("get", "/no-such-route", {}, 404),
        ("put", "/search", {}, 405),
        ("post", "/documents", {"data": {"metadata": "{}"}}, 422),
    ],
)
def test_every_error_has_one_shape(client, method, path, kwargs, status):
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status
    error = response.json()["error"]
    assert set(error) >= {"status", "code", "message", "request_id"}
    assert error["status"] == status and error["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text


def test_a_crash_answers_500_with_a_request_id_and_no_traceback(client, monkeypatch):
    from service.retrieval import searcher

    monkeypatch.setattr(searcher.Searcher, "search", lambda *a, **k: 1 / 0)
    response = client.get("/search", params={"q": "排污"})
    assert response.status_code == 500
    assert response.json()["error"]["request_id"] == response.headers["x-request-id"]
    assert "ZeroDivisionError" not in response.text


def test_dense_weight_setting_sets_the_hybrid_mix(small_index):
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.settings import Settings

    out, embedder = small_index
    params = {"q": "企业违法排放污染物 拒不改正 按日连续处罚", "top_k": 5, "explain": True, "rerank": False}  # the fused score itself
    for weight, component in ((0.0, "bm25"), (1.0, "dense")):
        with TestClient(create_app(Settings(index_dir=out, dense_weight=weight), embedder=embedder)) as client:
            results = client.get("/search", params=params).json()["results"]
        assert results
        for result in results:
            parts = result["components"]
            assert result["score"] == pytest.approx(parts[component] * parts["prior"], abs=2e-3)
    with pytest.raises(ValueError, match="dense_weight"):
        Settings(dense_weight=1.5)

