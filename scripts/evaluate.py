"""Retrieval quality on the shared query sets, every configuration side by side in one run.

    python scripts/evaluate.py                       # eco_dev per kind, STARD held-out, drafting; the default model
    python scripts/evaluate.py --model e5-small      # the stock model (or --model-dir DIR: any local folder)
    python scripts/evaluate.py --configs hybrid,rerank --stard --stard-split all
    python scripts/evaluate.py --stard --configs bm25  # BM25 alone: no model, a BM25-only index (minutes, not an hour)
    python scripts/evaluate.py --protocol            # every ranking component judged by cross-validation (below)

Configurations: `bm25` and `dense` (one retriever each; `bm25+thesaurus` with synonyms), `hybrid` (both, fused, no second stage), `thesaurus`
(hybrid, BM25 also searching the query words' true synonyms), `rerank` (hybrid through the learned ranker),
`rerank+thesaurus`, and `default` (what the service does with its default settings).

eco: `../shared/eval/eco_dev.jsonl` and `eco_dev2.jsonl` (each on its own and together) over `../shared/corpus/eco` plus the bundled speech it judges; Recall@10,
MRR@10 and nDCG@10 per query kind, and Recall@10 of the bases the drafting aid suggests for the drafting
problems. The bundled sample local documents are left out of this collection: nobody judged them, and they
were written on the same subjects as the queries (`--with-samples` adds them, into an index of its own). A
hit counts when the result's source file and article label match, or, for the speech, when the snippet
occurs in the result's text.
stard: `../shared/eval/stard/train.jsonl` over the 58,657-article `corpus.jsonl`; Recall@10, Recall@100 and
MRR@10, matching on title and article label. `--stard-split` takes the fixed parts of scripts/stard.py;
the default is `heldout`, as the tuned model and the ranker learnt from the tuning part.
Every figure comes with its 95% bootstrap interval over the queries (scripts/protocol.py).

`--protocol` applies the validation protocol to each ranking component (the learned ranker, the dense weight, the
priors, the thesaurus, the phrase signal): eco_dev and eco_dev2 together, in 5 fixed folds by query id, with
STARD's held-out part in 5 folds of its own (by groups of shared articles) where its index is built or `--stard`
asks for it. For each fold, the component's value with the best objective ((R@10 + MRR@10) / 2, each query set
weighing the same) on the other folds is chosen and scored on that fold; a change from the default is kept only
where the out-of-fold score beats the default's on the same queries and most folds choose it.
Indexes are built once per model under var/ and reused (the embedding cache makes a rebuild after a code
change cheap). The JSON report also holds, per query, the rank of each relevant item.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from protocol import FOLDS, bootstrap_ci, cross_validate, diff_ci, fold_of, with_ci  # noqa: E402
from reports import write_report  # noqa: E402

from stard import SPLITS, STARD, _groups, load_jsonl, stard_queries  # noqa: E402

from indexer.build import build_index  # noqa: E402
from indexer.pipeline import discover, parse_files  # noqa: E402
from policy_search import store  # noqa: E402
from policy_search.embedding.loading import load_embedder  # noqa: E402
from service.drafting.plan import DraftOptions, Problem, draft_problem  # noqa: E402
from service.retrieval.loaded import load_index  # noqa: E402
from service.retrieval.ranking import RankingConfig  # noqa: E402
from service.retrieval.results import hit_result  # noqa: E402
from service.retrieval.searcher import Searcher  # noqa: E402

SHARED = ROOT.parent / "shared"
SPEECH = ROOT / "corpus" / "000_c8143b46545451b2.txt"  # the one bundled document eco_dev judges
# name → (mode, changes to the ranking configuration); `default` is the configuration as given
CONFIGS = {
    "bm25": ("bm25", {"thesaurus": False}),
    "bm25+thesaurus": ("bm25", {"thesaurus": True}),
    "dense": ("dense", {}),
    "hybrid": ("hybrid", {"rerank": False, "thesaurus": False}),
    "thesaurus": ("hybrid", {"rerank": False, "thesaurus": True}),
    "rerank": ("hybrid", {"rerank": True, "thesaurus": False}),
    "rerank+thesaurus": ("hybrid", {"rerank": True, "thesaurus": True}),
    "default": ("hybrid", {}),
}
DRAFTING_BASES = 10
ECO_SETS = ("eco_dev", "eco_dev2")


def ensure_index(out: Path, sources: list[Path], embedder, engine: dict | None = None) -> None:
    """Build the index when missing or when its sources changed (unchanged clauses embed nothing); with the
    local engine unless `engine` names another."""
    engine = engine or {"backend": "local"}
    files, missing = discover(sources)
    if missing:
        raise SystemExit(f"missing sources: {missing}")
    result = parse_files(files)
    current = store.IndexStore(out).current()
    known = {}
    if current is not None:  # rebuilt when a document, its metadata or its segmentation changed
        # what the build itself adds (a newer version or a repeal clause found, a 施行日期 read off the text) is
        # not a change of the sources
        added = {"superseded": False, "repealed_by": None, "effective_date": None}
        known = {d.doc_id: replace(d, **added) for d in store.read_documents(current)}
        fresh = {d.meta.doc_id: replace(d.meta, **added) for d in result.documents}
        same_units = {c.clause_id for c in store.read_clauses(current)} == {c.clause_id for d in result.documents for c in d.clauses}
        manifest = store.read_manifest(current)
        built_with = (manifest.get("embedding") or {}).get("model_id")
        same_engine = (manifest.get("engine") or {}).get("kind", "local") == engine["backend"]
        if known == fresh and same_units and built_with == (embedder.model_id if embedder else None) and same_engine:
            return
    started = time.perf_counter()
    gone = set(known) - {d.meta.doc_id for d in result.documents}  # documents no longer among the sources
    summary = build_index(out, result.documents, read_sources=result.sources, remove_doc_ids=gone,
                          failures=result.failures, embedder=embedder, engine=engine)
    print(f"built {out}: {summary.clauses} units, {summary.embedded} embedded, {time.perf_counter() - started:.0f}s", file=sys.stderr)


def matches(result: dict, relevant: dict, by_title: bool) -> bool:
    if "snippet" in relevant:
        return result["document"]["source"] == relevant["file"] and relevant["snippet"] in result["text"]
    key = result["document"]["title"] if by_title else result["document"]["source"]
    return key == relevant["file"] and result["location"]["article"] == relevant["article"]


def found_ranks(results: list[dict], relevant: list[dict], by_title: bool) -> dict[int, int]:
    """Relevant item index → the 1-based rank of its first matching result."""
    found_at: dict[int, int] = {}
    for rank, result in enumerate(results, start=1):
        for i, rel in enumerate(relevant):
            if i not in found_at and matches(result, rel, by_title):
                found_at[i] = rank
    return found_at


def score_query(found_at: dict[int, int], relevant: list[dict], ks=(10, 100)) -> dict[str, float]:
    metrics = {f"R@{k}": sum(1 for r in found_at.values() if r <= k) / len(relevant) for k in ks}
    first = min(found_at.values(), default=None)
    metrics["MRR@10"] = 1.0 / first if first and first <= 10 else 0.0
    dcg = sum(1.0 / math.log2(r + 1) for r in found_at.values() if r <= 10)
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(len(relevant), 10) + 1))
    metrics["nDCG@10"] = dcg / ideal
    return metrics


def run(searcher: Searcher, queries: list[dict], mode: str, top_k: int, by_title: bool) -> tuple[dict, list[dict]]:
    """Metrics per query kind (mean, and its bootstrap interval under `ci`), and per query the rank of each relevant
    item (None when not retrieved) with its metrics."""
    per_kind: dict[str, list[dict]] = defaultdict(list)
    ranks = []
    for query in queries:
        outcome = searcher.search(query["query"], top_k=top_k, mode=mode)
        results = [hit_result(searcher.index, hit, outcome.tokens) for hit in outcome.hits]
        found_at = found_ranks(results, query["relevant"], by_title)
        metrics = score_query(found_at, query["relevant"])
        ranks.append({"qid": query.get("qid"), "query": query["query"], "kind": query.get("kind"), "metrics": metrics,
                      "ranks": [found_at.get(i) for i in range(len(query["relevant"]))]})
        per_kind[query.get("kind", "all")].append(metrics)
        if "set" in query:
            per_kind[query["set"]].append(metrics)
        per_kind["overall"].append(metrics)
    return {kind: summarise(rows) for kind, rows in per_kind.items()}, ranks


def summarise(rows: list[dict]) -> dict:
    """Mean of each metric over the rows, its interval under `ci`, and `n`."""
    table: dict = {m: round(sum(x[m] for x in rows) / len(rows), 4) for m in rows[0]}
    table["ci"] = {m: [round(v, 4) for v in bootstrap_ci([x[m] for x in rows])] for m in rows[0]}
    return table | {"n": len(rows)}


def drafting_recall(searcher: Searcher, queries: list[dict], bases: int = DRAFTING_BASES) -> dict:
    """Recall@bases of the bases the drafting aid suggests for each drafting problem, and the penalties it links."""
    recalls, penalties = [], 0
    for query in queries:
        row = draft_problem(searcher, Problem(query["query"]), DraftOptions(bases_per_problem=bases))
        found = sum(1 for rel in query["relevant"] if any(matches(b, rel, False) for b in row["bases"]))
        recalls.append(found / len(query["relevant"]))
        penalties += len(row["penalties"])
    return {"recall": round(sum(recalls) / len(recalls), 4), "ci": [round(v, 4) for v in bootstrap_ci(recalls)],
            "per_problem": recalls, "penalties": penalties}


def eco_sources(subset: str | None) -> tuple[str, list[Path]]:
    """The eco collection's name and sources: the whole corpus and the speech, or (`judged`) only the documents
    the query sets judge and the speech — a quarter of the units, no distractors, so its figures run higher than the
    whole corpus's and are for comparing settings with each other, not with targets."""
    eco = SHARED / "corpus" / "eco"
    if subset is None:
        return "eco", [eco, SPEECH]
    judged = sorted({r["file"] for q in eco_queries() for r in q["relevant"] if "snippet" not in r})
    return f"eco-{subset}", [eco / name for name in judged] + [SPEECH]


