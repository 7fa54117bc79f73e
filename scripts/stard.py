"""STARD queries and the fixed split used when anything is tuned on them.

The held-out part is chosen by groups of queries that share a relevant article, not by position: STARD
asks several questions about the same article one after another, so a positional split would put most
held-out queries' answers into the tuning data. A group is held out when a hash of its smallest article id
falls in the lowest fifth; groups larger than 50 queries always stay in tuning, so one big group cannot
swing the held-out share.

The held-out part is split again, by the same groups, into two halves: `choice`, where settings may be chosen
(epochs, the ranker's depth, the hybrid mix), and `unseen`, which is only ever reported: questions whose
relevant articles no tuning question cites, on which nothing was chosen either. `heldout` is both halves.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

STARD = Path(__file__).resolve().parents[2] / "shared" / "eval" / "stard"  # ../shared beside the project
MAX_HELD_OUT_GROUP = 50


def load_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _groups(rows: list[dict]) -> dict[int, int]:
    """Article id → smallest article id of its group (union-find over each query's relevant articles)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in rows:
        first, *rest = row["relevant"]
        for other in rest:
            a, b = find(first), find(other)
            parent[max(a, b)] = min(a, b)
        find(first)
    return {article: find(article) for article in parent}


def _bucket(group: int, salt: str = "") -> int:
    return int(hashlib.sha1(f"{salt}{group}".encode()).hexdigest()[:8], 16)


def held_out_flags(rows: list[dict]) -> list[bool]:
    group_of = _groups(rows)
    groups = [group_of[row["relevant"][0]] for row in rows]
    sizes = Counter(groups)
    return [sizes[group] <= MAX_HELD_OUT_GROUP and _bucket(group) % 5 == 0 for group in groups]


def group_folds(rows: list[dict], folds: int, salt: str) -> list[int]:
    """A fold number for each row, such that queries sharing an article share a fold (to split a part again)."""
    group_of = _groups(rows)
    return [_bucket(group_of[row["relevant"][0]], salt) % folds for row in rows]


SPLITS = ("all", "tuning", "heldout", "choice", "unseen")
UNSEEN_SALT = "unseen"


def split_names(rows: list[dict]) -> list[str]:
    """tuning, choice or unseen for each row; unseen rows share no relevant article with any tuning row."""
    folds = group_folds(rows, 2, UNSEEN_SALT)
    names = ["tuning" if not held_out else ("unseen" if fold == 0 else "choice")
             for held_out, fold in zip(held_out_flags(rows), folds)]
    cited = {article for row, name in zip(rows, names) if name == "tuning" for article in row["relevant"]}
    assert not any(name == "unseen" and cited & set(row["relevant"]) for row, name in zip(rows, names))
    return names


def in_split(name: str, split: str) -> bool:
    return split == "all" or name == split or (split == "heldout" and name in ("choice", "unseen"))


def stard_queries(stard_dir: Path, split: str) -> list[dict]:
    """Queries with relevant (title, article) pairs and their corpus ids; split is one of SPLITS."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    corpus = {row["id"]: (row["title"], row["article"]) for row in load_jsonl(stard_dir / "corpus.jsonl")}
    rows = load_jsonl(stard_dir / "train.jsonl")
    queries = []
    for row, name in zip(rows, split_names(rows)):
        if not in_split(name, split):
            continue
        ids = [r for r in row["relevant"] if r in corpus]
        if ids:
            relevant = [{"file": corpus[r][0], "article": corpus[r][1]} for r in ids]
            queries.append({"query": row["query"], "kind": "stard", "relevant": relevant, "ids": ids})
    return queries
