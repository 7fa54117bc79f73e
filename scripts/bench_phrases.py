"""Pasted phrases: does a fragment copied from a clause find that clause in the top 3?

    python scripts/bench_phrases.py                  # 40 fragments, with and without the phrase signal
    python scripts/bench_phrases.py --fragments 200 --seed 2

Fragments are the runs between punctuation marks of clauses of the eco evaluation index (scripts/evaluate.py
builds it), 6–14 characters long, held by no other clause; one fragment per clause drawn at random (fixed
seed) from the current, searchable clauses. Each is searched as a query with the default ranking, and with
the default as it was before the phrase signal (the learned ranker on, no phrase signal), in the same run.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from protocol import with_ci  # noqa: E402
from reports import write_report  # noqa: E402

from evaluate import SHARED, eco_sources, index_dir  # noqa: E402
from policy_search.embedding.loading import load_embedder  # noqa: E402
from policy_search.text import compact  # noqa: E402
from service.retrieval.loaded import load_index  # noqa: E402
from service.retrieval.ranking import RankingConfig  # noqa: E402
from service.retrieval.searcher import Searcher  # noqa: E402

_PUNCTUATION = re.compile(r"[，。；：、！？,.;:!?（）()《》“”\"「」【】\s\u3000]+")
SPEECH_PHRASE = "四不两直"  # a phrase of the bundled speech, which the speech's paragraph must answer first


def fragments(index, count: int, seed: int, low: int = 6, high: int = 14) -> list[tuple[str, int]]:
    """(fragment, clause position): runs between punctuation, `low`–`high` characters, held by one clause only."""
    rng = random.Random(seed)
    positions = [p for p in range(len(index.clauses)) if index.searchable[p] and not index.documents[index.doc_of[p]].superseded]
    rng.shuffle(positions)
    chosen = []
    for position in positions:
        pieces = [p for p in _PUNCTUATION.split(index.clauses[position].text) if low <= len(compact(p)) <= high]
        rng.shuffle(pieces)
        for piece in pieces:
            if index.phrases.clauses_with(compact(piece), limit=1) == [position]:
                chosen.append((piece, position))
                break
        if len(chosen) == count:
            break
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fragments", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--model", default=None)
    parser.add_argument("--index", type=Path, default=None, help="default: the eco evaluation index of the model")
    parser.add_argument("--subset", choices=("judged",), default=None, help="the eco index of the judged documents only")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench_phrases.json")
    args = parser.parse_args()
    embedder = load_embedder(None, model=args.model)
    folder = args.index or index_dir(eco_sources(args.subset)[0], embedder.model_dir.name, embedder.passage_precision)
    if not (folder / "CURRENT").exists():
        print(f"no index at {folder}: run scripts/evaluate.py --eco first" if (SHARED / "eval").is_dir() else "no evaluation data")
        return 0
    index = load_index(folder, embedder, {"backend": "local"})
    base = RankingConfig(dense_weight=embedder.dense_weight)
    # before: the default as it was (the learned ranker on, no phrase signal)
    configs = {"default": base, "before": replace(base, rerank=True, phrase_weight=0.0, phrase_first=0)}
    sample = fragments(index, args.fragments, args.seed)
    report: dict = {"index": str(folder), "fragments": len(sample), "seed": args.seed, "top": args.top, "runs": {}}
    for name, config in configs.items():
        searcher = Searcher(index, embedder, config)
        found = []
        rows = []
        for fragment, position in sample:
            hits = searcher.search(fragment, top_k=args.top).hits
            group = int(index.group_of[position])
            rank = next((i + 1 for i, h in enumerate(hits) if h.group == group), None)
            found.append(1.0 if rank else 0.0)
            rows.append({"fragment": fragment, "clause_id": index.clauses[position].clause_id, "rank": rank})
        speech = searcher.search(SPEECH_PHRASE, top_k=10).hits
        first = index.clauses[speech[0].clause] if speech else None
        speech_first = bool(first and SPEECH_PHRASE in first.text)
        report["runs"][name] = {"found": int(sum(found)), "share": sum(found) / len(found), "rows": rows, "speech_first": speech_first}
        print(f"{name}: {int(sum(found))}/{len(found)} in the top {args.top}, share {with_ci(found)}; "
              f"{SPEECH_PHRASE} first: {speech_first} ({first.citation_text if first and hasattr(first, 'citation_text') else (first.text[:30] if first else None)})")
    write_report(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
