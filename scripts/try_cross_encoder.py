"""Measure a shallow cross-encoder over the default search's first page, offline, before building it in.

    python scripts/try_cross_encoder.py [--layers 2] [--epochs 2] [--max-length 160]

The shipped encoder cut to its first layers reads query and clause as one input, mean-pooled into a score by
a linear head. It is trained on STARD's tuning part: for each question the default search's first 20 results,
its relevant articles as positives against up to 7 of the others (softmax over the group). It then reorders
the default's first 10 on STARD's held-out part and on eco_dev: alone, and fused with the first order by
reciprocal rank. Only the order within the first page changes, so only MRR@10 can move. Nothing here is used
by the service; the figures go to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from evaluate import SHARED, SPEECH, ensure_index, found_ranks, index_dir  # noqa: E402
from stard import STARD, load_jsonl, stard_queries  # noqa: E402

from policy_search.embedding.loading import load_embedder  # noqa: E402
from service.retrieval.loaded import load_index  # noqa: E402
from service.retrieval.ranking import RankingConfig  # noqa: E402
from service.retrieval.results import hit_result  # noqa: E402
from service.retrieval.searcher import Searcher  # noqa: E402

TRAIN_DEPTH = 20  # results per tuning question the negatives come from
NEGATIVES = 7
PAGE = 10


def first_pages(searcher: Searcher, queries: list[dict], depth: int, by_title: bool) -> list[dict]:
    """Per query: its text, the passages of the default's first `depth` results, and which of them are relevant."""
    pages = []
    for query in queries:
        outcome = searcher.search(query["query"], top_k=depth)
        results = [hit_result(searcher.index, hit, outcome.tokens) for hit in outcome.hits]
        found = found_ranks(results, query["relevant"], by_title)
        relevant = {rank - 1 for rank in found.values()}
        passages = [f"{r['document']['title']} {r['text']}" for r in results]
        pages.append({"query": query["query"], "passages": passages, "relevant": relevant})
    return pages


