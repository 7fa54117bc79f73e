"""`query` and `model` subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policy_search.errors import PolicySearchError
from service.retrieval.filters import SearchFilters
from service.retrieval.ranking import RankingConfig


def _ranking(value: str) -> RankingConfig:
    """--dense-weight as a ranking configuration; RankingConfig holds the bound."""
    try:
        weight = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    try:
        return RankingConfig(dense_weight=weight)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_commands(commands) -> None:
    query = commands.add_parser("query", help="search clauses and print hits with their citations")
    query.add_argument("text", help="the query: words of a requirement, a problem, plain words, or a citation")
    query.add_argument("--index", type=Path, default=Path("var/index"), help="index directory (default var/index)")
    query.add_argument("--top-k", type=int, default=10)
    query.add_argument("--mode", choices=("hybrid", "bm25", "dense"), default="hybrid")
    query.add_argument("--doc-type", action="append", default=[], help="repeatable, e.g. 法律")
    query.add_argument("--region", action="append", default=[], help="repeatable, e.g. 全国 or 山东")
    query.add_argument("--issuer", action="append", default=[])
    query.add_argument("--doc-id", action="append", default=[])
    query.add_argument("--date-from")
    query.add_argument("--date-to")
    query.add_argument("--include-superseded", action="store_true", help="also search older versions")
    query.add_argument("--model-dir", type=Path, default=None, help="local sentence-transformers folder")
    query.add_argument("--threads", type=int, default=None, help="torch threads for the query embedding")
    query.add_argument("--dense-weight", dest="ranking", default=RankingConfig(), type=_ranking,
                       help="share of the dense score in the hybrid mix (default 0.5)")
    query.add_argument("--json", action="store_true", help="one JSON object with a results list")
    query.add_argument("--explain", action="store_true", help="show each ranking component")
    query.set_defaults(run=run_query)

    model = commands.add_parser("model", help="the embedding model")
    model_commands = model.add_subparsers(dest="model_command", required=True)
    build = model_commands.add_parser("build", help="build the default model folder (multilingual-e5-small) into the cache")
    build.add_argument("--cache-dir", type=Path, default=None)
    build.set_defaults(run=run_model_build)


def run_query(args) -> int:
    from service.retrieval.engine import open_searcher
    from service.retrieval.results import search_answer

    try:
        filters = SearchFilters.of(args)
        searcher = open_searcher(args.index, model_dir=args.model_dir, threads=args.threads, config=args.ranking)
        outcome = searcher.search(args.text, filters, top_k=args.top_k, mode=args.mode)
    except PolicySearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    answer = search_answer(searcher, args.text, outcome, explain=args.explain)
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
        return 0
    results = answer["results"]
    if "notice" in answer:
        print(f"注意：{answer['notice']}")
    if not results:
        print("no results")
    for rank, result in enumerate(results, start=1):
        document = result["document"]
        superseded = f"（{document['status'] or '已被新版本取代'}）" if document["superseded"] else ""
        print(f"{rank:>2}. {result['citation']}{superseded}  [{result['score']:.3f}]")
        text = result["text"].replace("\n", " ")
        print(f"    {text[:160]}{'…' if len(text) > 160 else ''}")
        if args.explain:
            print(f"    {result['components']}")
    return 0


def run_model_build(args) -> int:
    from policy_search.embedding.e5_build import ensure_e5_small

    folder = ensure_e5_small(args.cache_dir)
    print(f"model ready: {folder}")
    return 0