def eco_queries() -> list[dict]:
    """eco_dev and eco_dev2, each query labelled with its set."""
    return [q | {"set": name} for name in ECO_SETS for q in load_jsonl(SHARED / "eval" / f"{name}.jsonl")]


def index_dir(name: str, model_name: str | None, precision: str | None = None) -> Path:
    """One evaluation index per model folder and passage precision, so comparing them never throws away another's
    embeddings (one cache would hand the float32 vectors to a bf16 build: they share the model id)."""
    suffix = "-bf16" if precision == "bf16" else ""
    return ROOT / "var" / f"eval-{name}-index-{model_name or 'bm25'}{suffix}"


def stard_seen(tuning: dict, split: str) -> bool:
    """Whether a model with this tuning record (the embedder's `tuning`) was tuned on questions of `split`: one
    tuned on every visible question has seen the held-out part too, so its figures there are fitted, not measured."""
    data = tuning.get("data", "")
    return ", all " in data or (split != "heldout" and ", tuning " in data)


def print_side_by_side(title: str, tables: dict[str, dict], metrics: tuple[str, ...]) -> None:
    """Rows: query kinds; columns: configurations; cells: each metric with its bootstrap interval."""
    names = list(tables)
    kinds = list(next(iter(tables.values())))
    print(f"\n{title}  ({' / '.join(metrics)}, each with its 95% bootstrap interval)")
    width = 19 * len(metrics)
    print(f"  {'kind':<10} {'n':>4}  " + "  ".join(f"{name:<{width}}" for name in names))
    for kind in kinds:
        n = tables[names[0]][kind]["n"]
        cells = [" / ".join(_cell(tables[name][kind], m) for m in metrics) for name in names]
        print(f"  {kind:<10} {n:>4}  " + "  ".join(f"{cell:<{width}}" for cell in cells))


