"""The page's rough edges, each driven in headless Chromium on a desktop (1280 px) and a phone (390 px): dates,
paging, the context panel, highlights, 查看上下文 from 引用核验, focus after a download, skip links, the favicon."""

from __future__ import annotations

import re
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

import pytest

from service.settings import Settings
from tests.service.test_page_browser import CHROMIUM, CHROMIUM_ARGS, serve, sync_api  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
LAW = "《中华人民共和国环境保护法》"
ENGLISH_WORDS = re.compile(r"[A-Za-z]{4,}")


@pytest.fixture(params=list(WIDTHS))
def viewport(request):
    return request.param, WIDTHS[request.param]


@contextmanager
def page_at(sync_api, url: str, size: dict):
    """A page of headless Chromium at `url` in a window of `size`, with the script errors and failed responses it saw."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=size, locale="zh-CN", accept_downloads=True)
            context.set_default_timeout(5000)
            page = context.new_page()
            seen = {"errors": [], "failed": [], "searches": []}
            page.on("pageerror", lambda error: seen["errors"].append(error))
            page.on("response", lambda response: response.status >= 400 and seen["failed"].append((response.status, response.url)))
            page.on("request", lambda request: "/search?" in request.url and seen["searches"].append(request.url))
            page.goto(url)
            yield page, seen
        finally:
            browser.close()


def _search(page, query):
    page.get_by_label("检索词或引用").fill(query)
    page.keyboard.press("Enter")


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] and box["x"] + box["width"] <= size["width"]


def _asked(url: str) -> dict:
    return {name: values[0] for name, values in parse_qs(urlparse(url).query).items()}


def test_a_date_searches_only_when_whole_and_errors_are_in_chinese(sync_api, small_index, viewport):
    expect = sync_api.expect
    _, size = viewport

    out, embedder = small_index
    with serve(Settings(index_dir=out), embedder) as url, page_at(sync_api, url, size) as (page, seen):
        _search(page, "按日连续处罚")
        expect(page.locator("#results > li").first).to_be_visible()
        date_to = page.locator("#date-to")
        date_to.fill("2019-12-31")
        expect(page).to_have_url(re.compile("date_to=2019-12-31"))
        expect(page.locator("#results > li").first).to_be_visible()
        before = len(seen["searches"])

        # Typing a year over the one there: the field reads 0002-12-31, 0020-12-31, 0202-12-31, then 2020-12-31, an
        # input event at each key (played as the browser fires them: its field order follows the system's locale).
        date_to.focus()
        page.evaluate("""async () => {
            const field = document.getElementById("date-to");
            for (const value of ["0002-12-31", "0020-12-31", "0202-12-31", "2020-12-31"]) {
                field.value = value;
                field.dispatchEvent(new Event("input", { bubbles: true }));
                field.dispatchEvent(new Event("change", { bubbles: true }));
                await new Promise((done) => setTimeout(done, 150));
            }
        }""")
        expect(page).to_have_url(re.compile("date_to=2020-12-31"))
        page.wait_for_timeout(1000)
        asked = [_asked(each).get("date_to") for each in seen["searches"][before:]]
        assert asked == ["2020-12-31"]  # one search, on the whole date
        assert seen["failed"] == []

        # A reversed range: said in Chinese, and nothing asked of the service.
        before = len(seen["searches"])
        page.locator("#date-from").fill("2021-01-01")
        error = page.locator("#error")
        expect(error).to_contain_text("起始日期 2021-01-01 晚于截止日期 2020-12-31")
        assert not ENGLISH_WORDS.search(error.inner_text())
        expect(page.locator("#date-from")).to_have_attribute("aria-invalid", "")  # both marked
        expect(date_to).to_have_attribute("aria-invalid", "")
        page.wait_for_timeout(900)
        assert len(seen["searches"]) == before
        page.locator("#date-from").fill("2020-01-01")
        expect(error).to_be_hidden()
        expect(page).to_have_url(re.compile("date_from=2020-01-01"))

        # What the service says in English reaches the person in Chinese.
        page.route("**/search?*", lambda route: route.fulfill(status=422, content_type="application/json", body=(
            '{"error": {"status": 422, "code": "invalid_query", "request_id": "r1",'
            ' "message": "date_from 2021-01-01 is after date_to 2020-12-31: no date can fall between them"}}')))
        page.get_by_role("button", name="检索", exact=True).click()
        expect(error).to_contain_text("起始日期 2021-01-01 晚于截止日期 2020-12-31")
        expect(error).to_contain_text("请求编号 r1")
        assert not ENGLISH_WORDS.search(error.inner_text())
        page.unroute("**/search?*")
        page.route("**/search?*", lambda route: route.fulfill(status=500, content_type="application/json", body=(
            '{"error": {"status": 500, "code": "internal_error", "request_id": "r2",'
            ' "message": "internal error; quote the request id when reporting it"}}')))
        page.get_by_role("button", name="检索", exact=True).click()
        expect(error).to_contain_text("请求编号 r2")
        expect(error).to_contain_text("服务器内部错误")
        assert not ENGLISH_WORDS.search(error.inner_text())
        assert seen["errors"] == []


def test_results_page_on_past_ten(sync_api, small_index, viewport):
    expect = sync_api.expect
    _, size = viewport

    out, embedder = small_index
    with serve(Settings(index_dir=out), embedder) as url, page_at(sync_api, url, size) as (page, seen):
        _search(page, "污染 整改")
        hits = page.locator("#results > li")
        expect(hits).to_have_count(10)
        first_ten = hits.evaluate_all("items => items.map(item => item.dataset.clauseId)")
        more = page.get_by_role("button", name="更多结果")
        more.click()
        expect(hits.nth(10)).to_be_visible()
        ids = hits.evaluate_all("items => items.map(item => item.dataset.clauseId)")
        assert ids[:10] == first_ten and len(set(ids)) == len(ids) > 10  # the first ten stay; new ones follow
        assert _asked(seen["searches"][-1])["top_k"] == "20"
        assert page.evaluate("document.activeElement.closest('#results > li') === document.querySelectorAll('#results > li')[10]")
        expect(page.locator("#status")).to_contain_text(f"显示前 {len(ids)} 条结果")
        if len(ids) < 20:  # the index has no more: the button goes
            expect(more).to_be_hidden()
        assert seen["errors"] == [] and seen["failed"] == []


def test_the_context_panel_opens_at_its_top_with_the_chain_first(sync_api, small_index, viewport):
    expect = sync_api.expect
    name, size = viewport

    out, embedder = small_index
    with serve(Settings(index_dir=out), embedder) as url, page_at(sync_api, url, size) as (page, seen):
        _search(page, "按日连续处罚")
        opener = page.locator("#results > li").first.get_by_role("button", name="查看上下文")
        opener.click()
        panel = page.locator("#context")
        expect(page.locator("#units li.current")).to_contain_text("按日连续处罚")
        expect(page.locator("#context-basis .basis-chain")).to_be_visible()
        heading = page.locator("#context-heading")
        expect(heading).to_be_focused()
        close = page.get_by_role("button", name="关闭上下文")
        assert _in_view(page, heading) and _in_view(page, close)
        assert panel.evaluate("node => node.scrollTop") == 0
        # 依据链 first, then the clause among its neighbours, the outline last.
        order = panel.evaluate("""node => ['#context-basis', '#units', '#outline'].map(
            selector => node.querySelector(selector).getBoundingClientRect().top)""")
        assert order == sorted(order)

        if name == "phone":  # the panel is the whole screen: 关闭 stays in view however far it scrolls
            assert panel.evaluate("node => node.scrollHeight > node.clientHeight")
            panel.evaluate("node => { node.scrollTop = node.scrollHeight; }")
            page.wait_for_timeout(100)
            assert panel.evaluate("node => node.scrollTop") > 0
            assert _in_view(page, close)
        address = page.url
        page.go_back()  # the back button closes the panel and stays on the page
        expect(panel).to_be_hidden()
        assert page.url == address
        expect(opener).to_be_focused()
        expect(page.locator("#results > li").first).to_be_visible()

        opener.click()  # 关闭 closes it too, and leaves no history entry behind
        expect(heading).to_be_focused()
        close.click()
        expect(panel).to_be_hidden()
        expect(opener).to_be_focused()
        page.wait_for_function("history.state === null")

        # From the last hit, far down the list, the panel still opens with its title in view.
        _search(page, "污染 整改")
        last = page.locator("#results > li").nth(9)
        last.get_by_role("button", name="查看上下文").click()
        expect(heading).to_be_focused()
        assert _in_view(page, heading) and _in_view(page, close)
        assert seen["errors"] == [] and seen["failed"] == []


def test_a_citation_lookup_marks_the_words_typed_not_the_cited_article(sync_api, small_index, viewport):
    expect = sync_api.expect
    _, size = viewport

    out, embedder = small_index
    with serve(Settings(index_dir=out), embedder) as url, page_at(sync_api, url, size) as (page, seen):
        _search(page, "环保法第五十九条")
        first = page.locator("#results > li").first
        expect(first.locator(".citation")).to_have_text(f"{LAW}第五十九条")
        expect(page.locator("#results mark")).to_have_count(0)

        _search(page, "环保法第五十九条 按日连续处罚")
        expect(first.locator(".citation")).to_have_text(f"{LAW}第五十九条")
        marks = first.locator(".text mark")
        expect(marks.first).to_be_visible()
        assert "按日连续处罚" in marks.all_inner_texts()
        assert set(marks.all_inner_texts()) <= {"按日连续处罚", "按日连续", "连续处罚", "按日", "连续", "处罚"}
        assert seen["errors"] == []


def test_view_context_from_the_check_tab_shows_the_clause(sync_api, small_index, viewport):
    expect = sync_api.expect
    name, size = viewport

    out, embedder = small_index
    with serve(Settings(index_dir=out), embedder) as url, page_at(sync_api, f"{url}#check", size) as (page, seen):
        page.get_by_label("待核验文本").fill(f"依据{LAW}第五十九条第一款，对拒不改正的企业按日连续处罚。")
        page.get_by_role("button", name="核验", exact=True).click()
        item = page.locator("#check-list > li").first
        expect(item.locator(".verdict-label")).to_have_text("正确")
        opener = item.get_by_role("button", name="查看上下文")
        opener.click()

        expect(page.locator("#panel-search")).to_be_visible()
        expect(page.locator("#units li.current")).to_contain_text("按日连续处罚")
        hits = page.locator("#results > li")  # the left side holds the clause, not an empty search
        expect(hits).to_have_count(1)
        expect(hits.first.locator(".citation")).to_have_text(f"{LAW}第五十九条第一款")  # as checked
        expect(page.locator("#units li.current .unit-label")).to_contain_text(f"{LAW}第五十九条第一款")
        expect(page.locator("#status")).to_contain_text("引用核验")
        expect(page.get_by_label("检索词或引用")).to_have_value(f"{LAW}第五十九条第一款")
        if name == "desktop":
            assert _in_view(page, hits.first.locator(".citation"))

        page.get_by_role("button", name="关闭上下文").click()  # back to where it was opened
        expect(page.locator("#panel-check")).to_be_visible()
        expect(opener).to_be_focused()
        assert seen["errors"] == [] and seen["failed"] == []


def _draft(page, expect, problems):
    page.get_by_role("tab", name="整改方案").click()
    page.get_by_label("督察反馈问题").fill("\n".join(problems))
    page.get_by_role("button", name="生成", exact=True).click()
    cards = page.locator("#draft-list > li")
    expect(cards).to_have_count(len(problems))
    return cards


def test_focus_returns_to_the_button_after_a_download(sync_api, small_index, viewport):
    expect = sync_api.expect
    _, size = viewport

    out, embedder = small_index
    with serve(Settings(index_dir=out), embedder) as url, page_at(sync_api, url, size) as (page, seen):
        _draft(page, expect, ["企业违法排污被罚款后拒不改正"])
        for name in ("下载 Word (.docx)", "下载 Markdown"):
            button = page.get_by_role("button", name=name)
            button.focus()
            with page.expect_download():
                page.keyboard.press("Enter")
            expect(page.locator("#draft-status")).to_contain_text("已下载")
            expect(button).to_be_focused()
        assert seen["errors"] == [] and seen["failed"] == []


def test_a_problems_fields_are_a_few_tab_presses_away(sync_api, small_index, viewport):
    expect = sync_api.expect
    _, size = viewport

    out, embedder = small_index
    with serve(Settings(index_dir=out), embedder) as url, page_at(sync_api, url, size) as (page, seen):
        cards = _draft(page, expect, ["部分企业通过暗管渗井偷排污水，逃避监管", "企业违法排污被罚款后拒不改正"])
        page.get_by_role("button", name="生成", exact=True).focus()
        for number, card in enumerate((cards.nth(0), cards.nth(1)), start=1):
            page.keyboard.press("Tab")  # from 生成, or from the last field of the problem before
            expect(card.get_by_role("link", name=f"填写问题 {number} 的整改安排")).to_be_focused()
            page.keyboard.press("Enter")
            expect(card.locator(".draft-fields [data-field]").first).to_be_focused()
            assert _in_view(page, card.locator(".draft-fields [data-field]").first)
            page.keyboard.type(f"措施{number}")
            card.locator(".draft-fields [data-field]").last.focus()
        expect(cards.nth(1).locator(".draft-fields [data-field]").first).to_have_value("措施2")
        assert seen["errors"] == []


def test_the_page_at_both_widths_has_a_favicon_and_fits(sync_api, small_index, viewport, tmp_path):
    expect = sync_api.expect
    name, size = viewport

    out, embedder = small_index
    with serve(Settings(index_dir=out), embedder) as url, page_at(sync_api, url, size) as (page, seen):
        icon = page.request.get(f"{url}favicon.ico")
        assert icon.status == 200 and icon.body()[:4] == b"\x00\x00\x01\x00"
        linked = page.locator("link[rel='icon']").get_attribute("href")
        assert page.request.get(f"{url}{linked}").status == 200
        _search(page, "按日连续处罚")
        expect(page.locator("#results > li").first).to_be_visible()
        # Nothing wider than the window: no sideways scrolling on a phone.
        assert page.evaluate("document.scrollingElement.scrollWidth") <= size["width"]
        page.screenshot(path=str(tmp_path / f"page-{name}.png"))
        assert (tmp_path / f"page-{name}.png").stat().st_size > 1000
        assert seen["errors"] == [] and seen["failed"] == []
