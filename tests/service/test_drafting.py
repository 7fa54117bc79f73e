from __future__ import annotations

import io

import pytest
from docx import Document

from cli.drafting import read_problems
from indexer.links import referenced_duties
from service.drafting.export import LIST_COLUMNS, to_markdown
from service.drafting.obligations import obligation_sentences

PROBLEMS = [
    {"text": "部分企业通过暗管渗井偷排污水，逃避监管", "unit": "市生态环境局", "deadline": "2024年12月底"},
    {"text": "企业违法排污被罚款后拒不改正"},
]


def test_obligations_are_the_duty_sentences():
    text = "排放污染物的企业事业单位，应当采取措施；严禁通过暗管排放。本法自公布之日起施行。应急预案由县级政府制定。"
    assert obligation_sentences(text) == ["排放污染物的企业事业单位，应当采取措施；", "严禁通过暗管排放。"]


def test_penalty_text_names_its_duties():
    assert referenced_duties("违反本法第四十二条第四款、第四十三条规定，通过暗管排放的") == ["第四十二条", "第四十三条"]
    assert referenced_duties("违反本法规定，有下列行为之一的") == []


def test_draft_returns_bases_obligations_and_penalties(client):
    response = client.post("/drafts/rectification", json={"problems": PROBLEMS, "options": {"bases_per_problem": 4}})
    assert response.status_code == 200
    draft = response.json()
    assert len(draft["problems"]) == 2
    first = draft["problems"][0]
    assert first["unit"] == "市生态环境局" and first["measures"] is None and first["signoff"] is None
    citations = [b["citation"] for b in first["bases"]]
    assert any(c.startswith("《中华人民共和国环境保护法》第四十二条") for c in citations)
    ranks = [b["relevance_rank"] for b in first["bases"]]
    assert ranks == sorted(ranks)  # most relevant first; grouping by authority is the page's
    assert all(o["sentence"] in next(b["text"] for b in first["bases"] if b["clause_id"] == o["clause_id"]) for o in first["obligations"])
    assert any("严禁" in o["sentence"] for o in first["obligations"])


def test_duty_and_penalty_link_both_ways(tmp_path):
    from indexer.build import build_index
    from indexer.pipeline import parse_files
    from service.retrieval.loaded import load_index

    law = tmp_path / "排污许可管理条例(2021-01-24).txt"
    law.write_text(
        "排污许可管理条例\n第二条　排污单位应当依照本条例规定申请取得排污许可证；未取得排污许可证的，不得排放污染物。\n"
        "第三条　本条例所称排污单位，是指依法实行排污许可管理的企业事业单位。\n"
        "第三十三条　违反本条例第二条规定，未取得排污许可证排放污染物的，责令改正，处二十万元以上一百万元以下的罚款。\n",
        encoding="utf-8",
    )
    result = parse_files([law])
    build_index(tmp_path / "idx", result.documents, read_sources=result.sources)
    index = load_index(tmp_path / "idx", None)
    duty, other, penalty = (index.articles[(0, label)] for label in ("第二条", "第三条", "第三十三条"))
    assert index.penalties == {duty: [penalty]}
    assert index.duties == {penalty: [duty]}
    assert other not in index.penalties


