"""Load benchmark of the HTTP service: throughput and latency at 1, 4 and 16 concurrent clients.

    python scripts/bench_service.py [--model e5-small] [--rerank | --no-rerank] [--int8-queries] [--seconds 20] [--concurrency 1,4,16]

Starts `policy-search serve` on a free loopback port, waits for /readyz, then runs closed-loop clients
(each sends its next query when the previous answer arrives) with distinct queries: the STARD questions
and the eco queries, with the server's query cache off. Clients are asyncio (httpx) in this process, or
`--client wrk` (Debian's wrk, whose own CPU use is small beside the server's on a 2-core machine). Requests go to 127.0.0.1 only and
every run is bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "scripts"))

from reports import write_report  # noqa: E402

from served import served  # noqa: E402


def load_queries() -> list[str]:
    queries = []
    for path in (SHARED / "eval" / "eco_dev.jsonl", SHARED / "eval" / "stard" / "train.jsonl"):
        if path.exists():
            queries += [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return queries or ["排污许可", "按日连续处罚", "环保法第五十九条", "饮用水水源保护区 禁止"]


async def client_loop(client: httpx.AsyncClient, queries: list[str], start: int, stride: int, deadline: float, out: list) -> None:
    i = start
    while time.perf_counter() < deadline:
        query = queries[i % len(queries)]
        i += stride
        sent = time.perf_counter()
        try:
            response = await client.get("/search", params={"q": query, "top_k": 10})
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        out.append(((time.perf_counter() - sent) * 1000, ok))


async def run_level(base: str, queries: list[str], concurrency: int, seconds: float, offset: int) -> dict:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        samples: list = []
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(client_loop(client, queries, offset + c, concurrency, deadline, samples) for c in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies = np.array([ms for ms, ok in samples])
    errors = sum(1 for _, ok in samples if not ok)
    return {
        "clients": concurrency,
        "requests": len(samples),
        "errors": errors,
        "throughput_qps": round(len(samples) / elapsed, 1),
        "p50_ms": round(float(np.percentile(latencies, 50)), 1),
        "p99_ms": round(float(np.percentile(latencies, 99)), 1),
    }


WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def _ms(value: str) -> float:
    number = float(re.match(r"[\d.]+", value).group(0))
    return number * {"us": 0.001, "ms": 1.0, "s": 1000.0}[re.search(r"(us|ms|s)$", value).group(1)]


def run_level_wrk(base: str, queries: list[str], concurrency: int, seconds: float, offset: int) -> dict:
    """The same level driven by wrk (C, from Debian), whose own CPU use is small beside the server's."""
    rotated = queries[offset % len(queries):] + queries[: offset % len(queries)]
    paths = ",".join(json.dumps("/search?top_k=10&q=" + quote(q)) for q in rotated)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % paths)
    threads = min(2, concurrency)
    run = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{int(seconds)}s", "--latency", "--timeout", "30s", "-s", script.name, base],
        capture_output=True, text=True, timeout=seconds + 60,
    )
    os.unlink(script.name)
    out = run.stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {
        "clients": concurrency,
        "requests": requests,
        "errors": errors,
        "throughput_qps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": round(_ms(re.search(r"50%\s+(\S+)", out).group(1)), 1),
        "p99_ms": round(_ms(re.search(r"99%\s+(\S+)", out).group(1)), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None, help="default: the eco evaluation index of the model")
    parser.add_argument("--model", default=None, help="a built-in model: e5-small-stard (default) or e5-small")
    parser.add_argument("--rerank", action=argparse.BooleanOptionalAction, default=None,
                        help="serve with (or without) the learned ranker; default: the service's default (off)")
    parser.add_argument("--int8-queries", action="store_true", help="queries through the 8-bit ONNX graph")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--concurrency", default="1,4,16")
    parser.add_argument("--threads", type=int, default=None, help="torch threads of the server (default: torch's choice)")
    parser.add_argument("--client", choices=("asyncio", "wrk"), default="asyncio", help="wrk: Debian's C load generator")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench-service.json")
    args = parser.parse_args()
    if args.index is None:
        from policy_search.embedding.tuned import DEFAULT_MODEL, ensure_model

        args.index = ROOT / "var" / f"eval-eco-index-{ensure_model(args.model or DEFAULT_MODEL).name}"
    if not args.index.exists():
        print(f"no index at {args.index}: build it first (python scripts/evaluate.py --eco)")
        return 1
    # no query cache: every request pays for its embedding, as a new question would
    env = {"POLICY_SEARCH_QUERY_CACHE": "0", "POLICY_SEARCH_INT8_QUERIES": str(args.int8_queries).lower()}
    if args.rerank is not None:
        env["POLICY_SEARCH_RERANK"] = str(args.rerank).lower()
    if args.model:
        env["POLICY_SEARCH_MODEL"] = args.model
    with served(args.index, env, ["--threads", str(args.threads)] if args.threads else []) as base:
        queries = load_queries()
        asyncio.run(run_level(base, queries, 2, 3.0, 10_000))  # warm-up
        report = {"index": str(args.index), "client": args.client, "seconds_per_level": args.seconds, "server_threads": args.threads,
                  "rerank": args.rerank, "int8_queries": args.int8_queries, "levels": []}
        for n, concurrency in enumerate(int(c) for c in args.concurrency.split(",")):
            if args.client == "wrk":
                level = run_level_wrk(base, queries, concurrency, args.seconds, n * 1000)
            else:
                level = asyncio.run(run_level(base, queries, concurrency, args.seconds, n * 1000))
            report["levels"].append(level)
            print(json.dumps(level), flush=True)
    write_report(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
