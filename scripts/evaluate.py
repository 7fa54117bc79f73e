"""Retrieval quality on the shared query sets: BM25-only, dense-only and hybrid, in one run.

    python scripts/evaluate.py [--eco] [--stard] [--stard-split heldout] [--model-dir DIR] [--set dense_weight=0.7]
    python scripts/evaluate.py --stard --modes bm25     # BM25 alone: no model, a BM25-only index (minutes, not an hour)

eco: `../shared/eval/eco_dev.jsonl` over `../shared/corpus/eco` plus the bundled speech it judges; Recall@10,
MRR@10 and nDCG@10 per query kind. The bundled sample local documents are left out of this collection:
nobody judged them, and they were written on the same subjects as the queries (`--with-samples` adds them,
into an index of its own, to see how they compete). A hit counts when the result's source file and article label match, or, for the
speech, when the snippet occurs in the result's text.
stard: `../shared/eval/stard/train.jsonl` over the 58,657-article `corpus.jsonl`; Recall@10, Recall@100 and
MRR@10, matching on title and article label; `--stard-split heldout|tuning` takes the fixed parts defined in
scripts/stard.py (a model tuned on STARD is reported on `heldout` only). Indexes are built once per model
under var/ and reused (the embedding cache makes a rebuild after a code change cheap). The JSON report also
holds, per query, the rank of each relevant item.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.build import build_index  # noqa: E402
from indexer.pipeline import discover, parse_files  # noqa: E402
from policy_search import store  # noqa: E402
from policy_search.embedding.loading import load_embedder  # noqa: E402
from service.retrieval.loaded import load_index  # noqa: E402
from service.retrieval.ranking import RankingConfig  # noqa: E402
from service.retrieval.results import hit_result  # noqa: E402
from service.retrieval.searcher import Searcher  # noqa: E402
from stard import load_jsonl, stard_queries  # noqa: E402

SHARED = ROOT.parent / "shared"
SPEECH = ROOT / "corpus" / "000_c8143b46545451b2.txt"  # the one bundled document eco_dev judges
MODES = ("bm25", "dense", "hybrid")


def ensure_index(out: Path, sources: list[Path], embedder) -> None:
    """Build the index when missing or when its sources changed (unchanged clauses embed nothing)."""
    files, missing = discover(sources)
    if missing:
        raise SystemExit(f"missing sources: {missing}")
    result = parse_files(files)
    current = store.IndexStore(out).current()
    known = {}
    if current is not None:  # rebuilt when a document, its metadata or its segmentation changed
        known = {d.doc_id: replace(d, superseded=False) for d in store.read_documents(current)}
        fresh = {d.meta.doc_id: d.meta for d in result.documents}
        same_units = {c.clause_id for c in store.read_clauses(current)} == {c.clause_id for d in result.documents for c in d.clauses}
        built_with = (store.read_manifest(current).get("embedding") or {}).get("model_id")
        if known == fresh and same_units and built_with == (embedder.model_id if embedder else None):
            return
    started = time.perf_counter()
    gone = set(known) - {d.meta.doc_id for d in result.documents}  # documents no longer among the sources
    summary = build_index(out, result.documents, read_sources=result.sources, remove_doc_ids=gone,
                          failures=result.failures, embedder=embedder)
    print(f"built {out}: {summary.clauses} units, {summary.embedded} embedded, {time.perf_counter() - started:.0f}s", file=sys.stderr)


def matches(result: dict, relevant: dict, by_title: bool) -> bool:
    if "snippet" in relevant:
        return result["document"]["source"] == relevant["file"] and relevant["snippet"] in result["text"]
    key = result["document"]["title"] if by_title else result["document"]["source"]
    return key == relevant["file"] and result["location"]["article"] == relevant["article"]


def found_ranks(results: list[dict], relevant: list[dict], by_title: bool) -> dict[int, int]:
    """Relevant item index → the 1-based rank of its first matching result."""
    found_at: dict[int, int] = {}
    for rank, result in enumerate(results, start=1):
        for i, rel in enumerate(relevant):
            if i not in found_at and matches(result, rel, by_title):
                found_at[i] = rank
    return found_at


def score_query(found_at: dict[int, int], relevant: list[dict], ks=(10, 100)) -> dict[str, float]:
    metrics = {f"R@{k}": sum(1 for r in found_at.values() if r <= k) / len(relevant) for k in ks}
    first = min(found_at.values(), default=None)
    metrics["MRR@10"] = 1.0 / first if first and first <= 10 else 0.0
    dcg = sum(1.0 / math.log2(r + 1) for r in found_at.values() if r <= 10)
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(len(relevant), 10) + 1))
    metrics["nDCG@10"] = dcg / ideal
    return metrics


def run(searcher: Searcher, queries: list[dict], mode: str, top_k: int, by_title: bool) -> tuple[dict, list[dict]]:
    """Metrics per query kind, and per query the rank of each relevant item (None when not retrieved)."""
    per_kind: dict[str, list[dict]] = defaultdict(list)
    ranks = []
    for query in queries:
        outcome = searcher.search(query["query"], top_k=top_k, mode=mode)
        results = [hit_result(searcher.index, hit, outcome.tokens) for hit in outcome.hits]
        found_at = found_ranks(results, query["relevant"], by_title)
        metrics = score_query(found_at, query["relevant"])
        ranks.append({"query": query["query"], "kind": query.get("kind"),
                      "ranks": [found_at.get(i) for i in range(len(query["relevant"]))]})
        per_kind[query.get("kind", "all")].append(metrics)
        per_kind["overall"].append(metrics)
    table = {kind: {m: round(sum(x[m] for x in rows) / len(rows), 4) for m in rows[0]} | {"n": len(rows)} for kind, rows in per_kind.items()}
    return table, ranks


def index_dir(name: str, model_dir: Path | None, lexical_only: bool = False) -> Path:
    """One evaluation index per model, so comparing models never throws away another's embeddings."""
    suffix = "-bm25" if lexical_only else "" if model_dir is None else "-" + model_dir.resolve().name
    return ROOT / "var" / f"eval-{name}-index{suffix}"


