"""DOCX: body paragraphs and table cells in reading order, after checking the zip cannot blow up."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator

import docx
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docx.oxml.text.paragraph import CT_P
from lxml import etree

from indexer.readers.base import RawDocument, TextBlock, clean_line
from policy_search.errors import UnsupportedDocument

MAX_MEMBERS = 2000  # a policy document has a few dozen parts
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024  # summed over the zip's size table
MAX_RATIO = 200  # compression ratio above which a large member is treated as a zip bomb ...
RATIO_MIN_BYTES = 10 * 1024 * 1024  # ... once it is at least this large
MAX_TABLE_DEPTH = 8  # tables nested inside table cells read cell by cell; deeper ones, paragraph by paragraph

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc, or a password-protected .docx
_HEADING_STYLE = re.compile(r"heading [1-9]", re.IGNORECASE)


def read_docx(name: str, data: bytes) -> RawDocument:
    """Read the main body of a .docx; headers, footers, comments and notes are left out."""
    check_zip(name, data)
    try:
        document = docx.Document(io.BytesIO(data))
        styles = _style_kinds(document)
        blocks = list(_blocks(document.element.body, styles, depth=0))
        title = (document.core_properties.title or "").strip() or None
    except (OpcError, KeyError, ValueError, OSError, zipfile.BadZipFile, zlib.error, etree.LxmlError) as exc:
        raise UnsupportedDocument(name, f"not a valid .docx ({type(exc).__name__}: {exc})") from exc
    if not blocks:
        raise UnsupportedDocument(name, "no text in the document body")
    return RawDocument(source=name, blocks=blocks, title=title)


def check_zip(name: str, data: bytes) -> None:
    """Refuse a file that is not a .docx zip or whose size table promises too much; nothing is decompressed."""
    if data.startswith(_OLE_MAGIC):
        raise UnsupportedDocument(name, "not a valid .docx (an OLE file: a legacy .doc or a password-protected document)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise UnsupportedDocument(name, "not a valid .docx (not a zip archive)") from exc
    with archive:
        members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UnsupportedDocument(name, f"not a valid .docx ({len(members)} zip members, over the limit of {MAX_MEMBERS})")
    if "word/document.xml" not in {member.filename for member in members}:
        raise UnsupportedDocument(name, "not a valid .docx (no word/document.xml in the zip)")
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        reason = f"refused as a possible zip bomb: {total} bytes uncompressed, over {MAX_UNCOMPRESSED_BYTES}"
        raise UnsupportedDocument(name, reason)
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise UnsupportedDocument(name, f"refused as a possible zip bomb: {member.filename} expands {ratio:.0f}x")


def _style_kinds(document: DocumentObject) -> dict[str, str]:
    """Style ids of Title and Heading N, found by their built-in names, which Word keeps in English in every locale.

    Looked up once: python-docx's per-paragraph style lookup scans the whole style table each time.
    """
    kinds = {}
    for style in document.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH or not style.style_id:
            continue
        name = style.name or ""
        if name.lower() == "title":
            kinds[style.style_id] = "title"
        elif _HEADING_STYLE.fullmatch(name):
            kinds[style.style_id] = "heading"
    return kinds


def _blocks(container, styles: dict[str, str], depth: int) -> Iterator[TextBlock]:
    """Paragraphs and tables of a body or table cell in order, looking inside content controls."""
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            yield from _paragraph_blocks(child, styles)
        elif child.tag == qn("w:tbl") and depth < MAX_TABLE_DEPTH:
            yield from _table_blocks(child, styles, depth + 1)
        elif child.tag == qn("w:tbl"):  # nested deeper: its paragraphs in document order, without recursion
            for paragraph in child.iter(qn("w:p")):
                yield from _paragraph_blocks(paragraph, styles)
        elif child.tag == qn("w:sdt"):
            for content in child.iterchildren(qn("w:sdtContent")):
                yield from _blocks(content, styles, depth)


def _table_blocks(table, styles: dict[str, str], depth: int) -> Iterator[TextBlock]:
    """Each cell once, row by row: a merged cell is one w:tc in the XML, and vMerge continuations hold no text."""
    for row in table.iterchildren(qn("w:tr")):
        for cell in row.iterchildren(qn("w:tc")):
            yield from _blocks(cell, styles, depth)


def _paragraph_blocks(paragraph: CT_P, styles: dict[str, str]) -> Iterator[TextBlock]:
    """One block per paragraph; a manual line break inside it splits it, as the reader sees two lines."""
    style = styles.get(paragraph.style or "")
    for line in paragraph.text.split("\n"):
        text = clean_line(line)
        if text.strip():
            yield TextBlock(text, style)
