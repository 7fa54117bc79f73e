"""Parse one file in a child process with memory and CPU limits, so a hostile file cannot stall its caller.

    python -m indexer.sandbox FILE      prints {"documents": [...], "failures": [...]} as JSON
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from indexer.pipeline import Failure, ParsedDocument
from policy_search.model import Clause, DocumentMeta
from policy_search.processes import die_with_parent

OCR_MEMORY_MB = 3072  # the OCR models and a page's feature maps take about 2 GB of address space
MAX_PARSE_S = 3600.0  # however steadily OCR advances, one file never parses for longer
_PROGRESS = "@progress "  # a stderr line the child writes after each OCR'd page
_CPU_THREADS = 4  # OCR runs on up to this many threads: CPU time grows that much faster than wall time

Progress = Callable[[int, int], None]


def parse_in_child(
    path: Path, *, timeout_s: float, memory_mb: int, on_progress: Progress | None = None
) -> tuple[list[ParsedDocument], list[Failure]]:
    """Parse `path` in a child limited to `memory_mb` of address space and `timeout_s` of time.

    The time limit runs from the last sign of progress: OCR reports each page it has read, so a long scan
    goes on while its pages advance (up to MAX_PARSE_S), and `on_progress(done, total)` hears of each.
    """

    def limits() -> None:
        die_with_parent()
        memory = memory_mb * 1024 * 1024
        # the hard limit leaves room that only OCR claims (indexer/readers/ocr.py raises its soft limit to it)
        resource.setrlimit(resource.RLIMIT_AS, (memory, max(memory, OCR_MEMORY_MB * 1024 * 1024)))
        cpu = int(max(timeout_s, MAX_PARSE_S) * _CPU_THREADS) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    env = {**os.environ, "POLICY_SEARCH_CONVERT_TIMEOUT_S": str(max(timeout_s - 5, 1))}  # LibreOffice stops first
    child = subprocess.Popen(
        [sys.executable, "-m", "indexer.sandbox", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        preexec_fn=limits,
        start_new_session=True,  # its own group, so that a stop takes whatever it started with it
        cwd=Path(__file__).resolve().parents[1],
        env=env,
    )
    stdout: list[bytes] = []
    stderr: list[bytes] = []
    last_progress = [time.monotonic()]

    def read_stderr() -> None:
        for line in child.stderr:
            if line.startswith(_PROGRESS.encode()):
                last_progress[0] = time.monotonic()
                if on_progress is not None:
                    done, total = json.loads(line[len(_PROGRESS):])
                    on_progress(done, total)
            else:
                stderr.append(line)

    readers = [threading.Thread(target=read_stderr, daemon=True),
               threading.Thread(target=lambda: stdout.append(child.stdout.read()), daemon=True)]
    with child:  # closes its pipes on every way out
        for reader in readers:
            reader.start()
        started = time.monotonic()
        while child.poll() is None:
            now = time.monotonic()
            if now - last_progress[0] > timeout_s or now - started > MAX_PARSE_S:
                _stop(child)
                for reader in readers:
                    reader.join()
                return [], [Failure(str(path), f"parsing took longer than {timeout_s:.0f} s and was stopped")]
            time.sleep(0.05)
        for reader in readers:
            reader.join()
    errors = b"".join(stderr)
    if child.returncode != 0:
        if child.returncode < 0 or b"MemoryError" in errors:
            reason = f"parsing exceeded its limits ({memory_mb} MB, {timeout_s:.0f} s) and was stopped"
        else:
            reason = f"parser failed: {errors.decode('utf-8', 'replace').strip().splitlines()[-1:] or ['?']}"
        return [], [Failure(str(path), reason)]
    payload = json.loads(b"".join(stdout))
    documents = [
        ParsedDocument(DocumentMeta.from_dict(d["meta"]), [Clause.from_dict(c) for c in d["clauses"]])
        for d in payload["documents"]
    ]
    return documents, [Failure(**f) for f in payload["failures"]]


def _stop(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    child.wait()


def _report_progress(done: int, total: int) -> None:
    sys.stderr.write(f"{_PROGRESS}{json.dumps([done, total])}\n")
    sys.stderr.flush()


def main() -> int:
    from indexer.pipeline import parse_files
    from indexer.readers import ocr

    ocr.on_progress(_report_progress)
    result = parse_files([Path(sys.argv[1])])
    payload = {
        "documents": [{"meta": d.meta.to_dict(), "clauses": [c.to_dict() for c in d.clauses]} for d in result.documents],
        "failures": [{"path": f.path, "reason": f.reason} for f in result.failures],
    }
    sys.stdout.write(json.dumps(payload, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
