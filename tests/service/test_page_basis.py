"""The 依据链 panel, the 引用核验 tab and the citation check before a plan's download, in headless Chromium, over the
basis corpus (tests/basis.py): a law in two versions, a provincial 办法 citing it and repealing its 暂行办法, a
city's measures restating it, a 办法 not yet in force, and one extra rule citing a text that is not indexed."""

from __future__ import annotations

import pytest

from service.settings import Settings
from tests.basis import write_basis_corpus
from tests.conftest import index_folder
from tests.fakes import BigramEmbedder
from tests.service.test_page_browser import browser_page, serve, sync_api  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
LAW = "《中华人民共和国示例环境法》"
RULE = "《西山省排污监督办法》"
MEASURES = "《东湖市排污整治措施》"
# A rule citing a regulation the index does not hold: its reference stays unresolved (未收录).
DUST = {"南岭市扬尘管理规定(2023-05-01).txt": "南岭市扬尘管理规定\n"
        "第一条　施工工地应当采取覆盖、洒水等扬尘防治措施，并遵守《东海省大气条例》第三条的规定。\n"
        "第二条　本规定自2023年5月1日起施行。\n"}
CHECKED = ("根据《中华人民共和国示例环境法》第三条第二款，严禁通过暗管排放污染物；"
           "另见《示例环境法》第九十九条、\n《西山省排污监督暂行办法》第二条和《东海省大气条例》第三条。")


@pytest.fixture(scope="module")
def basis_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("basis-page")
    folder = write_basis_corpus(root / "corpus")
    for name, text in DUST.items():
        (folder / name).write_text(text, encoding="utf-8")
    embedder = BigramEmbedder()
    return index_folder(folder, root / "index", embedder), embedder


def _search(page, query):
    page.get_by_label("检索词或引用").fill(query)
    page.keyboard.press("Enter")
    return page.locator("#results > li").first


def test_the_basis_chain_leads_from_a_rule_up_to_the_law_and_back_down(sync_api, basis_index, tmp_path):
    expect = sync_api.expect

    out, embedder = basis_index
    with serve(Settings(index_dir=out), embedder) as url, browser_page(sync_api, url) as (page, errors):
        hit = _search(page, "西山省排污监督办法第二条")
        expect(hit.locator(".citation")).to_have_text(f"{RULE}第二条")
        toggle = hit.get_by_role("button", name="依据链")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        panel = hit.locator(".result-basis")
        steps = panel.locator(".basis-chain > li")
        expect(steps).to_have_count(2)
        expect(steps.nth(0)).to_contain_text(f"{RULE}第二条")
        expect(steps.nth(1).locator(".basis-link")).to_have_text(f"{LAW}第三条第一款")
        expect(steps.nth(1).locator(".basis-how")).to_have_text("引用")
        toggle.click()
        expect(panel).to_be_hidden()
        toggle.click()
        expect(steps).to_have_count(2)  # shown again without a second request's flicker

        # One click on the law's step: its context, with its own panel listing what carries it out below.
        steps.nth(1).get_by_role("button").click()
        expect(page.locator("#context-title")).to_contain_text(LAW)
        current = page.locator("#units li.current")
        expect(current).to_contain_text(f"{LAW}第三条第一款")
        expect(current).to_contain_text("安装使用监测设备")
        basis = page.locator("#context-basis")
        expect(basis.locator(".basis-chain > li")).to_have_count(1)  # the law rests on nothing higher
        expect(basis.locator(".basis-chain .basis-self")).to_contain_text(f"{LAW}第三条")
        expect(basis).to_contain_text("未发现上位依据")
        below = basis.locator(".basis-implemented li")
        expect(below).to_have_count(2)
        expect(basis.locator(".basis-implemented .basis-heading")).to_have_text("下位落实条款（2）")
        expect(below.nth(0).locator(".basis-link")).to_have_text(f"{RULE}第二条")
        expect(below.nth(0).locator(".basis-how")).to_have_text("引用")
        expect(below.nth(1).locator(".basis-link")).to_have_text(f"{MEASURES}第二条")
        expect(below.nth(1).locator(".basis-how")).to_contain_text("转述（相似度 0.")
        expect(basis.locator(".basis-penalties .basis-link")).to_contain_text(LAW)  # the duty's penalty, in the law
        expect(basis.locator(".basis-penalties .basis-how")).to_have_text("罚则")
        # 被引用 lists only what 下位落实条款 does not already: here nothing else cites it.
        expect(basis.locator(".basis-cited-by")).to_have_count(0)
        page.screenshot(path=str(tmp_path / "basis-context.png"), full_page=True)

        # Down to the city's measures: their chain climbs back to the law, by restatement.
        below.nth(1).get_by_role("button").click()
        expect(page.locator("#context-title")).to_contain_text(MEASURES)
        chain = basis.locator(".basis-chain > li")
        expect(chain).to_have_count(2)
        expect(chain.nth(0).locator(".basis-self")).to_have_text(f"{MEASURES}第二条")
        expect(chain.nth(1).locator(".basis-link")).to_contain_text(f"{LAW}第三条")
        expect(chain.nth(1).locator(".basis-how")).to_contain_text("转述")

        # The purpose clause rests on the law as a whole (根据《…》): the chain ends in the document, unlinked.
        hit = _search(page, "西山省排污监督办法第一条")
        expect(hit.locator(".citation")).to_have_text(f"{RULE}第一条")
        hit.get_by_role("button", name="依据链").click()
        steps = hit.locator(".basis-chain > li")
        expect(steps).to_have_count(2)
        expect(steps.nth(1).locator(".basis-plain")).to_have_text(LAW)
        expect(steps.nth(1).locator(".basis-how")).to_have_text("文件依据")
        expect(steps.nth(1).locator("button")).to_have_count(0)

        # A reference to a text the index lacks is listed unlinked, marked 未收录.
        hit = _search(page, "南岭市扬尘管理规定第一条")
        expect(hit.locator(".citation")).to_have_text("《南岭市扬尘管理规定》第一条")
        hit.get_by_role("button", name="依据链").click()
        cites = hit.locator(".basis-cites li")
        expect(cites).to_have_count(1)
        expect(cites.locator(".basis-plain")).to_have_text("《东海省大气条例》第三条")
        expect(cites.locator(".basis-missing")).to_have_text("未收录")
        expect(cites.locator("button")).to_have_count(0)
        expect(hit.locator(".result-basis")).to_contain_text("未发现上位依据")
        assert errors == []


