"""Hybrid clause search: citations resolved directly, BM25 and dense fused, article parts grouped, priors applied."""

from __future__ import annotations

import copy
import time
from dataclasses import replace
from functools import cached_property

import numpy as np

from policy_search.authority import authority_level
from policy_search.citations import CitationQuery, find_citations
from policy_search.embedding.encoder import Embedder
from policy_search.errors import InvalidQuery
from policy_search.resolve import OK, CitationResolver, Resolution
from policy_search.text import fold
from service.retrieval.companions import bring_companions, companion_map
from service.retrieval.engines import Scope
from service.retrieval.filters import SearchFilters
from service.retrieval.hits import Hit, SearchOutcome
from service.retrieval.loaded import LoadedIndex
from service.retrieval.phrases import MAX_WHOLE, phrase_scores, query_length, query_phrases, whole_query_clauses
from service.retrieval.ranking import RankingConfig
from service.retrieval.succession import Succession
from service.retrieval.rerank import RANKER_DENSE_FLOOR, Candidates, Reranker, load_reranker, prepare_index
from service.retrieval.thesaurus import Thesaurus, load_synonyms, unquoted
from service.retrieval.weak import CHECKED_HITS, WeakMatch, quick_coverage

MAX_QUERY_CHARS = 500
MAX_TOP_K = 100
MODES = ("hybrid", "bm25", "dense")
LOW_AUTHORITY = authority_level("规范性文件")  # at and below it, national texts too yield to what they repeat


