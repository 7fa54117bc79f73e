"""The 整改方案 tab in headless Chromium: generate, review the bases, fill the plan, download the Word file."""

from __future__ import annotations

import re

import pytest
from docx import Document

from service.settings import Settings
from tests.service.test_page_browser import ADMIN_KEY, SEARCH_KEY, browser_page, serve, sync_api  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
PROBLEMS = ["部分企业通过暗管渗井偷排污水，逃避监管", "企业违法排污被罚款后拒不改正"]
HEADER = ["序号", "督察反馈问题", "整改目标", "整改措施", "责任领导", "牵头（责任）单位", "配合单位", "责任人",
          "整改时限", "销号（验收）标准", "依据", "佐证材料"]
LAW = "《中华人民共和国环境保护法》"


def test_review_the_bases_and_download_the_plan(sync_api, small_index, tmp_path):
    expect = sync_api.expect

    out, embedder = small_index
    with serve(Settings(index_dir=out), embedder) as url, browser_page(sync_api, url) as (page, errors):
        page.get_by_role("tab", name="整改方案").click()
        expect(page.locator("#panel-drafts")).to_be_visible()
        expect(page.locator("#panel-search")).to_be_hidden()
        assert page.evaluate("location.hash") == "#drafts"

        page.get_by_label("督察反馈问题").fill("\n".join(f"{n}. {text}" for n, text in enumerate(PROBLEMS, start=1)))
        page.get_by_label("方案标题").fill("某县整改方案")
        page.get_by_label("落款单位").fill("某县人民政府")
        page.get_by_label("成文日期").fill("2026-12-07")
        page.get_by_role("button", name="生成", exact=True).click()

        cards = page.locator("#draft-list > li")
        expect(cards).to_have_count(2)
        first, second = cards.nth(0), cards.nth(1)
        expect(first.locator(".draft-problem-text")).to_have_text(PROBLEMS[0])  # the list number is dropped
        bases = first.locator(".basis-groups .cited-citation")
        expect(bases.first).to_contain_text(LAW)
        expect(second.locator(".basis-groups .cited-citation").first).to_contain_text(LAW)
        expect(first.locator(".group-heading").first).to_have_text("法律")  # grouped by authority, law first
        expect(first.locator(".obligations")).to_contain_text("严禁")

        # Remove a law basis whose citation nothing else on the page contains, so its absence is checkable.
        everything = page.locator("#draft-list .cited-citation").all_inner_texts()
        citations = bases.all_inner_texts()
        removed = next(c for c in citations if LAW in c and not any(c in other for other in everything if other != c))
        assert any(removed in text for text in first.locator(".obligations .source").all_inner_texts())
        first.get_by_role("button", name=f"移除依据：{removed}", exact=True).click()
        expect(bases).to_have_count(len(citations) - 1)
        expect(first.locator(".basis-groups")).not_to_contain_text(removed)
        expect(first.locator(".obligations")).not_to_contain_text(removed)  # its obligations go with it
        expect(first.locator(".bases-heading")).to_contain_text(f"保留 {len(citations) - 1} / {len(citations)} 条")
        assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("移除依据：")

        first.get_by_label("牵头（责任）单位", exact=True).fill("市生态环境局")
        first.get_by_label("整改措施", exact=True).fill("封堵暗管，安装在线监测设备")
        first.get_by_label("整改目标", exact=True).fill("暗管全部封堵")
        first.get_by_label("责任领导", exact=True).fill("副市长王某")
        first.get_by_label("配合单位", exact=True).fill("市公安局")
        first.get_by_label("责任人", exact=True).fill("李某")
        first.get_by_label("佐证材料", exact=True).fill("封堵前后照片")
        first.get_by_label("销号（验收）标准", exact=True).fill("暗管全部封堵，通过现场核查")
        first.get_by_label("整改时限类型").select_option("限期整改")
        second.get_by_label("整改时限", exact=True).fill("2025年6月底前")
        expect(page.locator("#draft-files-note")).to_contain_text("全文见正文")  # what a short cell holds

        page.screenshot(path=str(tmp_path / "drafts-tab.png"), full_page=True)
        with page.expect_download() as download_info:
            page.get_by_role("button", name="下载 Word (.docx)").click()
        download = download_info.value
        assert download.suggested_filename == "某县整改方案.docx"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        expect(page.locator("#draft-status")).to_contain_text("已下载")

        document = Document(str(saved))
        assert document.paragraphs[0].text == "某县整改方案"
        text = "\n".join(p.text for p in document.paragraphs)
        assert "某县人民政府\n2026年12月7日" in text
        (table,) = document.tables
        assert [cell.text for cell in table.rows[0].cells] == HEADER
        assert len(table.rows) == 3
        row, other_row = [c.text for c in table.rows[1].cells], [c.text for c in table.rows[2].cells]
        assert row[1] == PROBLEMS[0] and other_row[1] == PROBLEMS[1]
        assert LAW in row[10] and LAW in other_row[10]
        assert all(removed not in cell.text for table_row in table.rows for cell in table_row.cells)
        assert removed not in text
        assert row[2:10] == ["暗管全部封堵", "封堵暗管，安装在线监测设备", "副市长王某", "市生态环境局", "市公安局", "李某",
                             "限期整改", "暗管全部封堵，通过现场核查"]
        assert row[11] == "封堵前后照片"
        assert other_row[5] == "" and other_row[8] == "2025年6月底前"
        kept = first.locator(".obligations .sentence").all_inner_texts()
        assert kept and all(sentence in text for sentence in kept)  # every requirement the page keeps

        with page.expect_download() as ledger_info:
            page.get_by_role("button", name="下载整改台账 (.xlsx)").click()
        assert ledger_info.value.suggested_filename == "某县整改方案整改台账.xlsx"
        ledger = tmp_path / "ledger.xlsx"
        ledger_info.value.save_as(ledger)
        from openpyxl import load_workbook

        sheet = load_workbook(ledger).active
        assert sheet["A2"].value == "某县人民政府　2026年12月7日"
        assert [sheet.cell(4, 2).value, sheet.cell(4, 6).value] == [PROBLEMS[0], "市生态环境局"]

        first.get_by_role("button", name="恢复已移除的依据").click()
        expect(bases).to_have_count(len(citations))
        expect(first.get_by_label("牵头（责任）单位", exact=True)).to_have_value("市生态环境局")
        expect(first.get_by_label("整改时限类型")).to_have_value("限期整改")

        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(tmp_path / "drafts-tab-narrow.png"))
        assert errors == []


