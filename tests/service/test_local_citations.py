"""Citations of local documents (measures by 条, other 公文 by 部分, 文号, short titles), notices for what is
not in the index, and the drafting floor, over the small corpus with one document of each local genre."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from indexer.build import build_index
from indexer.pipeline import discover, parse_files
from policy_search.model import SEARCH_KINDS
from service.app import create_app
from service.drafting.plan import DraftOptions, Problem, draft_problem
from service.retrieval.context import CitationNotFound, cite
from service.retrieval.loaded import load_index
from service.retrieval.results import search_answer
from service.retrieval.searcher import Searcher
from service.settings import Settings
from tests.conftest import write_small_corpus
from tests.fakes import BigramEmbedder
from tests.genres import write_genres

MEASURES = "《东湖市全面加强生态环境保护十二条措施》"
OPINION = "《中共西山省委 西山省人民政府关于深入打好污染防治攻坚战的实施意见》"
RULES = "《西山省生态环境保护督察问题整改销号办法》"


def _index(root, extra=None):
    folder = write_small_corpus(write_genres(root / "corpus"))
    for name, text in (extra or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    files, _ = discover([folder])
    result = parse_files(files)
    embedder = BigramEmbedder()
    build_index(root / "index", result.documents, read_sources=result.sources, embedder=embedder)
    return root / "index", embedder


@pytest.fixture(scope="module")
def local_index(tmp_path_factory):
    return _index(tmp_path_factory.mktemp("local"))


@pytest.fixture(scope="module")
def searcher(local_index):
    out, embedder = local_index
    return Searcher(load_index(out, embedder), embedder)


def _answer(searcher, query, **kwargs):
    return search_answer(searcher.index, query, searcher.search(query, top_k=5, **kwargs))


@pytest.mark.parametrize("query, citation, text", [
    ("《十二条措施》第三条", MEASURES + "第三条", "（一）规范水源地保护区划定"),
    ("十二条措施第三条第（二）项", MEASURES + "第三条第（二）项", "（二）清理保护区内违法项目"),
    ("《实施意见》第二部分第（三）项", OPINION + "第二部分第（三）项", "（三）深入打好净土保卫战"),
    ("《实施意见》第二条第（三）项", OPINION + "第二部分第（三）项", "（三）深入打好净土保卫战"),
    ("《销号办法》第二条第（三）项", RULES + "第二条第（三）项", "整改销号应当具备下列条件"),
    ("根据西办发〔2023〕12号第三条", RULES + "第三条", "严禁虚假整改"),
])
def test_local_citations_resolve_first_and_cite_as_written(searcher, query, citation, text):
    answer = _answer(searcher, query)
    first = answer["results"][0]
    assert (first["citation"], first["text"].startswith(text)) == (citation, True)
    assert "notice" not in answer
    assert answer["citations"][0]["status"] == "ok"


def test_a_cited_part_comes_whole_from_cite(searcher):
    found = cite(searcher, "《十二条措施》第三条")
    assert found["result"]["citation"] == MEASURES + "第三条"
    assert [unit["text"][:5] for unit in found["units"]] == ["三、加强饮", "（一）规范", "（二）清理", "（三）强化"]


def test_a_doc_number_brings_its_document_forward(searcher):
    answer = _answer(searcher, "东府办发〔2023〕8号 饮用水 保护区")
    assert answer["citations"][0]["status"] == "ok" and answer["citations"][0]["title"] == MEASURES.strip("《》")
    assert answer["results"][0]["citation"] == MEASURES + "第三条第（二）项"
    alone = _answer(searcher, "东府办发〔2023〕8号")["results"]  # named alone: the document's clauses in order
    assert [r["citation"] for r in alone[:3]] == [MEASURES, MEASURES + "第一条", MEASURES + "第二条"]


def test_a_short_title_alone_lists_the_document(searcher):
    answer = _answer(searcher, "《销号办法》")
    assert [r["location"]["article"] for r in answer["results"]] == ["第一条", "第二条", "第三条", "第四条"]


def test_a_short_title_that_fits_two_documents_is_reported(tmp_path):
    other = "北岭市生态环境保护督察问题整改销号办法\n第一条　为规范本市整改销号，制定本办法。\n第二条　本办法自印发之日起施行。\n"
    out, embedder = _index(tmp_path, {"other.txt": other})
    searcher = Searcher(load_index(out, embedder), embedder)
    answer = _answer(searcher, "《销号办法》第二条")
    assert answer["citations"][0]["status"] == "ambiguous"
    assert "可指多个文件" in answer["notice"] and "北岭市" in answer["notice"] and "西山省" in answer["notice"]
    assert _answer(searcher, "《西山省生态环境保护督察问题整改销号办法》第二条")["results"][0]["citation"] == RULES + "第二条"


@pytest.mark.parametrize("query, status, words", [
    ("大气污染防治法第一百一十六条", "document_not_found", "索引中没有与“大气污染防治法”对应的文件"),
    ("川办发〔2023〕99号", "document_not_found", "文号为川办发〔2023〕99号"),
    ("环保法第九十九条", "article_not_found", "没有第九十九条"),
    ("环保法第五十九条第九款", "paragraph_not_found", "第五十九条只有两款"),
    ("环保法第六十三条第（五）项", "item_not_found", "第六十三条没有第（五）项"),
    ("《十二条措施》第九条", "article_not_found", "没有第九条（共5条）"),
    ("《十二条措施》第三条第（七）项", "item_not_found", "第三条没有第（七）项"),
])
def test_what_is_not_in_the_index_is_said_before_the_hits(searcher, query, status, words):
    answer = _answer(searcher, query)
    assert answer["citations"][0]["status"] == status
    assert words in answer["notice"]
    assert list(answer)[:4] == ["query", "took_ms", "index_generation", "notice"]  # the notice comes before the hits


def test_an_article_not_indexed_does_not_bring_other_documents_articles(searcher):
    results = _answer(searcher, "大气污染防治法第一百一十六条")["results"]
    assert all(r["location"]["article"] != "第一百一十六条" for r in results)


def test_a_missing_paragraph_cites_the_article_without_it(searcher):
    first = _answer(searcher, "环保法第五十九条第九款")["results"][0]
    assert first["citation"] == "《中华人民共和国环境保护法》第五十九条"
    with pytest.raises(CitationNotFound) as caught:
        cite(searcher, "环保法第五十九条第九款")
    assert caught.value.reason == "paragraph_not_found"
    assert caught.value.suggestions == ["《中华人民共和国环境保护法》第五十九条"]


def test_no_line_of_a_letter_is_ever_a_hit(searcher):
    index = searcher.index
    for query in ("省审计厅", "抄送 市委办公室 省委办公厅", "同志们 请市水利局发言", "东湖市人民政府办公室 2023年6月15日", "附件 整改台账"):
        for mode in ("bm25", "dense", "hybrid"):
            for hit in searcher.search(query, top_k=20, mode=mode).hits:
                assert index.clauses[hit.clause].kind in SEARCH_KINDS, (query, index.clauses[hit.clause].text)


def test_drafting_bases_have_a_floor(searcher):
    weak = draft_problem(searcher, Problem("会议室空调温度设置过低"), DraftOptions())
    assert weak["bases"] == [] and "没有找到足够相关的依据" in weak["notice"]
    strong = draft_problem(searcher, Problem("企业通过暗管渗井偷排污水逃避监管"), DraftOptions())
    assert strong["bases"] and "notice" not in strong
    assert strong["bases"][0]["citation"].startswith("《中华人民共和国环境保护法》")


def test_the_api_answers_with_the_notice(local_index):
    out, embedder = local_index
    with TestClient(create_app(Settings(index_dir=out), embedder=embedder), raise_server_exceptions=False) as client:
        body = client.get("/search", params={"q": "环保法第五十九条第九款"}).json()
        assert "只有两款" in body["notice"] and body["citations"][0]["status"] == "paragraph_not_found"
        missing = client.get("/cite", params={"q": "《十二条措施》第九条"})
        assert missing.status_code == 404
        assert missing.json()["error"]["details"]["reason"] == "article_not_found"
        part = client.get("/cite", params={"q": "《十二条措施》第三条第（二）项"}).json()
        assert part["result"]["citation"] == MEASURES + "第三条第（二）项"


def test_a_lower_authority_text_that_repeats_a_law_comes_after_it(tmp_path):
    speech = ("在全县生态环境保护大会上的讲话\n同志们：\n"
              "一、严查偷排。严禁通过暗管、渗井、渗坑、灌注或者篡改、伪造监测数据，或者不正常运行防治污染设施等逃避监管的方式违法排放污染物。\n")
    out, embedder = _index(tmp_path, {"speech2.txt": speech})
    searcher = Searcher(load_index(out, embedder), embedder)
    for mode in ("bm25", "hybrid"):
        results = _answer(searcher, "暗管 渗井 渗坑 灌注 篡改 伪造监测数据 逃避监管", mode=mode)["results"]
        titles = [r["document"]["title"] for r in results]
        assert titles.index("中华人民共和国环境保护法") < titles.index("在全县生态环境保护大会上的讲话")