def test_exports_docx_with_the_table(client):
    draft = client.post("/drafts/rectification", json={"problems": PROBLEMS}).json()
    response = client.get(f"/drafts/{draft['draft_id']}.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    (table,) = document.tables
    assert [cell.text for cell in table.rows[0].cells] == list(LIST_COLUMNS)
    assert len(table.rows) == 3
    row = table.rows[1].cells
    assert row[1].text == PROBLEMS[0]["text"]
    assert row[10].text.startswith("《中华人民共和国环境保护法》") and "第四十二条" in row[10].text
    assert row[5].text == "市生态环境局" and row[8].text == "2024年12月底"
    text = "\n".join(p.text for p in document.paragraphs)
    assert all(o["sentence"] in text for p in draft["problems"] for o in p["obligations"])  # every requirement, in full
    portrait, landscape = document.sections
    assert round(portrait.page_width.cm, 1) == 21.0 and round(landscape.page_width.cm, 1) == 29.7


def test_exports_the_ledger_and_checks_the_signature_date(client):
    draft = client.post("/drafts/rectification", json={"problems": PROBLEMS, "issuer": "某县人民政府", "date": "2026-03-09"}).json()
    assert draft["issuer"] == "某县人民政府" and draft["date"] == "2026-03-09"
    response = client.get(f"/drafts/{draft['draft_id']}.xlsx")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "某县人民政府　2026年3月9日"
    assert [sheet.cell(4, 2).value, sheet.cell(5, 2).value] == [p["text"] for p in PROBLEMS]
    problem = draft["problems"][0] | {"deadline_kind": "长期坚持"}
    exported = client.post("/drafts/export", json={"problems": [problem], "format": "xlsx", "date": "2026-12-07"})
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet.cell(4, LIST_COLUMNS.index("整改时限") + 1).value == "长期坚持，2024年12月底"
    for bad in ({"date": "2026-02-30"}, {"date": "2026-1-5"}, {"problems": [problem | {"deadline_kind": "尽快"}]}):
        refused = client.post("/drafts/export", json={"problems": [problem], "format": "docx"} | bad)
        assert refused.status_code == 422, bad
        assert refused.json()["error"]["code"] == "invalid_request"


def test_exports_markdown(client):
    response = client.post("/drafts/rectification", json={"problems": PROBLEMS[:1], "format": "markdown"})
    assert response.status_code == 200
    lines = response.text.splitlines()
    assert lines[0].startswith("# ")
    assert "| 序号 | 督察反馈问题 | 整改目标 | 整改措施 |" in response.text
    assert any(line.startswith("| 1 | 部分企业通过暗管渗井偷排污水") for line in lines)


@pytest.mark.parametrize(
    "body",
    [{"problems": []}, {"problems": [{"text": ""}]}, {"problems": [{"text": "x"}], "options": {"bases_per_problem": 0}}, {"problems": [{"text": "x", "owner": 1}]}],
)
def test_bad_draft_requests_are_refused(client, body):
    response = client.post("/drafts/rectification", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_unknown_draft_is_404(client):
    assert client.get("/drafts/nope.docx").status_code == 404
    assert client.get("/drafts/nope.pdf").status_code == 404


def test_problem_lists_from_text_docx_and_xlsx(tmp_path):
    (tmp_path / "p.txt").write_text("1. 县城污水处理厂超负荷运行\n\n2、长江禁捕期间非法捕捞\n（三）2023年以来草原被开垦\n问题\n", encoding="utf-8")
    assert read_problems(tmp_path / "p.txt") == ["县城污水处理厂超负荷运行", "长江禁捕期间非法捕捞", "2023年以来草原被开垦"]
    document = Document()
    document.add_paragraph("草原被非法开垦种植")
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text = "问题"
    table.rows[1].cells[0].text = "化工企业未完成搬迁"
    document.save(tmp_path / "p.docx")
    assert read_problems(tmp_path / "p.docx") == ["草原被非法开垦种植", "化工企业未完成搬迁"]
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["问题描述", "责任单位"])
    workbook.active.append(["温室气体排放报告弄虚作假", "市生态环境局"])
    workbook.save(tmp_path / "p.xlsx")
    assert read_problems(tmp_path / "p.xlsx") == ["温室气体排放报告弄虚作假"]


def test_markdown_cells_cannot_break_the_table():
    from service.drafting.plan import Draft

    draft = Draft("d", "方案", [{"problem": "a|b\nc", "bases": [], "penalties": [], "obligations": [], "measures": None, "unit": None, "deadline": None, "signoff": None}], "g")
    row = to_markdown(draft).splitlines()[-1]
    assert row.count("|") == len(LIST_COLUMNS) + 1


def test_a_reviewed_plan_exports_what_the_person_kept(client):
    draft = client.post("/drafts/rectification", json={"problems": PROBLEMS[:1]}).json()
    problem = draft["problems"][0]
    base = problem["bases"].pop(0)
    removed = base["citation"]
    problem["obligations"] = [o for o in problem["obligations"] if o["clause_id"] != base["clause_id"]]  # as the page does
    problem["unit"] = "县水务局"
    problem["measures"] = "封堵暗管，安装在线监测"
    response = client.post("/drafts/export", json={"problems": [problem], "format": "docx", "title": "某县整改方案"})
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    row = document.tables[0].rows[1].cells
    assert removed not in row[10].text and removed not in "\n".join(p.text for p in document.paragraphs)
    assert row[3].text == "封堵暗管，安装在线监测" and row[5].text == "县水务局"
    assert document.paragraphs[0].text == "某县整改方案"
    bad = client.post("/drafts/export", json={"problems": [{"problem": ""}]})
    assert bad.status_code == 422



def test_the_drafting_aid_fuses_at_its_own_dense_share(tmp_path, monkeypatch):
    """Problems fuse at drafting_dense_weight, searches at dense_weight; the searcher handed in keeps its own."""
    from indexer.build import build_index
    from indexer.pipeline import parse_files
    from service.drafting.plan import DraftOptions, Problem, draft_problem
    from service.retrieval.loaded import load_index
    from service.retrieval.ranking import RankingConfig
    from service.retrieval.searcher import Searcher
    from tests.fakes import BigramEmbedder

    law = tmp_path / "排污许可管理条例(2021-01-24).txt"
    law.write_text("排污许可管理条例\n第二条　排污单位应当依照本条例规定申请取得排污许可证；未取得排污许可证的，不得排放污染物。\n", encoding="utf-8")
    result = parse_files([law])
    embedder = BigramEmbedder()
    build_index(tmp_path / "idx", result.documents, read_sources=result.sources, embedder=embedder)
    config = RankingConfig(dense_weight=0.9, drafting_dense_weight=0.2, dense_floor=0.3, drafting_dense_floor=0.05)
    searcher = Searcher(load_index(tmp_path / "idx", embedder), embedder, config)
    used = []
    search = Searcher.search
    monkeypatch.setattr(Searcher, "search",
                        lambda self, *a, **k: used.append((self.config.dense_weight, self.config.dense_floor)) or search(self, *a, **k))
    row = draft_problem(searcher, Problem("企业未取得排污许可证排放污染物"), DraftOptions())
    assert row["bases"]
    assert used == [(0.2, 0.05)] and (searcher.config.dense_weight, searcher.config.dense_floor) == (0.9, 0.3)
    with pytest.raises(ValueError, match="drafting_dense_weight"):
        RankingConfig(drafting_dense_weight=1.5)
    with pytest.raises(ValueError, match="drafting_dense_floor"):
        RankingConfig(drafting_dense_floor=1.0)
