"""Readers: one module per file format, each turning a file into text blocks in reading order."""

from __future__ import annotations

from pathlib import Path

from indexer.readers.base import MAX_FILE_BYTES, RawDocument, TextBlock
from policy_search.errors import UnsupportedDocument

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")  # photos and scans of documents, read by OCR
LEGACY_WORD_SUFFIXES = (".doc", ".wps")  # converted by LibreOffice headless
SUPPORTED_SUFFIXES = (
    ".txt", ".md", ".markdown", ".docx", ".pdf", ".html", ".htm", ".jsonl", ".ofd", *LEGACY_WORD_SUFFIXES, *IMAGE_SUFFIXES,
)
LAW_DATABASE_SUFFIXES = (".db", ".sqlite")  # read when named, never picked up from a folder

__all__ = ["RawDocument", "TextBlock", "SUPPORTED_SUFFIXES", "LAW_DATABASE_SUFFIXES", "read_path", "read_bytes"]


def read_path(path: Path) -> list[RawDocument]:
    """Read one file into documents (a JSON-lines file may hold many); raise UnsupportedDocument naming it."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnsupportedDocument(name, f"cannot read file ({exc.strerror})") from exc
    if path.suffix.lower() in LAW_DATABASE_SUFFIXES:
        from indexer.readers.lawdb import read_law_database

        return read_law_database(path)
    if size > MAX_FILE_BYTES:
        raise UnsupportedDocument(name, f"file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit")
    return read_bytes(name, path.read_bytes())


def read_bytes(name: str, data: bytes) -> list[RawDocument]:
    """Read a file's bytes, choosing the reader by the file name's suffix."""
    suffix = Path(name).suffix.lower()
    if not data.strip():
        raise UnsupportedDocument(name, "file is empty")
    if suffix in (".txt", ".md", ".markdown"):
        from indexer.readers.text import read_text

        return [read_text(name, data, markdown=suffix != ".txt")]
    if suffix == ".docx":
        from indexer.readers.docx import read_docx

        return [read_docx(name, data)]
    if suffix == ".pdf":
        from indexer.readers.pdf import read_pdf

        return [read_pdf(name, data)]
    if suffix == ".ofd":
        from indexer.readers.ofd import read_ofd

        return [read_ofd(name, data)]
    if suffix in LEGACY_WORD_SUFFIXES:
        from indexer.readers.legacy_word import read_legacy_word

        return [read_legacy_word(name, data)]
    if suffix in IMAGE_SUFFIXES:
        from indexer.readers.scan import read_image

        return [read_image(name, data)]
    if suffix in (".html", ".htm"):
        from indexer.readers.html import read_html

        return [read_html(name, data)]
    if suffix == ".jsonl":
        from indexer.readers.jsonl import read_jsonl

        return read_jsonl(name, data)
    if suffix in LAW_DATABASE_SUFFIXES:
        raise UnsupportedDocument(name, "a law database is indexed from its path: policy-search index FILE.db")
    raise UnsupportedDocument(name, f"unsupported file type {suffix or '(none)'}; expected one of {', '.join(SUPPORTED_SUFFIXES)}")