def test_drafting_sends_the_api_key(sync_api, small_index, tmp_path):
    expect = sync_api.expect

    out, embedder = small_index
    settings = Settings(index_dir=out, admin_keys=[ADMIN_KEY], search_keys=[SEARCH_KEY])
    with serve(settings, embedder) as url, browser_page(sync_api, f"{url}#drafts") as (page, errors):
        expect(page.locator("#panel-drafts")).to_be_visible()  # the URL names the tab
        page.get_by_label("督察反馈问题").fill(PROBLEMS[1])
        page.get_by_role("button", name="生成", exact=True).click()
        expect(page.locator("#draft-error")).to_contain_text("需要有效的 API 密钥")
        expect(page.locator("#draft-export")).to_be_hidden()

        page.get_by_text("API 密钥", exact=True).click()
        page.get_by_label("密钥").fill(SEARCH_KEY)
        page.get_by_label("密钥").press("Enter")
        page.get_by_role("button", name="生成", exact=True).click()
        expect(page.locator("#draft-list .cited-citation").first).to_contain_text(LAW)
        expect(page.locator("#draft-error")).to_be_hidden()

        with page.expect_download() as download_info:
            page.get_by_role("button", name="下载 Markdown").click()
        saved = tmp_path / "plan.md"
        download_info.value.save_as(saved)
        assert download_info.value.suggested_filename.endswith(".md")
        assert f"| 1 | {PROBLEMS[1]} |" in saved.read_text(encoding="utf-8")

        page.get_by_role("tab", name="整改方案").focus()
        page.keyboard.press("ArrowLeft")  # tabs follow the ARIA pattern
        expect(page.get_by_role("tab", name="条款检索")).to_be_focused()
        expect(page.locator("#panel-search")).to_be_visible()
        expect(page.locator("#panel-drafts")).to_be_hidden()
        assert errors == []


def test_the_drafted_signoff_is_shown_cited_and_stays_editable(sync_api, tmp_path):
    from tests.fakes import BigramEmbedder
    from tests.service.test_signoff import RULES, _index

    expect = sync_api.expect
    embedder = BigramEmbedder()
    _index(tmp_path, {"rules": (RULES, "东川市")}, embedder)
    rules = "《东川市生态环境问题整改验收销号规定》"
    with serve(Settings(index_dir=tmp_path / "index"), embedder) as url, browser_page(sync_api, f"{url}#drafts") as (page, errors):
        page.get_by_label("督察反馈问题").fill(PROBLEMS[0])
        page.get_by_role("button", name="生成", exact=True).click()
        card = page.locator("#draft-list > li").first
        signoff, evidence = card.get_by_label("销号（验收）标准", exact=True), card.get_by_label("佐证材料", exact=True)
        expect(signoff).to_have_value(re.compile(f"^符合{rules}第五条规定的销号条件：（一）整改任务全部完成"))
        expect(evidence).to_have_value(re.compile(f"^按照{rules}第七条第一款规定提交：（一）销号申请表"))
        expect(page.locator("#draft-status")).to_contain_text(f"已按{rules}第五条、{rules}第七条第一款起草")
        signoff.fill("暗管全部封堵，经现场核查无反弹")
        with page.expect_download() as download_info:
            page.get_by_role("button", name="下载 Word (.docx)").click()
        saved = tmp_path / "plan.docx"
        download_info.value.save_as(saved)
        text = "\n".join(p.text for p in Document(str(saved)).paragraphs)
        assert "暗管全部封堵，经现场核查无反弹。" in text and f"符合{rules}第五条" not in text  # the edit, not the draft
        assert f"按照{rules}第七条第一款规定提交" in text
        assert errors == []
