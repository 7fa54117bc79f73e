"""Fine-tune the embedding model on STARD's tuning part (never its held-out part), on the CPU.

    python scripts/tune_embedder.py [--out var/models/e5-small-stard] [--epochs 2] [--lr 3e-5]

Each tuning query is paired with one of its relevant articles and with hard negatives: articles the
shipped hybrid search ranks high that are not relevant. The loss is InfoNCE over the batch (every other
query's passages are negatives too, except passages relevant to the query itself). Passages are built
exactly as the indexer builds them (`passage_text`), and prompts come from the model's configuration, so
the tuned folder drops into `--model-dir` / POLICY_SEARCH_MODEL_DIR unchanged. The word-embedding matrix
(three quarters of e5-small's weights, mostly rows Chinese legal text never uses) is frozen.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from policy_search import store  # noqa: E402
from policy_search.embedding.e5_build import ensure_e5_small  # noqa: E402
from policy_search.embedding.loading import load_embedder  # noqa: E402
from policy_search.passages import passage_text  # noqa: E402
from service.retrieval.loaded import load_index  # noqa: E402
from service.retrieval.searcher import Searcher  # noqa: E402
from stard import stard_queries  # noqa: E402

SHARED = ROOT.parent / "shared"
STARD = SHARED / "eval" / "stard"


def mine_examples(index_root: Path, model_dir: Path | None, negatives_per_query: int, seed: int) -> list[dict]:
    """(query, positive passages, hard negative passages) from the current model's hybrid ranking."""
    embedder = load_embedder(model_dir, threads=2)
    index = load_index(index_root, embedder)
    searcher = Searcher(index, embedder)
    by_article: dict[tuple[str, str], list[int]] = {}
    for position, clause in enumerate(index.clauses):
        meta = index.documents[index.doc_of[position]]
        by_article.setdefault((meta.title, clause.locator.article or ""), []).append(position)

    def passage(position: int) -> str:
        return passage_text(index.documents[index.doc_of[position]], index.clauses[position])

    rng = random.Random(seed)
    examples = []
    for query in stard_queries(STARD, "tuning"):
        relevant = {(r["file"], r["article"]) for r in query["relevant"]}
        positives = [passage(p) for key in relevant for p in by_article.get(key, [])]
        if not positives:
            continue
        hits = searcher.search(query["query"], top_k=50).hits
        pool = []
        for hit in hits[3:]:  # the very top is where unlabelled relevant articles hide
            meta = index.documents[index.doc_of[hit.clause]]
            if (meta.title, index.clauses[hit.clause].locator.article or "") not in relevant:
                pool.append(passage(hit.clause))
        negatives = rng.sample(pool, min(negatives_per_query, len(pool)))
        examples.append({"query": query["query"], "positives": positives, "negatives": negatives})
    return examples


def train(model_dir: Path, examples: list[dict], out: Path, *, epochs: int, batch_size: int, lr: float,
          scale: float, max_length: int, seed: int) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True).float()
    model.max_seq_length = max_length
    prompts = model.prompts or {}
    query_prompt, passage_prompt = prompts.get("query", ""), prompts.get("passage", "")
    model[0].auto_model.embeddings.word_embeddings.weight.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    steps = epochs * math.ceil(len(examples) / batch_size)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))

    def embed(texts: list[str]):
        features = model.preprocess(texts)
        return model(features)["sentence_embedding"]

    rng = random.Random(seed)
    model.train()
    step, started = 0, time.perf_counter()
    for epoch in range(epochs):
        order = examples[:]
        rng.shuffle(order)
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            positives = [rng.choice(ex["positives"]) for ex in batch]
            passages = positives + [n for ex in batch for n in ex["negatives"]]
            q = embed([query_prompt + ex["query"] for ex in batch])
            p = embed([passage_prompt + text for text in passages])
            logits = scale * q @ p.T
            # Another query's passage that is relevant to this query is not a negative.
            mask = torch.zeros_like(logits, dtype=torch.bool)
            for i, ex in enumerate(batch):
                own = set(ex["positives"])
                for j, text in enumerate(passages):
                    mask[i, j] = j != i and text in own
            logits = logits.masked_fill(mask, float("-inf"))
            loss = torch.nn.functional.cross_entropy(logits, torch.arange(len(batch)))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 10 == 0 or step == steps:
                rate = (time.perf_counter() - started) / step
                print(f"epoch {epoch + 1} step {step}/{steps} loss {loss.item():.3f} "
                      f"{rate:.1f}s/step eta {rate * (steps - step) / 60:.0f} min", file=sys.stderr, flush=True)
    model.eval()
    model.half().save(str(out))  # stored in half precision (241 MB), computed in float32 like the base model
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    config["dtype"] = "float32"  # CPU inference in float16 is slow and drifts from the indexed vectors
    (out / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    (out / "policy_search_tuning.json").write_text(json.dumps({
        "base": str(model_dir), "examples": len(examples), "epochs": epochs, "batch_size": batch_size,
        "lr": lr, "scale": scale, "max_length": max_length, "seed": seed,
        "data": "STARD train.jsonl, tuning part (scripts/stard.py)",
    }, indent=2), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "models" / "e5-small-stard")
    parser.add_argument("--model-dir", type=Path, default=None, help="the model to start from (default: the shipped one)")
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "eval-stard-index",
                        help="a STARD index built with that model (scripts/evaluate.py --stard builds it)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--negatives", type=int, default=1, help="hard negatives per query")
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--scale", type=float, default=20.0, help="inverse temperature of the InfoNCE loss")
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    if not STARD.is_dir():
        print(f"no STARD data at {STARD}; nothing to tune on")
        return 0
    if store.IndexStore(args.index).current() is None:
        print(f"no STARD index at {args.index}: build it with `python scripts/evaluate.py --stard` first", file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(args.threads)
    model_dir = args.model_dir or ensure_e5_small()
    examples = mine_examples(args.index, args.model_dir, args.negatives, args.seed)
    print(f"{len(examples)} tuning examples", file=sys.stderr)
    train(model_dir, examples, args.out, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
          scale=args.scale, max_length=args.max_length, seed=args.seed)
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
