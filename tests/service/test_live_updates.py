"""Searches keep answering from one whole generation while documents are added, replaced and deleted.

Search threads run against the app while the updater publishes generation after generation. A watcher
snapshots every generation's clause ids the moment CURRENT names it: the update runs in a child process
that collects old generations itself (KEEP_GENERATIONS cannot be raised from here), and a generation is
immutable once published, so the snapshot is what a searcher of that generation can return.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from policy_search import store
from service.app import create_app
from service.settings import Settings
from tests.conftest import LAW_TEXT, SMALL_CORPUS, index_small_corpus

QUERIES = (
    "排污",
    "排放污染物 罚款",
    "暗管 渗井 逃避监管",
    "农药管理",
    "环境保护法第五十九条",
    "水污染防治",
    "环境影响评价",
    "示例大气保护法第四条",
    "示例土壤保护法 排污许可证",
    "按日连续处罚",
)
SEARCH_THREADS = 3
SHANDONG, OLD_PESTICIDES = "山东省水污染防治条例(2018-09-21).txt", "农药管理条例(2017-03-16).txt"  # replaced, deleted
AIR, SOIL = "示例大气保护法(2020-01-01).txt", "示例土壤保护法(2021-05-01).txt"  # added then replaced; added then deleted
NOISE, WATER = "示例噪声保护法(2021-06-01).txt", "示例水源保护法(2022-01-01).txt"  # added
CITED_PER_RESPONSE = 1  # results of untouched documents looked up again by citation, per search
PAUSE_S = 0.05  # between searches of one thread, so the update child is not starved of CPU


def law_text(title: str, extra: str = "") -> str:
    """LAW_TEXT under another title, with `extra` articles appended."""
    return LAW_TEXT.replace("中华人民共和国示例保护法", title) + extra


class GenerationWatcher:
    """Polls CURRENT and records each published generation's clause ids as soon as it appears."""

    def __init__(self, root: Path) -> None:
        self.index = store.IndexStore(root)
        self.clause_ids: dict[str, frozenset[str]] = {}
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="generation-watcher", daemon=True)

    def __enter__(self) -> GenerationWatcher:
        self._snapshot()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._snapshot()

    def _poll(self) -> None:
        while not self._stop.wait(0.002):
            self._snapshot()

    def _snapshot(self) -> None:
        folder = self.index.current()
        if folder is None or folder.name in self.clause_ids:
            return
        try:
            self.clause_ids[folder.name] = frozenset(c.clause_id for c in store.read_clauses(folder))
        except Exception as exc:  # a published generation must always be readable
            self.errors.append(f"{folder.name}: {exc!r}")


class SearchLoad:
    """Threads searching in a loop; every response and citation look-up is checked after the run."""

    def __init__(self, client: TestClient, untouched_doc_ids: set[str]) -> None:
        self.client = client
        self.untouched = untouched_doc_ids
        self.responses: list[tuple[int, str, list[str]]] = []  # (thread, generation, clause ids)
        self.failures: list[str] = []
        self.citations_checked = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(n,), name=f"search-{n}", daemon=True) for n in range(SEARCH_THREADS)
        ]

    def __enter__(self) -> SearchLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self, number: int) -> None:
        turn = number
        while not self._stop.wait(PAUSE_S):
            query = QUERIES[turn % len(QUERIES)]
            turn += 1
            try:
                self._search(number, query)
            except Exception as exc:  # collected: an exception in a thread would otherwise go unseen
                self._fail(f"{query}: {exc!r}")

    def _search(self, number: int, query: str) -> None:
        response = self.client.get("/search", params={"q": query, "top_k": 10})
        if response.status_code != 200:
            self._fail(f"search {query!r}: {response.status_code} {response.text[:200]}")
            return
        body = response.json()
        generation = body.get("index_generation")
        if not isinstance(generation, str) or not generation:
            self._fail(f"search {query!r}: no index_generation in {body!r:.200}")
            return
        with self._lock:
            self.responses.append((number, generation, [r["clause_id"] for r in body["results"]]))
        cited = [r for r in body["results"] if r["document"]["doc_id"] in self.untouched and r["location"]["article"]]
        for result in cited[:CITED_PER_RESPONSE]:
            lookup = self.client.get("/cite", params={"q": result["citation"]})
            if lookup.status_code != 200:
                self._fail(f"cite {result['citation']!r}: {lookup.status_code} {lookup.text[:200]}")
            elif lookup.json()["result"]["clause_id"] != result["clause_id"]:
                self._fail(
                    f"cite {result['citation']!r} in {lookup.json()['index_generation']} gave "
                    f"{lookup.json()['result']['clause_id']}, search in {generation} gave {result['clause_id']}"
                )
            with self._lock:
                self.citations_checked += 1

    def _fail(self, message: str) -> None:
        with self._lock:
            self.failures.append(message)


@pytest.fixture
def bm25_index(tmp_path: Path) -> Path:
    """The small corpus as a BM25-only index, so the update child loads no model."""
    return index_small_corpus(tmp_path)


