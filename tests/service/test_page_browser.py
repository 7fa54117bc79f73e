"""The search page in Debian's headless Chromium, driven by Playwright against a live uvicorn server."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from service.app import create_app
from service.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

pytestmark = pytest.mark.browser
ADMIN_KEY = "admin-key-0123456789"
SEARCH_KEY = "search-key-0123456789"


@contextmanager
def serve(settings: Settings, embedder):
    """The app served by uvicorn on a free localhost port, in a background thread; yields its URL."""
    import uvicorn

    app = create_app(settings, embedder=embedder)
    # ws="none": the page needs no websockets, so uvicorn imports no websockets library.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="none", lifespan="on"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture
def sync_api():
    """Playwright's sync API, or a skip when the system Chromium or the playwright package is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    return pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install playwright)")


@contextmanager
def browser_page(sync_api, url: str):
    """A 1280-wide page of headless Chromium at `url`, clipboard allowed, with the list of script errors it raises."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url.rstrip("/"))
            context.set_default_timeout(5000)
            page = context.new_page()
            errors: list = []
            page.on("pageerror", lambda error: errors.append(error))
            page.goto(url)
            yield page, errors
        finally:
            browser.close()


def test_search_copy_and_context(sync_api, small_index, tmp_path):
    expect = sync_api.expect

    out, embedder = small_index
    with serve(Settings(index_dir=out), embedder) as url, browser_page(sync_api, url) as (page, errors):
        expect(page.locator("#doc-type option", has_text="讲话")).to_have_count(1)  # choices from /documents
        page.get_by_label("检索词或引用").fill("按日连续处罚")
        page.keyboard.press("Enter")

        first = page.locator("#results > li").first
        expect(first.locator(".citation")).to_contain_text("《中华人民共和国环境保护法》第五十九条")
        expect(first.locator("mark").first).to_be_visible()
        expect(page.locator("#status")).to_contain_text("毫秒")
        citation = first.locator(".citation").inner_text()

        first.get_by_role("button", name="复制引用").click()
        expect(first.locator(".copied")).to_have_text("已复制")
        assert page.evaluate("navigator.clipboard.readText()") == citation

        first.get_by_role("button", name="查看上下文").click()
        current = page.locator("#outline li.current")
        expect(current).to_have_count(1)
        expect(current).to_contain_text("第六章　法律责任")
        expect(page.locator("#units li.current")).to_contain_text("按日连续处罚")
        expect(page.locator("#units li.current mark").first).to_be_visible()

        shot = tmp_path / "search-page.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 1000
        page.set_viewport_size({"width": 390, "height": 844})
        narrow = tmp_path / "search-page-narrow.png"
        page.screenshot(path=str(narrow))
        assert narrow.stat().st_size > 1000

        page.get_by_role("button", name="关闭上下文").click()
        expect(page.locator("#context")).to_be_hidden()
        assert errors == []


def test_a_notice_stands_above_the_hits_and_types_follow_authority(sync_api, small_index, tmp_path):
    expect = sync_api.expect

    out, embedder = small_index
    with serve(Settings(index_dir=out), embedder) as url, browser_page(sync_api, url) as (page, errors):
        types = page.locator("#doc-type option")
        expect(types).to_have_count(5)
        assert types.all_inner_texts() == ["全部", "法律", "行政法规", "地方性法规", "讲话"]  # by authority
        page.get_by_label("检索词或引用").fill("环保法第五十九条第九款")
        page.keyboard.press("Enter")
        notice = page.locator("#notice")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("第五十九条只有两款")
        first = page.locator("#results > li").first
        expect(first.locator(".citation")).to_have_text("《中华人民共和国环境保护法》第五十九条")
        assert page.evaluate("document.getElementById('notice').compareDocumentPosition(document.getElementById('results')) & 4")
        page.screenshot(path=str(tmp_path / "notice.png"))

        page.get_by_label("检索词或引用").fill("按日连续处罚")
        page.keyboard.press("Enter")
        expect(page.locator("#results > li").first.locator(".citation")).to_contain_text("第五十九条")
        expect(notice).to_be_hidden()
        assert errors == []


def test_api_errors_are_shown_and_the_key_is_sent(sync_api, small_index):
    expect = sync_api.expect

    out, embedder = small_index
    settings = Settings(index_dir=out, admin_keys=[ADMIN_KEY], search_keys=[SEARCH_KEY])
    with serve(settings, embedder) as url, browser_page(sync_api, url) as (page, errors):
        error = page.locator("#error")
        expect(error).to_contain_text("需要有效的 API 密钥")  # from /documents, answered in the error shape
        expect(error).to_contain_text("请求编号")

        page.get_by_text("API 密钥", exact=True).click()
        page.get_by_label("密钥").fill(SEARCH_KEY)
        page.get_by_label("密钥").press("Enter")
        expect(page.get_by_label("密钥")).to_be_hidden()
        page.get_by_label("检索词或引用").fill("按日连续处罚")
        page.get_by_role("button", name="检索", exact=True).click()
        first = page.locator("#results > li").first
        expect(first.locator(".citation")).to_contain_text("第五十九条")
        expect(error).to_be_hidden()

        # The fallback for pages without the async clipboard (plain http on another host): textarea + execCommand.
        page.evaluate("() => { navigator.clipboard.writeText = () => Promise.reject(new Error('not allowed')); }")
        first.get_by_role("button", name="复制引用").click()
        expect(first.locator(".copied")).to_have_text("已复制")
        assert page.evaluate("navigator.clipboard.readText()") == first.locator(".citation").inner_text()
        assert page.evaluate("localStorage.getItem('policy-search.api-key')") == SEARCH_KEY
        assert errors == []
