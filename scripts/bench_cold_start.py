"""Cold start: the first answer of a fresh `serve`, a one-shot hybrid `query`, and what each part costs.

    python scripts/bench_cold_start.py [--index DIR] [--runs 5] [--before DIR]

Every figure is a whole fresh process, the median (and the range) of --runs, in wall-clock seconds and in
the CPU seconds the process spent (on a machine busy with other work, the wall clock waits for the CPU;
an idle one shows about the CPU time): `serve` from launch until
`GET /search` first answers 200, and `policy-search query` in hybrid (the default) and BM25 modes, from
launch to exit. `--before DIR` names a checkout of earlier code (e.g. `git worktree add` or `git archive
main | tar -x -C DIR`): the same commands run from there too, interleaved run by run with this tree's, so
both sides see the same machine. The index defaults to the first-run index of `scripts/run.sh`
(var/index); the embedding model and its exported query graph must already be in the cache (run `index`
or `serve` once), as on any start after the first.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUERY = "排污许可 按日连续处罚"
POLL_S = 0.05
SERVE_LIMIT_S = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_once(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def serve_once(cwd: Path, index: Path) -> float:
    """Seconds from launching `serve` until a search is answered; the server is stopped after."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/search?" + urllib.parse.urlencode({"q": QUERY, "top_k": 3})
    command = [sys.executable, "-m", "cli", "serve", "--index", str(index), "--port", str(port)]
    started = time.perf_counter()
    server = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while time.perf_counter() - started < SERVE_LIMIT_S:
            if server.poll() is not None:
                raise RuntimeError(f"serve exited with {server.returncode} before answering ({cwd})")
            try:
                with urllib.request.urlopen(url, timeout=30) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(POLL_S)
        raise RuntimeError(f"serve did not answer within {SERVE_LIMIT_S} s ({cwd})")
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and any child it started, nothing else
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def summary(times: list[float]) -> str:
    return f"{statistics.median(times):6.2f} s ({min(times):.2f}–{max(times):.2f})"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measured(measure, tree: Path) -> tuple[float, float]:
    """Wall seconds, and the CPU seconds the process spent (near the wall time an idle machine would show)."""
    before = children_cpu()
    wall = measure(tree)
    return wall, children_cpu() - before


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "index")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, default=None, help="a checkout of earlier code, measured alongside")
    args = parser.parse_args()
    index = args.index.resolve()
    if not (index / "CURRENT").exists():
        print(f"no index at {index}: run `bash scripts/run.sh` or `policy-search index corpus --national-laws environment`")
        return 1
    trees = {"after": ROOT} | ({"before": args.before.resolve()} if args.before else {})
    query = [sys.executable, "-m", "cli", "query", QUERY, "--index", str(index), "--top-k", "3"]
    measures = {
        "serve, launch to first answer": lambda cwd: serve_once(cwd, index),
        "query, hybrid (default)": lambda cwd: run_once(query, cwd),
        "query --mode bm25": lambda cwd: run_once(query + ["--mode", "bm25"], cwd),
        "importing the command line": lambda cwd: run_once([sys.executable, "-c", "import cli.main"], cwd),
    }
    for tree in trees.values():  # one untimed run each: the page cache holds the files, as on any later start
        run_once(query, tree)
    times: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.runs):
        for name, measure in measures.items():
            for side, tree in trees.items():
                wall, spent = measured(measure, tree)
                times.setdefault((name, side), []).append(wall)
                cpu.setdefault((name, side), []).append(spent)
    load = os.getloadavg()[0]
    print(f"index {index}, medians (and ranges) of {args.runs} fresh processes; load average {load:.1f} on {os.cpu_count()} CPUs")
    for name in measures:
        row = "   ".join(f"{side}: wall {summary(times[name, side])}, cpu {summary(cpu[name, side])}" for side in trees)
        print(f"  {name:<32} {row}")
    if args.before:
        for name in measures:
            ratio = statistics.median(times[name, "before"]) / statistics.median(times[name, "after"])
            print(f"  {name:<32} before / after {ratio:5.1f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
