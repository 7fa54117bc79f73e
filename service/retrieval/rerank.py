"""The second stage of a hybrid search: a learned ranker over cheap features of the fused candidates.

The ranker is a LightGBM LambdaRank model (`service/data/ranker.txt`) trained by `scripts/train_ranker.py` on
STARD's tuning questions, its candidates and hard negatives taken from this searcher's own hybrid ranking.
It reorders the best `depth` article groups; what lies below keeps its fused order. Its score replaces the
fused one, scaled per query to [0, 1] so that the priors for place and authority apply after it as before
(STARD holds national texts only: nothing the ranker learns speaks to local ones).
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from policy_search.authority import authority_level
from policy_search.text import fold

if TYPE_CHECKING:
    from service.retrieval.hits import Hit
    from service.retrieval.loaded import LoadedIndex

FEATURES = (
    "fused", "fused_rank", "dense", "cosine", "cosine_gap", "dense_rank", "bm25", "bm25_norm", "bm25_rank",
    "coverage", "part_coverage", "heading_coverage", "title_coverage", "title_named", "article_named",
    "doc_hits", "doc_best", "doc_cosine", "doc_centroid", "neighbours", "authority", "local", "region_match", "superseded",
    "penalty", "duty", "asks_penalty", "position", "first_article", "length", "query_words",
)
MODEL_FILE = "ranker.txt"
RECORD_FILE = "ranker.json"  # how the shipped model was trained and the depth it was chosen with
RANKER_DENSE_FLOOR = 0.1  # the quantile the first stage scaled cosines from when the ranker was trained
BELOW = 1e-3  # hits under the reranked depth keep their fused order, scaled below every reranked one

_PENALTY = re.compile(r"罚款|罚金|处分|拘留|吊销|没收|责令停产|追究刑事责任|依法处罚|处以|予以处罚")
_DUTY = re.compile(r"应当|必须|不得|禁止|严禁")
_ASKS_PENALTY = re.compile(r"罚|处分|处理|追究|责任|后果|制裁|拘留|判")
_ARTICLE = re.compile(r"第[零一二三四五六七八九十百千0-9]+条")


@dataclass
class Candidates:
    """What the first stage knows of a query: its words, the raw scores over the index, the pool it fused."""

    query: str  # the whole query, folded: the documents and articles it names
    tokens: list[str]
    pool: np.ndarray  # clause positions that were fused, ascending
    bm25: np.ndarray | None  # BM25 score of each pool clause, or None
    cosine: np.ndarray | None  # cosine of each pool clause to the query, or None
    vector: np.ndarray | None  # the query embedding, or None
    regions: set[str]  # regions a place named in the query brings forward

    def rows(self, clauses: np.ndarray) -> np.ndarray:
        """The pool rows of the given clauses (each is in the pool)."""
        return np.searchsorted(self.pool, clauses)


# what lightgbm's compat module imports when installed, none of which a Booster predicting from numpy uses
_LIGHTGBM_OPTIONAL = ("sklearn", "pandas", "pyarrow", "dask", "matplotlib", "graphviz", "datatable", "cffi", "polars")


def _import_lightgbm():
    """lightgbm without its optional libraries: scikit-learn alone (and the SciPy it pulls in) was 8 s of a
    cold start on a busy machine. Those not yet imported are hidden while lightgbm is; a process that already
    holds one keeps it and lightgbm finds it."""
    if "lightgbm" in sys.modules:
        return sys.modules["lightgbm"]
    hidden = [name for name in _LIGHTGBM_OPTIONAL if name not in sys.modules]
    sys.modules.update(dict.fromkeys(hidden))  # None in sys.modules: an import of it raises ImportError
    try:
        import lightgbm
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return lightgbm


class Reranker:
    """A trained model over FEATURES; `rerank` rescores the best `depth` hits and keeps the rest below them."""

    def __init__(self, model_text: str, features: tuple[str, ...], depth: int, weight: float = 1.0) -> None:
        lightgbm = _import_lightgbm()

        if tuple(features) != FEATURES:
            raise ValueError(f"ranker was trained on features {features}, this program computes {FEATURES}")
        self.booster = lightgbm.Booster(model_str=model_text)
        self.depth = depth
        self.weight = weight  # the ranker's share against the fused score, chosen with it on held-out questions

    def score(self, features: np.ndarray) -> np.ndarray:
        return self.booster.predict(features, num_threads=1)

    def rerank(self, index: LoadedIndex, hits: list[Hit], candidates: Candidates, weight: float | None = None) -> list[Hit]:
        """The best `depth` hits scored `weight` · ranker + (1 − weight) · fused, both scaled to [0, 1] over them:
        a few dozen trees score coarsely, and the fused score keeps the order among hits they cannot tell apart."""
        weight = self.weight if weight is None else weight
        top, rest = hits[: self.depth], hits[self.depth :]
        if len(top) < 2:
            return hits
        model = scaled(self.score(hit_features(index, top, candidates)))
        mixed = mix(model, np.array([h.score for h in top], dtype=np.float64), weight)
        for hit, value, score in zip(top, model, mixed):
            hit.components["rerank"] = float(value)
            hit.score = BELOW + (1 - BELOW) * float(score)
        floor = max((h.score for h in rest), default=1.0) or 1.0
        for hit in rest:
            hit.score = BELOW * hit.score / floor
        return sorted(top, key=lambda h: -h.score) + rest


@lru_cache(maxsize=4)
def load_reranker(folder: Path | None = None) -> Reranker:
    """The shipped ranker (or one in `folder`: ranker.txt and ranker.json, as scripts/train_ranker.py writes)."""
    folder = folder or Path(str(resources.files("service") / "data"))
    record = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
    model = (folder / MODEL_FILE).read_text(encoding="utf-8")
    return Reranker(model, tuple(record["features"]), int(record["depth"]), float(record.get("weight", 1.0)))


def scaled(values: np.ndarray) -> np.ndarray:
    """Min-max scaled to [0, 1]; all ones where the values are equal."""
    low, high = float(values.min()), float(values.max())
    return (values - low) / (high - low) if high > low else np.ones_like(values)


def mix(model: np.ndarray, fused: np.ndarray, weight: float) -> np.ndarray:
    """`weight` · model + (1 − weight) · fused, each scaled to [0, 1] over the reranked hits."""
    return weight * scaled(model) + (1 - weight) * scaled(fused)


def _ranks(values: np.ndarray, pool_values: np.ndarray) -> np.ndarray:
    """1-based rank of each value among the pool's values (ties share the better rank)."""
    ordered = np.sort(pool_values)
    return len(ordered) - np.searchsorted(ordered, values, side="right") + 1