def _cell(row: dict, metric: str) -> str:
    low, high = row["ci"][metric]
    return f"{row[metric]:.3f} [{low:.2f},{high:.2f}]"


def _values(base: RankingConfig, knob: str, values) -> dict[str, dict]:
    """A knob's grid: its default first, then the other values."""
    current = getattr(base, knob)
    return {f"{current:g}": {}} | {f"{v:g}": {knob: v} for v in values if v != current}


def _switch(base: RankingConfig, knob: str) -> dict[str, dict]:
    """An on/off knob's grid: its default first, then the other state."""
    on = getattr(base, knob)
    return {"on" if on else "off": {}, "off" if on else "on": {knob: not on}}


# component → value → changes to the default configuration; the first value of each is its setting in the default
def components(base: RankingConfig) -> dict[str, dict[str, dict]]:
    grid = {
        "ranker": _switch(base, "rerank"),
        "dense weight": _values(base, "dense_weight", (0.5, 0.6, 0.7, 0.8, 0.9)),
        "priors": {"on": {}, "no local prior": {"local_factor": 1.0, "repeat_window": 0},
                   "off": {"local_factor": 1.0, "repeat_window": 0, "place_factor": 1.0}},
        "local factor": _values(base, "local_factor", (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)),
        # judged on the drafting problems' own recall and folds (run_protocol), as the drafting aid alone uses it
        "drafting dense weight": _values(base, "drafting_dense_weight", (0.3, 0.4, 0.5, 0.6, 0.7)),
        "dense floor": _values(base, "dense_floor", (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)),
        "drafting dense floor": _values(base, "drafting_dense_floor", (0.0, 0.05, 0.1, 0.2, 0.3)),
        "city scope": _switch(base, "city_scope"),
        "repeat overlap": _values(base, "repeat_overlap", (0.3, 0.4, 0.5, 0.6, 0.7)),
        "synonym weight": _values(base, "synonym_weight", (0.1, 0.2, 0.3, 0.5)),
        "place factor": _values(base, "place_factor", (1.0, 1.2, 1.5, 2.0)),
        "thesaurus": _switch(base, "thesaurus"),
        "dense feedback": {"off" if not base.feedback_k else f"{base.feedback_k}x{base.feedback_weight:g}": {}}
        | {f"{k}x{w:g}": {"feedback_k": k, "feedback_weight": w} for k, w in ((3, 0.5), (5, 0.5), (3, 1.0), (10, 0.5))
           if (k, w) != (base.feedback_k, base.feedback_weight)},
        "candidates": _values(base, "candidates", (100, 200, 300, 400)),
        "companions": _values(base, "companions", (0, 1, 3, 5, 10)),
    }
    first = {"phrase_first": 10}
    phrase = {"off": {"phrase_weight": 0.0, "phrase_first": 0}, "first": {"phrase_weight": 0.0} | first}
    phrase |= {f"first+{w:g}": {"phrase_weight": w} | first for w in (0.1, 0.2, 0.3)}
    current = next((name for name, knobs in phrase.items() if all(getattr(replace(base, **knobs), k) == getattr(base, k)
                                                                   for k in ("phrase_weight", "phrase_first"))), None)
    if current is None:
        current = f"first+{base.phrase_weight:g}" if base.phrase_first else f"{base.phrase_weight:g}"
        phrase = {current: {}} | phrase
    grid["phrase signal"] = {current: {}} | {name: knobs for name, knobs in phrase.items() if name != current}
    return grid


