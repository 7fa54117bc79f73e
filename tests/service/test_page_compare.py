"""The 新旧对照 tab and the check tab's 全部替换为现行条文, in headless Chromium; the table's .docx and .xlsx."""

from __future__ import annotations

import io

import docx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from service.app import create_app
from service.settings import Settings
from tests.alignment import write_alignment_corpus
from tests.conftest import index_folder
from tests.fakes import BigramEmbedder
from tests.service.test_page_browser import browser_page, serve, sync_api  # noqa: F401 (a fixture)

CODE = "《中华人民共和国示例生态环境法典》"


@pytest.fixture(scope="module")
def aligned(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare-page")
    embedder = BigramEmbedder()
    return index_folder(write_alignment_corpus(root / "corpus"), root / "index", embedder), embedder


def _air_id(client) -> str:
    texts = client.get("/comparisons").json()["texts"]
    return next(t["old"]["doc_id"] for t in texts if t["old"]["title"].endswith("示例大气污染防治法"))


def test_the_table_exports_as_docx_and_xlsx(aligned):
    out, embedder = aligned
    with TestClient(create_app(Settings(index_dir=out), embedder=embedder)) as client:
        doc_id = _air_id(client)
        table = client.get(f"/comparisons/{doc_id}").json()
        assert table["new"]["title"] == "中华人民共和国示例生态环境法典"
        rows = {(r["old"]["citation"], r["old"]["paragraph"]): r for r in table["rows"]}
        assert rows[("《中华人民共和国示例大气污染防治法》第二条", None)]["how"] == "none"
        word = client.get(f"/comparisons/{doc_id}.docx")
        sheet = client.get(f"/comparisons/{doc_id}.xlsx")
        assert client.get("/comparisons/nope").status_code == 404
    grid = docx.Document(io.BytesIO(word.content)).tables[0]
    assert [c.text for c in grid.rows[0].cells] == ["原条文", "原条文内容", "现行条文", "现行条文内容", "关系", "主要变化"]
    word_rows = {row.cells[0].text: [c.text for c in row.cells] for row in grid.rows[1:]}
    sixth = word_rows["《中华人民共和国示例大气污染防治法》第六条"]
    assert sixth[2] == f"{CODE}第十条" and "二十万元" in sixth[3] and sixth[4] == "修改"
    assert sixth[5] == "金额：百分之一、百分之五 → 二十万元、一千万元"
    assert word_rows["《中华人民共和国示例大气污染防治法》第二条"][2] == "无对应条文"
    book = load_workbook(io.BytesIO(sheet.content)).active
    values = [[cell.value for cell in row] for row in book.iter_rows(min_row=3)]
    assert len(values) == len(table["rows"]) and values[0][0] == "《中华人民共和国示例大气污染防治法》第一条"


@pytest.mark.browser
def test_the_compare_tab_shows_two_aligned_columns_with_the_changes_marked(sync_api, aligned, tmp_path):
    expect = sync_api.expect
    out, embedder = aligned
    with serve(Settings(index_dir=out), embedder) as url, browser_page(sync_api, url + "#compare") as (page, errors):
        rows = page.locator("#compare-table tbody tr")
        expect(rows.first).to_be_visible()
        page.select_option("#compare-text", label="《中华人民共和国示例大气污染防治法》（2018-01-01） → 《中华人民共和国示例生态环境法典》")
        sixth = rows.filter(has_text="示例大气污染防治法》第六条").first
        expect(sixth.locator("td").nth(2)).to_contain_text(f"{CODE}第十条")
        expect(sixth.locator("mark.compare-old")).to_have_text(["百分之一", "百分之五"])
        expect(sixth.locator("mark.compare-new")).to_have_text(["二十万元", "一千万元"])
        expect(rows.filter(has_text="每年6月5日为环境日").locator("td").nth(2)).to_have_text("现行文本中没有承接该规则的条文")
        page.screenshot(path=str(tmp_path / "compare.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#compare-docx")
        assert download.value.suggested_filename.endswith(".docx")

        page.click("#tab-check")
        page.fill("#check-input", "依照《中华人民共和国示例大气污染防治法》第六条处罚。")
        page.click("#check-replace")
        expect(page.locator("#check-input")).to_have_value(f"依照{CODE}第十条处罚。")
        expect(page.locator("#check-summary")).to_be_visible()

        page.click("#tab-search")
        page.fill("#q", "海洋特别保护区内新建排污口")
        page.press("#q", "Enter")
        results = page.locator("#results > li")
        expect(results.nth(1).locator(".counterpart-badge")).to_have_text("上条的另一版本")  # the 2017 version
        expect(results.nth(1)).to_contain_text("2017-11-05")
        expect(results.first.locator(".counterpart-badge")).to_have_count(0)
        assert not errors, errors


def test_the_table_shows_paragraph_rows_only_where_the_paragraphs_go_separate_ways():
    from policy_search.alignment import AMENDED, NONE, SPLIT, Alignment, Successor
    from service.comparison.table import shown_rows

    def row(old, paragraph, how, *targets):
        return Alignment(old=old, old_doc="old", new_doc="new", how=how, paragraph=paragraph,
                         successors=tuple(Successor(t, p) for t, p in targets))

    together = [row("a", None, AMENDED, ("x", None)), row("a", 1, AMENDED, ("x", 1)), row("a", 2, AMENDED, ("x", 2))]
    split = [row("b", None, SPLIT, ("x", None), ("y", None)), row("b", 1, AMENDED, ("x", None)), row("b", 2, AMENDED, ("y", None))]
    partly = [row("c", None, AMENDED, ("x", None)), row("c", 1, AMENDED, ("x", 1)), row("c", 2, NONE)]
    shown = shown_rows(together + split + partly)
    assert [(r.old, r.paragraph) for r in shown] == [("a", None), ("b", None), ("b", 1), ("b", 2), ("c", None), ("c", 1), ("c", 2)]