class CrossEncoder:
    """The first `layers` layers of a BERT folder and a linear head over the mean of the last hidden states."""

    def __init__(self, folder: Path, layers: int, max_length: int) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self.bert = AutoModel.from_pretrained(str(folder), local_files_only=True, add_pooling_layer=False).float()
        self.bert.encoder.layer = self.bert.encoder.layer[:layers]
        self.bert.config.num_hidden_layers = layers
        self.bert.embeddings.word_embeddings.weight.requires_grad_(False)
        self.head = torch.nn.Linear(self.bert.config.hidden_size, 1)
        self.max_length = max_length

    def parameters(self):
        return [p for p in self.bert.parameters() if p.requires_grad], list(self.head.parameters())

    def train(self, on: bool) -> None:
        self.bert.train(on)

    def scores(self, query: str, passages: list[str]):
        batch = self.tokenizer([f"query: {query}"] * len(passages), passages, truncation="only_second",
                               max_length=self.max_length, padding=True, return_tensors="pt")
        hidden = self.bert(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return self.head((hidden * mask).sum(1) / mask.sum(1)).squeeze(-1)


def train(model: CrossEncoder, pages: list[dict], epochs: int, lr: float, seed: int, per_step: int = 4) -> None:
    torch = model.torch
    rng = random.Random(seed)
    groups = [(p["query"], [p["passages"][i] for i in p["relevant"]], [t for i, t in enumerate(p["passages"]) if i not in p["relevant"]])
              for p in pages]
    groups = [g for g in groups if g[1] and g[2]]
    body, head = model.parameters()
    optimizer = torch.optim.AdamW([{"params": body, "lr": lr}, {"params": head, "lr": 1e-3}], weight_decay=0.01)
    steps = epochs * ((len(groups) + per_step - 1) // per_step)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: max(0.0, 1 - s / steps))
    model.train(True)
    step, started = 0, time.perf_counter()
    for _ in range(epochs):
        rng.shuffle(groups)
        for start in range(0, len(groups), per_step):
            loss = 0.0
            for query, positives, negatives in groups[start:start + per_step]:
                passages = [rng.choice(positives), *rng.sample(negatives, min(NEGATIVES, len(negatives)))]
                logits = model.scores(query, passages)
                loss = loss + torch.nn.functional.cross_entropy(logits[None, :], torch.zeros(1, dtype=torch.long))
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 50 == 0:
                rate = (time.perf_counter() - started) / step
                print(f"step {step}/{steps} loss {loss.item() / per_step:.3f} eta {rate * (steps - step) / 60:.0f} min",
                      file=sys.stderr, flush=True)
    model.train(False)


def mrr(pages: list[dict], orders: list[list[int]]) -> float:
    total = 0.0
    for page, order in zip(pages, orders):
        first = next((rank for rank, i in enumerate(order[:PAGE], start=1) if i in page["relevant"]), None)
        total += 1.0 / first if first else 0.0
    return round(total / len(pages), 4)


def reorders(model: CrossEncoder, pages: list[dict]) -> dict[str, list[list[int]]]:
    """The first order, the cross-encoder's, and the two fused by reciprocal rank (k = 10)."""
    out: dict[str, list[list[int]]] = {"first": [], "cross": [], "fused": []}
    with model.torch.no_grad():
        for page in pages:
            n = min(PAGE, len(page["passages"]))
            first = list(range(n))
            scores = model.scores(page["query"], page["passages"][:n]).numpy() if n else np.zeros(0)
            cross = [int(i) for i in np.argsort(-scores, kind="stable")]
            cross_rank = {i: r for r, i in enumerate(cross)}
            fused = sorted(first, key=lambda i: -(1 / (10 + i) + 1 / (10 + cross_rank[i])))
            for name, order in (("first", first), ("cross", cross), ("fused", fused)):
                out[name].append(order)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--max-length", type=int, default=160)
    parser.add_argument("--lr", type=float, default=3e-5, help="of the layers; the head learns at 1e-3")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "try-cross-encoder.json")
    args = parser.parse_args()
    if not (STARD / "train.jsonl").is_file():
        print(f"STARD is not at {STARD}; nothing to train on")
        return 0
    import torch

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    embedder = load_embedder(None, threads=args.threads, passage_precision="fp32")
    config = RankingConfig(dense_weight=embedder.dense_weight, rerank=embedder.tuned)
    started = time.perf_counter()
    stard = Searcher(load_index(index_dir("stard", embedder.model_dir.name), embedder), embedder, config)
    tuning = first_pages(stard, stard_queries(STARD, "tuning"), TRAIN_DEPTH, by_title=True)
    held = first_pages(stard, stard_queries(STARD, "heldout"), PAGE, by_title=True)
    eco_out = index_dir("eco", embedder.model_dir.name)
    ensure_index(eco_out, [SHARED / "corpus" / "eco", SPEECH], embedder)
    eco = first_pages(Searcher(load_index(eco_out, embedder), embedder, config),
                      load_jsonl(SHARED / "eval" / "eco_dev.jsonl"), PAGE, by_title=False)
    print(f"first pages in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    model = CrossEncoder(embedder.model_dir, args.layers, args.max_length)
    started = time.perf_counter()
    train(model, tuning, args.epochs, args.lr, args.seed)
    minutes = round((time.perf_counter() - started) / 60, 1)
    report = {"layers": args.layers, "epochs": args.epochs, "lr": args.lr, "max_length": args.max_length,
              "train_minutes": minutes}
    for name, pages in (("stard held-out", held), ("eco_dev", eco)):
        orders = reorders(model, pages)
        report[name] = {kind: mrr(pages, order) for kind, order in orders.items()}
        print(f"{name} MRR@10: " + "  ".join(f"{kind} {value:.3f}" for kind, value in report[name].items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
