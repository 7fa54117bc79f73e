"""Building an index generation: the previous generation's documents, replaced and extended by new ones."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from indexer import links
from indexer.align import ALIGNMENT_VERSION, align_documents
from indexer.dense import write_dense
from indexer.lexical import build_bm25
from indexer.pipeline import Failure, ParsedDocument, mark_versions
from indexer.references import VERSION as REFERENCES_VERSION
from indexer.references import link_documents
from policy_search import milvus, store
from policy_search.embedding.cache import EmbeddingCache, Progress
from policy_search.embedding.encoder import Embedder
from policy_search.model import SEARCH_KINDS, Clause, DocumentMeta
from policy_search.passages import passage_text
from policy_search.tokenize import ClauseTokenizer, short_titles

EMBEDDING_CACHE = "embeddings.sqlite"


@dataclass
class BuildSummary:
    generation: str
    documents: int
    clauses: int
    articles: int
    added: int
    replaced: int
    unchanged: int
    removed: int = 0
    embedded: int = 0  # clauses whose vectors were computed (not found in the cache)
    by_type: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)


@dataclass
class Generation:
    """What a new generation may take over from the published one."""

    documents: list[DocumentMeta] = field(default_factory=list)
    clauses: dict[str, list[Clause]] = field(default_factory=dict)  # by doc id
    links: dict[str, list[tuple[str, str]]] | None = None  # by doc id; None when made by another links version


def load_generation(index: store.IndexStore) -> Generation:
    """The published documents, their clauses and links, or nothing for a new index."""
    folder = index.current()
    if folder is None:
        return Generation()
    manifest = store.read_manifest(folder)
    clauses: dict[str, list[Clause]] = {}
    doc_of: dict[str, str] = {}
    for clause in store.read_clauses(folder):
        clauses.setdefault(clause.doc_id, []).append(clause)
        doc_of[clause.clause_id] = clause.doc_id
    by_doc = None
    if manifest.get("links_version") == links.VERSION:
        by_doc = {}
        for duty, penalty in store.read_links(folder):
            by_doc.setdefault(doc_of[penalty], []).append((duty, penalty))
    return Generation(store.read_documents(folder), clauses, by_doc)


def engine_of(index: store.IndexStore) -> dict:
    """Where the published generation's engine lives (the environment may say more: the token, another URI);
    for a new index the environment's choice, local when it makes none."""
    settings = milvus.settings_from_env()
    folder = index.current()
    published = (store.read_manifest(folder).get("engine") or {}) if folder is not None else {}
    if published.get("kind") == "milvus":
        return settings | {"backend": "milvus", "uri": settings["uri"] or published["uri"], "prefix": published["alias"]}
    return settings | {"backend": "local" if folder is not None else settings["backend"] or "local"}


