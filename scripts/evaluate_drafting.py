"""Drafting aid quality: do the bases suggested for each inspection problem include the clauses a plan must cite?

    python scripts/evaluate_drafting.py [--bases 10] [--model-dir DIR --dense-weight 0.7]

Uses the `drafting` queries of ../shared/eval/eco_dev.jsonl over the eco index that scripts/evaluate.py
builds (var/eval-eco-index, or var/eval-eco-index-NAME for --model-dir NAME); prints Recall@N of the bases, and how many penalty clauses were linked.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from evaluate import SHARED, index_dir, matches  # noqa: E402
from service.drafting.plan import DraftOptions, Problem, draft_problem  # noqa: E402
from service.retrieval.engine import open_searcher  # noqa: E402
from service.retrieval.ranking import RankingConfig  # noqa: E402
from stard import load_jsonl  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, default=10)
    parser.add_argument("--model-dir", type=Path, default=None, help="a local sentence-transformers folder")
    parser.add_argument("--dense-weight", type=float, default=RankingConfig.dense_weight)
    args = parser.parse_args()
    queries = [q for q in load_jsonl(SHARED / "eval" / "eco_dev.jsonl") if q["kind"] == "drafting"]
    searcher = open_searcher(index_dir("eco", args.model_dir), model_dir=args.model_dir,
                             config=RankingConfig(dense_weight=args.dense_weight))
    recalls, penalties = [], 0
    for query in queries:
        row = draft_problem(searcher, Problem(query["query"]), DraftOptions(bases_per_problem=args.bases))
        found = sum(1 for rel in query["relevant"] if any(matches(b, rel, False) for b in row["bases"]))
        recalls.append(found / len(query["relevant"]))
        penalties += len(row["penalties"])
        print(f"{query['qid']}  {found}/{len(query['relevant'])}  {query['query']}")
    recall = sum(recalls) / len(recalls)
    print(f"drafting Recall@{args.bases} {recall:.3f} over {len(queries)} problems; {penalties} linked penalty clauses")
    (ROOT / "var").mkdir(exist_ok=True)
    report = {"recall": recall, "bases": args.bases, "per_problem": recalls, "model": searcher.embedder.model_id, "dense_weight": args.dense_weight}
    (ROOT / "var" / "eval-drafting.json").write_text(json.dumps(report), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
