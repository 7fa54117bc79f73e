"""A million synthetic clauses in each engine: ingest time, query latency with filters, memory.

    python scripts/bench_scale.py [--clauses 1000000] [--queries 200] [--engines local,milvus]

The clauses are made, with a fixed seed, to look like the eco corpus to the engines: token lists drawn from
the eco index's vocabulary with its document frequencies and clause lengths (var/eval-eco-index-*, built by
scripts/evaluate.py; else a Zipf vocabulary), 384-dimension normalised vectors around 2,000 cluster centres,
and per clause a document type (8), region (31), date (1990-2025) and 10% superseded. Each engine runs in a
child process of its own, so its peak memory is its own:

- local: bm25s over the tokens and FAISS (IVF above 200,000 clauses, as the indexer chooses), in memory;
- milvus: a Milvus Lite file (the embedded, Python implementation of Milvus), inserted in batches,
  indexed (sparse inverted BM25, HNSW above 200,000 rows) and loaded, through policy_search/milvus.py.

Queries are the engine part of a search, as the searcher asks it: the best 200 by BM25 and the nearest 200
by vector, each under a filter (a region and a date range, or a document type, or none), then the BM25 scores
and vectors of that pool. Latencies are p50 and p95 over --queries queries (--milvus-queries for Milvus Lite); what a Milvus cluster would do at
this size is estimated in docs/milvus.md, not measured here.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from reports import write_report  # noqa: E402

DIMENSION = 384
CENTRES = 2_000
DOC_TYPES = ("法律", "行政法规", "地方性法规", "部门规章", "地方政府规章", "规范性文件", "司法解释", "工作文件")
REGIONS = ("全国", "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建", "江西",
           "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏")
CANDIDATES = 200


def vocabulary(rng: np.random.Generator) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Tokens, their sampling weights, and clause lengths to draw from: the eco index's where it exists."""
    import bm25s

    for folder in sorted((ROOT / "var").glob("eval-eco-index-*/generations/*/bm25")):
        bm25 = bm25s.BM25.load(folder, allow_pickle=False, show_progress=False)
        indptr = bm25.scores["indptr"]
        words = sorted(bm25.vocab_dict, key=bm25.vocab_dict.get)
        df = np.diff(indptr).astype(np.float64)[: len(words)]
        keep = df > 0
        words = [w for w, k in zip(words, keep) if k]
        lengths = np.bincount(bm25.scores["indices"], minlength=int(bm25.scores["num_docs"]))  # distinct tokens a clause holds
        return words, df[keep] / df[keep].sum(), lengths[lengths > 0]
    words = [f"词{i}" for i in range(50_000)]
    weights = 1.0 / np.arange(1, len(words) + 1)
    return words, weights / weights.sum(), rng.integers(10, 120, size=10_000)


