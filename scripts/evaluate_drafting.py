"""Drafting aid quality: do the bases suggested for each inspection problem include the clauses a plan must cite?

    python scripts/evaluate_drafting.py [--bases 10] [--model e5-small | --model-dir DIR] [--rerank]

Uses the `drafting` queries of ../shared/eval/eco_dev.jsonl over the eco index that scripts/evaluate.py
builds for the model (var/eval-eco-index-MODEL); prints Recall@N of the bases per problem and overall, and
how many penalty clauses were linked. `scripts/evaluate.py` reports the same figure for every configuration.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from evaluate import SHARED, drafting_recall, index_dir  # noqa: E402
from stard import load_jsonl  # noqa: E402

from policy_search.embedding.loading import load_embedder  # noqa: E402
from service.retrieval.loaded import load_index  # noqa: E402
from service.retrieval.ranking import RankingConfig  # noqa: E402
from service.retrieval.searcher import Searcher  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bases", type=int, default=10)
    parser.add_argument("--model", default=None, help="a built-in model: e5-small-stard (default) or e5-small")
    parser.add_argument("--model-dir", type=Path, default=None, help="a local sentence-transformers folder")
    parser.add_argument("--dense-weight", type=float, default=None, help="default: the model's own mix")
    parser.add_argument("--rerank", action="store_true", help="drafting through the learned ranker (off by default)")
    args = parser.parse_args()
    queries = [q for q in load_jsonl(SHARED / "eval" / "eco_dev.jsonl") if q["kind"] == "drafting"]
    embedder = load_embedder(args.model_dir, model=args.model)
    weight = embedder.dense_weight if args.dense_weight is None else args.dense_weight
    config = RankingConfig(dense_weight=weight, rerank=args.rerank)
    searcher = Searcher(load_index(index_dir("eco", embedder.model_dir.name, embedder.passage_precision), embedder), embedder, config)
    found = drafting_recall(searcher, queries, args.bases)
    for query, recall in zip(queries, found["per_problem"]):
        print(f"{query['qid']}  {recall:.2f}  {query['query']}")
    print(f"drafting Recall@{args.bases} {found['recall']:.3f} over {len(queries)} problems; {found['penalties']} linked penalty clauses")
    report = found | {"bases": args.bases, "model": embedder.model_id, "config": config.__dict__}
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "eval-drafting.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
