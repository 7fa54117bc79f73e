"""Tune the embedding model on STARD's legal questions, on the CPU: a LoRA adapter (the default) or all weights.

    python scripts/tune_embedder.py                      # LoRA on the tuning part; checks each epoch on the held-out part
    python scripts/tune_embedder.py --split all --adapter-out policy_search/data/adapters/e5-small-stard
                                                         # the shipped adapter: the chosen settings, on every visible question
    python scripts/tune_embedder.py --lora-rank 0 --lr 3e-5   # all weights but the word embeddings, as a model folder

Each question is paired with one of its relevant articles and with hard negatives: articles this project's
BM25 search ranks high (4th to 50th) that are not relevant. The BM25 index of STARD's corpus is built on
the first run (half a minute, no model), so reproducing the adapter needs STARD and this script only.
The loss is InfoNCE over the batch (every other question's passages are negatives too, except passages
relevant to the question itself). Passages are built exactly as the indexer builds them (`passage_text`),
and prompts come from the model's configuration. LoRA adapts every linear map of the encoder; the word
embeddings (three quarters of e5-small's weights) stay as they are.

On the tuning part, each epoch ends with a check on the held-out part's `choice` half (scripts/stard.py; the
`unseen` half is only reported) that needs no re-embedding of the 58,657 articles: dense Recall@10 and MRR@10
among a fixed pool (those questions' articles, BM25's first 15 for each, 1,500 articles drawn with the seed).
`--structure-pairs` adds pairs drawn from the corpus's own structure (scripts/structure_pairs.py). The epoch count is read off it; the figures that
count come after, from `scripts/evaluate.py --stard` over the whole corpus.
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

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from stard import STARD, stard_queries  # noqa: E402

from policy_search.embedding.e5_build import ensure_e5_small  # noqa: E402
from policy_search.embedding.tuned import REFERENCE_FILE, TUNING_FILE, adapter_sha256, merge_adapter, reference_vectors  # noqa: E402
from policy_search.passages import passage_text  # noqa: E402
from service.retrieval.loaded import load_index  # noqa: E402
from service.retrieval.ranking import RankingConfig  # noqa: E402
from service.retrieval.searcher import Searcher  # noqa: E402

CHECK_TOP = 15  # BM25 candidates per held-out question in the check pool
CHECK_RANDOM = 1500  # articles drawn at random into the check pool


class Stard:
    """STARD's corpus through this project's BM25 index: passages by article, and the lexical ranking."""

    def __init__(self, index_root: Path) -> None:
        from evaluate import ensure_index

        ensure_index(index_root, [STARD / "corpus.jsonl"], None)
        self.index = load_index(index_root, None)
        self.searcher = Searcher(self.index, None, RankingConfig(rerank=False))
        self.by_article: dict[tuple[str, str], list[int]] = {}
        for position, clause in enumerate(self.index.clauses):
            meta = self.index.documents[self.index.doc_of[position]]
            self.by_article.setdefault((meta.title, clause.locator.article or ""), []).append(position)

    def passage(self, position: int) -> str:
        return passage_text(self.index.documents[self.index.doc_of[position]], self.index.clauses[position])

    def key(self, position: int) -> tuple[str, str]:
        return self.index.documents[self.index.doc_of[position]].title, self.index.clauses[position].locator.article or ""

    def ranked(self, query: str, top_k: int) -> list[int]:
        return [hit.clause for hit in self.searcher.search(query, top_k=top_k, mode="bm25").hits]


def mine_examples(stard: Stard, split: str, negatives_per_query: int, seed: int) -> list[dict]:
    """(query, positive passages, hard negative passages) from the BM25 ranking."""
    rng = random.Random(seed)
    examples = []
    for query in stard_queries(STARD, split):
        relevant = {(r["file"], r["article"]) for r in query["relevant"]}
        positives = [stard.passage(p) for key in relevant for p in stard.by_article.get(key, [])]
        if not positives:
            continue
        ranked = stard.ranked(query["query"], 50)[3:]  # the very top is where unlabelled relevant articles hide
        pool = [stard.passage(p) for p in ranked if stard.key(p) not in relevant]
        negatives = rng.sample(pool, min(negatives_per_query, len(pool)))
        examples.append({"query": query["query"], "positives": positives, "negatives": negatives})
    return examples


def check_pool(stard: Stard, seed: int) -> tuple[list[str], list[str], list[set[int]]]:
    """The choice half's questions, the pool's passages, and per question the pool rows of its relevant articles."""
    rng = random.Random(seed)
    queries = stard_queries(STARD, "choice")
    positions: dict[int, None] = {}
    for query in queries:
        for r in query["relevant"]:
            positions.update(dict.fromkeys(stard.by_article.get((r["file"], r["article"]), [])))
        positions.update(dict.fromkeys(stard.ranked(query["query"], CHECK_TOP)))
    positions.update(dict.fromkeys(rng.sample(range(len(stard.index.clauses)), CHECK_RANDOM)))
    pool = list(positions)
    row_of = {p: i for i, p in enumerate(pool)}
    relevant = [
        {row_of[p] for r in q["relevant"] for p in stard.by_article.get((r["file"], r["article"]), [])} for q in queries
    ]
    return [q["query"] for q in queries], [stard.passage(p) for p in pool], relevant


def check(model, pool: tuple[list[str], list[str], list[set[int]]]) -> dict[str, float]:
    """Dense Recall@10 and MRR@10 of the held-out questions among the check pool."""
    queries, passages, relevant = pool
    prompts = model.prompts or {}
    q = model.encode(queries, prompt=prompts.get("query", ""), normalize_embeddings=True, batch_size=32)
    p = model.encode(passages, prompt=prompts.get("passage", ""), normalize_embeddings=True, batch_size=32)
    recall = mrr = 0.0
    for scores, rows in zip(q @ p.T, relevant):
        top = np.argsort(-scores)[:10].tolist()
        found = [rank for rank, row in enumerate(top) if row in rows]
        recall += len({top[r] for r in found}) / max(1, len(rows))
        mrr += 1.0 / (found[0] + 1) if found else 0.0
    return {"R@10": round(recall / len(queries), 4), "MRR@10": round(mrr / len(queries), 4)}


def train(model_dir: Path, examples: list[dict], *, epochs: int, batch_size: int, lr: float, scale: float,
          max_length: int, seed: int, lora_rank: int, lora_alpha: float, on_epoch=None):
    """The tuned SentenceTransformer; with lora_rank > 0 its transformer is a PEFT model holding the adapter.
    `on_epoch(epoch, model)` is called after each epoch with the model in evaluation mode."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True).float()
    model.max_seq_length = max_length
    prompts = model.prompts or {}
    query_prompt, passage_prompt = prompts.get("query", ""), prompts.get("passage", "")
    if lora_rank:
        from peft import LoraConfig, get_peft_model

        # every linear map of the encoder: attention (query, key, value, output) and both feed-forward layers
        config = LoraConfig(r=lora_rank, lora_alpha=lora_alpha, lora_dropout=0.0, bias="none",
                            target_modules=["query", "key", "value", "dense"])
        model[0].model = get_peft_model(model[0].model, config)
    else:
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
    if on_epoch is not None:  # the starting point, for comparison
        model.eval()
        with torch.no_grad():
            on_epoch(0, model)
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
        if on_epoch is not None:
            model.eval()
            with torch.no_grad():
                on_epoch(epoch + 1, model)
            model.train()
    model.eval()
    return model