def build_index(
    out: Path,
    parsed: list[ParsedDocument],
    *,
    read_sources: list[str] = (),
    remove_doc_ids: set[str] = frozenset(),
    failures: list[Failure] = (),
    embedder: Embedder | None = None,
    index_kind: str = "auto",
    progress: Progress | None = None,
    engine: dict | None = None,
    insert_progress: Progress | None = None,
) -> BuildSummary:
    """Publish a new generation: old documents kept unless re-read (same id or same source file) or removed.

    `engine` says where its search engine lives (policy_search/milvus.py `settings_from_env`): backend local,
    the generation's own files, or milvus; by default the published generation's engine, else the environment's.
    `progress` follows the embedding, `insert_progress` the rows written to Milvus."""
    index = store.IndexStore(out)
    engine = engine or engine_of(index)
    previous_generation = load_generation(index)
    old_docs, old_clauses = previous_generation.documents, previous_generation.clauses
    incoming = {doc.meta.doc_id: doc for doc in parsed}
    replaced_sources = set(read_sources)
    old_by_id = {meta.doc_id: meta for meta in old_docs}

    documents: list[DocumentMeta] = []
    clauses: dict[str, list[Clause]] = {}
    removed = 0
    for meta in old_docs:
        if meta.doc_id in incoming or meta.source in replaced_sources or meta.doc_id in remove_doc_ids:
            removed += meta.doc_id not in incoming
            continue
        documents.append(meta)
        clauses[meta.doc_id] = old_clauses.get(meta.doc_id, [])
    added = replaced = unchanged = 0
    for doc_id, doc in incoming.items():
        previous = old_by_id.get(doc_id)
        if previous is None:
            added += 1
        elif previous.content_hash == doc.meta.content_hash:
            unchanged += 1
        else:
            replaced += 1
        documents.append(doc.meta)
        clauses[doc_id] = doc.clauses
    # Who repeals whom is worked out afresh below, from the texts of this generation.
    documents = [replace(meta, repealed_by=None) for meta in documents]
    documents = mark_versions(sorted(documents, key=lambda m: (m.title, m.date or "", m.doc_id)))
    # An unchanged document keeps its clause ids, so its links carry over; the others are worked out.
    old_links = previous_generation.links
    doc_links = {
        meta.doc_id: old_links.get(meta.doc_id, [])
        if old_links is not None and meta.doc_id in old_by_id and old_by_id[meta.doc_id].content_hash == meta.content_hash
        else links.document_links(clauses[meta.doc_id])
        for meta in documents
    }

    all_clauses = [c for meta in documents for c in clauses[meta.doc_id]]
    documents, references = link_documents(documents, all_clauses)
    by_id = {meta.doc_id: meta for meta in documents}
    passages = [passage_text(by_id[c.doc_id], c) for c in all_clauses]
    title_words = sorted({name for meta in documents for name in short_titles(meta.title)})
    tokenizer = ClauseTokenizer(title_words)
    embedded = 0
    vectors = None
    if embedder is not None:
        cache = EmbeddingCache(index.root / EMBEDDING_CACHE, embedder.model_id, embedder.dimension)
        try:
            vectors, embedded = cache.embed(passages, embedder.embed_passages, progress=progress)
        finally:
            cache.close()

    started = time.perf_counter()
    alignments = align_documents(documents, all_clauses, vectors)
    align_seconds = time.perf_counter() - started

    def write(folder: Path) -> dict:
        store.write_documents(folder, documents)
        store.write_clauses(folder, all_clauses)
        store.write_links(folder, (pair for meta in documents for pair in doc_links[meta.doc_id]))
        store.write_references(folder, references)
        store.write_alignments(folder, alignments)
        tokenizer.save_compact(folder / store.WORDS)  # searching processes map it instead of loading jieba's dictionary
        if engine["backend"] == "milvus":
            tokens = [tokenizer.tokens(text) for text in passages]
            milvus.write_lexicon(folder, tokens)
            searchable = np.array([c.kind in SEARCH_KINDS for c in all_clauses], dtype=bool)
            record = milvus.write_collection(engine, store.generation_name(folder), documents, all_clauses, tokens,
                                             vectors, searchable, insert_progress)
        else:
            build_bm25(folder, passages, tokenizer)
        fields = {
            "documents": len(documents),
            "clauses": len(all_clauses),
            "tokenizer": {"fingerprint": tokenizer.fingerprint, "title_words": title_words},
            "links_version": links.VERSION,
            "references": {"version": REFERENCES_VERSION, **Counter(r.kind for r in references)},
            "embedding": None,
            "alignments": {"version": ALIGNMENT_VERSION, "rows": len(alignments), "seconds": round(align_seconds, 3)},
        }
        if vectors is not None:
            doc_of = {meta.doc_id: i for i, meta in enumerate(documents)}
            store.write_doc_centroids(folder, store.doc_centroids(vectors, np.array([doc_of[c.doc_id] for c in all_clauses]), len(documents)))
            fields["embedding"] = {
                "model_id": embedder.model_id,
                "adapter_sha256": getattr(embedder, "adapter_sha256", None),  # the tuned default's adapter, if any
                "passage_precision": getattr(embedder, "passage_precision", None),  # of the passages this build embedded
                "dimension": embedder.dimension,
                "normalized": True,
                **(write_dense(folder, vectors, index_kind) if engine["backend"] != "milvus" else {}),
            }
        if engine["backend"] == "milvus":
            fields["engine"] = record
        return fields

    generation = index.publish(write)
    if engine["backend"] == "milvus":  # external readers of the alias see the generation once it is published
        milvus.publish_alias(engine, store.read_manifest(generation)["engine"], set(index.kept()))
    return BuildSummary(
        generation=generation.name,
        documents=len(documents),
        clauses=len(all_clauses),
        articles=sum(1 for c in all_clauses if c.locator.article and c.locator.part == 1),
        added=added,
        replaced=replaced,
        unchanged=unchanged,
        removed=removed,
        embedded=embedded,
        by_type=dict(Counter(meta.doc_type or "其他" for meta in documents)),
        failures=list(failures),
    )
