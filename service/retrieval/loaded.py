"""A published generation loaded into memory: documents, clauses, BM25, vectors, and lookup tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import faiss
import numpy as np

from policy_search import milvus, store
from policy_search.catalog import Catalog
from policy_search.embedding.encoder import Embedder
from policy_search.errors import IndexMismatch
from policy_search.store import DOC_CENTROIDS, doc_centroids
from policy_search.alignment import Alignment
from policy_search.model import DocumentMeta, Reference
from policy_search.places import local_place
from policy_search.text import fold
from policy_search.tokenize import ClauseTokenizer, short_titles
from service.retrieval.engines import Engine, LocalEngine, idf, import_bm25s
from service.retrieval.phrases import PhraseIndex


@dataclass
class LoadedIndex(Catalog):
    """Everything a search needs, in arrays indexed by clause position (row i = clause i)."""

    folder: Path
    manifest: dict
    tokenizer: ClauseTokenizer
    engine: Engine  # what finds candidates: the generation's own files (LocalEngine), or a Milvus collection
    links: list[tuple[str, str]] = field(default_factory=list)  # (duty, penalty) clause ids, from the indexer
    references: list[Reference] = field(default_factory=list)  # what clauses cite, restate, repeal (indexer/references.py)
    alignments: list[Alignment] = field(default_factory=list)  # 新旧条文对照 (indexer/align.py)
    short_names: list[tuple[str, ...]] = field(init=False)  # folded names each document is known by
    places: dict[str, set[str]] = field(init=False)  # place name in queries → regions it brings forward
    cities: list[str | None] = field(init=False)  # each document's city (济南), None for a province's or the nation's
    city_names: dict[str, str] = field(init=False)  # a city's names in queries (济南市, 济南) → the city
    city_regions: dict[str, str] = field(init=False)  # a city → its region (济南 → 山东)
    penalties: dict[int, list[int]] = field(init=False)  # article group → groups of the penalty articles enforcing it
    duties: dict[int, list[int]] = field(init=False)  # penalty article group → groups of the duties it enforces
    # what the ranker derives from clauses, worked out on first use: folded texts, features of the clause alone
    folded: dict[int, tuple[str, ...]] = field(init=False, default_factory=dict, repr=False)
    clause_features: np.ndarray | None = field(init=False, default=None, repr=False)

    @property
    def generation(self) -> str:
        return self.manifest["generation"]

    @property
    def has_vectors(self) -> bool:
        return self.engine.has_vectors

    @cached_property
    def doc_centroids(self) -> np.ndarray:
        """Each document's mean clause vector, normalised: what the document as a whole is about. Written with
        the generation (an engine elsewhere keeps the vectors there), else worked out from the vectors here."""
        saved = self.folder / DOC_CENTROIDS
        if saved.is_file():
            return np.load(saved)
        return doc_centroids(self.engine.all_vectors(), self.doc_of, len(self.documents))

    @cached_property
    def phrases(self) -> PhraseIndex:
        """Every clause's folded text in one string, for exact phrases (service/retrieval/phrases.py)."""
        return PhraseIndex([clause.text for clause in self.clauses])

    def idf(self, tokens: list[str]) -> np.ndarray:
        """BM25's inverse document frequency of each token over the indexed units; a token no unit holds gets
        the highest (as with a document frequency of 0)."""
        return idf(self.engine, tokens)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.short_names = [tuple(short_titles(meta.title)) for meta in self.documents]
        self.places, self.cities, self.city_names, self.city_regions = _places(self.documents)
        self.penalties, self.duties = {}, {}
        for duty_id, penalty_id in self.links:
            if duty_id in self.clause_pos and penalty_id in self.clause_pos:
                duty, penalty = (int(self.group_of[self.clause_pos[c]]) for c in (duty_id, penalty_id))
                self.penalties.setdefault(duty, []).append(penalty)
                self.duties.setdefault(penalty, []).append(duty)


