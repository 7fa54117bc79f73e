"""Train the learned ranker (LightGBM LambdaRank) on STARD's tuning questions; choose it on the held-out part.

    python scripts/train_ranker.py [--model-dir DIR] [--index var/eval-stard-index-NAME] [--out service/data]

Each question's candidates are the article groups this project's own hybrid search ranks highest (the
first 200; `--grid` compares 100 too), with the features `service/retrieval/rerank.py` computes at query time; relevant
articles are the positives, every other candidate a hard negative. The number of trees is found by
five-fold cross-validation over the tuning questions (folds by group, as scripts/stard.py splits), the
model is then trained on all of them, depths and the settings grid are compared on the held-out part by
R@10 + R@100 + MRR@10, as is the model's share against the fused score (WEIGHTS), and the best is
written with a record of how it was made. The seed is fixed and LightGBM
runs deterministically, so a rerun on the same index writes the same model. eco_dev is never used here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from stard import STARD, group_folds, stard_queries  # noqa: E402

from policy_search.embedding.loading import load_embedder  # noqa: E402
from service.retrieval.loaded import load_index  # noqa: E402
from service.retrieval.ranking import RankingConfig  # noqa: E402
from service.retrieval.rerank import FEATURES, MODEL_FILE, RECORD_FILE, mix  # noqa: E402
from service.retrieval.searcher import Searcher  # noqa: E402

GRID = [  # (leaves, learning rate, minimum rows per leaf), compared with --grid (BENCHMARKS.md)
    (7, 0.05, 50),
    (15, 0.05, 50),
    (31, 0.05, 100),
    (31, 0.02, 50),
    (63, 0.02, 100),
]
WEIGHTS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)  # the model's share in the reranked score, chosen on the held-out part
CHOSEN = (200, (31, 0.02, 50))  # depth and settings the grid chose; a plain run trains only these


class FeatureRecorder:
    """Stands in for the ranker: keeps each query's features and leaves the fused order as it is."""

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.last: tuple[np.ndarray, list] | None = None

    def rerank(self, index, hits, candidates, weight=None):
        from service.retrieval.rerank import hit_features

        top = hits[: self.depth]
        self.last = (hit_features(index, top, candidates), top)
        return hits


