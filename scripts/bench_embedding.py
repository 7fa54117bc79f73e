"""Passage embedding, before and after, in one run: passages a second, and how close the vectors stay.

    python scripts/bench_embedding.py [--sample 2000] [--seed 1] [--all]

Reads ../shared/corpus/eco and the bundled speech, makes every unit's passage text as the indexer does, and
embeds a seeded random sample of them (or --all) twice with the default model:

- before: as the indexer did until now: float32, chunks of 256 texts in the cache's key order (random as to
  length), sentence-transformers batches of 32 within each chunk;
- after: as it does now (policy_search/embedding/cache.py): chunks of like length, in bfloat16 where the CPU
  has it natively (--precision fp32 measures the ordering alone).

Each side gets a fresh embedding cache, so nothing is reused. Prints passages/s of both, their ratio, and the
cosine between the two vectors of each passage (minimum, 1st percentile, median).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from reports import write_report  # noqa: E402

from indexer.pipeline import discover, parse_files  # noqa: E402
from policy_search.embedding.cache import EmbeddingCache, text_key  # noqa: E402
from policy_search.embedding.loading import load_embedder  # noqa: E402
from policy_search.passages import passage_text  # noqa: E402

SHARED = ROOT.parent / "shared"
SPEECH = ROOT / "corpus" / "000_c8143b46545451b2.txt"
OLD_CHUNK = 256


def eco_passages() -> list[str]:
    files, _ = discover([SHARED / "corpus" / "eco", SPEECH])
    result = parse_files(files)
    texts = {passage_text(doc.meta, clause) for doc in result.documents for clause in doc.clauses}
    return sorted(texts)


def embed_before(embedder, texts: list[str]) -> np.ndarray:
    """The former order: unique texts by cache key, in chunks of 256; float32."""
    order = sorted(range(len(texts)), key=lambda i: text_key(texts[i]))
    out = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for start in range(0, len(order), OLD_CHUNK):
        rows = order[start : start + OLD_CHUNK]
        out[rows] = embedder.embed_passages([texts[i] for i in rows])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--all", action="store_true", help="every passage of the corpus (about 20,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--precision", choices=("auto", "bf16", "fp32"), default="auto", help="of the after side")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench-embedding.json")
    args = parser.parse_args()
    if not (SHARED / "corpus" / "eco").is_dir():
        print(f"no eco corpus at {SHARED / 'corpus' / 'eco'}; nothing to measure")
        return 0
    texts = eco_passages()
    if not args.all:
        texts = random.Random(args.seed).sample(texts, min(args.sample, len(texts)))
    before_model = load_embedder(None, onnx_queries=False, passage_precision="fp32")
    after_model = load_embedder(None, onnx_queries=False, passage_precision=args.precision)
    after_model.embed_passages(texts[:4])  # made on first use: the bf16 copy is not part of the rate
    before_model.embed_passages(texts[:4])

    started = time.perf_counter()
    before = embed_before(before_model, texts)
    before_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as scratch:
        cache = EmbeddingCache(Path(scratch) / "cache.sqlite", after_model.model_id, after_model.dimension)
        started = time.perf_counter()
        after, computed = cache.embed(texts, after_model.embed_passages)
        after_s = time.perf_counter() - started
        cache.close()
    assert computed == len(texts)
    cosines = np.sum(before * after, axis=1)
    report = {
        "passages": len(texts),
        "before": {"precision": "fp32", "order": "cache key", "seconds": round(before_s, 1), "per_s": round(len(texts) / before_s, 1)},
        "after": {"precision": after_model.passage_precision, "order": "length chunks", "seconds": round(after_s, 1),
                  "per_s": round(len(texts) / after_s, 1)},
        "speedup": round(before_s / after_s, 2),
        "cosine": {"min": round(float(cosines.min()), 5), "p01": round(float(np.quantile(cosines, 0.01)), 5),
                   "median": round(float(np.median(cosines)), 5)},
    }
    print(f"{len(texts)} passages of the eco corpus")
    print(f"  before: float32, key order        {report['before']['per_s']:7.1f} passages/s ({before_s:.0f} s)")
    print(f"  after:  {after_model.passage_precision}, length chunks      {report['after']['per_s']:7.1f} passages/s ({after_s:.0f} s)")
    print(f"  speed-up                          {report['speedup']:7.2f}x")
    print(f"  cosine after/before               min {report['cosine']['min']:.5f}, 1st pct {report['cosine']['p01']:.5f}, "
          f"median {report['cosine']['median']:.5f}")
    write_report(args.out, report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