def print_table(name: str, tables: dict[str, dict]) -> None:
    print(f"\n{name}")
    for mode, table in tables.items():
        for kind, metrics in table.items():
            figures = "  ".join(f"{k} {v:.3f}" for k, v in metrics.items() if k != "n")
            print(f"  {mode:<7} {kind:<10} n={metrics['n']:<4} {figures}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eco", action="store_true", help="only the eco set (default: both)")
    parser.add_argument("--stard", action="store_true", help="only STARD")
    parser.add_argument("--stard-split", choices=("all", "heldout", "tuning"), default="all")
    parser.add_argument("--model-dir", type=Path, default=None, help="a local sentence-transformers folder")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--set", action="append", default=[], metavar="KNOB=VALUE",
                        help="override a RankingConfig knob, e.g. --set dense_weight=0.6 (repeatable)")
    parser.add_argument("--with-samples", action="store_true", help="eco: index all of corpus/, sample documents too")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "eval.json")
    args = parser.parse_args()
    if not (SHARED / "eval").is_dir():
        print(f"no evaluation data at {SHARED / 'eval'}; nothing to measure")
        return 0
    both = not args.eco and not args.stard
    modes = args.modes.split(",")
    config = RankingConfig(**{key: type(getattr(RankingConfig, key))(value) for key, value in (s.split("=", 1) for s in args.set)})
    lexical_only = set(modes) == {"bm25"}  # no model, and an index without vectors of its own
    embedder = None if lexical_only else load_embedder(args.model_dir, threads=args.threads)
    report: dict = {"model": embedder.model_id if embedder else None, "config": config.__dict__}
    if args.eco or both:
        out = index_dir("eco-samples" if args.with_samples else "eco", args.model_dir, lexical_only)
        ensure_index(out, [SHARED / "corpus" / "eco", ROOT / "corpus" if args.with_samples else SPEECH], embedder)
        searcher = Searcher(load_index(out, embedder), embedder, config)
        queries = load_jsonl(SHARED / "eval" / "eco_dev.jsonl")
        runs = {mode: run(searcher, queries, mode, 10, by_title=False) for mode in modes}
        report["eco"] = {mode: table for mode, (table, _) in runs.items()}
        report["eco_ranks"] = {mode: ranks for mode, (_, ranks) in runs.items()}
        print_table("eco_dev", report["eco"])
    if args.stard or both:
        out = index_dir("stard", args.model_dir, lexical_only)
        ensure_index(out, [SHARED / "eval" / "stard" / "corpus.jsonl"], embedder)
        searcher = Searcher(load_index(out, embedder), embedder, config)
        queries = stard_queries(SHARED / "eval" / "stard", args.stard_split)
        runs = {mode: run(searcher, queries, mode, 100, by_title=True) for mode in modes}
        report["stard"] = {mode: table for mode, (table, _) in runs.items()}
        report["stard_ranks"] = {mode: ranks for mode, (_, ranks) in runs.items()}
        report["stard_split"] = args.stard_split
        print_table(f"STARD ({args.stard_split})", report["stard"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