def synthetic(count: int, seed: int = 0):
    """Token lists, vectors and filter fields of `count` clauses."""
    rng = np.random.default_rng(seed)
    words, weights, lengths = vocabulary(rng)
    sizes = rng.choice(lengths, size=count)
    ids = rng.choice(len(words), size=int(sizes.sum()), p=weights)
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    tokens = [[words[i] for i in ids[bounds[k] : bounds[k + 1]]] for k in range(count)]
    centres = rng.normal(size=(CENTRES, DIMENSION)).astype(np.float32)
    vectors = centres[rng.integers(0, CENTRES, size=count)] + 0.6 * rng.normal(size=(count, DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    fields = {
        "doc_type": rng.integers(0, len(DOC_TYPES), size=count),
        "region": rng.integers(0, len(REGIONS), size=count),
        "date": 19900101 + 10000 * rng.integers(0, 36, size=count) + 100 * rng.integers(0, 12, size=count),
        "superseded": rng.random(count) < 0.1,
    }
    queries = []
    for _ in range(1000):
        query_tokens = [words[i] for i in rng.choice(len(words), size=int(rng.integers(2, 7)), p=weights)]
        vector = centres[rng.integers(0, CENTRES)] + 0.6 * rng.normal(size=DIMENSION).astype(np.float32)
        queries.append((query_tokens, vector / np.linalg.norm(vector)))
    return tokens, vectors, fields, queries


def query_filters(count: int, seed: int = 1):
    """One filter a query: a region with a date range, a document type, or none (current versions only)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        kind = i % 3
        if kind == 0:
            out.append({"region": REGIONS[int(rng.integers(1, len(REGIONS)))], "date_from": 20100101})
        elif kind == 1:
            out.append({"doc_type": DOC_TYPES[int(rng.integers(0, len(DOC_TYPES)))]})
        else:
            out.append({})
    return out


def rss_mb() -> float:
    """This process's resident memory now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settled_rss_mb() -> float:
    gc.collect()
    return rss_mb()


def run_local(count: int, queries_n: int) -> dict:
    import bm25s

    from indexer.dense import build_faiss, choose_kind
    from indexer.lexical import BM25_PARAMS
    from service.retrieval.engines import LocalEngine, Scope

    start = settled_rss_mb()
    tokens, vectors, fields, queries = synthetic(count)
    started = time.perf_counter()
    bm25 = bm25s.BM25(**BM25_PARAMS)
    bm25.index(tokens, show_progress=False)
    kind = choose_kind(count)
    faiss_index = build_faiss(vectors, kind)
    ingest = time.perf_counter() - started
    engine = LocalEngine(bm25, faiss_index, vectors)
    del tokens
    held = settled_rss_mb() - start  # the indexes and the vectors kept for exact rescoring
    masks = {}

    def scope_of(spec: dict) -> Scope:
        key = tuple(sorted(spec.items()))
        if key not in masks:
            allowed = ~fields["superseded"]
            if "region" in spec:
                allowed &= fields["region"] == REGIONS.index(spec["region"])
            if "doc_type" in spec:
                allowed &= fields["doc_type"] == DOC_TYPES.index(spec["doc_type"])
            if "date_from" in spec:
                allowed &= fields["date"] >= spec["date_from"]
            masks[key] = Scope(spec, np.ones(1, bool), allowed, int(allowed.sum()))
        return masks[key]

    return {"engine": "local", "index": f"bm25s + FAISS {kind}", "clauses": count, "ingest_s": round(ingest, 1),
            **_latencies(engine, queries[:queries_n], [scope_of(f) for f in query_filters(queries_n)]),
            "memory_mb": round(held), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def run_milvus(count: int, queries_n: int, uri: str) -> dict:
    from policy_search import milvus
    from service.retrieval.engines import Scope
    from service.retrieval.milvus_engine import MilvusEngine

    start = settled_rss_mb()
    tokens, vectors, fields, queries = synthetic(count)
    client = milvus.connect(uri)
    name = "bench_scale"
    if client.has_collection(name):
        client.drop_collection(name)
    started = time.perf_counter()
    client.create_collection(name, schema=milvus._schema(client, DIMENSION), index_params=milvus._index_params(client, DIMENSION, count))
    batch = []
    for i in range(count):
        batch.append({"pos": i, "doc": i // 50, "tokens": milvus.encode_tokens(tokens[i])[: milvus.MAX_TOKENS_CHARS],
                      "dense": vectors[i].tolist(), "doc_type": DOC_TYPES[fields["doc_type"][i]],
                      "region": REGIONS[fields["region"][i]], "date": int(fields["date"][i]),
                      "superseded": bool(fields["superseded"][i]), "searchable": True})
        if len(batch) == milvus.INSERT_BATCH:
            client.insert(name, batch)
            batch = []
    if batch:
        client.insert(name, batch)
    client.flush(name)
    inserted = time.perf_counter() - started
    client.load_collection(name)
    ingest = time.perf_counter() - started
    del tokens, vectors
    held = settled_rss_mb() - start  # Milvus Lite runs in this process: its segments, indexes and caches
    engine = MilvusEngine(client, {"collection": name, "rows": count}, count, {}, DIMENSION)

    class Filters:
        def __init__(self, spec: dict) -> None:
            self.include_superseded = False
            self.doc_types = (spec["doc_type"],) if "doc_type" in spec else ()
            self.regions = (spec["region"],) if "region" in spec else ()
            self.date_from = f"{spec['date_from']}" if "date_from" in spec else None
            self.date_to = None
            self.issuers = self.doc_ids = ()

    scopes = [Scope(Filters(f), np.ones(1, bool), np.ones(1, bool), count) for f in query_filters(queries_n)]
    return {"engine": "milvus", "index": "Milvus Lite: sparse inverted BM25, " + ("HNSW" if count >= milvus.FLAT_BELOW else "FLAT"),
            "clauses": count, "insert_s": round(inserted, 1), "ingest_s": round(ingest, 1),
            **_latencies(engine, queries[:queries_n], scopes), "memory_mb": round(held),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "disk_mb": round(sum(f.stat().st_size for f in Path(uri).rglob("*") if f.is_file()) / 2**20)}


def _latencies(engine, queries, scopes) -> dict:
    """The engine part of each search: BM25 and dense candidates under the filter, then the pool's scores and vectors."""
    times = []
    for (tokens, vector), scope in zip(queries, scopes):
        started = time.perf_counter()
        lexical = engine.lexical(tokens, [], 0.0, scope)
        pool = set(lexical.top(CANDIDATES)) | set(engine.dense(vector, scope, CANDIDATES))
        pool = np.array(sorted(pool), dtype=np.int64)
        lexical.scores(pool)
        if len(pool):
            engine.vectors(pool)
        times.append((time.perf_counter() - started) * 1000)
    return {"queries": len(times), "p50_ms": round(float(np.percentile(times, 50)), 1),
            "p95_ms": round(float(np.percentile(times, 95)), 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clauses", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--milvus-queries", type=int, default=30, help="Milvus Lite searches in Python: seconds each at 1M")
    parser.add_argument("--engines", default="local,milvus")
    parser.add_argument("--milvus-uri", default=str(ROOT / "var" / "bench-scale-milvus.db"))
    parser.add_argument("--child", choices=("local", "milvus"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench-scale.json")
    args = parser.parse_args()
    if args.child:
        result = run_local(args.clauses, args.queries) if args.child == "local" else run_milvus(args.clauses, args.queries, args.milvus_uri)
        print(json.dumps(result))
        return 0
    report = []
    for engine in args.engines.split(","):
        queries = args.milvus_queries if engine == "milvus" else args.queries
        child = subprocess.run([sys.executable, __file__, "--child", engine, "--clauses", str(args.clauses), "--queries", str(queries),
                                "--milvus-uri", args.milvus_uri], capture_output=True, text=True, cwd=ROOT)
        if child.returncode != 0:
            print(f"{engine}: failed\n{child.stderr[-3000:]}")
            return 1
        result = json.loads(child.stdout.strip().splitlines()[-1])
        report.append(result)
        print(f"{result['engine']:<7} {result['index']}: {result['clauses']:,} clauses ingested in {result['ingest_s']:.0f} s; "
              f"engine part of a filtered search p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms; "
              f"memory held {result['memory_mb']:,} MB (peak of the process {result['peak_rss_mb']:,} MB)", flush=True)
    write_report(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
