"""References between documents worked out by the indexer: citations resolved to article, 款 and 项, the
version in force when the citing text was made, restatements without a citation, repeal clauses, 施行日期."""

from __future__ import annotations

import pytest

from indexer.references import RESTATE_SHARE, repealed_titles
from policy_search import store
from policy_search.citations import mentions
from policy_search.model import CITES, REPEALS, RESTATES
from policy_search.validity import AMENDED, IN_FORCE, NOT_YET, REPEALED, validity
from tests.basis import write_basis_corpus
from tests.conftest import index_folder


@pytest.fixture(scope="module")
def basis_generation(tmp_path_factory):
    root = tmp_path_factory.mktemp("basis")
    index_folder(write_basis_corpus(root / "corpus"), root / "index")
    folder = store.IndexStore(root / "index").current()
    documents = {(d.title, d.date): d for d in store.read_documents(folder)}
    clauses = {c.clause_id: c for c in store.read_clauses(folder)}
    return folder, documents, clauses, store.read_references(folder)


def _doc(documents, title, date=None):
    return next(d for (t, d_date), d in documents.items() if t == title and (date is None or d_date == date))


def _from(references, clauses, documents, title, kind):
    doc_id = _doc(documents, title).doc_id
    return [r for r in references if r.kind == kind and clauses[r.source].doc_id == doc_id]


def test_citations_resolve_to_the_article_paragraph_and_item(basis_generation):
    _, documents, clauses, references = basis_generation
    law = _doc(documents, "中华人民共和国示例环境法", "2024-06-01")
    cites = _from(references, clauses, documents, "西山省排污监督办法", CITES)
    by_text = {r.text: r for r in cites}
    preamble = by_text["《中华人民共和国示例环境法》"]
    assert (preamble.target_doc, preamble.target) == (law.doc_id, None)
    paragraph = by_text["《中华人民共和国示例环境法》第三条第一款"]
    assert paragraph.target_doc == law.doc_id and clauses[paragraph.target].locator.article == "第三条"
    assert paragraph.paragraph == 1
    item = by_text["《示例环境法》第五条第（二）项"]  # a short name, resolved to the same law
    assert clauses[item.target].locator.article == "第五条" and item.item == 2


def test_the_version_in_force_when_the_text_was_made_is_the_one_cited(tmp_path):
    """An older text citing a law resolves to the version of its time, where the current one renumbered."""
    folder = write_basis_corpus(tmp_path / "corpus")
    (folder / "西山省监测办法(2016-03-01).txt").write_text(
        "西山省监测办法\n第一条　排污单位应当依照《中华人民共和国示例环境法》第五条的规定公开排放信息，并报告排放情况。\n",
        encoding="utf-8")
    index_folder(folder, tmp_path / "index")
    generation = store.IndexStore(tmp_path / "index").current()
    old_law = next(d for d in store.read_documents(generation) if d.title.endswith("示例环境法") and d.date == "2015-01-01")
    clauses = {c.clause_id: c for c in store.read_clauses(generation)}
    cite = next(r for r in store.read_references(generation) if r.text == "《中华人民共和国示例环境法》第五条")
    assert cite.target_doc == old_law.doc_id
    assert "公开排放信息" in clauses[cite.target].text


def test_a_measure_restating_a_law_article_finds_it_without_citing_it(basis_generation):
    _, documents, clauses, references = basis_generation
    law = _doc(documents, "中华人民共和国示例环境法", "2024-06-01")
    restated = _from(references, clauses, documents, "东湖市排污整治措施", RESTATES)
    pairs = {(clauses[r.source].locator.path[0][:2], clauses[r.target].locator.article) for r in restated}
    assert {("一、", "第二条"), ("二、", "第三条")} <= pairs
    assert all(r.target_doc == law.doc_id and r.similarity >= RESTATE_SHARE for r in restated)
    # the measure of its own (排查整治 by year end) restates nothing
    assert not any(clauses[r.source].locator.path[0].startswith("三、") for r in restated)


def test_a_repeal_clause_marks_the_named_document_repealed(basis_generation):
    _, documents, clauses, references = basis_generation
    repealed = _doc(documents, "西山省排污监督暂行办法")
    repealing = _doc(documents, "西山省排污监督办法")
    assert repealed.repealed_by == repealing.doc_id and repealed.superseded
    assert validity(repealed) == REPEALED
    assert [r.target_doc for r in references if r.kind == REPEALS] == [repealed.doc_id]
    assert validity(repealing) == IN_FORCE