class Searcher:
    def __init__(
        self, index: LoadedIndex, embedder: Embedder | None, config: RankingConfig | None = None, reranker: Reranker | None = None
    ) -> None:
        self.index = index
        self.embedder = embedder if index.has_vectors else None
        self.engine = index.engine
        self.config = config or RankingConfig()
        self.resolver = CitationResolver(index)
        self.thesaurus = Thesaurus(load_synonyms(), index.engine) if self.config.thesaurus else None
        self._reranker = reranker  # the shipped one is loaded on the first reranked search
        self._bigram_cache: dict[int, frozenset[str]] = {}
        self._scopes: dict[SearchFilters, Scope] = {}
        self._samples = frozenset(i for i, meta in enumerate(index.documents) if meta.sample)

    @cached_property
    def relations(self):
        """The references between clauses (service/retrieval/related.py), indexed both ways on first use."""
        from service.retrieval.related import Relations  # it shapes results, which import this module

        return Relations(self.index, self.succession)

    @cached_property
    def companions(self) -> dict[int, tuple[int, ...]]:
        """Article group → its counterparts in another version or the text that replaced it (companions.py)."""
        index = self.index

        def group_of(clause_id: str) -> int | None:
            position = index.clause_pos.get(clause_id)
            return None if position is None else int(index.group_of[position])

        return companion_map(index.alignments, group_of)

    def _first_clause(self, group: int) -> int:
        return self.index.group_members[group][0]

    @cached_property
    def succession(self) -> Succession:
        """新旧条文对照: successors and predecessors of clauses, from the alignments the indexer stored."""
        return Succession(self.index)

    def prepare(self) -> None:
        """Loads the ranker and what it derives from the index, so that the first reranked search is not slow."""
        if self.config.rerank:
            self.reranker
            prepare_index(self.index)

    @property
    def reranker(self) -> Reranker:
        if self._reranker is None:
            self._reranker = load_reranker()
        return self._reranker

    def resolve_title(self, names: tuple[str, ...], allowed: np.ndarray | None = None) -> list[int]:
        """Documents a typed name refers to, best first (none where the name fits several documents)."""
        docs, _ = self.resolver.documents(CitationQuery(names, None, None, None, None, (0, 0)), allowed)
        return docs

    # -- search ---------------------------------------------------------------------------------------

    def with_config(self, **changes) -> Searcher:
        """The same searcher over the same index, with some ranking knobs changed (the drafting aid's dense share)."""
        other = copy.copy(self)
        other.config = replace(self.config, **changes)
        return other

    def search(
        self, query: str, filters: SearchFilters | None = None, top_k: int = 10, mode: str = "hybrid", *, rerank: bool | None = None
    ) -> SearchOutcome:
        """Hits best first; `rerank` (default: the configuration's) puts a hybrid search through the learned ranker."""
        query = (query or "").strip()
        if not query:
            raise InvalidQuery("query is empty")
        if len(query) > MAX_QUERY_CHARS:
            raise InvalidQuery(f"query is {len(query)} characters; at most {MAX_QUERY_CHARS}")
        if not 1 <= top_k <= MAX_TOP_K:
            raise InvalidQuery(f"top_k must be between 1 and {MAX_TOP_K}, got {top_k}")
        if mode not in MODES:
            raise InvalidQuery(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if mode == "dense" and self.embedder is None:
            raise InvalidQuery("this index has no vectors: dense search is not available")
        filters = filters or SearchFilters()
        timings: dict[str, float] = {}
        started = time.perf_counter()
        index = self.index
        scope = self._scope(filters)
        allowed_docs, allowed = scope.allowed_docs, scope.allowed

        resolutions = [self.resolver.resolve(c, allowed_docs) for c in find_citations(query)]
        for resolution in resolutions:
            self._note_version(resolution, filters)
        cited = {r.group: r for r in resolutions if r.group is not None}
        focus = [r.doc for r in resolutions if r.citation.document_only and r.doc is not None]
        text = _rest_of_query(query, resolutions, titles=True)
        embed_query = bool(text.strip())
        if not embed_query and cited:  # a bare citation: what follows it is what resembles the cited articles
            text = " ".join(index.clauses[r.position].text for r in cited.values())
        tokens = index.tokenizer.tokens(text)
        query_tokens = tokens if embed_query else []
        expansions = {}
        if self.thesaurus is not None and mode != "dense":  # never inside citations, titles or quotes
            expansions = self.thesaurus.expand(index.tokenizer.tokens(unquoted(text)))
        timings["parse"] = _ms(started)

        candidates: set[int] = set()
        n = self.config.candidates
        lexical = vector = None
        if mode in ("hybrid", "bm25") and tokens:
            t = time.perf_counter()
            added = [word for words in expansions.values() for word in words]
            lexical = self.engine.lexical(tokens, added, self.config.synonym_weight, scope)
            candidates.update(lexical.top(n))
            timings["bm25"] = _ms(t)
        phrases: dict[int, float] = {}
        length = query_length(text) if embed_query else 0
        if embed_query and (self.config.phrase_weight > 0 or (self.config.phrase_first and length <= MAX_WHOLE)):
            t = time.perf_counter()
            # without an additive share only the whole query verbatim matters: one scan finds it
            scores = phrase_scores if self.config.phrase_weight > 0 else whole_query_clauses
            phrases = {c: s for c, s in scores(index.phrases, query_phrases(text), length).items() if allowed[c]}
            candidates.update(phrases)
            timings["phrase"] = _ms(t)
        if mode in ("hybrid", "dense") and self.embedder is not None and embed_query:
            t = time.perf_counter()
            vector = self.embedder.embed_queries([text])[0]
            timings["embed"] = _ms(t)
            t = time.perf_counter()
            candidates.update(self.engine.dense(vector, scope, n))
            timings["dense"] = _ms(t)

        t = time.perf_counter()
        pool = np.array(sorted(c for c in candidates if allowed[c]), dtype=np.int64)
        components: dict[str, np.ndarray] = {}  # raw scores of the pool, row for row
        if lexical is not None:
            components["bm25"] = lexical.scores(pool)
        pool_vectors = None
        if vector is not None:
            pool_vectors = self.engine.vectors(pool) if len(pool) else None
            components["dense"] = pool_vectors @ vector if len(pool) else np.zeros(0, np.float32)
        reranked = mode == "hybrid" and (self.config.rerank if rerank is None else rerank)
        floor = RANKER_DENSE_FLOOR if reranked else self.config.dense_floor  # the ranker learnt the scaling of then
        fused, parts = self._fuse(pool, components, mode, floor)
        nearest = components.get("dense")  # the query's own cosines: what the weak-match signal was calibrated on
        # (the learned ranker was trained on the query's own scores: a reranked search takes no feedback)
        if pool_vectors is not None and self.config.feedback_k and not reranked:
            # the query moved towards its best clauses (Rocchio), searched again: words the question lacks
            t_feedback = time.perf_counter()
            vector = feedback_vector(vector, pool_vectors[np.argsort(-fused)[: self.config.feedback_k]], self.config.feedback_weight)
            found = np.array([c for c in self.engine.dense(vector, scope, n) if allowed[c]], dtype=np.int64)
            extra = np.setdiff1d(found, pool)
            if len(extra):  # only the new candidates are fetched and scored: the pool's own rows are at hand
                joined = np.concatenate([pool, extra])
                order = np.argsort(joined)
                pool, pool_vectors = joined[order], np.concatenate([pool_vectors, self.engine.vectors(extra)])[order]
                if lexical is not None:
                    components["bm25"] = np.concatenate([components["bm25"], lexical.scores(extra)])[order]
            components["dense"] = pool_vectors @ vector
            fused, parts = self._fuse(pool, components, mode, floor)
            timings["feedback"] = _ms(t_feedback)
        hits = self._group(pool, fused, parts)
        regions = self.regions_named(query)
        if reranked and hits:
            t_rerank = time.perf_counter()
            first_stage = Candidates(fold(query), tokens, pool, components.get("bm25"), components.get("dense"), vector, regions)
            hits = self.reranker.rerank(index, hits, first_stage, self.config.rerank_weight)
            timings["rerank"] = _ms(t_rerank)
        verbatim = self._add_phrases(hits, phrases)
        hits = self._apply_priors(hits, regions, set(focus), self.cities_named(query) if self.config.city_scope else set())
        if filters.include_samples is None:
            hits = self._samples_last(hits, set(focus))
        hits = self._put_verbatim_first(hits, verbatim)
        if self.config.companions:  # in every mode: they come from the collection's versions, not from a score
            reach = self._scope(replace(filters, include_superseded=True)).allowed  # an older version comes only so
            hits = bring_companions(hits, self.companions, self.config.companions, self._first_clause, reach)
        hits = self._put_citations_first(hits, cited)
        if focus and not cited and not _rest_of_query(query, resolutions, titles=False):  # 《X》 alone: X in order
            hits = [Hit(int(index.group_of[p]), p, 1.0, {"document": 1.0}) for d in focus for p in index.doc_clauses[d]
                    if index.searchable[p] and p == index.group_members[index.group_of[p]][0]]
        timings["fuse"] = _ms(t)
        match, weak = {}, False
        if embed_query and hits and not cited:
            t = time.perf_counter()
            match = self._match(hits, tokens, nearest)
            # a query found verbatim (四不两直, whose characters BM25 and the model weigh as nothing) is no weak match
            weak = not verbatim and WeakMatch(self.config.weak_coverage, self.config.weak_cosine).is_weak(
                match["coverage"], match.get("cosine"))
            timings["match"] = _ms(t)
        timings["total"] = _ms(started)
        return SearchOutcome(hits=hits[:top_k], tokens=tokens, timings_ms=timings, citations=resolutions, expansions=expansions,
                             match=match, weak=weak, query_tokens=query_tokens)

    def _match(self, hits: list[Hit], tokens: list[str], cosines: np.ndarray | None) -> dict[str, float]:
        """How well the best hits match: the most of the query's words one holds, and the nearest clause's cosine."""
        best = quick_coverage(self.index, tokens, [h.clause for h in hits[:CHECKED_HITS]])
        match = {"coverage": round(best, 4)}
        if cosines is not None and len(cosines):
            match["cosine"] = round(float(cosines.max()), 4)
        return match

    def _note_version(self, resolution: Resolution, filters: SearchFilters) -> None:
        """A cited text that searches leave out (repealed, or an older version) is named as such."""
        if resolution.status != OK or resolution.doc is None or filters.include_superseded:
            return
        meta = self.index.documents[resolution.doc]
        if meta.status == "已废止" or meta.repealed_by:
            resolution.message = f"《{meta.title}》已废止，" + (self._successor_note(resolution) or "所示为废止前的条文")
        elif meta.superseded:
            version = f"（{meta.date}）" if meta.date else ""
            resolution.message = f"《{meta.title}》{version}已被新版本取代，" + (self._successor_note(resolution) or "所示为该版本的条文")

    def _successor_note(self, resolution: Resolution) -> str | None:
        """现行对应条文：《…》第N条, or that no article in force carries the rule; None where nothing is known."""
        if resolution.position is None:
            return None
        row, steps = self.succession.successors(resolution.position, resolution.citation.paragraph)
        if row is None:
            return None
        if not steps:
            title = self.index.documents[self.index.doc_pos[row.new_doc]].title if row.new_doc in self.index.doc_pos else None
            return f"现行{'《' + title + '》' if title else '文本'}中没有对应条文，所示为废止前的条文"
        return "现行对应条文：" + "、".join(self.succession.citation(s.position, s.paragraph) for s in steps)

    def _scope(self, filters: SearchFilters) -> Scope:
        """What the filters admit, worked out once per distinct filter (the engine adds its own form of it)."""
        scope = self._scopes.get(filters)
        if scope is None:
            allowed_docs = filters.document_mask(self.index)
            allowed = allowed_docs[self.index.doc_of] & self.index.searchable
            scope = Scope(filters, allowed_docs, allowed, int(allowed.sum()))
            if len(self._scopes) > 64:
                self._scopes.clear()
            self._scopes[filters] = scope
        return scope

    def _fuse(self, pool: np.ndarray, components: dict[str, np.ndarray], mode: str,
              floor: float) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Scale each component (raw scores of the pool) to [0, 1] and mix; returns fused scores and the scaled parts.
        BM25 is scaled by its best score; the cosines from the `floor` quantile of the pool's to their best (cosines
        of unrelated clauses are far from 0, so the pool's own low end stands for "unrelated")."""
        parts: dict[str, np.ndarray] = {}
        if len(pool) == 0:
            return np.zeros(0, np.float32), parts
        if "bm25" in components:
            raw = components["bm25"]
            top = raw.max()
            parts["bm25"] = raw / top if top > 0 else raw
        if "dense" in components:
            raw = components["dense"]
            low, high = float(np.quantile(raw, floor)), float(raw.max())
            parts["dense"] = np.clip((raw - low) / (high - low), 0, 1) if high > low else np.ones_like(raw)
        if mode == "bm25" or "dense" not in parts:
            fused = parts.get("bm25", np.zeros(len(pool), np.float32))
        elif mode == "dense" or "bm25" not in parts:
            fused = parts["dense"]
        else:
            w = self.config.dense_weight
            fused = w * parts["dense"] + (1 - w) * parts["bm25"]
        return fused, parts

    def _group(self, pool: np.ndarray, fused: np.ndarray, parts: dict[str, np.ndarray]) -> list[Hit]:
        best: dict[int, Hit] = {}
        for row, clause in enumerate(pool):
            group = int(self.index.group_of[clause])
            score = float(fused[row])
            if group not in best or score > best[group].score:
                best[group] = Hit(group, int(clause), score, {k: float(v[row]) for k, v in parts.items()})
        return sorted(best.values(), key=lambda h: -h.score)

    def regions_named(self, query: str) -> set[str]:
        """Regions whose place names the query mentions."""
        folded = fold(query)
        return {region for place, found in self.index.places.items() if place in folded for region in found}

    def cities_named(self, query: str) -> set[str]:
        """Cities the query names (济南), of those that titles start with."""
        folded = fold(query)
        return {city for name, city in self.index.city_names.items() if name in folded}

    def _apply_priors(self, hits: list[Hit], regions: set[str], named: set[int] = frozenset(),
                      cities: set[str] = frozenset()) -> list[Hit]:
        """Authority, place and name: a place named in the query brings its region forward (where it names a
        city, the province's own texts and that city's, not another city's), and a document named in 《》 its
        clauses (the answer may still lie in another); otherwise local texts rank after national ones, and after
        any national hit whose text they repeat."""
        index = self.index
        scoped = {index.city_regions[city] for city in cities}  # regions where a city is named
        for hit in hits:
            doc = int(index.doc_of[hit.clause])
            region = index.documents[doc].region
            factor = 1.0
            if doc in named:  # naming a document outweighs where it comes from
                factor = self.config.named_factor
            elif region and region != "全国":
                city = index.cities[doc]
                elsewhere = region in scoped and city is not None and city not in cities  # another city of it
                factor = self.config.place_factor if region in regions and not elsewhere else self.config.local_factor
            hit.components["prior"] = factor
            hit.score *= factor
        hits.sort(key=lambda h: -h.score)
        if not regions:
            self._rank_repeats_after_originals(hits[: self.config.repeat_window])
        return sorted(hits, key=lambda h: -h.score)

    def _add_phrases(self, hits: list[Hit], phrases: dict[int, float]) -> set[int]:
        """Add the phrase signal to each hit (the best part of its article); returns the groups that hold the
        whole query verbatim when few enough do to be what the query was copied from."""
        if not phrases:
            return set()
        best: dict[int, float] = {}
        for clause, share in phrases.items():
            group = int(self.index.group_of[clause])
            best[group] = max(best.get(group, 0.0), share)
        for hit in hits:
            share = best.get(hit.group)
            if share:
                hit.components["phrase"] = share
                hit.score += self.config.phrase_weight * share
        whole = {group for group, share in best.items() if share >= 0.999}
        if len(whole) > self.config.phrase_first:
            return set()
        return {g for g in whole if int(self.index.doc_of[self.index.group_members[g][0]]) not in self._samples}

    def _put_verbatim_first(self, hits: list[Hit], groups: set[int]) -> list[Hit]:
        """Articles holding the whole query verbatim first, in their order: the text it was copied from."""
        if not groups:
            return hits
        first = [h for h in hits if h.group in groups]
        if not first:
            return hits
        top = max(h.score for h in hits)
        for at, hit in enumerate(first):
            hit.components["verbatim"] = 1.0
            hit.score = top + 0.5 - at * 1e-3
        return first + [h for h in hits if h.group not in groups]

    def _samples_last(self, hits: list[Hit], named: set[int]) -> list[Hit]:
        """Sample documents rank after every real text, keeping their order among themselves, unless the query
        names them: they show what the project does with local genres, and are no one's authority."""
        if not self._samples:
            return hits
        real, samples = [], []
        for hit in hits:
            doc = int(self.index.doc_of[hit.clause])
            (samples if doc in self._samples and doc not in named else real).append(hit)
        if not samples or not real:
            return hits
        floor, top = min(h.score for h in real), max(h.score for h in samples)
        for hit in samples:
            hit.components["sample"] = 1.0
            hit.score = floor * 0.999 * (hit.score / top if top > 0 else 1.0)
        return real + samples

    def _rank_repeats_after_originals(self, hits: list[Hit]) -> None:
        """A clause that mostly repeats one of higher authority it outranks is moved just below it: a local
        text below the national one, a city's measures below the province's regulation, a speech below the law.
        National texts keep their order among themselves."""
        index = self.index
        metas = [index.documents[index.doc_of[h.clause]] for h in hits]
        levels = [authority_level(meta.doc_type) for meta in metas]
        local = [meta.region not in (None, "全国") for meta in metas]
        for at, hit in enumerate(hits):
            if not (local[at] or levels[at] >= LOW_AUTHORITY):
                continue
            own = self._bigrams(hit.clause)
            for other, original in enumerate(hits):
                if original.score >= hit.score or metas[other].doc_id == metas[at].doc_id:
                    continue
                higher = levels[other] < levels[at] or (not local[other] and metas[other].region == "全国" and local[at])
                if higher and own and len(own & self._bigrams(original.clause)) >= self.config.repeat_overlap * len(own):
                    hit.components["repeats"] = 1.0
                    hit.score = original.score * 0.999
                    break

    def _bigrams(self, position: int) -> frozenset[str]:
        cached = self._bigram_cache.get(position)
        if cached is None:
            text = self.index.clauses[position].text
            cached = frozenset(map("".join, zip(text, text[1:])))
            if len(self._bigram_cache) > 20_000:
                self._bigram_cache.clear()
            self._bigram_cache[position] = cached
        return cached

    def _put_citations_first(self, hits: list[Hit], cited: dict[int, Resolution]) -> list[Hit]:
        if not cited:
            return hits
        rest = [h for h in hits if h.group not in cited]
        top = max((h.score for h in hits), default=1.0)
        first = [
            Hit(group, resolution.position, top + 1.0 - i * 1e-3, {"citation": 1.0}, resolution)
            for i, (group, resolution) in enumerate(cited.items())
        ]
        return first + rest


def _rest_of_query(query: str, resolutions: list[Resolution], *, titles: bool) -> str:
    """The query with its citations cut out, so that what else it says is searched on its own; `titles` keeps
    the 《titles》 named alone (their words find their clauses; a 文号's do not). A citation of something not in the
    index leaves its document's name behind: 第五十九条 alone would only find other documents' articles."""
    kept, last = [], 0
    for resolution in resolutions:
        citation = resolution.citation
        if titles and citation.document_only and citation.names:  # a 《title》, not a 文号
            continue
        start, end = citation.span
        kept.append(query[last:start])
        if not resolution.found and citation.names:
            kept.append(citation.names[0])
        last = end
    kept.append(query[last:])
    return " ".join(part.strip() for part in kept if part.strip())


def feedback_vector(query: np.ndarray, best: np.ndarray, weight: float) -> np.ndarray:
    """The query vector plus `weight` times the mean of its best clauses' vectors, normalised again."""
    moved = query + weight * best.mean(axis=0)
    return (moved / np.linalg.norm(moved)).astype(query.dtype)


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
