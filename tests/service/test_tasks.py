"""Update tasks survive restarts, uploads with any file name are kept, and no upload folder is left behind."""

from __future__ import annotations

import json
import sys
import time

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from service.app import create_app
from service.settings import Settings
from service.updates import MAX_NAME_BYTES, TASKS, UPLOADS, Task, TaskStore, safe_name
from tests.conftest import LAW_TEXT, index_small_corpus


@given(st.lists(st.text(min_size=0, max_size=300), min_size=1, max_size=6))
@settings(max_examples=200, deadline=None)
def test_safe_names_are_short_plain_and_distinct(tmp_path_factory, names):
    folder = tmp_path_factory.mktemp("names")
    taken: set[str] = set()
    made = [safe_name(name, taken) for name in names]
    assert len(set(made)) == len(made)
    for name in made:
        assert "/" not in name and "\x00" not in name and name not in ("", ".", "..")
        assert len(name.encode()) <= MAX_NAME_BYTES + 8  # room for a -N suffix
        (folder / name).write_bytes(b"x")  # the file system takes it


def test_a_long_chinese_file_name_keeps_its_suffix():
    title = "关于印发" + "生态环境保护督察问题整改" * 10 + "的通知.docx"
    assert len(title.encode()) > 255
    name = safe_name(title, set())
    assert name.endswith("的.docx") or name.endswith(".docx")
    assert len(name.encode()) <= MAX_NAME_BYTES and name.startswith("关于印发生态环境")


def test_an_upload_named_longer_than_255_bytes_is_indexed(tmp_path):
    out = index_small_corpus(tmp_path)  # BM25 only: the update child loads no model
    name = "示例" + "长标题" * 40 + "保护法(2024-01-01).txt"
    assert len(name.encode()) > 255
    with TestClient(create_app(Settings(index_dir=out), load_model=False)) as client:
        answer = client.post("/documents?wait=60", files={"files": (name, LAW_TEXT.encode(), "text/plain")})
        assert answer.status_code in (200, 202), answer.text
        task = answer.json()
        assert task["status"] == "done", task
    assert not any((out / UPLOADS).iterdir())


def test_a_restarted_service_reports_interrupted_tasks_and_removes_their_uploads(tmp_path):
    out = index_small_corpus(tmp_path)
    store = TaskStore(out)
    running = Task(task_id="abc123def456", kind="add", status="running", files=["a.txt", "b.txt"],
                   errors=[{"path": "b.txt", "reason": "file is empty"}], progress={"parsed": {"done": 2, "total": 2}})
    store.save(running)
    store.save(Task(task_id="0123456789ab", kind="delete", status="done", doc_ids=["x"], finished=time.time()))
    orphan = out / UPLOADS / "abc123def456"
    orphan.mkdir(parents=True)
    (orphan / "a.txt").write_text("半截", encoding="utf-8")
    (out / TASKS / "feedfeedfeed.json.tmp").write_text("{", encoding="utf-8")  # a write the crash cut short

    with TestClient(create_app(Settings(index_dir=out), load_model=False)) as client:
        task = client.get("/tasks/abc123def456").json()
        assert task["status"] == "interrupted" and "stopped" in task["message"]
        assert task["errors"] == [{"path": "b.txt", "reason": "file is empty"}]  # the per-file results it had
        assert task["progress"]["parsed"] == {"done": 2, "total": 2}
        assert client.get("/tasks/0123456789ab").json()["status"] == "done"
        assert client.get("/search", params={"q": "排污"}).status_code == 200
    assert not orphan.exists()
    assert not list((out / TASKS).glob("*.tmp"))
    saved = json.loads((out / TASKS / "abc123def456.json").read_text(encoding="utf-8"))
    assert saved["status"] == "interrupted"


def test_a_running_task_whose_generation_was_published_reads_done(tmp_path):
    """Killed after the update published but before it said so: the newer generation is the task's own."""
    out = index_small_corpus(tmp_path)
    TaskStore(out).save(Task(task_id="aaaabbbbcccc", kind="add", status="running", generation="g000000-older"))
    with TestClient(create_app(Settings(index_dir=out), load_model=False)) as client:
        assert client.get("/tasks/aaaabbbbcccc").json()["status"] == "done"


def test_stopping_the_app_interrupts_its_updates_and_writes_nothing_after(tmp_path):
    """An app stopped and started again in one process (tests, embedding): the stopped updater's running update is
    killed and its queued ones interrupted before stop returns, so the next updater reads a folder nobody writes."""
    out = index_small_corpus(tmp_path)
    app = create_app(Settings(index_dir=out), load_model=False)
    with TestClient(app) as client:
        updater = app.state.updater
        updater._command = lambda args: [sys.executable, "-c", "import time; time.sleep(60)"]  # an update that hangs
        running = client.post("/documents", files={"files": ("a.txt", LAW_TEXT.encode(), "text/plain")}).json()
        queued = client.post("/documents", files={"files": ("b.txt", LAW_TEXT.encode(), "text/plain")}).json()
        deadline = time.monotonic() + 10
        while updater.get(running["task_id"]).status != "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        started = time.monotonic()
    assert time.monotonic() - started < 10 and not updater._thread.is_alive()
    records = {path.stem: path.stat().st_mtime_ns for path in (out / TASKS).glob("*.json")}
    for task in (running, queued):
        saved = json.loads((out / TASKS / f"{task['task_id']}.json").read_text(encoding="utf-8"))
        assert saved["status"] == "interrupted" and saved["finished"], saved
    assert not list((out / UPLOADS).iterdir()) and not list((out / TASKS).glob("*.tmp"))
    time.sleep(0.2)
    assert {path.stem: path.stat().st_mtime_ns for path in (out / TASKS).glob("*.json")} == records
