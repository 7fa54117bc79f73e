"""Index updates from the API: one at a time, each in a child process, tracked as tasks.

The child (`python -m indexer.update`) parses every upload in a sandboxed grandchild, builds a new generation
beside the published one and publishes it atomically; then the holder swaps to it. A child that dies or is
killed leaves the published generation as it was; the child dies with the service.

Tasks are kept with the index (INDEX_DIR/tasks/ID.json, each written atomically), so a restarted service
still answers GET /tasks/{id}: a task that was queued or running when the service stopped reads
`interrupted`, with the per-file results it had. Uploads wait in INDEX_DIR/uploads/ID/ until their task ends;
what is left there at start-up belongs to no running task and is removed.
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

from policy_search import store
from policy_search.processes import die_with_parent
from service.settings import Settings
from service.state import IndexHolder

log = logging.getLogger("policy_search.service")
MAX_TASKS_KEPT = 200
INTERRUPTED = "the service stopped before this update ended; the index is as it was before it"
MAX_NAME_BYTES = 200  # file names are at most 255 bytes on common file systems; room for a -N suffix
TASKS, UPLOADS = "tasks", "uploads"
SAVE_EVERY_S = 0.5  # progress is written at most this often; status changes and failures at once
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


@dataclass
class Task:
    task_id: str
    kind: str  # "add" or "delete"
    status: str = "queued"  # queued, running, done, failed; interrupted: the service stopped before it ended
    files: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)  # removed, or (once published) added
    progress: dict = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    summary: dict | None = None
    message: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    generation: str | None = None  # the generation published when the update started
    done_event: threading.Event = field(default_factory=threading.Event, repr=False)

    def to_dict(self) -> dict:
        # not asdict(): it deep-copies every field, and a threading.Event cannot be copied
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self) if f.name != "done_event"}

    @classmethod
    def from_dict(cls, data: dict) -> Task:
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data and f.name != "done_event"})


def safe_name(name: str, taken: set[str]) -> str:
    """A file name from an upload that can never become a path: last component, no control or path characters,
    at most MAX_NAME_BYTES in UTF-8 (a long title is shortened before its suffix: 85 Chinese characters are
    255 bytes)."""
    base = _UNSAFE.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(" .") or "upload"
    stem, dot, suffix = base.rpartition(".")
    if not dot or len(suffix.encode()) > 16:
        stem, dot, suffix = base, "", ""
    room = MAX_NAME_BYTES - len((dot + suffix).encode())
    stem = stem.encode()[:room].decode("utf-8", "ignore").strip(" .") or "upload"
    base = f"{stem}{dot}{suffix}"
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


class TaskStore:
    """Task records in INDEX_DIR/tasks/, one JSON file each, replaced atomically."""

    def __init__(self, index_dir: Path) -> None:
        self.folder = Path(index_dir) / TASKS

    def save(self, task: Task) -> None:
        """Write the record to a temporary file of its own, then rename it over the old one: a reader sees the old
        record or the new, never half of one, and two writers never share a temporary file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=f".{task.task_id}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(json.dumps(task.to_dict(), ensure_ascii=False))
            os.replace(temporary, self.folder / f"{task.task_id}.json")
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def load(self) -> list[Task]:
        """Every readable record, oldest first; unreadable ones (a crash mid-write leaves only a .tmp) skipped."""
        tasks = []
        for path in self.folder.glob("*.json") if self.folder.is_dir() else ():
            with contextlib.suppress(OSError, ValueError, TypeError):
                tasks.append(Task.from_dict(json.loads(path.read_text(encoding="utf-8"))))
        for leftover in self.folder.glob("*.tmp") if self.folder.is_dir() else ():
            leftover.unlink(missing_ok=True)
        return sorted(tasks, key=lambda task: task.created)

    def forget(self, task_id: str) -> None:
        (self.folder / f"{task_id}.json").unlink(missing_ok=True)


