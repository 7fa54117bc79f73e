"""Training pairs from the corpus's own structure, in the shape scripts/tune_embedder.py trains on.

    python scripts/structure_pairs.py --index var/eval-eco-index-… [--out var/structure-pairs.jsonl]

An index generation already knows which clauses belong together, without anyone judging them:
- restates: a local clause and the national (or higher) clause it restates (indexer/references.py);
- cites: a citing clause, its citation cut out, and the article it resolved to;
- duty ↔ penalty: a duty article and the penalty article that enforces it (both ways);
- heading: a chapter or section heading and an article under it.
The first side is the question (e5's `query: ` prompt), the second the passage, built as the indexer builds
passages. Each pair also gets hard negatives: clauses of other documents that share words with the question
(BM25 ranks 4–50, as for STARD) and are not linked to it. Pairs are capped per kind, drawn with a seed, and
near-duplicates (the same question text) are kept once.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policy_search.passages import passage_text  # noqa: E402

KINDS = ("restates", "cites", "duty_penalty", "heading")
MIN_QUESTION_CHARS = 8  # shorter questions (a bare heading such as 附则) say too little to learn from
# a citation as written inside a clause: 根据《X》第N条第M款的规定 and its shorter forms
CITATION = re.compile(r"(?:根据|依照|按照|依据)?《[^》]{2,60}》(?:第[一二三四五六七八九十百千零〇0-9]+条)?"
                      r"(?:第[一二三四五六七八九十0-9]+款)?(?:第（[一二三四五六七八九十]+）项)?(?:的规定|规定)?[，,]?")
GENERIC_HEADINGS = re.compile(r"^第[一二三四五六七八九十百]+[章节编]\s*(总则|附则|法律责任|罚则|其他规定)?$")


def strip_citations(text: str) -> str:
    """The clause without the citations it makes: the model should learn what the cited article says, not its title."""
    return CITATION.sub("", text).strip()


def _heading_text(heading: str) -> str:
    """A heading without its number: 第四章　防治污染和其他公害 → 防治污染和其他公害."""
    return re.sub(r"^第[一二三四五六七八九十百]+[章节编]\s*", "", heading).strip()


def raw_pairs(index) -> dict[str, list[tuple[int, int, str]]]:
    """(question clause position, passage clause position, question text) per kind, from a LoadedIndex."""
    pos = index.clause_pos
    pairs: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for reference in index.references:
        if reference.target is None or reference.source not in pos or reference.target not in pos:
            continue
        source, target = pos[reference.source], pos[reference.target]
        if index.doc_of[source] == index.doc_of[target]:
            continue
        if reference.kind == "restates":
            pairs["restates"].append((source, target, index.clauses[source].text))
        elif reference.kind == "cites":
            pairs["cites"].append((source, target, strip_citations(index.clauses[source].text)))
    for duty_id, penalty_id in index.links:
        if duty_id in pos and penalty_id in pos:
            duty, penalty = pos[duty_id], pos[penalty_id]
            pairs["duty_penalty"].append((duty, penalty, index.clauses[duty].text))
            pairs["duty_penalty"].append((penalty, duty, index.clauses[penalty].text))
    for position, clause in enumerate(index.clauses):
        if clause.locator.article and clause.locator.path:
            heading = clause.locator.path[-1]
            if not GENERIC_HEADINGS.match(heading):
                pairs["heading"].append((-1, position, _heading_text(heading)))
    return pairs


def structure_examples(index, *, per_kind: int, negatives: int, seed: int, ranked=None) -> list[dict]:
    """Examples {query, positives, negatives, kind} of every kind, at most `per_kind` each.

    `ranked(text, k)` gives clause positions by BM25 (the tuning script's own search); without it negatives
    are drawn at random from other documents."""
    rng = random.Random(seed)
    examples = []
    for kind, found in sorted(raw_pairs(index).items()):
        linked: dict[str, set[int]] = defaultdict(set)  # a question may have several right passages
        for _, target, question in found:
            linked[question].add(target)
        questions = [q for q in linked if len(q) >= MIN_QUESTION_CHARS]
        rng.shuffle(questions)
        for question in questions[:per_kind]:
            targets = sorted(linked[question])
            positive = rng.choice(targets)
            excluded = {index.doc_of[t] for t in targets}
            if ranked is not None:
                pool = [p for p in ranked(question, 50)[3:] if index.doc_of[p] not in excluded]
            else:
                pool = [p for p in rng.sample(range(len(index.clauses)), min(200, len(index.clauses)))
                        if index.doc_of[p] not in excluded]
            chosen = rng.sample(pool, min(negatives, len(pool)))
            examples.append({
                "query": question,
                "positives": [passage(index, positive)],
                "negatives": [passage(index, p) for p in chosen],
                "kind": kind,
            })
    return examples


def passage(index, position: int) -> str:
    return passage_text(index.documents[index.doc_of[position]], index.clauses[position])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="an index directory (vectors not needed)")
    parser.add_argument("--per-kind", type=int, default=400)
    parser.add_argument("--negatives", type=int, default=1)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "structure-pairs.jsonl")
    args = parser.parse_args()
    from service.retrieval.loaded import load_index
    from service.retrieval.ranking import RankingConfig
    from service.retrieval.searcher import Searcher

    index = load_index(args.index, None, {"backend": "local"})
    searcher = Searcher(index, None, RankingConfig(rerank=False))

    def ranked(text: str, k: int) -> list[int]:
        return [hit.clause for hit in searcher.search(text, top_k=k, mode="bm25").hits]

    examples = structure_examples(index, per_kind=args.per_kind, negatives=args.negatives, seed=args.seed, ranked=ranked)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(json.dumps(example, ensure_ascii=False) + "\n")
    counts = defaultdict(int)
    for example in examples:
        counts[example["kind"]] += 1
    print(f"{len(examples)} pairs → {args.out}: " + ", ".join(f"{k} {counts[k]}" for k in KINDS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
