"""`query` and `model` subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policy_search.embedding.tuned import DEFAULT_MODEL, MODELS
from policy_search.errors import PolicySearchError
from service.retrieval.filters import SearchFilters
from service.retrieval.ranking import RankingConfig


def _dense_weight(value: str) -> float:
    """--dense-weight, checked by RankingConfig, which holds the bound."""
    try:
        weight = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    try:
        return RankingConfig(dense_weight=weight).dense_weight
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
    query.add_argument("--model", choices=MODELS, default=None, help="built-in embedding model the index was built with")
    query.add_argument("--model-dir", type=Path, default=None, help="local sentence-transformers folder")
    query.add_argument("--threads", type=int, default=None, help="torch threads for the query embedding")
    query.add_argument("--dense-weight", default=None, type=_dense_weight,
                       help="share of the dense score in the hybrid mix (default: the model's, 0.7 for the tuned one)")
    query.add_argument("--rerank", action=argparse.BooleanOptionalAction, default=None,
                       help="the learned ranker (default: off, BENCHMARKS.md); --rerank turns it on")
    query.add_argument("--thesaurus", action="store_true", default=RankingConfig.thesaurus,
                       help="BM25 also searches the query words' true synonyms (同义词词林)")
    query.add_argument("--json", action="store_true", help="one JSON object with a results list")
    query.add_argument("--explain", action="store_true", help="show each ranking component and the synonyms searched")
    query.set_defaults(run=run_query)

    model = commands.add_parser("model", help="the embedding model")
    model_commands = model.add_subparsers(dest="model_command", required=True)
    build = model_commands.add_parser("build", help="build a built-in model folder into the cache (default: the tuned e5-small)")
    build.add_argument("--model", choices=MODELS, default=DEFAULT_MODEL)
    build.add_argument("--cache-dir", type=Path, default=None)
    build.set_defaults(run=run_model_build)


def run_query(args) -> int:
    from service.retrieval.engine import open_searcher
    from service.retrieval.results import search_answer

    try:
        filters = SearchFilters.of(args)
        ranking = {"thesaurus": args.thesaurus} | ({} if args.rerank is None else {"rerank": args.rerank})
        if args.dense_weight is not None:
            ranking["dense_weight"] = args.dense_weight
        searcher = open_searcher(args.index, model_dir=args.model_dir, model=args.model, threads=args.threads, ranking=ranking,
                                 vectors=args.mode != "bm25")
        outcome = searcher.search(args.text, filters, top_k=args.top_k, mode=args.mode)
    except PolicySearchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    answer = search_answer(searcher.index, args.text, outcome, explain=args.explain)
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
        return 0
    results = answer["results"]
    if "notice" in answer:
        print(f"注意：{answer['notice']}")
    if args.explain and answer.get("expansions"):
        print("同义扩展：" + "；".join(f"{word} → {'、'.join(words)}" for word, words in answer["expansions"].items()))
    if not results:
        print("no results")
    for rank, result in enumerate(results, start=1):
        document = result["document"]
        status = f"（{document['status']}）" if document["status"] != "现行有效" else ""
        counterpart = "  ↑ 上条的另一版本" if result.get("counterpart_of") else ""
        print(f"{rank:>2}. {result['citation']}{status}  [{result['score']:.3f}]{counterpart}")
        text = result["text"].replace("\n", " ")
        print(f"    {text[:160]}{'…' if len(text) > 160 else ''}")
        if args.explain:
            print(f"    {result['components']}")
    return 0


def run_model_build(args) -> int:
    from policy_search.embedding.tuned import ensure_model

    folder = ensure_model(args.model, args.cache_dir)
    print(f"model ready: {folder}")
    return 0
