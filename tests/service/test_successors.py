"""Successors on every surface: /cite, the search notice, the citation check, related and the basis chain,
drafting, `policy-search successors` and `check --fix` (a .docx stays a .docx)."""

from __future__ import annotations

import docx
import pytest
from fastapi.testclient import TestClient

from cli.main import main
from policy_search import store
from service.app import create_app
from service.settings import Settings
from tests.alignment import write_alignment_corpus
from tests.conftest import index_folder
from tests.fakes import BigramEmbedder

CODE = "《中华人民共和国示例生态环境法典》"
LOCAL = """示例市大气污染防治办法
第一条　为了防治大气污染，根据《中华人民共和国示例大气污染防治法》，制定本办法。
第二条　钢铁、建材企业应当依照《中华人民共和国示例大气污染防治法》第五条的规定配套建设除尘、脱硫、脱硝等装置。
"""


@pytest.fixture(scope="module")
def aligned_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("successors")
    corpus = write_alignment_corpus(root / "corpus")
    (corpus / "示例市大气污染防治办法(2020-05-01).txt").write_text(LOCAL, encoding="utf-8")
    embedder = BigramEmbedder()
    return index_folder(corpus, root / "index", embedder), embedder


@pytest.fixture(scope="module")
def client(aligned_index):
    out, embedder = aligned_index
    with TestClient(create_app(Settings(index_dir=out), embedder=embedder), raise_server_exceptions=False) as test_client:
        yield test_client


def test_cite_of_a_repealed_article_names_the_article_in_force(client):
    answer = client.get("/cite", params={"q": "示例大气污染防治法第六条"}).json()
    assert answer["result"]["document"]["status"] == "已废止"
    first = answer["successors"][0]
    assert first["citation"] == f"{CODE}第十条"
    assert first["document"]["status"] == "现行有效"
    assert first["relation"]["how"] == "amended" and first["relation"]["similarity"] >= 0.35
    assert first["relation"]["changes"]["amounts"]["new"] == ["二十万元", "一千万元"]


def test_cite_of_one_paragraph_of_a_split_article_gives_its_own_successor(client):
    whole = client.get("/cite", params={"q": "示例大气污染防治法第四条"}).json()
    assert [s["citation"] for s in whole["successors"]] == [f"{CODE}第四条", f"{CODE}第五条"]
    assert whole["alignment"]["how"] == "split"
    second = client.get("/cite", params={"q": "示例大气污染防治法第四条第二款"}).json()
    assert [s["citation"] for s in second["successors"]] == [f"{CODE}第五条"]


def test_a_rule_the_code_dropped_has_no_successor(client):
    answer = client.get("/cite", params={"q": "示例大气污染防治法第二条"}).json()
    assert answer["successors"] == [] and answer["alignment"]["how"] == "none"
    current = client.get("/cite", params={"q": "示例生态环境法典第四条"}).json()
    assert "successors" not in current


def test_an_older_version_goes_on_to_the_current_one(client, aligned_index):
    folder = store.IndexStore(aligned_index[0]).require_current()
    older = next(d.doc_id for d in store.read_documents(folder) if d.title.endswith("示例海洋法") and d.date == "2017-11-05")
    third = next(c.clause_id for c in store.read_clauses(folder) if c.doc_id == older and c.locator.article == "第三条")
    related = client.get(f"/clauses/{third}/related").json()
    assert [s["citation"] for s in related["successors"]] == ["《中华人民共和国示例海洋法》第三条"]
    assert related["successors"][0]["document"]["date"] == "2023-10-24"


def test_the_search_notice_names_the_article_in_force(client):
    answer = client.get("/search", params={"q": "示例大气污染防治法第六条"}).json()
    assert f"已废止，现行对应条文：{CODE}第十条" in answer["notice"]
    dropped = client.get("/search", params={"q": "示例大气污染防治法第二条"}).json()
    assert "没有对应条文" in dropped["notice"]


def test_a_search_hit_brings_its_other_version_and_its_successor_right_after_it(client):
    found = client.get("/search", params={"q": "海洋特别保护区内新建排污口"}).json()["results"]
    assert [r["citation"] for r in found[:2]] == ["《中华人民共和国示例海洋法》第三条"] * 2  # both versions, side by side
    assert [r["document"]["date"] for r in found[:2]] == ["2023-10-24", "2017-11-05"]
    assert found[1]["document"]["superseded"] and found[1]["counterpart_of"] == found[0]["clause_id"]
    assert all(r["document"]["date"] != "2017-11-05" for r in found[2:])  # an older version comes only so
    later = client.get("/search", params={"q": "海洋特别保护区内新建排污口", "date_from": "2020-01-01"}).json()["results"]
    assert "2017-11-05" not in [r["document"]["date"] for r in later]  # the filters hold for counterparts too

    repealed = "《中华人民共和国示例大气污染防治法》第六条"
    query = {"q": "未依法报批建设项目环境影响评价文件擅自开工建设 总投资额百分之一", "include_superseded": "true"}
    citations = [r["citation"] for r in client.get("/search", params=query).json()["results"]]
    assert citations[:2] == [repealed, f"{CODE}第十条"]  # a repealed article brings the one in force
    current = client.get("/search", params={"q": "擅自开工建设 二十万元以上一千万元以下"}).json()["results"]
    assert repealed not in [r["citation"] for r in current]  # a code does not bring the laws it repealed