DRAFTING_COMPONENTS = frozenset({"drafting dense weight", "drafting dense floor"})


def objective(metrics: dict) -> float:
    return (metrics["R@10"] + metrics["MRR@10"]) / 2


def run_protocol(embedder, base: RankingConfig, eco_index: Path, stard_index: Path | None, report: dict,
                 only: frozenset[str] = frozenset()) -> None:
    """Each component's values (of `only`, where given) measured on every query, then judged fold by fold
    (scripts/protocol.py)."""
    eco = eco_queries()
    sets = [q["set"] for q in eco]
    folds = [fold_of(q["qid"]) for q in eco]
    stard = []
    if stard_index is not None:
        stard = stard_queries(STARD, "heldout")
        group_of = _groups([{"relevant": q["ids"]} for q in stard])
        sets += ["stard"] * len(stard)
        folds += [fold_of(f"stard:{group_of[q['ids'][0]]}") for q in stard]
    labels = {name: i for i, name in enumerate(dict.fromkeys(sets))}
    set_ids, folds = np.array([labels[x] for x in sets]), np.array(folds)
    eco_loaded = load_index(eco_index, embedder, {"backend": "local"})
    stard_loaded = load_index(stard_index, embedder, {"backend": "local"}) if stard_index is not None else None
    drafting = [q for q in eco if q["kind"] == "drafting"]
    measured: dict[tuple, dict] = {}  # one measurement per distinct configuration

    def measure(config: RankingConfig) -> dict:
        key = tuple(sorted(config.__dict__.items()))
        if key not in measured:
            started = time.perf_counter()
            _, eco_ranks = run(Searcher(eco_loaded, embedder, config), eco, "hybrid", 10, by_title=False)
            rows = [r["metrics"] for r in eco_ranks]
            if stard_loaded is not None:
                _, stard_ranks = run(Searcher(stard_loaded, embedder, config), stard, "hybrid", 100, by_title=True)
                rows += [r["metrics"] for r in stard_ranks]
            bases = drafting_recall(Searcher(eco_loaded, embedder, config), drafting)
            measured[key] = {"rows": rows, "drafting": bases["per_problem"]}
            print(f"  measured {config_label(config, base)} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
        return measured[key]

    report["protocol"] = {"folds": FOLDS, "sets": {name: int((set_ids == i).sum()) for name, i in labels.items()}, "components": {}}
    print(f"\nvalidation protocol: {FOLDS} folds over {', '.join(f'{n} ({int((set_ids == i).sum())})' for n, i in labels.items())}; "
          "objective (R@10 + MRR@10) / 2, each set weighing the same")
    for component, values in components(base).items():
        if only and component not in only:
            continue
        results = {value: measure(replace(base, **changes)) for value, changes in values.items()}
        current = next(iter(values))
        if component in DRAFTING_COMPONENTS:  # the drafting problems' recall of bases, over their own folds
            scores = {value: np.array(r["drafting"]) for value, r in results.items()}
            verdict = cross_validate(component, scores, np.array([fold_of(q["qid"]) for q in drafting]), current)
        else:
            scores = {value: np.array([objective(m) for m in r["rows"]]) for value, r in results.items()}
            verdict = cross_validate(component, scores, folds, current, set_ids)
        print(f"\n{component} (default {current})")
        for value, r in results.items():
            cells = []
            for name, i in labels.items():
                part = [m for m, label in zip(r["rows"], set_ids) if label == i]
                keys = ("R@10", "R@100", "MRR@10") if name == "stard" else ("R@10", "MRR@10")
                cells.append(f"{name} " + " / ".join(with_ci([m[k] for m in part]) for k in keys))
            cells.append(f"drafting bases R@10 {with_ci(r['drafting'])}")
            print(f"  {value:<6} " + "   ".join(cells))
        print(f"  chosen on the other folds: {', '.join(verdict.chosen)}; it beat {current} on {verdict.fold_wins} of {FOLDS} held-out folds")
        print(f"  out-of-fold objective {with_ci(verdict.out_of_fold)} against {current} {with_ci(verdict.baseline)}: "
              f"difference {diff_ci(verdict.out_of_fold, verdict.baseline)} -> {verdict.decision}")
        report["protocol"]["components"][component] = {
            "current": current, "chosen": verdict.chosen, "fold_wins": verdict.fold_wins, "decision": verdict.decision,
            "out_of_fold": round(float(verdict.out_of_fold.mean()), 4), "baseline": round(float(verdict.baseline.mean()), 4),
            "values": {value: {"objective": round(float(scores[value].mean()), 4),
                               "drafting": round(float(np.mean(r["drafting"])), 4)} for value, r in results.items()},
        }


def config_label(config: RankingConfig, base: RankingConfig) -> str:
    changed = {k: v for k, v in config.__dict__.items() if getattr(base, k) != v}
    return ", ".join(f"{k}={v}" for k, v in changed.items()) or "the default"


def _knob(key: str, value: str) -> tuple[str, object]:
    """A RankingConfig knob from the command line, in the type of its default."""
    default = getattr(RankingConfig, key)
    if isinstance(default, bool):
        return key, value.lower() in ("1", "true", "yes")
    return key, float(value) if default is None else type(default)(value)  # None: a number chosen elsewhere


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eco", action="store_true", help="only the eco set and drafting (default: all)")
    parser.add_argument("--stard", action="store_true", help="only STARD")
    parser.add_argument("--stard-split", choices=SPLITS, default="heldout")
    parser.add_argument("--model", default=None, help="a built-in model: e5-small-stard (default) or e5-small")
    parser.add_argument("--model-dir", type=Path, default=None, help="a local sentence-transformers folder")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--int8-queries", action="store_true", help="embed queries through the 8-bit ONNX graph")
    parser.add_argument("--passage-precision", choices=("auto", "bf16", "fp32"), default="auto",
                        help="of the passages a new index embeds (auto: bf16 where the CPU has it natively)")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated, of {', '.join(CONFIGS)}")
    parser.add_argument("--set", action="append", default=[], metavar="KNOB=VALUE",
                        help="override a RankingConfig knob, e.g. --set dense_weight=0.6 (repeatable)")
    parser.add_argument("--protocol", action="store_true",
                        help="judge each ranking component by cross-validation (eco sets; STARD held-out where built or with --stard)")
    parser.add_argument("--components", default="", metavar="NAME,…",
                        help="with --protocol: judge only these components (default: all)")
    parser.add_argument("--subset", choices=("judged",), default=None,
                        help="eco: only the documents the query sets judge (a smaller index, for comparing settings)")
    parser.add_argument("--with-samples", action="store_true", help="eco: index all of corpus/, sample documents too")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "eval.json")
    parser.add_argument("--against", type=Path, default=None,
                        help="an earlier --out of the same sets (another model, say): per configuration, the paired "
                             "difference query by query, with its interval and the folds it wins")
    args = parser.parse_args()
    if not (SHARED / "eval").is_dir():
        print(f"no evaluation data at {SHARED / 'eval'}; nothing to measure")
        return 0
    names = args.configs.split(",")
    unknown = [name for name in names if name not in CONFIGS]
    if unknown:
        parser.error(f"unknown configurations {unknown}; choose from {', '.join(CONFIGS)}")
    both = not args.eco and not args.stard
    lexical_only = all(CONFIGS[name][0] == "bm25" for name in names)  # no model, and an index without vectors of its own
    embedder = None if lexical_only else load_embedder(args.model_dir, model=args.model, threads=args.threads,
                                                       int8_queries=args.int8_queries, passage_precision=args.passage_precision)
    knobs = {"dense_weight": embedder.dense_weight} if embedder else {}  # the service's defaults
    knobs |= dict(_knob(*setting.split("=", 1)) for setting in args.set)
    base = RankingConfig(**knobs)
    configs = {name: (CONFIGS[name][0], replace(base, **CONFIGS[name][1])) for name in names}
    model_name = embedder.model_dir.name if embedder else None
    precision = embedder.passage_precision if embedder else None
    report: dict = {"model": embedder.model_id if embedder else None, "base_config": base.__dict__, "configs": names,
                    "int8_queries": bool(embedder and embedder.int8_queries), "passage_precision": precision}

    def searchers(out: Path) -> dict[str, tuple[str, Searcher]]:
        index = load_index(out, embedder, {"backend": "local"})
        return {name: (mode, Searcher(index, embedder, config)) for name, (mode, config) in configs.items()}

    eco_name, eco_paths = eco_sources(args.subset)
    report["eco_collection"] = eco_name
    if args.protocol:
        eco_out = index_dir(eco_name, model_name, precision)
        ensure_index(eco_out, eco_paths, embedder)
        stard_out = index_dir("stard", model_name, precision)
        if args.stard:
            ensure_index(stard_out, [STARD / "corpus.jsonl"], embedder)
        only = frozenset(filter(None, args.components.split(",")))
        unknown = only - set(components(base))
        if unknown:
            parser.error(f"unknown components {sorted(unknown)}; choose from {', '.join(components(base))}")
        run_protocol(embedder, base, eco_out, stard_out if store.IndexStore(stard_out).current() else None, report, only)
        write_report(args.out, report)
        return 0
    if args.eco or both:
        out = index_dir(f"{eco_name}-samples" if args.with_samples else eco_name, model_name, precision)
        ensure_index(out, eco_paths[:-1] + [ROOT / "corpus" if args.with_samples else SPEECH], embedder)
        queries = eco_queries()
        drafting = [q for q in queries if q["kind"] == "drafting"]
        runs, report["drafting"] = {}, {}
        for name, (mode, searcher) in searchers(out).items():
            runs[name] = run(searcher, queries, mode, 10, by_title=False)
            if mode == "hybrid":
                report["drafting"][name] = drafting_recall(searcher, drafting)
        report["eco"] = {name: table for name, (table, _) in runs.items()}
        report["eco_ranks"] = {name: ranks for name, (_, ranks) in runs.items()}
        print_side_by_side("eco_dev + eco_dev2 (rows eco_dev, eco_dev2: each set; overall: both)", report["eco"], ("R@10", "MRR@10"))
        print(f"\ndrafting Recall@{DRAFTING_BASES} ({len(drafting)} problems): "
              + "  ".join(f"{name} {row['recall']:.3f} [{row['ci'][0]:.2f},{row['ci'][1]:.2f}]" for name, row in report["drafting"].items()))
    if args.stard or both:
        out = index_dir("stard", model_name, precision)
        ensure_index(out, [STARD / "corpus.jsonl"], embedder)
        queries = stard_queries(STARD, args.stard_split)
        runs = {name: run(searcher, queries, mode, 100, by_title=True) for name, (mode, searcher) in searchers(out).items()}
        report["stard"] = {name: table for name, (table, _) in runs.items()}
        report["stard_ranks"] = {name: ranks for name, (_, ranks) in runs.items()}
        report["stard_split"] = args.stard_split
        print_side_by_side(f"STARD ({args.stard_split})", report["stard"], ("R@10", "R@100", "MRR@10"))
        report["stard_seen"] = bool(embedder) and stard_seen(embedder.tuning, args.stard_split)
        if report["stard_seen"]:
            print("\nthe model was tuned on these questions: the figures above are fitted, not held out "
                  "(--model-dir a model tuned on the tuning part for held-out figures)")
    write_report(args.out, report)
    if args.against:
        print_against(report, json.loads(args.against.read_text(encoding="utf-8")), args.against)
    return 0


