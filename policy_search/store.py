"""Index files on disk: generations written beside each other, published by an atomic rename.

    INDEX_DIR/CURRENT                  name of the published generation
    INDEX_DIR/generations/<name>/      manifest.json, documents.jsonl, clauses.jsonl (+ vectors, BM25 files,
                                       words/: the tokenizer's dictionary, mapped by searching processes)

A generation is written under a temporary name, fsynced, renamed into place, and only then named in
CURRENT (itself replaced atomically), so a reader never sees a half-written index and a process killed
at any moment leaves the previous generation published.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from policy_search.errors import IndexMismatch, IndexNotReady
from policy_search.alignment import Alignment
from policy_search.model import Clause, DocumentMeta, Reference

SCHEMA_VERSION = 1
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
DOCUMENTS = "documents.jsonl"
CLAUSES = "clauses.jsonl"
LINKS = "links.jsonl"
REFERENCES = "references.jsonl"
ALIGNMENTS = "alignments.jsonl"
DOC_CENTROIDS = "doc_centroids.npy"
WORDS = "words"  # the BM25 tokenizer's dictionary in compact form (policy_search/wordfreq.py), for searching processes
KEEP_GENERATIONS = 3


class IndexStore:
    """One index directory and its generations."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.generations = self.root / "generations"

    def current(self) -> Path | None:
        """The published generation's folder, or None when nothing was published yet."""
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        folder = self.generations / name
        return folder if (folder / MANIFEST).is_file() else None

    def require_current(self) -> Path:
        folder = self.current()
        if folder is None:
            raise IndexNotReady(f"no index at {self.root}: run `policy-search index SRC --out {self.root}` first")
        return folder

    def publish(self, write: Callable[[Path], dict[str, Any]]) -> Path:
        """Write a new generation with `write(folder) -> manifest fields` and make it current atomically."""
        self.generations.mkdir(parents=True, exist_ok=True)
        name = f"g{self._next_sequence():06d}-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
        staging = self.generations / f".staging-{name}"
        staging.mkdir()
        try:
            fields = write(staging)
            manifest = {"schema_version": SCHEMA_VERSION, "generation": name, "created": time.time(), **fields}
            _write_json(staging / MANIFEST, manifest)
            _fsync_tree(staging)
            final = self.generations / name
            os.rename(staging, final)
            _fsync_dir(self.generations)
            pointer = self.root / f".{CURRENT}.{name}"
            pointer.write_text(name, encoding="utf-8")
            _fsync_file(pointer)
            os.replace(pointer, self.root / CURRENT)
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._collect_garbage(keep=name)
        return final

    def kept(self) -> list[str]:
        """The names of the generations on disk, oldest first."""
        if not self.generations.is_dir():
            return []
        return sorted(p.name for p in self.generations.iterdir() if not p.name.startswith("."))

    def _next_sequence(self) -> int:
        """Generation names sort in publishing order: a sequence number leads them."""
        numbers = [int(p.name[1:7]) for p in self.generations.glob("g[0-9][0-9][0-9][0-9][0-9][0-9]-*")]
        return max(numbers, default=0) + 1

    def _collect_garbage(self, keep: str) -> None:
        """Drop staging leftovers of killed runs and all but the newest generations."""
        published = sorted(p for p in self.generations.iterdir() if not p.name.startswith("."))
        for old in published[:-KEEP_GENERATIONS]:
            if old.name != keep:
                shutil.rmtree(old, ignore_errors=True)
        for leftover in self.generations.glob(".staging-*"):
            if time.time() - leftover.stat().st_mtime > 3600:  # an hour: never a build still running
                shutil.rmtree(leftover, ignore_errors=True)
        for pointer in self.root.glob(f".{CURRENT}.*"):  # pointers a killed run wrote but never renamed
            if pointer.name != f".{CURRENT}.{keep}":
                pointer.unlink(missing_ok=True)


def generation_name(folder: Path) -> str:
    """The name of the generation a folder holds, also while it is written (as .staging-<name>)."""
    return folder.name.removeprefix(".staging-")


def read_manifest(generation: Path) -> dict[str, Any]:
    manifest = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise IndexMismatch(
            f"index {generation} has schema version {manifest.get('schema_version')}, this program reads {SCHEMA_VERSION}"
        )
    return manifest


def read_documents(generation: Path) -> list[DocumentMeta]:
    return [DocumentMeta.from_dict(row) for row in _read_jsonl(generation / DOCUMENTS)]


def read_clauses(generation: Path) -> Iterator[Clause]:
    return (Clause.from_dict(row) for row in _read_jsonl(generation / CLAUSES))


def write_documents(generation: Path, documents: Iterable[DocumentMeta]) -> int:
    return _write_jsonl(generation / DOCUMENTS, (d.to_dict() for d in documents))


def write_clauses(generation: Path, clauses: Iterable[Clause]) -> int:
    return _write_jsonl(generation / CLAUSES, (c.to_dict() for c in clauses))


def write_links(generation: Path, pairs: Iterable[tuple[str, str]]) -> int:
    """Duty ↔ penalty links as clause ids of the articles' first parts."""
    return _write_jsonl(generation / LINKS, ({"duty": duty, "penalty": penalty} for duty, penalty in pairs))


def read_links(generation: Path) -> list[tuple[str, str]]:
    path = generation / LINKS
    return [(row["duty"], row["penalty"]) for row in _read_jsonl(path)] if path.exists() else []


def write_references(generation: Path, references: Iterable[Reference]) -> int:
    """What clauses cite, restate and repeal (see indexer/references.py)."""
    return _write_jsonl(generation / REFERENCES, (r.to_dict() for r in references))


def read_references(generation: Path) -> list[Reference]:
    path = generation / REFERENCES
    return [Reference.from_dict(row) for row in _read_jsonl(path)] if path.exists() else []


def write_alignments(generation: Path, alignments: Iterable[Alignment]) -> int:
    """新旧条文对照: where each article of a repealed or older text went (indexer/align.py)."""
    return _write_jsonl(generation / ALIGNMENTS, (a.to_dict() for a in alignments))


def read_alignments(generation: Path) -> list[Alignment]:
    path = generation / ALIGNMENTS
    return [Alignment.from_dict(row) for row in _read_jsonl(path)] if path.exists() else []


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
            handle.write("\n")
            count += 1
    return count


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            _fsync_file(path)
    _fsync_dir(folder)


def doc_centroids(vectors: np.ndarray, doc_of: np.ndarray, documents: int) -> np.ndarray:
    """Each document's mean clause vector, normalised (row d = document d): what the document is about."""
    centroids = np.zeros((documents, vectors.shape[1]), dtype=np.float32)
    np.add.at(centroids, doc_of, vectors)
    norms = np.linalg.norm(centroids, axis=1, keepdims=True)
    return centroids / np.where(norms > 0, norms, 1.0)


def write_doc_centroids(generation: Path, centroids: np.ndarray) -> None:
    np.save(generation / DOC_CENTROIDS, centroids.astype(np.float32))
