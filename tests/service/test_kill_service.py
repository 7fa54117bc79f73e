"""The service killed (SIGKILL) at 12 moments of an upload's update: every restart serves a complete generation,
shows the upload's task as interrupted (or done, when the update had published), and leaves no upload folder.

The delays spread from the upload to a little after a normal update would have finished. The update child dies
with the service, so nothing publishes behind the restarted one's back.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from policy_search import store
from service.updates import UPLOADS
from tests.conftest import LAW_TEXT, ROOT, index_small_corpus

pytestmark = pytest.mark.slow
KILLS = 12
LATEST_KILL = 1.3  # the last kill comes this many normal update times after the upload
START_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _start(index: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "POLICY_SEARCH_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--index", str(index), "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if _get(f"{url}/readyz").get("status") == "ready":
                return server, url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        assert server.poll() is None, "the service exited while starting"
        time.sleep(0.1)
    server.kill()
    raise AssertionError("the service did not become ready")


def _upload(url: str, n: int) -> str:
    boundary = uuid.uuid4().hex
    parts = []
    for i in range(3):
        text = LAW_TEXT.replace("中华人民共和国示例保护法", f"示例第{n}批第{i}号保护法")
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="batch{n}-{i}.txt"\r\n'
                     f"Content-Type: text/plain\r\n\r\n{text}\r\n")
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    request = urllib.request.Request(f"{url}/documents", data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["task_id"]


def _wait_done(url: str, task_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = _get(f"{url}/tasks/{task_id}")
        if task["status"] not in ("queued", "running"):
            return task
        time.sleep(0.05)
    raise AssertionError(f"task {task_id} did not finish")


def test_sigkill_during_an_upload_leaves_a_complete_generation_and_an_interrupted_task(tmp_path):
    index = index_small_corpus(tmp_path)  # BM25 only: updates load no model
    server, url = _start(index)
    try:
        started = time.monotonic()
        normal = _wait_done(url, _upload(url, 0))
        assert normal["status"] == "done", normal
        run_s = time.monotonic() - started
        outcomes = []
        for n in range(1, KILLS + 1):
            task_id = _upload(url, n)
            time.sleep(LATEST_KILL * run_s * (n - 1) / (KILLS - 1))
            os.kill(server.pid, signal.SIGKILL)
            server.wait()
            server, url = _start(index)
            task = _get(f"{url}/tasks/{task_id}")
            outcomes.append(task["status"])
            assert task["status"] in ("interrupted", "done"), (n, task)
            published = store.IndexStore(index).current()
            assert published is not None and (published / store.MANIFEST).is_file()
            hits = _get(f"{url}/search?q=%E6%8E%92%E6%B1%A1&mode=bm25")["results"]  # 排污
            assert hits, "the restarted service answers from a complete generation"
            batch = {h["document"]["title"] for h in _get(f"{url}/search?q=%E7%AC%AC{n}%E6%89%B9&mode=bm25&top_k=50")["results"]}
            assert (task["status"] == "done") == any(f"第{n}批" in title for title in batch), (n, task["status"], batch)
            assert not any((index / UPLOADS).iterdir()), "no upload folder is left"
        assert "interrupted" in outcomes, outcomes  # the kills did land during updates
    finally:
        server.kill()
        server.wait()
