"""The Milvus engine: a generation's candidates from its Milvus collection (policy_search/milvus.py).

BM25 and dense candidates come from Milvus with the filters as a Milvus expression (scalar fields for type,
region, dates and versions; the documents of an issuer or doc_id filter, which the catalog works out, as
`doc in [...]`), so nothing of the clause table is scanned here. The pool's exact BM25 scores and vectors are
fetched by position, so the searcher fuses and ranks exactly as over the local engine. Document frequencies
come from the generation's lexicon.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from policy_search import milvus
from policy_search.errors import EngineUnavailable
from service.retrieval.engines import Scope, top_positions

MAX_LIMIT = 16_384  # Milvus's largest topK


class MilvusEngine:
    def __init__(self, client, record: dict, clause_count: int, lexicon: dict[str, int], dimension: int | None) -> None:
        self.client = client
        self.collection = record["collection"]
        self.rows = int(record["rows"])
        self._clauses = clause_count
        self._lexicon = lexicon
        self.has_vectors = dimension is not None
        self._dense_params = milvus.dense_search_params(self.rows)

    @classmethod
    def open(cls, folder: Path, manifest: dict, settings: dict | None) -> MilvusEngine:
        record = manifest["engine"]
        settings = settings or {}
        uri = settings.get("uri") or record["uri"]
        try:
            client = milvus.connect(uri, settings.get("token"), settings.get("db") or record.get("db"))
            client.load_collection(record["collection"])
        except Exception as exc:
            raise EngineUnavailable(f"Milvus at {uri}: collection {record['collection']} cannot be loaded ({exc})") from exc
        clauses, lexicon = milvus.read_lexicon(folder)
        return cls(client, record, clauses, lexicon, (manifest.get("embedding") or {}).get("dimension"))

    # -- what the searcher asks ---------------------------------------------------------------------------

    @property
    def clause_count(self) -> int:
        return self._clauses

    def document_frequency(self, token: str) -> int:
        return int(self._lexicon.get(token, 0))

    def __contains__(self, token: str) -> bool:
        return token in self._lexicon

    def lexical(self, tokens: list[str], added: list[str], added_weight: float, scope: Scope) -> _MilvusLexical:
        return _MilvusLexical(self, tokens, added, added_weight, self._expression(scope))

    def dense(self, vector: np.ndarray, scope: Scope, n: int) -> list[int]:
        if scope.count == 0:
            return []
        found = self._search([vector.astype(np.float32).tolist()], "dense", min(n, MAX_LIMIT), self._expression(scope),
                             self._dense_params)
        return list(found)

    def vectors(self, positions: np.ndarray) -> np.ndarray:
        if len(positions) == 0:
            return np.zeros((0, 0), np.float32)
        rows = self._call("query", self.collection, filter=f"pos in {json.dumps([int(p) for p in positions])}",
                          output_fields=["pos", "dense"])
        by_position = {int(row["pos"]): row["dense"] for row in rows}
        return np.array([by_position[int(p)] for p in positions], dtype=np.float32)

    # -- Milvus ---------------------------------------------------------------------------------------

    def bm25(self, tokens: list[str], expression: str, limit: int) -> dict[int, float]:
        if not tokens:
            return {}
        found = self._search([milvus.encode_tokens(tokens)], "sparse", min(limit, MAX_LIMIT), expression,
                             {"metric_type": "BM25"})
        return {position: abs(score) for position, score in found.items()}  # Milvus Lite answers BM25 negated

    def _search(self, data: list, field: str, limit: int, expression: str, params: dict) -> dict[int, float]:
        results = self._call("search", self.collection, data=data, anns_field=field, limit=limit, filter=expression,
                             search_params=params, output_fields=[])
        return {int(hit.id): float(hit.distance) for hit in results[0]}  # the hit keys its id by the primary key's name

    def _call(self, method: str, *args, **kwargs):
        try:
            return getattr(self.client, method)(*args, **kwargs)
        except Exception as exc:
            raise EngineUnavailable(f"Milvus {method} on {self.collection} failed: {exc}") from exc

    def _expression(self, scope: Scope) -> str:
        if scope.prepared is None:
            scope.prepared = expression(scope)
        return scope.prepared


def expression(scope: Scope) -> str:
    """The filters as a Milvus boolean expression over the collection's scalar fields."""
    filters = scope.filters
    parts = ["searchable == true"]
    if not filters.include_superseded:
        parts.append("superseded == false")
    if filters.doc_types:
        parts.append(f"doc_type in {json.dumps(list(filters.doc_types), ensure_ascii=False)}")
    if filters.regions:
        parts.append(f"region in {json.dumps(list(filters.regions), ensure_ascii=False)}")
    if filters.date_from:
        parts.append(f"date >= {milvus.date_number(filters.date_from)}")
    if filters.date_to:
        parts.append(f"(date > 0 and date <= {milvus.date_number(filters.date_to)})")
    if filters.issuers or filters.doc_ids:  # matched against the catalog here: an issuer is any part of the field
        parts.append(f"doc in {json.dumps(np.flatnonzero(scope.allowed_docs).tolist())}")
    return " and ".join(parts)


class _MilvusLexical:
    """One query's BM25 in Milvus: the best clauses, and exact scores of any others the searcher asks about.
    Synonyms (the thesaurus) are a second search, added at their weight."""

    def __init__(self, engine: MilvusEngine, tokens: list[str], added: list[str], weight: float, expression: str) -> None:
        self.engine = engine
        self.queries = [(tokens, 1.0)] + ([(added, weight)] if added else [])
        self.expression = expression
        self.known: dict[int, float] = {}  # position → weighted score, where every part of it is known

    def top(self, n: int) -> list[int]:
        found = [self.engine.bm25(tokens, self.expression, n) for tokens, _ in self.queries]
        if len(found) == 1:
            self.known.update(found[0])
            return list(found[0])
        union = np.array(sorted(set().union(*found)), dtype=np.int64)
        scores = self.scores(union)
        return union[top_positions(scores, n)].tolist()

    def scores(self, positions: np.ndarray) -> np.ndarray:
        missing = [int(p) for p in positions if int(p) not in self.known]
        if missing:
            within = f"pos in {json.dumps(missing)}"
            totals = dict.fromkeys(missing, 0.0)
            for tokens, weight in self.queries:
                for position, score in self.engine.bm25(tokens, within, len(missing)).items():
                    totals[position] += weight * score
            self.known.update(totals)
        return np.array([self.known[int(p)] for p in positions], dtype=np.float32)
