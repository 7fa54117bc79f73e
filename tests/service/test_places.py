"""A city named in a query brings forward its own texts and its province's, not another city's of that province."""

from __future__ import annotations

import json

import pytest

from service.retrieval.loaded import load_index
from service.retrieval.ranking import RankingConfig
from service.retrieval.results import hit_result
from service.retrieval.searcher import Searcher
from tests.conftest import index_folder
from tests.fakes import BigramEmbedder

RULE = "禁止在城市人口集中区域露天焚烧落叶、秸秆和生活垃圾。"
TEXTS = {  # file → (title, region, body); the other city's copy matches the query best word for word
    "中华人民共和国大气污染防治法(2018-10-26).txt": ("中华人民共和国大气污染防治法", "全国", "第一条　为防治大气污染，制定本法。\n第二条　" + RULE),
    "山东省大气污染防治条例(2018-11-30).txt": ("山东省大气污染防治条例", "山东", "第一条　为防治大气污染，制定本条例。\n第二条　" + RULE),
    "济南市大气污染防治条例(2019-06-01).txt": ("济南市大气污染防治条例", "山东", "第一条　为防治大气污染，制定本条例。\n第二条　" + RULE),
    "青岛市大气污染防治条例(2019-06-01).txt": ("青岛市大气污染防治条例", "山东", "第一条　为防治大气污染，制定本条例。\n第二条　在城市焚烧落叶秸秆生活垃圾的处罚：" + RULE),
}
QUERY = "济南 城市 露天焚烧落叶秸秆生活垃圾 处罚"


@pytest.fixture(scope="module")
def searcher_factory(tmp_path_factory):
    root = tmp_path_factory.mktemp("places")
    folder = root / "corpus"
    folder.mkdir()
    rows = []
    for name, (title, region, body) in TEXTS.items():
        (folder / name).write_text(f"{title}\n{body}\n", encoding="utf-8")
        doc_type = "法律" if region == "全国" else "地方性法规"
        rows.append({"file": name, "title": title, "region": region, "doc_type": doc_type, "date": name[-15:-5]})
    (folder / "manifest.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    embedder = BigramEmbedder()
    out = index_folder(folder, root / "index", embedder)
    loaded = load_index(out, embedder)
    return lambda **knobs: Searcher(loaded, embedder, RankingConfig(**knobs))


def titles(searcher: Searcher, query: str) -> list[str]:
    outcome = searcher.search(query, top_k=10)
    return [hit_result(searcher.index, hit, outcome.tokens)["document"]["title"] for hit in outcome.hits]


def test_a_named_city_brings_its_own_and_its_provinces_texts_not_another_citys(searcher_factory):
    found = titles(searcher_factory(), QUERY)
    assert found.index("济南市大气污染防治条例") < found.index("青岛市大气污染防治条例")
    assert found.index("山东省大气污染防治条例") < found.index("青岛市大气污染防治条例")
    assert found.index("中华人民共和国大气污染防治法") < found.index("青岛市大气污染防治条例")


def test_without_the_city_scope_the_other_city_leads(searcher_factory):
    """The fixture is a fair test: with the whole province brought forward, the other city's copy comes first."""
    assert titles(searcher_factory(city_scope=False), QUERY)[0] == "青岛市大气污染防治条例"


def test_naming_the_province_brings_all_its_cities(searcher_factory):
    found = titles(searcher_factory(), "山东 城市 露天焚烧落叶秸秆生活垃圾 处罚")
    assert found[0] == "青岛市大气污染防治条例"
