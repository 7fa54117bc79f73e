"""Screenshots of the page as a person sees it, on a desktop (1280 px) and a phone (390 px), for docs/.

    python scripts/page_screenshots.py --index var/index --out docs

Serves the index in-process (BM25 only when the index has no vectors) and drives Debian's headless Chromium
with Playwright: a search with its context panel, the same on a phone, the phone's full-screen panel scrolled
(its 关闭 stays in view), and the 引用核验 tab with a checked citation opened. PNGs go through `pngquant` where
it is installed (apt-get install pngquant).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
QUERY = "超标排放 拒不改正 按日连续处罚"
CHECKED = "依据《中华人民共和国环境保护法》第五十九条第一款、《环境保护法》第九十九条，对拒不改正的企业按日连续处罚。"


def serve(index_dir: Path):
    """uvicorn on a free port in a background thread; returns (url, server, thread)."""
    import uvicorn

    from service.app import create_app
    from service.settings import Settings

    app = create_app(Settings(index_dir=index_dir))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="none", lifespan="on"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 300  # the model loads first where the index has vectors
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.1)
    if not server.started:
        raise SystemExit("the service did not start")
    return f"http://127.0.0.1:{sock.getsockname()[1]}/", server, thread


def shoot(url: str, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
                page = browser.new_context(viewport=size, locale="zh-CN").new_page()
                page.set_default_timeout(30_000)
                page.goto(f"{url}?q={QUERY}")
                first = page.locator("#results > li").first
                expect(first).to_be_visible()
                if name == "phone":
                    shots.append(out / "page-search-phone.png")
                    page.screenshot(path=str(shots[-1]))
                first.get_by_role("button", name="查看上下文").click()
                expect(page.locator("#units li.current")).to_be_visible()
                expect(page.locator("#context-basis .basis-chain")).to_be_visible()
                if name == "desktop":
                    shots.append(out / "page-search-desktop.png")
                    page.screenshot(path=str(shots[-1]))
                else:
                    page.locator("#context").evaluate("node => { node.scrollTop = 420; }")
                    shots.append(out / "page-context-phone.png")
                    page.screenshot(path=str(shots[-1]))
                    page.go_back()  # closes the panel
                    expect(page.locator("#context")).to_be_hidden()
                page.context.close()
            page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
            page.goto(f"{url}#check")
            page.get_by_label("待核验文本").fill(CHECKED)
            page.get_by_role("button", name="核验", exact=True).click()
            expect(page.locator("#check-list > li").first).to_be_visible()
            shots.append(out / "page-check-desktop.png")
            page.screenshot(path=str(shots[-1]))
            page.locator("#check-list > li").first.get_by_role("button", name="查看上下文").click()
            expect(page.locator("#units li.current")).to_be_visible()  # the clause on both sides of the search tab
            shots.append(out / "page-check-context-desktop.png")
            page.screenshot(path=str(shots[-1]))
        finally:
            browser.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("var/index"))
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    url, server, thread = serve(args.index)
    try:
        for shot in shoot(url, args.out):
            if shutil.which("pngquant"):  # a palette of colours: a third of the size, the text as sharp
                subprocess.run(["pngquant", "--quality", "70-90", "--speed", "1", "--force", "--ext", ".png", str(shot)], check=True)
            print(f"{shot}  {shot.stat().st_size // 1024} KiB")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main()
