"""Search engines: what finds the candidates of a query, under the project's own ranking.

An engine answers four questions for a loaded generation: the best clauses by BM25 over the project's jieba
tokens (and their BM25 scores for any other clauses), the nearest clauses to a query vector, the vectors of
given clauses, and how rare a token is. Filters arrive as a `Scope`: the searcher's clause mask for the
in-process engine, the filters themselves for an engine that applies them where the data lives.

`LocalEngine` is the default: the generation's own files, bm25s and FAISS, in this process. The Milvus engine
(`policy_search/milvus.py`) answers the same questions from a Milvus collection, for corpora that outgrow one
process. Both return clause positions of the generation, so the searcher ranks their candidates alike.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import faiss
import numpy as np

if TYPE_CHECKING:
    import bm25s


@dataclass
class Scope:
    """What one set of filters admits: documents, clauses (positions), and what an engine derives from it once."""

    filters: object  # service.retrieval.filters.SearchFilters
    allowed_docs: np.ndarray
    allowed: np.ndarray
    count: int
    prepared: object | None = None  # the engine's form of the filter (a FAISS selector, a Milvus expression), made once


class LexicalQuery(Protocol):
    def top(self, n: int) -> list[int]:
        """Positions of the n best-scoring admitted clauses with a score above 0."""

    def scores(self, positions: np.ndarray) -> np.ndarray:
        """The BM25 score of each given clause (0 where it holds no query word)."""


class Engine(Protocol):
    has_vectors: bool

    def lexical(self, tokens: list[str], added: list[str], added_weight: float, scope: Scope) -> LexicalQuery:
        """BM25 over `tokens`, plus `added_weight` × BM25 over `added` (synonyms), among the admitted clauses."""

    def dense(self, vector: np.ndarray, scope: Scope, n: int) -> list[int]:
        """Positions of the n admitted clauses nearest to the normalised query vector."""

    def vectors(self, positions: np.ndarray) -> np.ndarray:
        """The normalised vectors of the given clauses, row for row."""

    def document_frequency(self, token: str) -> int:
        """In how many clauses the token occurs."""

    @property
    def clause_count(self) -> int: ...

    def __contains__(self, token: str) -> bool:
        """Whether any clause holds the token (the thesaurus expands only into such words)."""


def import_bm25s():
    """bm25s without SciPy, which it imports when it can (0.1 s of a cold start) and uses only to build an index
    with `csc_backend="scipy"`; loading and scoring one is numpy alone. A process that already holds SciPy (the
    indexer's) keeps it and bm25s finds it."""
    if "bm25s" in sys.modules or "scipy" in sys.modules:
        import bm25s

        return bm25s
    sys.modules["scipy"] = None  # None in sys.modules: an import of it raises ImportError
    try:
        import bm25s
    finally:
        if sys.modules.get("scipy", 0) is None:
            del sys.modules["scipy"]
    return bm25s


def idf(engine: Engine, tokens: list[str]) -> np.ndarray:
    """BM25's inverse document frequency of each token; a token no clause holds gets the highest (df 0)."""
    total = max(1, engine.clause_count)
    df = np.array([engine.document_frequency(token) for token in tokens], dtype=np.float64)
    return np.log(1 + (total - df + 0.5) / (df + 0.5)).astype(np.float32)


def top_positions(scores: np.ndarray, n: int) -> list[int]:
    """The n highest positive scores' positions (any order)."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) <= n:
        return positive.tolist()
    chosen = np.argpartition(-scores[positive], n)[:n]
    return positive[chosen].tolist()


class _LocalLexical:
    def __init__(self, scores: np.ndarray) -> None:
        self._scores = scores

    def top(self, n: int) -> list[int]:
        return top_positions(self._scores, n)

    def scores(self, positions: np.ndarray) -> np.ndarray:
        return self._scores[positions]


class LocalEngine:
    """The generation's bm25s index and FAISS index, in memory (row i = clause i)."""

    def __init__(self, bm25: bm25s.BM25, faiss_index: faiss.Index | None, vectors: np.ndarray | None) -> None:
        self.bm25 = bm25
        self.faiss_index = faiss_index
        self._vectors = vectors
        self.has_vectors = vectors is not None
        self._vocabulary = bm25.vocab_dict
        self._indptr = bm25.scores["indptr"]
        faiss.omp_set_num_threads(1)  # one query per thread: FAISS's own threads only add contention here

    @property
    def clause_count(self) -> int:
        return int(self.bm25.scores["num_docs"])

    def lexical(self, tokens: list[str], added: list[str], added_weight: float, scope: Scope) -> _LocalLexical:
        scores = self.bm25.get_scores(tokens).astype(np.float32)
        if added:
            scores += added_weight * self.bm25.get_scores(added).astype(np.float32)
        scores[~scope.allowed] = 0.0
        return _LocalLexical(scores)

    def dense(self, vector: np.ndarray, scope: Scope, n: int) -> list[int]:
        """The n nearest admitted clauses, searched with the filter's bitmap selector."""
        if self.faiss_index.ntotal == 0 or scope.count == 0:
            return []
        params = scope.prepared
        if params is None:  # built whole, then published: a concurrent search sees none or a complete one
            bitmap = np.packbits(scope.allowed, bitorder="little")
            params = self._search_parameters(faiss.IDSelectorBitmap(len(scope.allowed), faiss.swig_ptr(bitmap)))
            params.bitmap = bitmap  # the selector reads this array: keep it alive with the parameters
            scope.prepared = params
        _, found = self.faiss_index.search(vector[None, :].astype(np.float32), min(n, scope.count), params=params)
        return [int(i) for i in found[0] if i >= 0]

    def _search_parameters(self, selector) -> faiss.SearchParameters:
        """The selector in the parameters the index's kind takes (IVF and HNSW refuse the plain ones), with its
        own nprobe or efSearch, which parameters given to a search replace."""
        ivf = faiss.try_extract_index_ivf(self.faiss_index)
        if ivf is not None:
            return faiss.SearchParametersIVF(sel=selector, nprobe=ivf.nprobe)
        index = faiss.downcast_index(self.faiss_index)
        if isinstance(index, faiss.IndexHNSW):
            return faiss.SearchParametersHNSW(sel=selector, efSearch=index.hnsw.efSearch)
        return faiss.SearchParameters(sel=selector)

    def vectors(self, positions: np.ndarray) -> np.ndarray:
        return self._vectors[positions]

    def all_vectors(self) -> np.ndarray:
        return self._vectors

    def document_frequency(self, token: str) -> int:
        index = self._vocabulary.get(token)
        if index is None or index + 1 >= len(self._indptr):
            return 0
        return int(self._indptr[index + 1] - self._indptr[index])

    def __contains__(self, token: str) -> bool:
        return token in self._vocabulary
