"""One contract for every retriever: BM25, dense and hybrid answer alike in shape, filters and versions."""

from __future__ import annotations

import pytest

from policy_search.errors import IndexMismatch, InvalidQuery
from service.retrieval.filters import SearchFilters
from service.retrieval.loaded import load_index
from service.retrieval.results import hit_result
from service.retrieval.searcher import Searcher
from tests.conftest import LOCAL

MODES = ("bm25", "dense", "hybrid")


@pytest.fixture(params=["local", "milvus"])
def searcher(request):
    """The small corpus behind each engine: the generation's own files, and Milvus Lite."""
    if request.param == "local":
        out, embedder = request.getfixturevalue("small_index")
        return Searcher(load_index(out, embedder, LOCAL), embedder)
    out, embedder, engine = request.getfixturevalue("small_milvus_index")
    return Searcher(load_index(out, embedder, engine), embedder)


def _results(searcher, query, mode, **kwargs):
    outcome = searcher.search(query, mode=mode, **kwargs)
    return [hit_result(searcher.index, hit, outcome.tokens) for hit in outcome.hits]


@pytest.mark.parametrize("mode", MODES)
def test_the_matching_article_ranks_first(searcher, mode):
    results = _results(searcher, "企业违法排放污染物 拒不改正 按日连续处罚", mode, top_k=5)
    assert results[0]["location"]["article"] == "第五十九条"
    assert results[0]["document"]["title"] == "中华人民共和国环境保护法"


@pytest.mark.parametrize("mode", MODES)
def test_result_shape(searcher, mode):
    (result,) = _results(searcher, "暗管 渗井 逃避监管", mode, top_k=1)
    assert set(result) == {"clause_id", "score", "text", "highlights", "citation", "document", "location"}
    assert set(result["document"]) == {"doc_id", "title", "source", "doc_type", "issuer", "doc_number", "region", "date", "superseded",
                                        "status", "issuers", "effective_date", "authority", "repealed_by", "sample"}
    assert set(result["location"]) == {"path", "article", "paragraph", "item"}
    for start, end in result["highlights"]:
        assert 0 <= start < end <= len(result["text"])
    assert result["citation"].startswith("《")


@pytest.mark.parametrize("mode", MODES)
def test_filters_restrict_results(searcher, mode):
    results = _results(searcher, "暗管 渗井 排放污染物", mode, top_k=10, filters=SearchFilters(regions=("山东",)))
    assert results and {r["document"]["region"] for r in results} == {"山东"}
    results = _results(searcher, "暗管 渗井 排放污染物", mode, top_k=10, filters=SearchFilters(doc_types=("法律",)))
    assert results and {r["document"]["doc_type"] for r in results} == {"法律"}
    results = _results(searcher, "暗管 渗井", mode, top_k=10, filters=SearchFilters(date_to="2015-01-01"))
    assert results and all(r["document"]["date"] <= "2015-01-01" for r in results)


@pytest.mark.parametrize("mode", MODES)
def test_superseded_versions_are_excluded_unless_asked(searcher, mode):
    results = _results(searcher, "加强农药管理 保证农药质量", mode, top_k=10)
    dates = {r["document"]["date"] for r in results if r["document"]["title"] == "农药管理条例" and "counterpart_of" not in r}
    assert dates == {"2022-03-29"}
    for above, result in zip(results, results[1:]):  # an older version only as the counterpart of the hit above it
        if result["document"]["superseded"]:
            assert result["counterpart_of"] == above["clause_id"]
    results = _results(searcher, "加强农药管理 保证农药质量", mode, top_k=10, filters=SearchFilters(include_superseded=True))
    superseded = [r for r in results if r["document"]["superseded"]]
    assert superseded and superseded[0]["document"]["date"] == "2017-03-16"


@pytest.mark.parametrize("mode", MODES)
def test_national_text_before_the_local_copy_unless_a_place_is_named(searcher, mode):
    results = _results(searcher, "严禁通过暗管 渗井 渗坑 排放污染物", mode, top_k=20)
    regions = [r["document"]["region"] for r in results]
    assert regions.index("全国") < regions.index("山东")
    results = _results(searcher, "山东 严禁通过暗管 渗井 渗坑 排放污染物", mode, top_k=5)
    assert results[0]["document"]["region"] == "山东"


@pytest.mark.parametrize(
    "query, citation",
    [
        ("环保法第五十九条", "《中华人民共和国环境保护法》第五十九条"),
        ("《中华人民共和国环境保护法》第五十九条第二款", "《中华人民共和国环境保护法》第五十九条第二款"),
        ("环境保护法 第63条 第（三）项", "《中华人民共和国环境保护法》第六十三条第（三）项"),
        ("依据环保法第四十二条 暗管排污", "《中华人民共和国环境保护法》第四十二条"),
    ],
)
def test_citation_queries_resolve_first(searcher, query, citation):
    results = _results(searcher, query, "hybrid", top_k=3)
    assert results[0]["citation"] == citation


def test_item_is_cited_when_the_query_matches_it(searcher):
    results = _results(searcher, "未取得排污许可证排放污染物 被责令停止排污 拒不执行 移送公安机关 拘留", "bm25", top_k=1)
    assert results[0]["citation"] == "《中华人民共和国环境保护法》第六十三条第（二）项"


def test_speech_paragraph_result(searcher):
    results = _results(searcher, "严禁压哨整改 逾期整改 敷衍整改", "hybrid", top_k=3)
    speech = next(r for r in results if r["document"]["doc_type"] == "讲话")
    assert speech["location"]["article"] is None
    assert speech["location"]["path"] == ["二、以问题整改为契机，补齐生态文明建设的短板弱项"]
    assert speech["citation"].endswith("第二部分")


@pytest.mark.parametrize(
    "kwargs, message",
    [({"query": ""}, "empty"), ({"query": "排污" * 300}, "at most"), ({"query": "排污", "top_k": 0}, "top_k"), ({"query": "排污", "mode": "x"}, "mode")],
)
def test_bad_queries_are_refused(searcher, kwargs, message):
    with pytest.raises(InvalidQuery, match=message):
        searcher.search(**kwargs)


def test_bad_filter_values_are_named():
    with pytest.raises(InvalidQuery, match="date_from"):
        SearchFilters(date_from="2020/01/01")


def test_index_built_with_another_model_is_refused(small_index):
    out, embedder = small_index

    class Other:
        model_id = "another-model"
        dimension = embedder.dimension

    with pytest.raises(IndexMismatch, match="another-model"):
        load_index(out, Other())


@pytest.mark.parametrize("kind", ["flat", "ivf", "hnsw"])
def test_filtered_dense_search_works_on_every_faiss_kind(tmp_path, kind):
    """IVF (what the indexer builds from 200,000 clauses) and HNSW take their own search parameters for a filter."""
    from indexer.build import build_index
    from indexer.pipeline import discover, parse_files
    from tests.conftest import write_small_corpus
    from tests.fakes import BigramEmbedder

    embedder = BigramEmbedder()
    files, _ = discover([write_small_corpus(tmp_path / "corpus")])
    parsed = parse_files(files)
    build_index(tmp_path / "index", parsed.documents, read_sources=parsed.sources, embedder=embedder, index_kind=kind, engine=LOCAL)
    searcher = Searcher(load_index(tmp_path / "index", embedder, LOCAL), embedder)
    assert searcher.index.manifest["embedding"]["index"] == kind
    results = _results(searcher, "暗管 渗井 排放污染物", "dense", top_k=10, filters=SearchFilters(regions=("山东",)))
    assert results and {r["document"]["region"] for r in results} == {"山东"}