def test_validity_from_versions_and_dates(basis_generation):
    _, documents, _, _ = basis_generation
    assert validity(_doc(documents, "中华人民共和国示例环境法", "2015-01-01")) == AMENDED
    pending = _doc(documents, "西山省排污许可办法")
    assert pending.effective_date == "2099-01-01"  # read off 本办法自2099年1月1日起施行
    assert validity(pending) == NOT_YET
    assert validity(pending, today="2099-01-02") == IN_FORCE


def test_repeal_clauses_name_the_repealed_text_not_the_amending_act():
    text = ("本条例自2019年1月1日起施行。1997年通过、根据《关于修改〈北京市大气污染防治条例〉等七部地方性法规的决定》"
            "修正的《北京市实施〈中华人民共和国野生动物保护法〉办法》、《北京市农村节约用水管理规定》同时废止。")
    assert repealed_titles(text) == ["北京市实施〈中华人民共和国野生动物保护法〉办法", "北京市农村节约用水管理规定"]
    assert repealed_titles("本办法自2020年1月1日起施行。") == []


def test_runs_of_places_are_read_one_by_one():
    text = "依照《中华人民共和国水污染防治法》第八十三条第一款、第二款和第八十五条第（三）项的规定处罚"
    found = [(m.article, m.paragraph, m.item, text[m.start : m.end]) for m in mentions(text)]
    assert found == [
        (83, 1, None, "《中华人民共和国水污染防治法》第八十三条第一款"),
        (83, 2, None, "第二款"),
        (85, None, 3, "第八十五条第（三）项"),
    ]


def test_unresolved_references_are_kept_as_written(tmp_path):
    folder = write_basis_corpus(tmp_path / "corpus")
    (folder / "西山省噪声办法(2024-10-01).txt").write_text(
        "西山省噪声办法\n第一条　根据《中华人民共和国噪声污染防治法》，制定本办法。\n", encoding="utf-8")
    index_folder(folder, tmp_path / "index")
    references = store.read_references(store.IndexStore(tmp_path / "index").current())
    unresolved = [r for r in references if r.text == "《中华人民共和国噪声污染防治法》"]
    assert len(unresolved) == 1 and unresolved[0].target_doc is None and unresolved[0].kind == CITES


def test_a_city_text_rests_on_the_province_it_cites(tmp_path):
    """A city's measures are not of the province's region, but citing the province's 办法 says where they stand:
    their restatement of another of its articles is linked too."""
    folder = write_basis_corpus(tmp_path / "corpus")
    (folder / "东湖市监测整治措施(2024-11-01).txt").write_text(
        "东湖市监测整治措施\n"
        "一、落实《西山省排污监督办法》，开展监测数据专项检查。\n"
        "二、违反本办法规定，篡改、伪造监测数据的，依照《示例环境法》第五条第（二）项的规定处罚，并向社会公开。\n",
        encoding="utf-8")
    index_folder(folder, tmp_path / "index")
    generation = store.IndexStore(tmp_path / "index").current()
    documents = {d.doc_id: d for d in store.read_documents(generation)}
    clauses = {c.clause_id: c for c in store.read_clauses(generation)}
    city = [r for r in store.read_references(generation) if documents[clauses[r.source].doc_id].title == "东湖市监测整治措施"]
    restated = {documents[r.target_doc].title for r in city if r.kind == RESTATES}
    assert "西山省排污监督办法" in restated  # its 第三条, restated in 二、


def test_a_citation_means_the_text_named_not_a_newer_one_of_the_same_name_elsewhere(tmp_path):
    """《城市绿化条例》 is the national 条例, not another city's 城市绿化条例 made nearer the citing text's date."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    texts = {
        "城市绿化条例(2017-03-01).txt": "城市绿化条例\n第一条　为了促进城市绿化事业的发展，制定本条例。\n"
                                     "第二条　对在城市绿化工作中成绩显著的单位和个人，由人民政府给予表彰和奖励。\n",
        "舟山市城市绿化条例(2019-06-01).txt": "舟山市城市绿化条例\n第一条　为了加强城市绿化，制定本条例。\n"
                                         "第二条　市人民政府应当编制城市绿地系统规划。\n",
        "驻马店市城市绿化条例(2020-01-01).txt": "驻马店市城市绿化条例\n第一条　为了加强城市绿化，制定本条例。\n"
                                           "第二条　依照《城市绿化条例》第二条的规定，对成绩显著的单位给予表彰。\n",
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    index_folder(folder, tmp_path / "index")
    generation = store.IndexStore(tmp_path / "index").current()
    documents = {d.doc_id: d.title for d in store.read_documents(generation)}
    cite = next(r for r in store.read_references(generation) if r.kind == CITES)
    assert documents[cite.target_doc] == "城市绿化条例" and cite.target
