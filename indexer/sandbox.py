"""Parse one file in a child process with memory and CPU limits, so a hostile file cannot stall its caller.

    python -m indexer.sandbox FILE      prints {"documents": [...], "failures": [...]} as JSON
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

from indexer.pipeline import Failure, ParsedDocument
from policy_search.model import Clause, DocumentMeta
from policy_search.processes import die_with_parent


def parse_in_child(path: Path, *, timeout_s: float, memory_mb: int) -> tuple[list[ParsedDocument], list[Failure]]:
    """Parse `path` in a child limited to `memory_mb` of address space and `timeout_s` of time."""

    def limits() -> None:
        die_with_parent()
        memory = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        cpu = int(timeout_s) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    try:
        run = subprocess.run(
            [sys.executable, "-m", "indexer.sandbox", str(path)],
            capture_output=True,
            timeout=timeout_s,
            preexec_fn=limits,
            cwd=Path(__file__).resolve().parents[1],
        )
    except subprocess.TimeoutExpired:
        return [], [Failure(str(path), f"parsing took longer than {timeout_s:.0f} s and was stopped")]
    if run.returncode != 0:
        if run.returncode < 0 or b"MemoryError" in run.stderr:
            reason = f"parsing exceeded its limits ({memory_mb} MB, {timeout_s:.0f} s) and was stopped"
        else:
            reason = f"parser failed: {run.stderr.decode('utf-8', 'replace').strip().splitlines()[-1:] or ['?']}"
        return [], [Failure(str(path), reason)]
    payload = json.loads(run.stdout)
    documents = [
        ParsedDocument(DocumentMeta.from_dict(d["meta"]), [Clause.from_dict(c) for c in d["clauses"]])
        for d in payload["documents"]
    ]
    return documents, [Failure(**f) for f in payload["failures"]]


def main() -> int:
    from indexer.pipeline import parse_files

    result = parse_files([Path(sys.argv[1])])
    payload = {
        "documents": [{"meta": d.meta.to_dict(), "clauses": [c.to_dict() for c in d.clauses]} for d in result.documents],
        "failures": [{"path": f.path, "reason": f.reason} for f in result.failures],
    }
    sys.stdout.write(json.dumps(payload, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