def collect(searcher: Searcher, recorder: FeatureRecorder, queries: list[dict]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per question: the candidates' features and their labels (1 = a relevant article)."""
    index = searcher.index
    out = []
    for i, query in enumerate(queries):
        recorder.last = None
        searcher.search(query["query"], top_k=1, rerank=True)
        if recorder.last is None:
            out.append((np.zeros((0, len(FEATURES)), np.float32), np.zeros(0)))
            continue
        features, hits = recorder.last
        relevant = {(r["file"], r["article"]) for r in query["relevant"]}
        labels = np.array([
            float((index.documents[index.doc_of[h.clause]].title, index.clauses[h.clause].locator.article) in relevant)
            for h in hits
        ])
        out.append((features, labels))
        if (i + 1) % 200 == 0:
            print(f"  {i + 1}/{len(queries)} questions", file=sys.stderr, flush=True)
    return out


def pack(name: str, rows) -> dict[str, np.ndarray]:
    return {f"{name}_{i}_{part}": array for i, (x, y) in enumerate(rows) for part, array in (("x", x), ("y", y))}


def unpack(saved, name: str, count: int):
    return [(saved[f"{name}_{i}_x"], saved[f"{name}_{i}_y"]) for i in range(count)]


def metrics(rows: list[tuple[np.ndarray, np.ndarray]], queries: list[dict], scores: list[np.ndarray] | None) -> dict:
    """R@10, R@100, MRR@10 over the questions, ranking each one's candidates by `scores` (None: fused order).
    A relevant article outside the candidates counts as missed, as it is in the search."""
    recall10 = recall100 = mrr = 0.0
    for i, ((_, labels), query) in enumerate(zip(rows, queries)):
        order = np.arange(len(labels)) if scores is None else np.argsort(-scores[i], kind="stable")
        ranked = labels[order]
        hits = np.flatnonzero(ranked > 0)
        total = len(query["relevant"])
        recall10 += (hits < 10).sum() / total
        recall100 += (hits < 100).sum() / total
        mrr += 1.0 / (hits[0] + 1) if len(hits) and hits[0] < 10 else 0.0
    n = len(queries)
    return {"R@10": round(float(recall10) / n, 4), "R@100": round(float(recall100) / n, 4), "MRR@10": round(float(mrr) / n, 4)}


def reranked(booster, features: np.ndarray, depth: int, weight: float = 1.0) -> np.ndarray:
    """Scores that order a question's candidates as the searcher does: the first `depth` by `weight` · model +
    (1 − weight) · fused, each scaled to [0, 1] over them, the rest after in fused order."""
    scores = -np.arange(len(features), dtype=np.float64) - 1e6  # below any reranked score, in fused order
    if len(features):
        top = features[:depth]
        scores[:depth] = mix(booster.predict(top, num_threads=1), top[:, FEATURES.index("fused")].astype(np.float64), weight)
    return scores


def stack(rows: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Questions with at least one relevant candidate, stacked for LightGBM (others teach LambdaRank nothing)."""
    kept = [(x, y) for x, y in rows if y.sum() > 0]
    return np.vstack([x for x, _ in kept]), np.concatenate([y for _, y in kept]), [len(y) for _, y in kept]


def train(rows_fit, rows_stop, leaves: int, rate: float, min_rows: int, seed: int, rounds: int | None = None):
    """A LambdaRank model: with `rows_stop`, stopped where they stop improving; else `rounds` trees."""
    import lightgbm

    params = {
        "objective": "lambdarank", "metric": "ndcg", "ndcg_eval_at": [10], "lambdarank_truncation_level": 20,
        "num_leaves": leaves, "learning_rate": rate, "min_data_in_leaf": min_rows, "feature_fraction": 0.8,
        "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0, "seed": seed, "deterministic": True,
        "force_col_wise": True, "num_threads": 2, "verbose": -1,
    }
    x, y, groups = stack(rows_fit)
    fit = lightgbm.Dataset(x, y, group=groups, feature_name=list(FEATURES), free_raw_data=False)
    if rows_stop is None:
        return lightgbm.train(params, fit, num_boost_round=rounds), params
    xs, ys, gs = stack(rows_stop)
    stop = lightgbm.Dataset(xs, ys, group=gs, reference=fit)
    booster = lightgbm.train(params, fit, num_boost_round=1000, valid_sets=[stop],
                             callbacks=[lightgbm.early_stopping(50, verbose=False)])
    return booster, params


def cross_validated(rows, folds: list[int], depth: int, leaves: int, rate: float, min_rows: int, seed: int):
    """Trees counted by cross-validation (the mean of each fold's early stop), then trained on every row; also
    each row's out-of-fold scores, to compare settings on all the tuning questions and not only the held-out."""
    stops, out_of_fold = [], [None] * len(rows)
    for fold in sorted(set(folds)):
        fit = [row for row, f in zip(rows, folds) if f != fold]
        stop = [row for row, f in zip(rows, folds) if f == fold]
        booster = train(fit, stop, leaves, rate, min_rows, seed)[0]
        stops.append(max(1, booster.best_iteration))
        for i, f in enumerate(folds):
            if f == fold:
                out_of_fold[i] = reranked(booster, rows[i][0], depth)
    rounds = round(sum(stops) / len(stops))
    booster, params = train(rows, None, leaves, rate, min_rows, seed, rounds=rounds)
    return booster, params, rounds, out_of_fold


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=None, help="the embedding model (default: the shipped one)")
    parser.add_argument("--index", type=Path, required=True, help="a STARD index built with that model (scripts/evaluate.py --stard)")
    parser.add_argument("--grid", action="store_true",
                        help="compare depths 100 and 200 and every GRID setting (about 30 min) instead of the chosen one")
    parser.add_argument("--dense-weight", type=float, default=None, help="hybrid mix of the first stage (default: the model's)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "service" / "data")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ablate", default="", help="features to leave out (read as missing), to measure what each adds")
    args = parser.parse_args()
    if not (STARD / "train.jsonl").is_file():
        print(f"STARD is not at {STARD}; nothing to train on")
        return 1

    embedder = load_embedder(args.model_dir, threads=args.threads)
    dense_weight = args.dense_weight if args.dense_weight is not None else embedder.dense_weight
    depths, grid = ([100, 200], GRID) if args.grid else ([CHOSEN[0]], [CHOSEN[1]])
    recorder = FeatureRecorder(depths[-1])
    searcher = Searcher(load_index(args.index, embedder), embedder, RankingConfig(dense_weight=dense_weight), reranker=recorder)
    tuning, held_out = stard_queries(STARD, "tuning"), stard_queries(STARD, "heldout")
    started = time.perf_counter()
    cache = ROOT / "var" / f"ranker-features-{searcher.index.generation}-{depths[-1]}-{len(FEATURES)}.npz"
    if cache.exists():  # the same index, depth and features: the same rows
        saved = np.load(cache)
        rows_tuning, rows_held = [unpack(saved, "tuning", len(tuning)), unpack(saved, "held", len(held_out))]
    else:
        rows_tuning, rows_held = collect(searcher, recorder, tuning), collect(searcher, recorder, held_out)
        np.savez_compressed(cache, **pack("tuning", rows_tuning), **pack("held", rows_held))
    print(f"features of {len(tuning)} + {len(held_out)} questions in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    for name in filter(None, args.ablate.split(",")):
        for x, _ in rows_tuning + rows_held:
            x[:, FEATURES.index(name)] = np.nan

    folds = group_folds([{"relevant": q["ids"]} for q in tuning], 5, salt="ranker")
    fused = metrics(rows_held, held_out, None)
    print(f"fused order: held-out {fused}  tuning {metrics(rows_tuning, tuning, None)}")
    best = None
    for depth in depths:
        cut = [(x[:depth], y[:depth]) for x, y in rows_tuning]
        for leaves, rate, min_rows in grid:
            booster, params, rounds, out_of_fold = cross_validated(cut, folds, depth, leaves, rate, min_rows, args.seed)
            scores = [reranked(booster, x, depth) for x, _ in rows_held]
            found = metrics(rows_held, held_out, scores)
            crossed = metrics(rows_tuning, tuning, out_of_fold)
            print(f"depth {depth} leaves {leaves:>2} lr {rate} min {min_rows:>3} ({rounds:>3} trees): "
                  f"held-out {found}  tuning, out of fold {crossed}", flush=True)
            key = found["R@10"] + found["R@100"] + found["MRR@10"]
            if best is None or key > best[0]:
                best = (key, depth, booster, params, found)
    _, depth, booster, params, found = best
    by_weight = {}  # the model's share against the fused score; 1.0 is the model alone
    for weight in WEIGHTS:
        by_weight[weight] = metrics(rows_held, held_out, [reranked(booster, x, depth, weight) for x, _ in rows_held])
        print(f"weight {weight}: held-out {by_weight[weight]}")
    weight = max(WEIGHTS, key=lambda w: (sum(by_weight[w].values()), w))
    args.out.mkdir(parents=True, exist_ok=True)
    model_text = booster.model_to_string()
    (args.out / MODEL_FILE).write_text(model_text, encoding="utf-8")
    trees = booster.num_trees()
    importance = dict(zip(FEATURES, booster.feature_importance("gain").round(1).tolist()))
    record = {
        "features": list(FEATURES), "depth": depth, "weight": weight, "dense_weight": dense_weight, "trees": trees,
        "params": params, "model": embedder.model_id, "data": "STARD train.jsonl, tuning part (scripts/stard.py)",
        "questions": len(tuning), "held_out": {"fused": fused, "model alone": found, "reranked": by_weight[weight]},
        "sha256": hashlib.sha256(model_text.encode("utf-8")).hexdigest(),
        "gain": dict(sorted(importance.items(), key=lambda kv: -kv[1])),
    }
    (args.out / RECORD_FILE).write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"written {args.out / MODEL_FILE} ({len(model_text) // 1024} KB, {trees} trees)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
