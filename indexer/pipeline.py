"""From files and folders to parsed documents, collecting a reason for every file that fails."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from indexer.metadata import MANIFEST_NAME, NOT_CURRENT, SIDECAR_SUFFIX, load_sidecars, read_header
from indexer.readers import SUPPORTED_SUFFIXES, RawDocument, read_path
from indexer.readers.lawdb import read_law_database
from indexer.segment import DEFAULT_MAX_UNIT_CHARS, segment
from policy_search.errors import UnsupportedDocument
from policy_search.model import SEARCH_KINDS, Clause, DocumentMeta, stable_id
from policy_search.text import compact, title_key


@dataclass
class ParsedDocument:
    meta: DocumentMeta
    clauses: list[Clause]


@dataclass
class Failure:
    path: str
    reason: str


@dataclass
class ParseResult:
    documents: list[ParsedDocument] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # file names read successfully


def discover(sources: Iterable[Path]) -> tuple[list[Path], list[Failure]]:
    """Files to read: named files as given, folders recursively (supported types, no sidecars, no hidden files)."""
    files: list[Path] = []
    failures: list[Failure] = []
    for source in sources:
        source = Path(source)
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                if path.is_file() and _wanted(path, source):
                    files.append(path)
        elif source.is_file():
            files.append(source)
        else:
            failures.append(Failure(str(source), "no such file or folder"))
    return files, failures


def _wanted(path: Path, root: Path) -> bool:
    relative = path.relative_to(root).parts
    if any(part.startswith(".") for part in relative):
        return False
    if path.name == MANIFEST_NAME or path.name.endswith(SIDECAR_SUFFIX):
        return False
    return path.suffix.lower() in SUPPORTED_SUFFIXES


def document_from_raw(raw: RawDocument, sidecar: dict | None, max_chars: int = DEFAULT_MAX_UNIT_CHARS) -> ParsedDocument:
    """Metadata and clauses of one read document."""
    header = read_header(raw, sidecar)
    stem = Path(raw.source).stem if raw.presplit is None else raw.source
    # the full title, not its version key: 刑法 and 刑法（2020年修正） in one file are two documents
    doc_id = stable_id(compact(header.title), header.date or "", header.doc_number or "", stem, length=12)
    clauses = segment(doc_id, raw, header.header_blocks, max_chars, roles=header.roles)
    if raw.ocr_pages:
        clauses = _with_ocr_confidence(clauses, raw)
    if not any(c.kind in SEARCH_KINDS for c in clauses):
        raise UnsupportedDocument(raw.source, "no text to index (every line is a title, placeholder or signature)")
    has_articles = any(c.locator.article for c in clauses)
    meta = DocumentMeta(
        doc_id=doc_id,
        title=header.title,
        source=raw.source,
        doc_type=header.doc_type,
        issuer=header.issuer,
        doc_number=header.doc_number,
        region=header.region,
        date=header.date,
        version_key=title_key(header.title),
        content_hash=hashlib.sha1(raw.text.encode("utf-8")).hexdigest(),
        issuers=header.issuers,
        status=header.status,
        effective_date=header.effective_date,
        part_label=None if has_articles else header.part_label,
        also_titles=header.also_titles,
        ocr_pages=raw.ocr_pages,
        ocr_confidence=None if raw.ocr_confidence is None else round(raw.ocr_confidence, 4),
        sample=bool((sidecar or {}).get("sample")),
    )
    return ParsedDocument(meta, clauses)


def _with_ocr_confidence(clauses: list[Clause], raw: RawDocument) -> list[Clause]:
    """Each clause gets the lowest confidence of the OCR'd blocks its lines come from."""
    read = [(block.text.strip(), block.confidence) for block in raw.blocks if block.confidence is not None]
    exact: dict[str, float] = {}
    for text, confidence in read:
        exact[text] = min(confidence, exact.get(text, confidence))
    marked = []
    for clause in clauses:
        found = []
        for line in filter(None, (line.strip() for line in clause.text.split("\n"))):
            if line in exact:
                found.append(exact[line])
            else:  # a line cut by the unit splitter, or an article's text without its label
                found += [confidence for text, confidence in read if line in text or text in line]
        marked.append(replace(clause, ocr_confidence=min(found)) if found else clause)
    return marked


def parse_law_database(path: Path, names: tuple[str, ...] | None, max_chars: int = DEFAULT_MAX_UNIT_CHARS) -> ParseResult:
    """The laws of a law database (or those named), as parse_files gives files."""
    result = ParseResult()
    try:
        raws = read_law_database(path, names)
    except UnsupportedDocument as exc:
        result.failures.append(Failure(str(path), exc.reason))
        return result
    for raw in raws:
        try:
            result.documents.append(document_from_raw(raw, None, max_chars))
        except UnsupportedDocument as exc:
            result.failures.append(Failure(f"{path}#{raw.title}", exc.reason))
    result.sources.append(path.name)
    return result


def parse_files(
    files: list[Path],
    *,
    max_chars: int = DEFAULT_MAX_UNIT_CHARS,
    on_file: Callable[[Path], None] | None = None,
) -> ParseResult:
    """Read and segment every file; a bad file becomes a Failure and never stops the batch."""
    result = ParseResult()
    sidecars: dict[Path, dict[str, dict] | UnsupportedDocument] = {}
    for path in files:
        try:
            if path.parent not in sidecars:
                try:
                    sidecars[path.parent] = load_sidecars(path.parent)
                except UnsupportedDocument as exc:  # every file of the folder fails with the manifest's reason
                    sidecars[path.parent] = exc
            folder_sidecars = sidecars[path.parent]
            if isinstance(folder_sidecars, UnsupportedDocument):
                raise folder_sidecars
            sidecar = folder_sidecars.get(path.name)
            for raw in read_path(path):
                result.documents.append(document_from_raw(raw, sidecar, max_chars))
            result.sources.append(path.name)
        except UnsupportedDocument as exc:
            result.failures.append(Failure(str(path), exc.reason if exc.source == path.name else str(exc)))
        except MemoryError:  # in the sandbox, a file that needs more than its memory limit
            result.failures.append(Failure(str(path), "parsing needed more memory than allowed and was stopped"))
        except Exception as exc:  # a reader library's own error on hostile input: report it, keep going
            result.failures.append(Failure(str(path), f"could not be read ({type(exc).__name__}: {exc})"))
        if on_file:
            on_file(path)
    return result


def mark_versions(documents: list[DocumentMeta]) -> list[DocumentMeta]:
    """Among documents sharing a title, all but the newest dated one are superseded; so is any document
    its source marks 已废止 or 历史版本."""
    newest: dict[str, str] = {}
    for meta in documents:
        if meta.date and meta.date > newest.get(meta.version_key, "") and meta.status not in NOT_CURRENT:
            newest[meta.version_key] = meta.date
    return [
        replace(
            meta,
            superseded=meta.status in NOT_CURRENT
            or (bool(newest.get(meta.version_key)) and (meta.date or "") < newest[meta.version_key]),
        )
        for meta in documents
    ]
