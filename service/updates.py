"""Index updates from the API: one at a time, each in a child process, tracked as tasks.

The child (`python -m indexer.update`) parses every upload in a sandboxed grandchild, builds a new generation
beside the published one and publishes it atomically; then the holder swaps to it. A child that dies or is
killed leaves the published generation as it was.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from pathlib import Path

from service.settings import Settings
from service.state import IndexHolder

log = logging.getLogger("policy_search.service")
MAX_TASKS_KEPT = 200
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


@dataclass
class Task:
    task_id: str
    kind: str  # "add" or "delete"
    status: str = "queued"  # queued, running, done, failed
    files: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    progress: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    summary: dict | None = None
    message: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    done_event: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_dict(self) -> dict:
        # not asdict(): it deep-copies every field, and a threading.Event cannot be copied
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self) if f.name != "done_event"}


def safe_name(name: str, taken: set[str]) -> str:
    """A file name from an upload that can never become a path: last component, no control or path characters."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .") or "upload"
    base = base[-120:]
    candidate, number = base, 1
    while candidate in taken:
        stem, dot, suffix = base.rpartition(".")
        candidate = f"{stem}-{number}.{suffix}" if dot else f"{base}-{number}"
        number += 1
    taken.add(candidate)
    return candidate


def _kill_group(child: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)


class Updater:
    """A queue of updates served by one worker thread, so generations are built one after another."""

    def __init__(self, settings: Settings, holder: IndexHolder) -> None:
        self.settings = settings
        self.holder = holder
        self.tasks: OrderedDict[str, Task] = OrderedDict()
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._queue: list[tuple[Task, list[str], Path | None]] = []
        self._stopping = False
        self._thread = threading.Thread(target=self._work, name="index-updater", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify_all()

    def submit_upload(self, files: list[tuple[str, bytes]], metadata: dict | None) -> Task:
        folder = Path(tempfile.mkdtemp(prefix="policy-search-upload-"))
        taken: set[str] = set()
        names = []
        for name, data in files:
            safe = safe_name(name, taken)
            (folder / safe).write_bytes(data)
            names.append(safe)
        if metadata:
            rows = [json.dumps({"file": name, **metadata}, ensure_ascii=False) for name in names]
            (folder / "manifest.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
        task = Task(task_id=uuid.uuid4().hex[:12], kind="add", files=names)
        args = ["--add", *[str(folder / name) for name in names]]
        return self._enqueue(task, args, folder)

    def submit_delete(self, doc_id: str) -> Task:
        task = Task(task_id=uuid.uuid4().hex[:12], kind="delete", doc_ids=[doc_id])
        return self._enqueue(task, ["--remove", doc_id], None)

    def get(self, task_id: str) -> Task | None:
        with self._lock:
            return self.tasks.get(task_id)

    def _enqueue(self, task: Task, args: list[str], folder: Path | None) -> Task:
        with self._wakeup:
            self.tasks[task.task_id] = task
            while len(self.tasks) > MAX_TASKS_KEPT:
                self.tasks.popitem(last=False)
            self._queue.append((task, args, folder))
            self._wakeup.notify()
        return task

    def _work(self) -> None:
        while True:
            with self._wakeup:
                while not self._queue and not self._stopping:
                    self._wakeup.wait()
                if self._stopping:
                    return
                task, args, folder = self._queue.pop(0)
            try:
                self._run(task, args)
            except Exception as exc:  # a task fails alone; the worker goes on
                task.status, task.message = "failed", f"update failed: {exc}"
                log.exception("event=update_failed task=%s", task.task_id)
            finally:
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)
                task.finished = time.time()
                task.done_event.set()

    def _command(self, args: list[str]) -> list[str]:
        settings = self.settings
        command = [sys.executable, "-m", "indexer.update", "--index", str(settings.index_dir), *args]
        command += ["--parse-timeout", str(settings.parse_timeout_s), "--parse-memory-mb", str(settings.parse_memory_mb)]
        if settings.model_dir:
            command += ["--model-dir", str(settings.model_dir)]
        else:
            command += ["--model", settings.model]
        if settings.threads:
            command += ["--threads", str(settings.threads)]
        if self.holder.ready and not self.holder.searcher.index.manifest.get("embedding"):
            command.append("--no-embed")
        return command

    def _run(self, task: Task, args: list[str]) -> None:
        task.status = "running"
        started = time.perf_counter()
        log.info("event=update_started task=%s kind=%s files=%d", task.task_id, task.kind, len(task.files))
        child = subprocess.Popen(
            self._command(args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
            start_new_session=True,  # its own process group: a timeout stops the sandboxed parser too
        )
        timer = threading.Timer(self.settings.update_timeout_s, _kill_group, args=(child,))
        timer.start()
        try:
            for line in child.stdout:
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue
                kind = event.pop("event", None)
                if kind == "failed":
                    task.errors.append(event)
                elif kind == "summary":
                    task.summary = event
                elif kind:
                    task.progress[kind] = event
            stderr = child.stderr.read()
            code = child.wait()
        except BaseException:
            _kill_group(child)
            child.wait()
            raise
        finally:
            timer.cancel()
            child.stdout.close()
            child.stderr.close()
        if code == 0 and task.summary and task.summary.get("published"):
            self.holder.reload()
            task.status = "done"
        elif code in (0, 3) and task.summary is not None:
            task.status = "failed"
            task.message = "no document could be indexed"
        else:
            task.status = "failed"
            task.message = f"update process ended with code {code}: {stderr.strip().splitlines()[-1:] or ['no message']}"
        log.info(
            "event=update_finished task=%s status=%s ms=%.0f errors=%d",
            task.task_id, task.status, (time.perf_counter() - started) * 1000, len(task.errors),
        )
