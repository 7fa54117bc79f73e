"""What every reader returns, and how bytes become text without silent guessing."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass, field

from policy_search.errors import UnsupportedDocument

MAX_FILE_BYTES = 64 * 1024 * 1024  # one policy document is far smaller; a larger file is refused, not read


@dataclass(frozen=True)
class TextBlock:
    """A paragraph (or line) of a document in reading order; style says what the source marked it as."""

    text: str
    style: str | None = None  # "title" or "heading" where the format says so (docx styles, html h1-h6, md #)
    confidence: float | None = None  # read by OCR: the lowest recognition confidence of its lines (0-1)


@dataclass(frozen=True)
class PresplitClause:
    """A clause that arrives already split (JSON-lines input)."""

    external_id: str
    article: str | None
    text: str


@dataclass
class RawDocument:
    """A document as read from its file, before metadata and segmentation."""

    source: str  # file name, no directories
    blocks: list[TextBlock] = field(default_factory=list)
    title: str | None = None  # a title the format itself states (docx core title, html <title>, jsonl title)
    presplit: list[PresplitClause] | None = None
    metadata: dict[str, str] = field(default_factory=dict)  # sidecar fields the source itself holds (a law database)
    ocr_pages: int = 0  # pages read by OCR (scans, photos): their quotes need checking against the paper

    @property
    def ocr_confidence(self) -> float | None:
        """Mean recognition confidence of the OCR'd blocks, weighted by length; None when nothing was OCR'd."""
        read = [(block.confidence, len(block.text)) for block in self.blocks if block.confidence is not None]
        if not read:
            return None
        return sum(c * n for c, n in read) / max(sum(n for _, n in read), 1)

    @property
    def text(self) -> str:
        if self.presplit is not None:
            return "\n".join(f"{c.article or ''}\u3000{c.text}" for c in self.presplit)
        return "\n".join(block.text for block in self.blocks)


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(name: str, data: bytes) -> str:
    """Decode in a fixed, safe order: BOM, strict UTF-8, strict GB18030; anything else is refused."""
    text = None
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnsupportedDocument(name, f"has a {encoding} byte-order mark but is not valid {encoding}") from exc
            break
    if text is None:
        for encoding in ("utf-8", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if text is None:
        raise UnsupportedDocument(name, "not valid UTF-8, UTF-16 or GB18030 text")
    _refuse_binary(name, text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _refuse_binary(name: str, text: str) -> None:
    """GB18030 decodes most byte soup; control characters and private-use code points give it away."""
    sample = text[:20000]
    if not sample:
        return
    suspicious = sum(
        1
        for ch in sample
        if (ch < " " and ch not in "\n\r\t\f\v") or unicodedata.category(ch) in ("Co", "Cn", "Cs")
    )
    if "\x00" in sample or suspicious / len(sample) > 0.01:
        raise UnsupportedDocument(name, "looks like a binary file, not text")


def clean_line(line: str) -> str:
    """Strip line-end whitespace and zero-width characters; keep full-width spaces inside the line."""
    return line.replace("\u200b", "").replace("\ufeff", "").rstrip()
