"""Speed of indexing and retrieval, and FAISS exact vs ANN at scale.

    python scripts/bench_retrieval.py index     # eco corpus: build (with the embedding cache), re-index unchanged
    python scripts/bench_retrieval.py index --cold   # ... and a build from an empty cache (embeds every clause)
    python scripts/bench_retrieval.py query     # in-process latency p50/p95: bm25, dense, hybrid, hybrid + rerank
    python scripts/bench_retrieval.py query --int8-queries   # ... with queries through the 8-bit ONNX graph
    python scripts/bench_retrieval.py faiss --n 1000000   # exact vs HNSW/IVF: latency and recall@10

Figures are medians or percentiles over repeated runs; the machine is shared, so compare ratios.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def bench_index(args) -> dict:
    from indexer.build import EMBEDDING_CACHE, build_index
    from indexer.pipeline import discover, parse_files
    from policy_search.embedding.loading import load_embedder

    sources = [SHARED / "corpus" / "eco", ROOT / "corpus"]
    embedder = load_embedder(args.model_dir, model=args.model, threads=args.threads, onnx_queries=False)
    out = Path(tempfile.mkdtemp(prefix="bench-index-"))
    report = {}
    try:
        cache = _eco_index(embedder) / EMBEDDING_CACHE
        if not args.cold and cache.exists():  # reuse the evaluation index's cache: only new text is embedded
            shutil.copy(cache, out / EMBEDDING_CACHE)
        for label in ("first build" if args.cold else "build (warm cache)", "re-index unchanged"):
            started = time.perf_counter()
            files, _ = discover(sources)
            parsed = parse_files(files)
            parse_s = time.perf_counter() - started
            summary = build_index(out, parsed.documents, read_sources=parsed.sources, embedder=embedder)
            total = time.perf_counter() - started
            report[label] = {
                "seconds": round(total, 1),
                "parse_seconds": round(parse_s, 1),
                "units": summary.clauses,
                "units_per_s": round(summary.clauses / total, 1),
                "embedded": summary.embedded,
            }
            print(label, report[label])
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return report


def _eco_index(embedder) -> Path:
    """The evaluation index scripts/evaluate.py builds for this model."""
    return ROOT / "var" / f"eval-eco-index-{embedder.model_dir.name}"


def bench_query(args) -> dict:
    from policy_search.embedding.loading import load_embedder
    from service.retrieval.engine import open_searcher

    embedder = load_embedder(args.model_dir, model=args.model, threads=args.threads, int8_queries=args.int8_queries)
    index_dir = _eco_index(embedder)
    if not index_dir.exists():
        raise SystemExit("build the eco index first: python scripts/evaluate.py --eco")
    searcher = open_searcher(index_dir, embedder=embedder, ranking={"rerank": True})
    searcher.prepare()  # as the service does before its first request
    queries = [json.loads(line)["query"] for line in (SHARED / "eval" / "eco_dev.jsonl").read_text(encoding="utf-8").splitlines()]
    report = {"model": embedder.model_id, "int8_queries": embedder.int8_queries}
    for name, mode, rerank in (("bm25", "bm25", False), ("dense", "dense", False), ("hybrid", "hybrid", False),
                               ("hybrid+rerank", "hybrid", True)):
        searcher.search(queries[0], mode=mode, rerank=rerank)  # warm up
        latencies, parts = [], {}
        for _ in range(args.repeat):
            for query in queries:
                started = time.perf_counter()
                outcome = searcher.search(query, mode=mode, rerank=rerank)
                latencies.append((time.perf_counter() - started) * 1000)
                for key, value in outcome.timings_ms.items():
                    parts.setdefault(key, []).append(value)
        report[name] = {
            "p50_ms": round(_percentile(latencies, 50), 1),
            "p95_ms": round(_percentile(latencies, 95), 1),
            "median_parts_ms": {k: round(statistics.median(v), 2) for k, v in parts.items()},
            "queries": len(latencies),
        }
        print(name, report[name])
    return report


def clustered_vectors(n: int, dim: int, clusters: int, seed: int) -> np.ndarray:
    """Unit vectors around random centres: closer to real embeddings than uniform noise, which has no neighbours."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(clusters, dim)).astype(np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        end = min(n, start + 100_000)
        labels = rng.integers(0, clusters, size=end - start)
        out[start:end] = centres[labels] + 0.6 * rng.normal(size=(end - start, dim)).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def bench_faiss(args) -> dict:
    import faiss

    from indexer.dense import build_faiss

    faiss.omp_set_num_threads(args.threads or 2)
    vectors = clustered_vectors(args.n, 384, clusters=max(10, args.n // 1000), seed=0)
    queries = clustered_vectors(args.queries, 384, clusters=max(10, args.n // 1000), seed=0)[: args.queries]
    queries = queries + 0.05 * np.random.default_rng(1).normal(size=queries.shape).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    report: dict = {"n": args.n, "dim": 384, "queries": args.queries}
    truth = None
    for kind in ["flat"] + args.kinds.split(","):
        started = time.perf_counter()
        index = build_faiss(vectors, kind)
        build_s = time.perf_counter() - started
        latencies = []
        found = np.empty((len(queries), 10), dtype=np.int64)
        for i, query in enumerate(queries):
            t = time.perf_counter()
            _, ids = index.search(query[None, :], 10)
            latencies.append((time.perf_counter() - t) * 1000)
            found[i] = ids[0]
        if kind == "flat":
            truth = found
        recall = float(np.mean([len(set(found[i]) & set(truth[i])) / 10 for i in range(len(queries))]))
        report[kind] = {"build_s": round(build_s, 1), "p50_ms": round(_percentile(latencies, 50), 2), "p95_ms": round(_percentile(latencies, 95), 2), "recall@10": round(recall, 4)}
        print(kind, report[kind], flush=True)
        del index
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("index", "query", "faiss"))
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--model", default=None, help="a built-in model: e5-small-stard (default) or e5-small")
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--int8-queries", action="store_true", help="queries through the 8-bit ONNX graph")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--kinds", default="hnsw,ivf")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.what != "faiss" and not (SHARED / "corpus" / "eco").is_dir():
        print(f"no corpus at {SHARED / 'corpus' / 'eco'}; nothing to measure")
        return 0
    report = {"index": bench_index, "query": bench_query, "faiss": bench_faiss}[args.what](args)
    out = args.out or ROOT / "var" / f"bench-{args.what}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
