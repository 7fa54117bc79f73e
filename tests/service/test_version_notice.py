"""Version warnings are honest: older_version only when a newer version is indexed; a text marked 已被修改
whose amendment is not indexed gets a notice that never blocks an export."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from policy_search.validity import AMENDMENT_NOT_INDEXED
from service.app import create_app
from service.settings import Settings
from tests.conftest import index_folder, write_national_texts
from tests.fakes import BigramEmbedder

LAWS = {
    "示例刑法(2020-12-26).txt": ("中华人民共和国示例刑法", "已被修改", "第一条　为了惩罚犯罪，保护人民，制定本法。\n第二条　本法自公布之日起施行。"),
    "示例水法(2010-01-01).txt": ("中华人民共和国示例水法", None, "第一条　为了合理开发利用水资源，制定本法。\n第二条　本法自2010年1月1日起施行。"),
    "示例水法(2020-01-01).txt": ("中华人民共和国示例水法", None, "第一条　为了合理开发、利用、节约和保护水资源，制定本法。\n第二条　本法自2020年1月1日起施行。"),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("versions")
    corpus = write_national_texts(root / "corpus", {
        name: (title, body, {"doc_type": "法律", **({"status": status} if status else {})}) for name, (title, status, body) in LAWS.items()
    })
    embedder = BigramEmbedder()
    out = index_folder(corpus, root / "index", embedder)
    with TestClient(create_app(Settings(index_dir=out), embedder=embedder), raise_server_exceptions=False) as test_client:
        yield test_client


def test_an_amended_text_without_its_newer_version_gets_a_notice_not_older_version(client):
    text = "依照《中华人民共和国示例刑法》第一条；《中华人民共和国示例水法》（2010年版）第一条。"
    found = client.post("/citations/check", json={"text": text}).json()["citations"]
    amended, older = found
    assert amended["verdict"] == "ok" and amended["notice"] == AMENDMENT_NOT_INDEXED
    assert "现行版本" not in amended["message"] and AMENDMENT_NOT_INDEXED in amended["message"]
    assert older["verdict"] == "older_version"
    assert older["message"].startswith("引用的是2010-01-01版本，现行版本为2020-01-01版本")
    assert older["message"].endswith("现行对应条文：《中华人民共和国示例水法》第一条")


def test_the_notice_never_blocks_an_export(client):
    plan = {"problems": [{"problem": "未依法处理", "bases": [{"citation": "《中华人民共和国示例刑法》第一条"}]}], "format": "markdown"}
    response = client.post("/drafts/export", json=plan)
    assert response.status_code == 200, response.text
    assert response.headers["X-Citation-Problems"] == "0"
    assert "《中华人民共和国示例刑法》第一条" in response.text
