"""An incremental index update run as its own process: parse new files sandboxed, drop removed documents,
embed what changed, publish a new generation. Progress goes to stdout as JSON lines.

    python -m indexer.update --index DIR [--add FILE ...] [--remove DOC_ID ...] [--model NAME | --model-dir D]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from indexer.build import build_index
from indexer.pipeline import Failure, ParsedDocument
from indexer.sandbox import parse_in_child
from policy_search import store
from policy_search.embedding.encoder import PRECISIONS


def emit(event: str, **fields) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}, ensure_ascii=False) + "\n")
    sys.stdout.flush()


class EmbeddingProgress:
    """The cache's progress, as events: how many clauses were embedded, of how many."""

    total: int | None = None

    def update(self, n: int) -> None:
        emit("embedded", clauses=n, total=self.total)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indexer.update")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--add", type=Path, nargs="*", default=[])
    parser.add_argument("--remove", nargs="*", default=[])
    parser.add_argument("--model", default=None, help="built-in model (default: e5-small-stard)")
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--passage-precision", choices=PRECISIONS, default="auto")
    parser.add_argument("--no-embed", action="store_true", help="a new index without vectors (BM25 only)")
    parser.add_argument("--parse-timeout", type=float, default=60.0)
    parser.add_argument("--parse-memory-mb", type=int, default=1024)
    args = parser.parse_args(argv)

    parsed: list[ParsedDocument] = []
    failures: list[Failure] = []
    sources: list[str] = []
    for number, path in enumerate(args.add, start=1):
        documents, failed = parse_in_child(
            path, timeout_s=args.parse_timeout, memory_mb=args.parse_memory_mb,
            on_progress=lambda done, total, name=path.name: emit("ocr", file=name, pages_done=done, pages=total),
        )
        parsed += documents
        failures += failed
        if documents:
            sources.append(path.name)
        for failure in failed:
            emit("failed", file=Path(failure.path).name, reason=failure.reason)
        emit("parsed", file=path.name, documents=len(documents), done=number, total=len(args.add))

    if not parsed and not args.remove:
        emit("summary", published=False, failures=len(failures))
        return 0 if not failures else 3
    current = store.IndexStore(args.index).current()
    embedder = None
    if store.read_manifest(current).get("embedding") if current else not args.no_embed:
        from policy_search.embedding.loading import load_embedder

        embedder = load_embedder(args.model_dir, model=args.model, threads=args.threads, onnx_queries=False,
                                 passage_precision=args.passage_precision)
        emit("model_loaded", model=embedder.model_id)
    summary = build_index(
        args.index,
        parsed,
        read_sources=sources,
        remove_doc_ids=set(args.remove),
        failures=failures,
        embedder=embedder,
        progress=EmbeddingProgress(),
    )
    emit(
        "summary",
        published=True,
        generation=summary.generation,
        documents=summary.documents,
        clauses=summary.clauses,
        added=summary.added,
        replaced=summary.replaced,
        removed=summary.removed,
        embedded=summary.embedded,
        doc_ids=[doc.meta.doc_id for doc in parsed],
        failures=len(failures),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