def print_against(now: dict, before: dict, name: Path) -> None:
    """This run − an earlier one, query by query, for each configuration both ran: R@10 and MRR@10 of the eco and
    STARD queries, drafting recall per problem; with the paired interval and the protocol's folds won (by query id)."""
    print(f"\nthis run ({now.get('model')}) − {name} ({before.get('model')}), paired over the same queries:")
    for part in ("eco_ranks", "stard_ranks"):
        for config in sorted(set(now.get(part, {})) & set(before.get(part, {}))):
            a = {(q["qid"], q["query"]): q for q in now[part][config]}
            b = {(q["qid"], q["query"]): q for q in before[part][config]}
            keys = sorted(set(a) & set(b), key=str)
            folds = np.array([fold_of(str(key[0] or key[1])) for key in keys])
            for metric in ("R@10", "MRR@10"):
                x = np.array([a[k]["metrics"][metric] for k in keys])
                y = np.array([b[k]["metrics"][metric] for k in keys])
                wins = sum(float((x - y)[folds == f].mean()) > 0 for f in range(FOLDS) if (folds == f).any())
                print(f"  {part[:-6]} {config} {metric}: {x.mean():.3f} − {y.mean():.3f} = {diff_ci(x, y)}, "
                      f"ahead on {wins} of {FOLDS} folds ({len(keys)} queries)")
    for config in sorted(set(now.get("drafting", {})) & set(before.get("drafting", {}))):
        x, y = now["drafting"][config]["per_problem"], before["drafting"][config]["per_problem"]
        if len(x) == len(y):
            print(f"  drafting {config} recall: {np.mean(x):.3f} − {np.mean(y):.3f} = {diff_ci(x, y)} ({len(x)} problems)")


if __name__ == "__main__":
    raise SystemExit(main())
