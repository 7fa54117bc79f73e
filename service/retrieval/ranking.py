"""Ranking knobs, each one a general signal; the values are tuned on the visible evaluation sets only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RankingConfig:
    """Ranking knobs; out-of-range values are refused with the knob's name."""

    candidates: int = 200  # taken from each retriever before fusion
    dense_weight: float = 0.7  # fused = w · dense + (1 − w) · bm25, both scaled to [0, 1] per query (the embedder's default)
    drafting_dense_weight: float = 0.5  # the same for the drafting aid's problems (long, several rules each): chosen apart, BENCHMARKS.md
    dense_floor: float = 0.2  # cosines are scaled to [0, 1] from this quantile of the pool's to their best (protocol)
    drafting_dense_floor: float = 0.1  # the same for the drafting aid, chosen on the drafting problems' folds
    local_factor: float = 0.4  # no place named: local texts rank after national ones (chosen under the protocol: BENCHMARKS.md)
    place_factor: float = 1.2  # a place named in the query: that region's texts come forward
    named_factor: float = 1.2  # a document named alone in 《》: its clauses come forward
    repeat_window: int = 50  # hits checked for local texts repeating a national one
    repeat_overlap: float = 0.5  # share of a local clause's character bigrams found in the national one
    # hybrid searches go through the learned ranker (service/retrieval/rerank.py): off, as it lost under the
    # validation protocol (BENCHMARKS.md) and costs throughput under load
    rerank: bool = False
    rerank_weight: float | None = None  # reranked = w · ranker + (1 − w) · fused, scaled over its depth; None: the ranker's
    thesaurus: bool = True  # BM25 also searches the query words' true synonyms (service/retrieval/thesaurus.py); won under the protocol
    synonym_weight: float = 0.3  # a synonym's BM25 score counts this much of the word's own
    phrase_weight: float = 0.0  # added to a hit's score per share of the query it holds verbatim (phrases.py)
    weak_coverage: float = 0.2  # a search whose best hits hold less of the query's words (weighted) …
    weak_cosine: float = 0.41  # … and whose nearest clause is less similar than this gets the weak-match notice (both calibrated: weak.py)
    phrase_first: int = 10  # a query held whole by at most this many articles puts them first; 0: never
    # dense pseudo-relevance feedback: the query vector moved towards the mean of its best clauses' vectors and
    # searched again (won under the protocol for searches; the drafting aid's long problems lose, so it takes none)
    feedback_k: int = 10  # the best clauses whose mean vector moves the query; 0: none
    feedback_weight: float = 0.5  # how far it moves (query + w · mean, normalised)
    city_scope: bool = True  # a city named (济南): its province's own texts and its own come forward, not another city's
    companions: int = 3  # each of the first hits brings its article in another version (companions.py); 0: none

    def __post_init__(self) -> None:
        for name in ("dense_weight", "drafting_dense_weight"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        if self.rerank_weight is not None and not 0.0 <= self.rerank_weight <= 1.0:
            raise ValueError(f"rerank_weight must be between 0 and 1, got {self.rerank_weight}")
        for name in ("dense_floor", "drafting_dense_floor"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be from 0 up to (not including) 1, got {getattr(self, name)}")
        if not 0.0 <= self.phrase_weight <= 1.0:
            raise ValueError(f"phrase_weight must be between 0 and 1, got {self.phrase_weight}")
        if self.feedback_k < 0 or not 0.0 <= self.feedback_weight <= 2.0:
            raise ValueError(f"feedback_k must be 0 or more and feedback_weight between 0 and 2, got {self.feedback_k}, {self.feedback_weight}")
        if self.companions < 0:
            raise ValueError(f"companions must be 0 or more, got {self.companions}")
        if not 0.0 <= self.synonym_weight <= 1.0:
            raise ValueError(f"synonym_weight must be between 0 and 1, got {self.synonym_weight}")