def save_full(model, out: Path, record: dict) -> None:
    model.half().save(str(out))  # stored in half precision (241 MB), computed in float32 like the base model
    config = json.loads((out / "config.json").read_text(encoding="utf-8"))
    config["dtype"] = "float32"  # CPU inference in float16 is slow and drifts from the indexed vectors
    (out / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    (out / "policy_search_tuning.json").write_text(json.dumps(record, indent=2), encoding="utf-8")


def save_adapter(model, adapter_out: Path, record: dict) -> None:
    """PEFT's adapter files, the low-rank factors in half precision (a few MB), and how they were made."""
    from safetensors.torch import load_file, save_file

    adapter_out.mkdir(parents=True, exist_ok=True)
    model[0].model.save_pretrained(str(adapter_out))
    config_file = adapter_out / "adapter_config.json"  # the base is named, not the path it had on this machine
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config["base_model_name_or_path"] = Path(config.get("base_model_name_or_path") or "").name or None
    config_file.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    weights = adapter_out / "adapter_model.safetensors"
    save_file({name: tensor.half().contiguous() for name, tensor in load_file(str(weights)).items()}, str(weights))
    for extra in ("README.md",):  # PEFT writes a model card template; the record below says what matters
        (adapter_out / extra).unlink(missing_ok=True)
    (adapter_out / TUNING_FILE).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tuning", "all"), default="tuning", help="STARD questions to tune on")
    parser.add_argument("--out", type=Path, default=None,
                        help="the tuned model folder (default var/models/e5-small-stard-lora16[-all], or -full)")
    parser.add_argument("--adapter-out", type=Path, default=None, help="LoRA: where the adapter goes (default beside --out)")
    parser.add_argument("--model-dir", type=Path, default=None, help="the model to start from (default: stock e5-small)")
    parser.add_argument("--index", type=Path, default=ROOT / "var" / "eval-stard-index-bm25",
                        help="STARD's BM25 index, for the negatives (built here when missing)")
    parser.add_argument("--lora-rank", type=int, default=16, help="rank of the LoRA adapter; 0 tunes all weights instead")
    parser.add_argument("--lora-alpha", type=float, default=32.0)
    parser.add_argument("--epochs", type=int, default=3, help="3 chosen by the held-out check")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--negatives", type=int, default=1, help="hard negatives per query")
    parser.add_argument("--lr", type=float, default=3e-4, help="3e-4 for LoRA; about 3e-5 for all weights")
    parser.add_argument("--dense-weight", type=float, default=0.7, help="the hybrid mix recorded for the tuned model")
    parser.add_argument("--scale", type=float, default=20.0, help="inverse temperature of the InfoNCE loss")
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--no-check", action="store_true", help="skip the held-out check after each epoch")
    parser.add_argument("--structure-pairs", type=Path, default=None,
                        help="also train on pairs from the corpus's structure (scripts/structure_pairs.py writes them)")
    args = parser.parse_args()
    if not STARD.is_dir():
        print(f"no STARD data at {STARD}; nothing to tune on")
        return 0
    import torch

    torch.set_num_threads(args.threads)
    model_dir = args.model_dir or ensure_e5_small()
    kind = f"lora{args.lora_rank}" if args.lora_rank else "full"
    out = args.out or ROOT / "var" / "models" / f"e5-small-stard-{kind}{'-all' if args.split == 'all' else ''}"
    adapter_out = args.adapter_out or out.with_name(out.name + "-adapter")
    stard = Stard(args.index)
    examples = mine_examples(stard, args.split, args.negatives, args.seed)
    data = f"STARD train.jsonl, {args.split} (scripts/stard.py)"
    if args.structure_pairs:
        with args.structure_pairs.open(encoding="utf-8") as handle:
            structure = [json.loads(line) for line in handle if line.strip()]
        examples += structure
        random.Random(args.seed).shuffle(examples)
        data += f" + {len(structure)} structure pairs ({args.structure_pairs.name})"
    print(f"{len(examples)} tuning examples", file=sys.stderr)
    record = {
        "base": model_dir.name, "data": data, "examples": len(examples),
        "negatives": args.negatives, "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
        "scale": args.scale, "max_length": args.max_length, "seed": args.seed, "lora_rank": args.lora_rank,
        "lora_alpha": args.lora_alpha, "dense_weight": args.dense_weight,
    }
    checks: dict[int, dict] = {}
    on_epoch = None
    if args.split == "tuning" and not args.no_check:
        pool = check_pool(stard, args.seed)
        print(f"held-out check: {len(pool[0])} questions among {len(pool[1])} passages", file=sys.stderr)

        def on_epoch(epoch: int, model) -> None:
            checks[epoch] = check(model, pool)
            print(f"epoch {epoch}: held-out check {checks[epoch]}", file=sys.stderr, flush=True)
            if args.lora_rank and 0 < epoch < args.epochs:  # the last epoch's adapter is written below
                save_adapter(model, adapter_out.with_name(f"{adapter_out.name}-epoch{epoch}"), record | {"epochs_done": epoch})

    started = time.perf_counter()
    model = train(model_dir, examples, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, scale=args.scale,
                  max_length=args.max_length, seed=args.seed, lora_rank=args.lora_rank, lora_alpha=args.lora_alpha,
                  on_epoch=on_epoch)
    record["train_minutes"] = round((time.perf_counter() - started) / 60, 1)
    if checks:
        record["held_out_check"] = checks
    if args.lora_rank:
        save_adapter(model, adapter_out, record)
        merge_adapter(model_dir, adapter_out, out)  # exactly what the model build does with a shipped adapter
        reference = json.dumps(reference_vectors(out), ensure_ascii=False)
        (adapter_out / REFERENCE_FILE).write_text(reference + "\n", encoding="utf-8")  # what a build must reproduce
        print(f"written {adapter_out} (sha256 {adapter_sha256(adapter_out)}) and {out}")
    else:
        save_full(model, out, record)
        print(f"written {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
