"""HTML: visible text of the page body, one block per block element, with h1-h6 as title and headings."""

from __future__ import annotations

import codecs
import re
import unicodedata

from bs4 import BeautifulSoup, NavigableString, Tag

from indexer.readers.base import RawDocument, TextBlock, clean_line, decode_text
from policy_search.errors import UnsupportedDocument

_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_GB_CHARSETS = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "ms936", "csgb2312", "euc-cn"}
_DROPPED = ("script", "style", "noscript", "template", "nav", "iframe", "object", "svg", "head")
_PAGE_CHROME = ("header", "footer")  # dropped unless inside the main content (<article>, <main>)
_BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "caption", "center", "dd", "div", "dl", "dt",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre",
    "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def read_html(name: str, data: bytes) -> RawDocument:
    """Read an HTML page's body text; the <title> element becomes the document title."""
    soup = BeautifulSoup(_decode(name, data), "lxml")
    title_tag = soup.find("title")
    title = _collapse(title_tag.get_text()).strip() if title_tag else ""
    for tag in soup.find_all(_DROPPED):
        tag.decompose()
    for tag in soup.find_all(_PAGE_CHROME):
        if not tag.find_parent(("article", "main")):
            tag.decompose()
    blocks = _blocks(soup.body or soup)
    if not blocks:
        raise UnsupportedDocument(name, "no visible text in the HTML body")
    return RawDocument(source=name, blocks=blocks, title=title or None)


def _decode(name: str, data: bytes) -> str:
    """Honour a <meta> charset of the GB family (strict GB18030, its superset); otherwise decode_text's safe order."""
    declared = _META_CHARSET.search(data[:4096])
    has_bom = data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE))
    charset = declared.group(1).decode("ascii") if declared else ""
    if charset.lower() in _GB_CHARSETS and not has_bom:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise UnsupportedDocument(name, f"declares charset {charset} but is not valid GB18030") from exc
    return decode_text(name, data)


def _blocks(root: Tag) -> list[TextBlock]:
    """Walk the tree without recursion (pages can nest thousands deep), cutting a block at every block element."""
    blocks: list[TextBlock] = []
    parts: list[str] = []
    styles: list[str | None] = []  # the h1-h6 styles enclosing the text being collected
    open_tags: list[str] = []

    def flush() -> None:
        text = "".join(parts)
        parts.clear()
        for line in _collapse(text).split("\n"):
            line = clean_line(line.strip(" \t\n\r\f"))
            if line.strip():
                blocks.append(TextBlock(line, next((s for s in reversed(styles) if s), None)))

    stack: list[tuple[Tag | NavigableString, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if isinstance(node, Tag):
            is_block = node.name in _BLOCKS
            if is_block:
                flush()
            if leaving:
                styles.pop()
                open_tags.pop()
                continue
            styles.append(_heading_style(node.name))
            open_tags.append(node.name)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        elif type(node) is NavigableString:  # not comments, CDATA, doctypes or processing instructions
            text = str(node)
            if "pre" in open_tags:
                text = text.replace("\n", "\u2029")  # kept as line breaks through whitespace collapsing
            parts.append(text)
    flush()
    return blocks


def _heading_style(tag: str) -> str | None:
    if tag == "h1":
        return "title"
    if tag in ("h2", "h3", "h4", "h5", "h6"):
        return "heading"
    return None


def _collapse(text: str) -> str:
    """HTML white space: runs become one space, dropped where a line break sat between CJK characters."""

    def replace(match: re.Match[str]) -> str:
        before, after = text[match.start() - 1 : match.start()], text[match.end() : match.end() + 1]
        if "\n" in match.group() and before and after and _is_wide(before) and _is_wide(after):
            return ""
        return " "

    return _HTML_SPACE.sub(replace, text).replace("\u2029", "\n")


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")