def _share(weighted: list[tuple[str, float]], total: float, text: str) -> float:
    return sum(w for word, w in weighted if word in text) / total if total > 0 else 0.0


def _folded(index, position: int) -> tuple[str, ...]:
    """The clause's text, heading path, document title and 款/项 spans, folded once per loaded index (folding
    is most of what the features would otherwise cost)."""
    found = index.folded.get(position)
    if found is None:
        clause = index.clauses[position]
        loc = clause.locator
        spans = list(loc.paragraphs) + [(item.start, item.end) for item in loc.items if item.level == 1]
        found = (fold(clause.text), fold(" ".join(loc.path)), fold(index.documents[index.doc_of[position]].title),
                 *(fold(clause.text[s:e]) for s, e in spans))
        index.folded[position] = found
    return found


def hit_features(index: LoadedIndex, hits: list[Hit], candidates: Candidates) -> np.ndarray:
    """One row of FEATURES per hit; NaN where a retriever did not run (LightGBM reads it as missing)."""
    words = [w for w in dict.fromkeys(candidates.tokens) if len(w) > 1 or w.isdigit()]
    weighted = list(zip(words, index.idf(words).tolist())) if words else []
    total = sum(w for _, w in weighted)
    idf_total = total or 1.0
    asks_penalty = float(bool(_ASKS_PENALTY.search(candidates.query)))
    named_articles = set(_ARTICLE.findall(candidates.query))
    clauses = np.array([h.clause for h in hits], dtype=np.int64)
    pool = candidates.pool

    rows = np.full((len(hits), len(FEATURES)), np.nan, dtype=np.float32)
    column = {name: i for i, name in enumerate(FEATURES)}
    fused = np.array([h.components.get("fused", h.score) for h in hits], dtype=np.float32)
    rows[:, column["fused"]] = fused
    rows[:, column["fused_rank"]] = np.log1p(np.arange(len(hits)))
    at = candidates.rows(clauses)
    if candidates.bm25 is not None and len(pool):
        raw = candidates.bm25[at]
        top = float(candidates.bm25.max()) or 1.0
        rows[:, column["bm25"]] = raw / top
        rows[:, column["bm25_norm"]] = raw / idf_total
        rows[:, column["bm25_rank"]] = np.log(_ranks(raw, candidates.bm25))
    docs = index.doc_of[clauses]
    if candidates.cosine is not None and len(pool):
        cosine = candidates.cosine[at]
        pool_cosine = candidates.cosine
        rows[:, column["cosine"]] = cosine
        rows[:, column["cosine_gap"]] = float(pool_cosine.max()) - cosine
        rows[:, column["dense"]] = [h.components.get("dense", np.nan) for h in hits]
        rows[:, column["dense_rank"]] = np.log(_ranks(cosine, pool_cosine))
        doc_cosine: dict[int, float] = {}
        for doc, value in zip(docs.tolist(), cosine.tolist()):
            doc_cosine[doc] = max(doc_cosine.get(doc, -1.0), value)
        rows[:, column["doc_cosine"]] = [doc_cosine[doc] for doc in docs.tolist()]
        rows[:, column["doc_centroid"]] = index.doc_centroids[docs] @ candidates.vector

    doc_hits: dict[int, int] = {}
    doc_best: dict[int, float] = {}
    ordinals: dict[int, list[int]] = {}  # the candidates' places in each document: answers lie together
    for hit, doc, score in zip(hits, docs.tolist(), fused.tolist()):
        doc_hits[doc] = doc_hits.get(doc, 0) + 1
        doc_best[doc] = max(doc_best.get(doc, 0.0), score)
        ordinals.setdefault(doc, []).append(index.clauses[hit.clause].ordinal)
    table = []
    headings: dict[str, float] = {}
    titles: dict[int, float] = {}
    for hit, doc in zip(hits, docs.tolist()):
        clause = index.clauses[hit.clause]
        meta = index.documents[doc]
        loc = clause.locator
        text, heading, title, *parts = _folded(index, hit.clause)
        present = [(word, w) for word, w in weighted if word in text]  # a part holds only words its clause holds
        if heading not in headings:
            headings[heading] = _share(weighted, total, heading)
        if doc not in titles:
            titles[doc] = _share(weighted, total, title)
        values = {
            "coverage": _share(present, total, text),
            "part_coverage": max((_share(present, total, part) for part in parts), default=np.nan),
            "heading_coverage": headings[heading],
            "title_coverage": titles[doc],
            "title_named": float(any(name in candidates.query for name in index.short_names[doc])),
            "article_named": float(bool(loc.article) and loc.article in named_articles),
            "doc_hits": math.log1p(doc_hits[doc]),
            "doc_best": doc_best[doc],
            "neighbours": sum(1 for o in ordinals[doc] if 0 < abs(o - clause.ordinal) <= 2),
            "region_match": float(bool(meta.region) and meta.region in candidates.regions),
            "asks_penalty": asks_penalty,
            "query_words": math.log1p(len(words)),
        }
        table.append(list(values.values()))
    if table:
        rows[:, [column[name] for name in values]] = np.array(table, dtype=np.float32)
    rows[:, [column[name] for name in STATIC]] = _static(index)[clauses]
    return rows


def prepare_index(index) -> None:
    """What the ranker would otherwise work out during the first searches: every clause's folded texts and
    features, and the documents' centroids."""
    _static(index)
    for position in range(len(index.clauses)):
        _folded(index, position)
    if index.has_vectors:
        index.doc_centroids


STATIC = ("authority", "local", "superseded", "penalty", "duty", "position", "first_article", "length")


def _static(index) -> np.ndarray:
    """The features that depend on the clause alone, for every clause, worked out once per loaded index."""
    found = index.clause_features
    if found is None:
        table = []
        for position, clause in enumerate(index.clauses):
            doc = int(index.doc_of[position])
            meta = index.documents[doc]
            group = int(index.group_of[position])
            table.append((
                authority_level(meta.doc_type),
                float(meta.region not in (None, "全国")),
                float(meta.superseded),
                float(group in index.duties or bool(_PENALTY.search(clause.text))),
                float(group in index.penalties or bool(_DUTY.search(clause.text))),
                clause.ordinal / max(1, len(index.doc_clauses[doc])),
                float(clause.locator.article_number == 1),
                math.log1p(len(clause.text)),
            ))
        found = index.clause_features = np.array(table, dtype=np.float32).reshape(-1, len(STATIC))
    return found
