"""The two search engines on the eco queries: how far their first ten agree, and each one's quality.

    python scripts/compare_engines.py [--milvus-uri var/eco-milvus.db] [--model e5-small-stard]

Indexes the eco corpus and the speech eco_dev judges twice, as scripts/evaluate.py does, once with the local
engine (var/eval-eco-index-<model>, shared with evaluate.py) and once into Milvus (Milvus Lite's file by
default, or a server's http:// address), the second reusing the first's embedding cache. Runs every eco_dev
query through both with the default ranking and prints the mean share of each query's first ten results
that the engines have in common, R@10 and MRR@10 of each, and the per-query timings (medians).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from reports import write_report  # noqa: E402

from evaluate import SHARED, SPEECH, ensure_index, found_ranks, index_dir, load_jsonl, score_query  # noqa: E402

from indexer.build import EMBEDDING_CACHE  # noqa: E402
from policy_search.embedding.loading import load_embedder  # noqa: E402
from policy_search.milvus import settings_from_env  # noqa: E402
from service.retrieval.loaded import load_index  # noqa: E402
from service.retrieval.ranking import RankingConfig  # noqa: E402
from service.retrieval.results import hit_result  # noqa: E402
from service.retrieval.searcher import Searcher  # noqa: E402

TOP = 10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--milvus-uri", default=str(ROOT / "var" / "eco-milvus.db"))
    parser.add_argument("--model", default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "compare-engines.json")
    args = parser.parse_args()
    if not (SHARED / "eval").is_dir():
        print(f"no evaluation data at {SHARED / 'eval'}; nothing to measure")
        return 0
    embedder = load_embedder(None, model=args.model)
    sources = [SHARED / "corpus" / "eco", SPEECH]
    local_dir = index_dir("eco", embedder.model_dir.name, embedder.passage_precision)
    ensure_index(local_dir, sources, embedder)
    engine = settings_from_env() | {"backend": "milvus", "uri": args.milvus_uri, "prefix": "policy_search_eco"}
    milvus_dir = ROOT / "var" / f"eval-eco-milvus-{embedder.model_dir.name}"
    milvus_dir.mkdir(parents=True, exist_ok=True)
    if not (milvus_dir / EMBEDDING_CACHE).exists():  # the same vectors: nothing is embedded twice
        shutil.copy(local_dir / EMBEDDING_CACHE, milvus_dir / EMBEDDING_CACHE)
    started = time.perf_counter()
    ensure_index(milvus_dir, sources, embedder, engine)
    build_s = time.perf_counter() - started

    config = RankingConfig(dense_weight=embedder.dense_weight)
    searchers = {
        "local": Searcher(load_index(local_dir, embedder, {"backend": "local"}), embedder, config),
        "milvus": Searcher(load_index(milvus_dir, embedder, engine), embedder, config),
    }
    queries = load_jsonl(SHARED / "eval" / "eco_dev.jsonl")
    results: dict[str, list[list[dict]]] = {name: [] for name in searchers}
    timings: dict[str, list[float]] = {name: [] for name in searchers}
    for query in queries:
        for name, searcher in searchers.items():
            t = time.perf_counter()
            outcome = searcher.search(query["query"], top_k=TOP)
            timings[name].append((time.perf_counter() - t) * 1000)
            results[name].append([hit_result(searcher.index, hit, outcome.tokens) for hit in outcome.hits])
    overlaps = []
    for local, milvus in zip(results["local"], results["milvus"]):
        a, b = {r["clause_id"] for r in local}, {r["clause_id"] for r in milvus}
        overlaps.append(len(a & b) / max(1, min(TOP, max(len(a), len(b)))))
    quality = {}
    for name in searchers:
        rows = [score_query(found_ranks(found, q["relevant"], False), q["relevant"]) for found, q in zip(results[name], queries)]
        quality[name] = {m: round(statistics.mean(r[m] for r in rows), 4) for m in ("R@10", "MRR@10")}
    report = {
        "queries": len(queries),
        "top10_overlap": round(statistics.mean(overlaps), 4),
        "identical_top10": sum(1 for local, milvus in zip(results["local"], results["milvus"])
                               if [r["clause_id"] for r in local] == [r["clause_id"] for r in milvus]),
        "quality": quality,
        "median_ms": {name: round(statistics.median(values), 1) for name, values in timings.items()},
        "milvus_build_s": round(build_s, 1),
        "milvus_uri": args.milvus_uri,
    }
    print(f"{len(queries)} eco_dev queries, default ranking, first {TOP}")
    print(f"  mean top-10 overlap         {report['top10_overlap']:.3f}   identical lists: {report['identical_top10']}/{len(queries)}")
    for name in searchers:
        print(f"  {name:<7} R@10 / MRR@10      {quality[name]['R@10']:.3f} / {quality[name]['MRR@10']:.3f}   "
              f"median {report['median_ms'][name]:.1f} ms a query")
    print(f"  Milvus build (rows, indexes, load)  {build_s:.0f} s")
    write_report(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
