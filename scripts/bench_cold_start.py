"""Cold start of the command line: a BM25 query in a fresh process against the time to load the embedding model.

    python scripts/bench_cold_start.py [--index DIR] [--runs 3]

`policy-search query --mode bm25` never loads the model, so its cold time is reading the index and jieba's
dictionary; a hybrid query also loads the model (the default, tuned e5-small: its ONNX query encoder and
tokenizer) and embeds the query. Both are timed as whole processes, medians of --runs; the index is the eco
index of scripts/basis_links.py (built there when missing) unless --index names one.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

QUERY = "排污许可 按日连续处罚"
LOAD_MODEL = ("from policy_search.embedding.loading import load_embedder; "
              "load_embedder(None).embed_queries(['排污许可 按日连续处罚'])")


def timed(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from basis_links import eco_index

    args.index = eco_index(args.index)
    if args.index is None:
        return 0
    cli = [sys.executable, "-m", "cli", "query", QUERY, "--index", str(args.index), "--top-k", "3"]
    startup = timed([sys.executable, "-c", "import cli.main"], args.runs)
    bm25 = timed(cli + ["--mode", "bm25"], args.runs)
    model = timed([sys.executable, "-c", LOAD_MODEL], args.runs)
    print(f"index {args.index}, medians of {args.runs} cold runs")
    print(f"  importing the command line          {startup:6.2f} s")
    print(f"  policy-search query --mode bm25     {bm25:6.2f} s")
    print(f"  loading the model, embedding a query {model:6.2f} s")
    print(f"  bm25 query / model load              {bm25 / model:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