def test_the_check_gives_successors_and_a_replacement(client):
    text = "依照《中华人民共和国示例大气污染防治法》第六条处罚；每年6月5日见《中华人民共和国示例大气污染防治法》第二条。"
    found = client.post("/citations/check", json={"text": text}).json()["citations"]
    assert [c["verdict"] for c in found] == ["repealed", "repealed"]
    assert found[0]["replacement"] == f"{CODE}第十条"
    assert found[0]["successors"][0]["relation"]["how"] == "amended"
    assert f"现行对应条文：{CODE}第十条" in found[0]["message"]
    assert found[1]["replacement"] is None and found[1]["successors"] == []


def test_related_has_successors_predecessors_and_the_chain_goes_on_to_the_code(client):
    old = client.get("/cite", params={"q": "示例大气污染防治法第五条"}).json()["result"]["clause_id"]
    related = client.get(f"/clauses/{old}/related").json()
    assert [s["citation"] for s in related["successors"]] == [f"{CODE}第六条"]
    new = related["successors"][0]["clause_id"]
    back = client.get(f"/clauses/{new}/related").json()
    assert [p["citation"] for p in back["predecessors"]] == ["《中华人民共和国示例大气污染防治法》第五条"]

    local = client.get("/cite", params={"q": "示例市大气污染防治办法第二条"}).json()["result"]["clause_id"]
    chain = client.get(f"/clauses/{local}/related").json()["chain"]
    assert [step["citation"] for step in chain] == [
        "《示例市大气污染防治办法》第二条", "《中华人民共和国示例大气污染防治法》第五条", f"{CODE}第六条"]
    assert chain[-1]["relation"]["how"] == "successor" and chain[-1]["document"]["status"] == "现行有效"


def test_drafting_never_proposes_a_repealed_basis(client):
    answer = client.post("/drafts/rectification", json={"problems": [
        {"text": "依照示例大气污染防治法第五条，钢铁企业未配套建设除尘、脱硫、脱硝装置"}]}).json()
    bases = answer["problems"][0]["bases"]
    assert bases and all(b["document"]["status"] == "现行有效" for b in bases)
    replaced = [b for b in bases if b.get("replaces")]
    assert replaced and replaced[0]["citation"] == f"{CODE}第六条"
    assert replaced[0]["replaces"] == "《中华人民共和国示例大气污染防治法》第五条"


def test_the_command_line_gives_successors(aligned_index, capsys):
    out, _ = aligned_index
    assert main(["successors", "示例大气污染防治法第六条", "--index", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"→ {CODE}第十条" in printed and "金额：百分之一、百分之五 → 二十万元、一千万元" in printed


def test_check_fix_writes_a_corrected_docx(aligned_index, tmp_path, capsys):
    out, _ = aligned_index
    source = tmp_path / "整改方案.docx"
    document = docx.Document()
    paragraph = document.add_paragraph("依据")
    paragraph.add_run("《中华人民共和国示例大气").bold = True  # the citation crosses runs
    paragraph.add_run("污染防治法》第六条，责令停止建设。")
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "《中华人民共和国示例水污染防治法》第二条；《中华人民共和国示例大气污染防治法》第二条"
    document.save(source)

    assert main(["check", str(source), "--index", str(out), "--fix"]) == 1  # the original's citations are wrong
    fixed = tmp_path / "整改方案（现行条文）.docx"
    assert fixed.is_file() and "已替换 2 处" in capsys.readouterr().out
    result = docx.Document(str(fixed))
    assert result.paragraphs[0].text == f"依据{CODE}第十条，责令停止建设。"
    assert result.paragraphs[0].runs[1].bold  # the first run of the citation keeps its formatting
    assert result.tables[0].cell(0, 0).text == f"{CODE}第七条；《中华人民共和国示例大气污染防治法》第二条"  # none: kept
    assert main(["check", str(fixed), "--index", str(out)]) == 1  # only the rule with no successor is left
    assert "已废止" in capsys.readouterr().out