def _places(documents: list[DocumentMeta]) -> tuple[dict[str, set[str]], list[str | None], dict[str, str], dict[str, str]]:
    """Place names found in the metadata: regions themselves, and the cities titles start with (济南市… → 济南,
    where it is not the province's own name). Returns place name → regions, each document's city, a city's
    names → the city, and a city → its region."""
    places: dict[str, set[str]] = {}
    cities: list[str | None] = []
    city_names: dict[str, str] = {}
    city_regions: dict[str, str] = {}
    for meta in documents:
        city = None
        if meta.region and meta.region != "全国":
            places.setdefault(fold(meta.region), set()).add(meta.region)
            place = local_place(meta.title)
            if place and not place[1].startswith(fold(meta.region)):
                city = fold(place[1])
                city_regions[city] = meta.region
                for name in place:
                    places.setdefault(fold(name), set()).add(meta.region)
                    city_names[fold(name)] = city
        cities.append(city)
    return places, cities, city_names, city_regions


def _local_engine(folder: Path, built_with: dict | None) -> LocalEngine:
    bm25 = import_bm25s().BM25.load(folder / "bm25", allow_pickle=False, show_progress=False)
    if not built_with:
        return LocalEngine(bm25, None, None)
    faiss_index = faiss.read_index(str(folder / "faiss.index"))
    return LocalEngine(bm25, faiss_index, _vectors_and_settings(faiss_index, built_with))


def _vectors_and_settings(faiss_index: faiss.Index, built_with: dict) -> np.ndarray:
    """Apply the index's search settings and read its vectors back (kept in memory for exact rescoring)."""
    params = built_with.get("search_params", {})
    if "efSearch" in params:
        faiss.downcast_index(faiss_index).hnsw.efSearch = params["efSearch"]
    if "nprobe" in params:
        ivf = faiss.extract_index_ivf(faiss_index)
        ivf.nprobe = params["nprobe"]
        ivf.make_direct_map()
    if faiss_index.ntotal == 0:
        return np.zeros((0, built_with["dimension"]), np.float32)
    return faiss_index.reconstruct_n(0, faiss_index.ntotal)


def load_index(root: Path, embedder: Embedder | None, engine_settings: dict | None = None) -> LoadedIndex:
    """Load the published generation, refusing one built with another embedding model or tokenizer, or for
    another engine than `engine_settings` name (by default the environment's; with none named, the engine the
    generation was published to)."""
    folder = store.IndexStore(root).require_current()
    manifest = store.read_manifest(folder)
    tokenizer = ClauseTokenizer(manifest["tokenizer"]["title_words"], compact=folder / store.WORDS)
    if tokenizer.fingerprint != manifest["tokenizer"]["fingerprint"]:
        raise IndexMismatch(
            f"index {folder.name} was tokenized with dictionary {manifest['tokenizer']['fingerprint']}, "
            f"this program's is {tokenizer.fingerprint}: re-index"
        )
    built_with = manifest.get("embedding")
    if embedder is not None and built_with and built_with["model_id"] != embedder.model_id:
        raise IndexMismatch(
            f"index {folder.name} was embedded with {built_with['model_id']}, the configured model is {embedder.model_id}"
        )
    if embedder is not None and not built_with:
        raise IndexMismatch(f"index {folder.name} has no vectors, but a model is configured: re-index with it")
    engine = open_engine(folder, manifest, engine_settings)
    return LoadedIndex(
        folder=folder,
        manifest=manifest,
        documents=store.read_documents(folder),
        clauses=list(store.read_clauses(folder)),
        tokenizer=tokenizer,
        engine=engine,
        links=store.read_links(folder),
        references=store.read_references(folder),
        alignments=store.read_alignments(folder),
    )


def open_engine(folder: Path, manifest: dict, settings: dict | None) -> Engine:
    """The engine the generation was published to (at the address it recorded, unless the settings give one);
    refused when the settings name another engine."""
    published = (manifest.get("engine") or {}).get("kind", "local")
    settings = milvus.settings_from_env() if settings is None else settings
    wanted = settings.get("backend")
    if wanted and published != wanted:
        raise IndexMismatch(
            f"index {folder.name} was published to the {published} engine, the service is configured for {wanted}: "
            f"set POLICY_SEARCH_BACKEND={published} (and its settings) or re-index"
        )
    if published == "milvus":
        from service.retrieval.milvus_engine import MilvusEngine

        return MilvusEngine.open(folder, manifest, settings)
    return _local_engine(folder, manifest.get("embedding"))
