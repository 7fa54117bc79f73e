"""The basis chain (GET /clauses/{id}/related, `policy-search related`), the citation check (POST
/citations/check, `policy-search check`, the drafting export) and document validity in searches."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

from cli.main import main
from service.app import create_app
from service.settings import Settings
from tests.basis import write_basis_corpus
from tests.conftest import index_folder
from tests.fakes import BigramEmbedder

CHECKED = (
    "根据《中华人民共和国示例环境法》第三条第二款的规定，依照本法第五条处罚；"
    "《示例环境法》第九十九条；《中华人民共和国示例环境法》第二条第三款；《中华人民共和国示例环境法》第五条第（九）项；"
    "《中华人民共和国示例环境法》（2015年版）第五条；《西山省排污监督暂行办法》第二条；《东海省大气条例》第三条；"
    "《西山省排污许可办法》第一条。"
)


@pytest.fixture(scope="module")
def basis_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("basis-service")
    embedder = BigramEmbedder()
    return index_folder(write_basis_corpus(root / "corpus"), root / "index", embedder), embedder


@pytest.fixture(scope="module")
def client(basis_index):
    out, embedder = basis_index
    with TestClient(create_app(Settings(index_dir=out), embedder=embedder), raise_server_exceptions=False) as test_client:
        yield test_client


def _clause_id(client, citation):
    response = client.get("/cite", params={"q": citation})
    assert response.status_code == 200, response.text
    return response.json()["result"]["clause_id"]


def test_related_walks_up_from_a_provincial_article_to_the_law(client):
    related = client.get(f"/clauses/{_clause_id(client, '西山省排污监督办法第二条')}/related").json()
    base = related["bases"][0]
    assert base["citation"] == "《中华人民共和国示例环境法》第三条第一款"
    assert base["relation"] == {"how": "cited", "text": "《中华人民共和国示例环境法》第三条第一款"}
    assert base["document"]["status"] == "现行有效"
    assert [step["citation"] for step in related["chain"]] == ["《西山省排污监督办法》第二条", "《中华人民共和国示例环境法》第三条第一款"]
    assert [c["citation"] for c in related["cites"]] == ["《中华人民共和国示例环境法》第三条第一款"]


def test_a_measure_without_a_citation_finds_the_article_it_restates(client):
    related = client.get(f"/clauses/{_clause_id(client, '东湖市排污整治措施第二条')}/related").json()
    assert related["cites"] == []
    base = related["bases"][0]
    assert base["citation"] == "《中华人民共和国示例环境法》第三条"
    assert base["relation"]["how"] == "restates" and base["relation"]["similarity"] >= 0.6


def test_related_from_the_law_down_to_the_rules_that_carry_it_out(client):
    related = client.get(f"/clauses/{_clause_id(client, '示例环境法第三条')}/related").json()
    lower = {(item["citation"], item["relation"]["how"]) for item in related["implemented_by"]}
    assert lower == {("《西山省排污监督办法》第二条", "cited"), ("《东湖市排污整治措施》第二条", "restates")}
    assert [item["citation"] for item in related["cited_by"]] == ["《西山省排污监督办法》第二条"]
    assert related["bases"] == [] and len(related["chain"]) == 1
    assert [p["citation"] for p in related["penalties"]] == ["《中华人民共和国示例环境法》第五条"]


def test_the_preamble_names_the_basis_of_every_article(client):
    """第四条 (施行 and repeal) cites no article; its document rests on the law its preamble names."""
    related = client.get(f"/clauses/{_clause_id(client, '西山省排污监督办法第三条')}/related").json()
    assert related["bases"][0]["citation"] == "《中华人民共和国示例环境法》第五条第（二）项"
    fourth = client.get(f"/clauses/{_clause_id(client, '西山省排污监督办法第四条')}/related").json()
    assert [(b["citation"], b["relation"]["how"]) for b in fourth["bases"]] == [("《中华人民共和国示例环境法》", "document")]
    assert fourth["chain"][-1]["relation"]["how"] == "document"


def test_related_of_an_unknown_clause_is_a_404(client):
    response = client.get("/clauses/0123456789abcdef/related")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_the_citation_check_gives_each_verdict(client):
    answer = client.post("/citations/check", json={"text": CHECKED}).json()
    verdicts = [(found["text"], found["verdict"]) for found in answer["citations"]]
    assert verdicts == [
        ("《中华人民共和国示例环境法》第三条第二款", "ok"),
        ("本法第五条", "ok"),  # 本法: the law named just before
        ("《示例环境法》第九十九条", "no_article"),
        ("《中华人民共和国示例环境法》第二条第三款", "no_paragraph"),
        ("《中华人民共和国示例环境法》第五条第（九）项", "no_item"),
        ("《中华人民共和国示例环境法》第五条", "older_version"),
        ("《西山省排污监督暂行办法》第二条", "repealed"),
        ("《东海省大气条例》第三条", "unknown_document"),
        ("《西山省排污许可办法》第一条", "not_in_force"),
    ]
    found = {f["text"]: f for f in answer["citations"]}
    ok = found["《中华人民共和国示例环境法》第三条第二款"]
    assert ok["quote"].startswith("严禁通过暗管") and ok["status"] == "现行有效"
    assert CHECKED[slice(*ok["span"])] == ok["text"]
    assert found["本法第五条"]["citation"] == "《中华人民共和国示例环境法》第五条"
    assert "《中华人民共和国示例环境法》第五条" in found["《示例环境法》第九十九条"]["suggestions"]
    older = found["《中华人民共和国示例环境法》第五条"]
    assert older["quote"] == "排污单位应当公开排放信息。"
    assert older["current"]["citation"] == "《中华人民共和国示例环境法》第四条"  # the article now saying it
    assert "西山省排污监督办法" in found["《西山省排污监督暂行办法》第二条"]["message"]
    assert answer["problems"] == 7 and answer["summary"]["ok"] == 2


def test_this_law_means_the_document_checked(client):
    law = client.get("/cite", params={"q": "示例环境法第一条"}).json()["document"]["doc_id"]
    answer = client.post("/citations/check", json={"text": "违反本法第三条的，依照本法第五条处罚。", "doc_id": law}).json()
    assert [f["verdict"] for f in answer["citations"]] == ["ok", "ok"]
    unknown = client.post("/citations/check", json={"text": "依照本法第五条处罚。"}).json()
    assert unknown["citations"][0]["verdict"] == "unknown_document"


def test_an_uploaded_file_is_checked(client):
    files = {"file": ("方案.txt", io.BytesIO("依照《示例环境法》第九十九条处罚。".encode()), "text/plain")}
    answer = client.post("/citations/check", files=files).json()
    assert [f["verdict"] for f in answer["citations"]] == ["no_article"]
    bad = client.post("/citations/check", files={"file": ("方案.exe", io.BytesIO(b"x"), "application/octet-stream")})
    assert bad.status_code == 422 and "方案.exe" in bad.json()["error"]["message"]
    empty = client.post("/citations/check", json={"text": ""})
    assert empty.status_code == 422 and "text" in empty.json()["error"]["message"]


def test_the_drafting_export_counts_citation_problems(client):
    problem = {"problem": "监测数据造假", "bases": [{"citation": "《示例环境法》第九十九条"}, {"citation": "《中华人民共和国示例环境法》第三条第二款"}],
               "obligations": [], "penalties": []}
    response = client.post("/drafts/export", json={"problems": [problem], "format": "markdown"})
    assert response.status_code == 200 and response.headers["X-Citation-Problems"] == "1"


def test_repealed_documents_are_left_out_of_searches_unless_asked(client):
    hits = client.get("/search", params={"q": "按月报告排放情况", "mode": "bm25"}).json()["results"]
    assert all(hit["document"]["title"] != "西山省排污监督暂行办法" for hit in hits)
    asked = client.get("/search", params={"q": "按月报告排放情况", "mode": "bm25", "include_superseded": "true"}).json()["results"]
    repealed = next(hit for hit in asked if hit["document"]["title"] == "西山省排污监督暂行办法")
    assert repealed["document"]["status"] == "已废止" and repealed["document"]["repealed_by"]
    assert all(hit["document"]["status"] in ("现行有效", "已被修改", "已废止", "尚未施行") for hit in asked)


def test_the_command_line_checks_a_file_and_shows_the_chain(basis_index, tmp_path, capsys):
    out, _ = basis_index
    draft = tmp_path / "方案.txt"
    draft.write_text("依照《示例环境法》第九十九条处罚。\n根据《中华人民共和国示例环境法》第三条第二款。\n", encoding="utf-8")
    assert main(["check", str(draft), "--index", str(out)]) == 1  # a problem: exit status 1
    printed = capsys.readouterr().out
    assert "条不存在  《示例环境法》第九十九条" in printed and "正确  《中华人民共和国示例环境法》第三条第二款" in printed
    assert main(["related", "东湖市排污整治措施第二条", "--index", str(out)]) == 0
    assert "依据链：《东湖市排污整治措施》第二条 → 《中华人民共和国示例环境法》第三条 [转述" in capsys.readouterr().out
