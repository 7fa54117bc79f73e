"""Citations as staff type them: a version named by its year, a 管理条例 without 管理, a judicial interpretation by
the kind of case it is about."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.conftest import index_folder, write_national_texts
from tests.fakes import BigramEmbedder

TEXTS = {
    "示例水法(2010-01-01).txt": ("中华人民共和国示例水法", "法律", "第一条　为了合理开发利用水资源，制定本法。\n第二条　本法自2010年1月1日起施行。"),
    "示例水法(2020-01-01).txt": ("中华人民共和国示例水法", "法律", "第一条　为了合理开发、利用、节约和保护水资源，制定本法。\n第二条　本法自2020年1月1日起施行。"),
    "示例排污许可管理条例(2021-01-24).txt": ("示例排污许可管理条例", "行政法规", "第一条　为了加强排污许可管理，制定本条例。\n第二条　排污单位应当依法取得排污许可证。"),
    "示例警察警衔条例(2009-01-01).txt": ("中华人民共和国示例警察警衔条例", "法律", "第一条　为了加强示例警察队伍建设，制定本条例。"),
    "示例污染解释(2023-08-08).txt": ("最高人民法院、最高人民检察院关于办理示例污染刑事案件适用法律若干问题的解释", "司法解释",
                                "第一条　实施刑法第三百三十八条规定的行为，具有下列情形之一的，应当认定为严重污染环境。\n第二条　本解释自2023年8月15日起施行。"),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    root = tmp_path_factory.mktemp("forms")
    corpus = write_national_texts(root / "corpus", {name: (title, body, {"doc_type": kind}) for name, (title, kind, body) in TEXTS.items()})
    embedder = BigramEmbedder()
    out = index_folder(corpus, root / "index", embedder)
    with TestClient(create_app(Settings(index_dir=out), embedder=embedder), raise_server_exceptions=False) as test_client:
        yield test_client


def _cite(client, query):
    response = client.get("/cite", params={"q": query})
    assert response.status_code == 200, (query, response.text)
    return response.json()["result"]


@pytest.mark.parametrize("query", ["示例水法（2010年修正）第二条", "《中华人民共和国示例水法》(2010年版)第二条", "2010年示例水法第二条",
                                   "示例水法（2015年）第二条"])
def test_a_version_named_by_its_year_is_the_one_cited(client, query):
    assert "2010年1月1日" in _cite(client, query)["text"]  # 2015: the version in force that year


@pytest.mark.parametrize("query", ["示例水法第二条", "示例水法（2020年修正）第二条", "示例水法（以下简称水法）第二条"])
def test_without_a_year_or_with_the_current_one_the_current_version_is_cited(client, query):
    assert "2020年1月1日" in _cite(client, query)["text"]


def test_a_management_regulation_is_found_without_the_word_management(client):
    assert _cite(client, "示例排污许可条例第二条")["citation"] == "《示例排污许可管理条例》第二条"


def test_leaving_out_a_qualifying_word_still_names_another_text(client):
    """示例警察条例 is not 示例警察警衔条例 with a word dropped: it names a text the index does not hold."""
    assert client.get("/cite", params={"q": "示例警察条例第一条"}).status_code == 404


@pytest.mark.parametrize("query", ["示例污染解释第一条", "两高示例污染刑事案件解释第一条", "2023年两高示例污染解释 第一条"])
def test_a_judicial_interpretation_is_found_by_the_kind_of_case(client, query):
    cited = _cite(client, query)["citation"]
    assert cited == "《最高人民法院、最高人民检察院关于办理示例污染刑事案件适用法律若干问题的解释》第一条"