def test_the_citation_check_marks_every_citation_with_its_verdict(sync_api, basis_index, tmp_path):
    expect = sync_api.expect

    out, embedder = basis_index
    with serve(Settings(index_dir=out), embedder) as url, browser_page(sync_api, url) as (page, errors):
        page.get_by_role("tab", name="引用核验").click()
        expect(page.locator("#panel-check")).to_be_visible()
        expect(page.locator("#panel-search")).to_be_hidden()
        assert page.evaluate("location.hash") == "#check"

        page.get_by_label("待核验文本").fill(CHECKED)
        page.get_by_role("button", name="核验", exact=True).click()
        summary = page.locator("#check-summary")
        expect(summary).to_contain_text("共 4 处引用，其中 3 处有问题")
        expect(summary).to_have_class("check-summary has-problems")

        marks = page.locator("#check-text mark")
        expect(marks).to_have_count(4)
        expected = [
            ("《中华人民共和国示例环境法》第三条第二款", "verdict-ok", "is-ok"),
            ("《示例环境法》第九十九条", "verdict-no_article", "is-error"),
            ("《西山省排污监督暂行办法》第二条", "verdict-repealed", "is-error"),
            ("《东海省大气条例》第三条", "verdict-unknown_document", "is-error"),
        ]
        for at, (text, verdict, severity) in enumerate(expected):
            mark = marks.nth(at)
            expect(mark).to_have_text(text)
            assert {"cite-mark", verdict, severity} <= set(mark.get_attribute("class").split())
        # The text itself is shown unchanged around the marks, line break included.
        assert page.locator("#check-text").evaluate("node => node.textContent") == CHECKED

        items = page.locator("#check-list > li")
        expect(items).to_have_count(4)
        assert items.locator(".verdict-label").all_inner_texts() == ["正确", "条不存在", "已废止", "文件未收录"]
        expect(items.nth(0).locator(".quote")).to_contain_text("严禁通过暗管")
        expect(items.nth(1).locator(".check-message")).to_contain_text("没有第九十九条")
        expect(items.nth(1).locator(".check-suggest")).to_contain_text(f"可能是：{LAW}第")
        expect(items.nth(2).locator(".check-message")).to_contain_text(f"见{RULE}")
        expect(items.nth(3).locator(".check-message")).to_contain_text("东海省大气条例")
        page.screenshot(path=str(tmp_path / "check-tab.png"), full_page=True)

        # An ok citation opens in the search tab's context view.
        items.nth(0).get_by_role("button", name="查看上下文").click()
        expect(page.locator("#panel-search")).to_be_visible()
        expect(page.locator("#units li.current")).to_contain_text("严禁通过暗管")
        assert errors == []


def test_a_plan_citing_a_rule_not_yet_in_force_waits_for_a_second_click(sync_api, basis_index, tmp_path):
    expect = sync_api.expect

    out, embedder = basis_index
    with serve(Settings(index_dir=out), embedder) as url, browser_page(sync_api, f"{url}#drafts") as (page, errors):
        downloads = []
        page.on("download", lambda download: downloads.append(download))
        page.get_by_label("督察反馈问题").fill("部分企业未规范排污许可")
        page.get_by_role("button", name="生成", exact=True).click()
        pending = "《西山省排污许可办法》第一条"
        card = page.locator("#draft-list > li").first
        expect(card.locator(".cited-citation", has_text=pending)).to_have_count(1)

        page.get_by_role("button", name="下载 Word (.docx)").click()
        check = page.locator("#draft-check")
        expect(check).to_be_visible()
        expect(check.locator("#draft-check-summary")).to_contain_text("有 1 处问题")
        problem = check.locator(".check-item")
        expect(problem).to_have_count(1)
        expect(problem.locator(".verdict-label")).to_have_text("尚未施行")
        expect(problem.locator(".check-cited")).to_have_text(pending)
        expect(page.locator("#draft-status")).to_contain_text("1 处引用需要核对")
        page.screenshot(path=str(tmp_path / "draft-check.png"), full_page=True)
        page.wait_for_timeout(200)
        assert downloads == []  # nothing saved before the second click

        with page.expect_download() as download_info:
            page.get_by_role("button", name="仍然下载").click()
        assert download_info.value.suggested_filename.endswith(".docx")
        expect(check).to_be_hidden()
        expect(page.locator("#draft-status")).to_contain_text("已下载")

        # Without the rule the check finds nothing, and the file downloads on the first click.
        page.get_by_role("button", name="下载 Markdown").click()
        expect(check).to_be_visible()
        card.get_by_role("button", name=f"移除依据：{pending}", exact=True).click()
        expect(check).to_be_hidden()  # the plan changed: the last check no longer applies
        with page.expect_download() as download_info:
            page.get_by_role("button", name="下载 Markdown").click()
        saved = tmp_path / "plan.md"
        download_info.value.save_as(saved)
        plan = saved.read_text(encoding="utf-8")
        assert f"{LAW}第三条第一款" in plan and pending not in plan
        expect(check).to_be_hidden()
        assert errors == []