class Updater:
    """A queue of updates served by one worker thread, so generations are built one after another."""

    def __init__(self, settings: Settings, holder: IndexHolder) -> None:
        self.settings = settings
        self.holder = holder
        self.records = TaskStore(settings.index_dir)
        self.uploads = Path(settings.index_dir) / UPLOADS
        self.tasks: OrderedDict[str, Task] = OrderedDict()
        self._recover()
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._queue: list[tuple[Task, list[str], Path | None]] = []
        self._stopping = False
        self._child: subprocess.Popen | None = None  # the running update's process, which stop() kills
        self._thread = threading.Thread(target=self._work, name="index-updater", daemon=True)
        self._thread.start()

    def _recover(self) -> None:
        """Tasks of an earlier run: those it left unfinished are interrupted; its uploads are removed."""
        published = store.IndexStore(self.settings.index_dir).current()
        for task in self.records.load():
            if task.status in ("queued", "running"):
                task.finished = time.time()
                if task.status == "running" and published is not None and task.generation not in (None, published.name):
                    # one update runs at a time: a generation newer than the one it started from is its own
                    task.status, task.message = "done", "published; the service stopped before it could report it"
                else:
                    task.status, task.message = "interrupted", INTERRUPTED
                self.records.save(task)
                log.warning("event=task_recovered task=%s status=%s", task.task_id, task.status)
            task.done_event.set()
            self.tasks[task.task_id] = task
        while len(self.tasks) > MAX_TASKS_KEPT:
            self.records.forget(self.tasks.popitem(last=False)[0])
        if self.uploads.is_dir():
            for orphan in self.uploads.iterdir():
                shutil.rmtree(orphan, ignore_errors=True)
                log.info("event=orphan_upload_removed folder=%s", orphan.name)

    def stop(self, timeout_s: float = 30) -> None:
        """End the worker as the end of the process would: queued tasks are interrupted, the running update's
        process is killed, and no record is written once this returns, so a later Updater over the same index
        (an app started again in this process) recovers a quiet folder. The index stays as it was."""
        with self._wakeup:
            self._stopping = True
            queued, self._queue = self._queue, []
            running = self._child
            self._wakeup.notify_all()
        for task, _, folder in queued:
            task.status, task.message = "interrupted", INTERRUPTED
            task.finished = time.time()
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            self.records.save(task)
            task.done_event.set()
        if running is not None:
            _kill_group(running)
        self._thread.join(timeout_s)

    def submit_upload(self, files: list[tuple[str, bytes]], metadata: dict | None) -> Task:
        """Write the uploads to their task's folder and queue the update; a folder that cannot be written is
        removed again and the error raised (nothing was queued)."""
        task = Task(task_id=uuid.uuid4().hex[:12], kind="add")
        folder = self.uploads / task.task_id
        try:
            folder.mkdir(parents=True)
            taken: set[str] = set()
            for name, data in files:
                safe = safe_name(name, taken)
                (folder / safe).write_bytes(data)
                task.files.append(safe)
            if metadata:
                rows = [json.dumps({"file": name, **metadata}, ensure_ascii=False) for name in task.files]
                (folder / "manifest.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        args = ["--add", *[str(folder / name) for name in task.files]]
        return self._enqueue(task, args, folder)

    def submit_delete(self, doc_id: str) -> Task:
        task = Task(task_id=uuid.uuid4().hex[:12], kind="delete", doc_ids=[doc_id])
        return self._enqueue(task, ["--remove", doc_id], None)

    def get(self, task_id: str) -> Task | None:
        with self._lock:
            return self.tasks.get(task_id)

    def _enqueue(self, task: Task, args: list[str], folder: Path | None) -> Task:
        self.records.save(task)
        with self._wakeup:
            self.tasks[task.task_id] = task
            while len(self.tasks) > MAX_TASKS_KEPT:
                self.records.forget(self.tasks.popitem(last=False)[0])
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
                self.records.save(task)
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
        command += ["--passage-precision", settings.passage_precision]
        if self.holder.ready and not self.holder.searcher.index.manifest.get("embedding"):
            command.append("--no-embed")
        return command

    def _environment(self) -> dict[str, str]:
        """The child's environment: the service's engine settings, and Milvus Lite's file reached through the
        server this process runs for it (a Lite file is open in one process only)."""
        engine = self.settings.engine
        published = (self.holder.searcher.index.manifest.get("engine") or {}) if self.holder.ready else {}
        backend = engine["backend"] or published.get("kind", "local")
        env = dict(os.environ, POLICY_SEARCH_BACKEND=backend, POLICY_SEARCH_MILVUS_COLLECTION=engine["prefix"])
        for key, name in (("token", "TOKEN"), ("db", "DB")):
            if engine[key]:
                env[f"POLICY_SEARCH_MILVUS_{name}"] = engine[key]
        uri = engine["uri"] or published.get("uri")
        if backend == "milvus" and uri:
            from policy_search.milvus import shared_uri

            env["POLICY_SEARCH_MILVUS_URI"] = shared_uri(uri)
            env["POLICY_SEARCH_MILVUS_RECORD_URI"] = uri
        return env

    def _run(self, task: Task, args: list[str]) -> None:
        task.status = "running"
        published = store.IndexStore(self.settings.index_dir).current()
        task.generation = published.name if published is not None else None
        self.records.save(task)
        saved = time.monotonic()
        started = time.perf_counter()
        log.info("event=update_started task=%s kind=%s files=%d", task.task_id, task.kind, len(task.files))
        child = subprocess.Popen(
            self._command(args),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
            env=self._environment(),
            start_new_session=True,  # its own process group: a timeout stops the sandboxed parser too
            preexec_fn=die_with_parent,
        )
        with self._lock:
            self._child = child
            if self._stopping:  # stop() came while it started
                _kill_group(child)
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
                    if task.kind == "add":  # the documents the upload made: what a client looks up next
                        task.doc_ids = event.get("doc_ids", [])
                elif kind:
                    task.progress[kind] = event
                if kind in ("failed", "summary") or time.monotonic() - saved > SAVE_EVERY_S:
                    self.records.save(task)
                    saved = time.monotonic()
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
            with self._lock:
                self._child = None
        if code == 0 and task.summary and task.summary.get("published"):
            self.holder.reload()
            task.status = "done"
        elif self._stopping and code != 0:
            task.status, task.message = "interrupted", INTERRUPTED
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
