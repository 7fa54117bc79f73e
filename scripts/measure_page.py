"""What the page costs a person, counted in headless Chromium: key presses to each problem's first field, the
searches sent while a year is typed, and how much of a citation lookup's hits is marked.

    python scripts/measure_page.py --index var/index [--static DIR] [--queries ../shared/eval/eco_dev.jsonl ...]

`--static` serves another copy of service/static (e.g. an earlier commit's, from `git show`) to compare pages.
The marking figures compare, on the same hits, the words the search ranks by (what was marked before) with
the words the person typed besides citations (what is marked now).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

PROBLEMS = ["部分企业通过暗管渗井偷排污水，逃避监管", "企业违法排污被罚款后拒不改正", "县城污水处理厂超负荷运行"]
YEAR_TYPED = ["2019-12-31", "0002-12-31", "0020-12-31", "0202-12-31", "2020-12-31"]
MAX_PRESSES = 300


def key_presses_to_fields(page) -> list[int]:
    """Per problem, the Tab (and Enter, on a skip link) presses from the key before it to its first field."""
    from playwright.sync_api import expect

    page.get_by_role("tab", name="整改方案").click()
    page.get_by_label("督察反馈问题").fill("\n".join(PROBLEMS))
    page.get_by_role("button", name="生成", exact=True).click()
    cards = page.locator("#draft-list > li")
    expect(cards).to_have_count(len(PROBLEMS))
    page.get_by_role("button", name="生成", exact=True).focus()
    counts = []
    for at in range(len(PROBLEMS)):
        card = cards.nth(at)
        presses = 0
        while presses < MAX_PRESSES:
            if card.locator(".draft-fields [data-field]").first.evaluate("node => node === document.activeElement"):
                break
            on_skip = page.evaluate("document.activeElement.classList.contains('skip-fields')")
            page.keyboard.press("Enter" if on_skip else "Tab")
            presses += 1
        counts.append(presses)
        card.locator(".draft-fields [data-field]").last.focus()  # the next problem starts from this one's last field
    return counts


def searches_while_typing_a_year(page) -> dict:
    """/search requests and error answers while a date's year is typed over, as the browser reports each key."""
    asked, failed = [], []
    page.on("request", lambda request: "/search?" in request.url and asked.append(request.url))
    page.on("response", lambda response: "/search?" in response.url and response.status >= 400 and failed.append(response.status))
    page.get_by_role("tab", name="条款检索").click()
    page.get_by_label("检索词或引用").fill("按日连续处罚")
    page.keyboard.press("Enter")
    page.locator("#results > li").first.wait_for()
    page.wait_for_timeout(500)
    before = len(asked)
    page.evaluate("""async (values) => {
        const field = document.getElementById("date-to");
        field.focus();
        for (const value of values) {
            field.value = value;
            field.dispatchEvent(new Event("input", { bubbles: true }));
            field.dispatchEvent(new Event("change", { bubbles: true }));
            await new Promise((done) => setTimeout(done, 150));
        }
    }""", YEAR_TYPED)
    page.wait_for_timeout(1500)
    return {"searches": len(asked) - before, "errors": len(failed)}


def page_figures(index_dir: Path, static: Path | None) -> dict:
    import socket
    import threading
    import time

    import uvicorn
    from playwright.sync_api import sync_playwright

    import service.app
    from service.settings import Settings

    if static is not None:
        service.app.STATIC = static
    app = service.app.create_app(Settings(index_dir=index_dir))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", ws="none", lifespan="on"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.1)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
            page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
            page.set_default_timeout(30_000)
            page.goto(url)
            figures = {"key_presses": key_presses_to_fields(page), "year_typed": searches_while_typing_a_year(page)}
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return figures


def marking_figures(index_dir: Path, query_files: list[Path]) -> dict:
    """Over the citation queries of the evaluation files: the share of the first ten hits' characters marked."""
    from service.retrieval.loaded import load_index
    from service.retrieval.ranking import RankingConfig
    from service.retrieval.results import highlights
    from service.retrieval.searcher import Searcher

    searcher = Searcher(load_index(index_dir, None), None, RankingConfig(rerank=False))  # BM25: no model needed
    queries = [row["query"] for path in query_files for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())
               if row.get("kind") == "citation"]
    totals = {"queries": len(queries), "hits": 0, "chars": 0, "marked_ranking_words": 0, "marked_typed_words": 0}
    for query in queries:
        outcome = searcher.search(query, top_k=10, mode="bm25")
        for hit in outcome.hits:
            text = searcher.index.clauses[hit.clause].text
            totals["hits"] += 1
            totals["chars"] += len(text)
            totals["marked_ranking_words"] += sum(end - start for start, end in highlights(text, outcome.tokens))
            totals["marked_typed_words"] += sum(end - start for start, end in highlights(text, outcome.query_tokens))
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("var/index"))
    parser.add_argument("--static", type=Path, default=None, help="another copy of service/static to serve")
    parser.add_argument("--queries", type=Path, nargs="*", default=[])
    args = parser.parse_args()
    figures = page_figures(args.index, args.static)
    if args.queries:
        figures["marking"] = marking_figures(args.index, args.queries)
    print(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
