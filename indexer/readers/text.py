"""Plain text and Markdown: one block per non-empty line."""

from __future__ import annotations

import re

from indexer.readers.base import RawDocument, TextBlock, clean_line, decode_text

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_MD_INLINE = re.compile(r"(\*\*|__|`)")
_MD_LIST = re.compile(r"^\s*[-*+]\s+")


def read_text(name: str, data: bytes, *, markdown: bool = False) -> RawDocument:
    blocks = []
    for raw in decode_text(name, data).split("\n"):
        line = clean_line(raw)
        if not line.strip():
            continue
        style = None
        if markdown:
            heading = _MD_HEADING.match(line.strip())
            if heading:
                style = "title" if len(heading.group(1)) == 1 else "heading"
                line = heading.group(2)
            line = _MD_LIST.sub("", _MD_INLINE.sub("", line))
        blocks.append(TextBlock(line, style))
    return RawDocument(source=name, blocks=blocks)