def test_searches_answer_from_whole_generations_during_updates(bm25_index: Path):
    out = bm25_index
    base = {meta.source: meta.doc_id for meta in store.read_documents(store.IndexStore(out).require_current())}
    untouched = {doc_id for source, doc_id in base.items() if source not in (SHANDONG, OLD_PESTICIDES)}
    assert len(untouched) == 3

    app = create_app(Settings(index_dir=out), load_model=False)
    with TestClient(app, raise_server_exceptions=False) as client, GenerationWatcher(out) as watcher:
        assert "--no-embed" in app.state.updater._command([])
        tasks: list[dict] = []

        def upload(files: dict[str, str], metadata: str | None = None) -> dict:
            multipart = [("files", (name, text.encode("utf-8"), "text/plain")) for name, text in files.items()]
            data = {"metadata": metadata} if metadata else None
            response = client.post("/documents", params={"wait": 60}, files=multipart, data=data)
            assert response.status_code == 200, response.text
            tasks.append(response.json())
            return response.json()

        def delete(doc_id: str) -> dict:
            response = client.delete(f"/documents/{doc_id}", params={"wait": 60})
            assert response.status_code == 200, response.text
            tasks.append(response.json())
            return response.json()

        with SearchLoad(client, untouched) as load:
            time.sleep(0.3)  # searches of the first generation before any update
            air = upload({AIR: law_text("示例大气保护法")})
            soil_and_noise = upload(
                {SOIL: law_text("示例土壤保护法"), NOISE: law_text("示例噪声保护法")},
                metadata='{"issuer": "全国人民代表大会常务委员会"}',
            )
            air_again = upload({AIR: law_text("示例大气保护法", "\n第六条　大气污染物排放实行总量控制。\n")})
            delete(soil_and_noise["summary"]["doc_ids"][0])
            shandong_and_water = upload(
                {SHANDONG: SMALL_CORPUS[SHANDONG] + "第二十一条　本条例自公布之日起施行。\n", WATER: law_text("示例水源保护法")}
            )
            delete(base[OLD_PESTICIDES])
            time.sleep(0.3)  # searches of the last generation
        reported = {task["task_id"]: client.get(f"/tasks/{task['task_id']}").json() for task in tasks}

    # Every update was applied, in order, each publishing one generation.
    assert len(tasks) == 6
    for task in tasks:
        assert task["status"] == "done" and task["summary"]["published"], task
        assert reported[task["task_id"]]["status"] == "done" and reported[task["task_id"]]["finished"]
    assert (air["summary"]["added"], soil_and_noise["summary"]["added"]) == (1, 2)
    assert air_again["summary"]["replaced"] == 1 and air_again["summary"]["doc_ids"] == air["summary"]["doc_ids"]
    assert (shandong_and_water["summary"]["replaced"], shandong_and_water["summary"]["added"]) == (1, 1)
    assert base[SHANDONG] in shandong_and_water["summary"]["doc_ids"]
    assert all(task["summary"]["removed"] == 1 for task in tasks if task["kind"] == "delete")

    # The final generation holds exactly what the updates left.
    final = store.IndexStore(out).require_current()
    documents = {meta.source: meta for meta in store.read_documents(final)}
    assert set(documents) == {*(source for source in base if source != OLD_PESTICIDES), AIR, NOISE, WATER}
    assert documents[NOISE].issuer == "全国人民代表大会常务委员会"
    assert documents[SHANDONG].doc_id == base[SHANDONG] and documents[AIR].doc_id == air["summary"]["doc_ids"][0]
    texts = {meta.source: "".join(c.text for c in store.read_clauses(final) if c.doc_id == meta.doc_id) for meta in documents.values()}
    assert "本条例自公布之日起施行" in texts[SHANDONG] and "总量控制" in texts[AIR]
    assert {c.doc_id for c in store.read_clauses(final)} == {meta.doc_id for meta in documents.values()}

    # Searches: all answered, each from one generation whose clauses contain every result.
    assert not watcher.errors
    assert not load.failures, load.failures[:5]
    seen = Counter(generation for _, generation, _ in load.responses)
    assert set(seen) <= set(watcher.clause_ids), "a search answered from a generation that was never published"
    for _, generation, clause_ids in load.responses:
        missing = set(clause_ids) - watcher.clause_ids[generation]
        assert not missing, f"results {missing} are not clauses of {generation}"
    for thread in range(SEARCH_THREADS):  # the holder only ever moves forward
        order = [generation for number, generation, _ in load.responses if number == thread]
        assert order == sorted(order), f"thread {thread} went back to an older generation"
    assert len(watcher.clause_ids) == len(tasks) + 1 and final.name in seen
    first = min(watcher.clause_ids)
    assert any(set(ids) - watcher.clause_ids[first] for _, _, ids in load.responses), "no search found a new clause"
    assert len(seen) >= len(watcher.clause_ids) - 2, f"searches saw only {len(seen)} generations: {seen}"
    assert load.citations_checked > 0
    print(
        f"\n{len(load.responses)} searches, {load.citations_checked} citation look-ups, "
        f"{len(seen)} of {len(watcher.clause_ids)} generations answered: {sorted(seen.values())}"
    )

