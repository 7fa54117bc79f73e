"""Segmentation: legal texts into 编/章/节/条 with 款 and 项; speeches and notices into headed paragraphs."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from indexer.lawtext import UNNUMBERED_HEADING
from indexer.layout import is_attachment_mark, line_roles
from indexer.metadata import ends_as_title, title_lines
from indexer.readers.base import PresplitClause, RawDocument
from indexer.split import split_text
from policy_search.labels import (
    ARTICLE_RE,
    ITEM_RE,
    PLACEHOLDER_RE,
    STRUCTURE_LEVEL,
    STRUCTURE_RE,
    SUBITEM_RE,
    heading_label,
)
from policy_search.model import Clause, ClauseKind, ClauseLocator, Item, stable_id
from policy_search.numerals import numeral_value

DEFAULT_MAX_UNIT_CHARS = 500  # about what a 512-token embedding model reads of Chinese text
_APPENDIX_RE = re.compile(r"^(?:(附件|附表|附录)[一二三四五六七八九十\d]*[：:]?|附[：:])")
_NOTE_WORDS = ("通过", "修正", "修订", "公布", "施行", "发布")
_TOC_LINES = {"目录", "目　录", "目 录"}


@dataclass
class _Article:
    label: str
    lines: list[str]
    path: tuple[str, ...]


class _Emitter:
    """Collects clauses in document order, giving each a stable id from document, place and content."""

    def __init__(self, doc_id: str, max_chars: int) -> None:
        if max_chars < 1:  # a unit cut into parts of no characters never ends
            raise ValueError(f"max_chars must be at least 1, got {max_chars}")
        self.doc_id = doc_id
        self.max_chars = max_chars
        self.clauses: list[Clause] = []
        self._seen: Counter[str] = Counter()

    def emit(self, kind: ClauseKind, text: str, locator: ClauseLocator, external_id: str | None = None) -> None:
        place = f"{kind.value}|{locator.article or ''}|{'/'.join(locator.path)}"
        occurrence = self._seen[place]
        self._seen[place] += 1
        for part_text, part_locator in split_text(text, locator, self.max_chars):
            clause_id = stable_id(self.doc_id, place, str(occurrence), str(part_locator.part), part_text)
            self.clauses.append(
                Clause(clause_id, self.doc_id, len(self.clauses), kind, part_text, part_locator, external_id)
            )


def segment(
    doc_id: str,
    raw: RawDocument,
    skip_blocks: set[int],
    max_chars: int = DEFAULT_MAX_UNIT_CHARS,
    roles: dict[int, ClauseKind] | None = None,
) -> list[Clause]:
    """Split a document into clauses; blocks in skip_blocks (title, 文号) are metadata, not clauses.

    `roles` marks blocks that are parts of a 公文 rather than clauses (addressee, signature, 抄送 …), as the
    metadata reader found them; without it they are looked for here.
    """
    emitter = _Emitter(doc_id, max_chars)
    if raw.presplit is not None:
        _segment_presplit(emitter, raw.presplit)
        return emitter.clauses
    entries = [(i, block.text.strip(), block.style) for i, block in enumerate(raw.blocks) if i not in skip_blocks]
    entries = [entry for entry in entries if entry[1] and not PLACEHOLDER_RE.match(entry[1])]
    lines = [text for _, text, _ in entries]
    styles = [style for _, _, style in entries]
    kinds = [roles.get(i) for i, _, _ in entries] if roles is not None else line_roles(lines)
    if sum(1 for line in lines if ARTICLE_RE.match(line)) >= 2:
        _segment_legal(emitter, lines, kinds, styles)
    else:
        _segment_outline(emitter, lines, styles, kinds)
    return emitter.clauses


def article_locator(label: str | None, lines: list[str], path: tuple[str, ...]) -> tuple[str, ClauseLocator]:
    """The text of an article body (its lines joined by newlines) with its 款 spans and 项/目 items."""
    text = "\n".join(lines)
    paragraphs: list[tuple[int, int]] = []
    items: list[Item] = []
    offset = 0
    for line in lines:
        end = offset + len(line)
        item = ITEM_RE.match(line)
        sub = None if item else SUBITEM_RE.match(line)
        match = item or sub
        number = numeral_value(match.group(2) or match.group(3)) if match else None
        if number is not None and paragraphs:  # （十十） is no item's number: such a line is a 款 of its own
            items.append(Item(match.group(1), number, 1 if item else 2, len(paragraphs), offset, end))
            paragraphs[-1] = (paragraphs[-1][0], end)
        else:
            paragraphs.append((offset, end))
        offset = end + 1
    number = None
    if label:
        match = ARTICLE_RE.match(label + "\u3000")
        if match:
            number = numeral_value(match.group(2))  # None for 第十十条: labelled as written, numbered by nothing
    locator = ClauseLocator(
        path=path,
        article=label,
        article_number=number,
        paragraphs=tuple(paragraphs),
        paragraph_count=len(paragraphs),
        items=tuple(items),
    )
    return text, locator


def _segment_presplit(emitter: _Emitter, clauses: list[PresplitClause]) -> None:
    for clause in clauses:
        lines = [line.strip() for line in clause.text.split("\n") if line.strip()] or [clause.text]
        text, locator = article_locator(clause.article, lines, ())
        kind = ClauseKind.ARTICLE if clause.article else ClauseKind.PARAGRAPH
        emitter.emit(kind, text, locator, external_id=clause.external_id)


def _segment_legal(
    emitter: _Emitter, lines: list[str], kinds: list[ClauseKind | None], styles: list[str | None]
) -> None:
    path: list[tuple[int, str]] = []
    article: _Article | None = None
    seen_article = False
    in_appendix = False

    def flush() -> None:
        nonlocal article
        if article is not None:
            text, locator = article_locator(article.label, article.lines, article.path)
            emitter.emit(ClauseKind.ARTICLE, text, locator)
            article = None

    for index, (line, role) in enumerate(zip(lines, kinds)):
        structure = STRUCTURE_RE.match(line)
        article_match = ARTICLE_RE.match(line)
        if role is not None:  # a signature, 抄送 line or addressee ends the article before it
            flush()
            emitter.emit(role, line, ClauseLocator())
        elif (structure and len(line) <= 60) or UNNUMBERED_HEADING.match(line):
            flush()
            level = STRUCTURE_LEVEL[structure.group(2)] if structure else 0
            path = [p for p in path if p[0] < level] + [(level, line)]
        elif article_match:
            flush()
            seen_article = True
            body = line[article_match.end():].strip()
            article = _Article(article_match.group(1), [body] if body else [], tuple(p[1] for p in path))
        elif seen_article and (styles[index] == "appendix" or _APPENDIX_RE.match(line)) and len(line) <= 60:
            flush()
            in_appendix = True
            path = [(-1, line)]
        elif article is not None:  # in an appendix too: its lines were emitted before the article they follow
            article.lines.append(line)
        elif line in _TOC_LINES:
            continue
        else:
            kind = ClauseKind.PARAGRAPH if in_appendix else ClauseKind.PREAMBLE
            if not seen_article and index == 0 and line[:1] in "（(" and any(w in line for w in _NOTE_WORDS):
                kind = ClauseKind.NOTE
            emitter.emit(kind, line, ClauseLocator(path=tuple(p[1] for p in path)))
    flush()


def split_heading(line: str) -> tuple[str, str]:
    """A numbered heading that runs on into its paragraph: (heading up to its first full stop, the rest)."""
    match = re.search(r"[。！？]", line)
    if match and match.end() < len(line):
        return line[: match.end()], line[match.end():].strip()
    return line, ""


def _segment_outline(emitter: _Emitter, lines: list[str], styles: list[str | None], kinds: list[ClauseKind | None]) -> None:
    """Headed paragraphs. A heading is one unit with its body where that body is its own line or one
    paragraph; a heading over several paragraphs or sub-headings is an outline entry only (kind HEADING)."""
    path: list[tuple[int, str]] = []
    levels = [_heading_level(line, style) for line, style in zip(lines, styles)]
    index = 0
    while index < len(lines):
        line, role, level = lines[index], kinds[index], levels[index]
        index += 1
        if role is None and is_attachment_mark(line):  # an attachment's text: its parts are its own
            titled = _attachment_title(lines, kinds, index) if len(line.split()) == 1 else []  # 附件1 over its title
            heading = " ".join([line.strip(), "".join(lines[i] for i in titled)]).strip()
            emitter.emit(ClauseKind.HEADING, "\n".join([line, *(lines[i] for i in titled)]), ClauseLocator(path=(heading,)))
            path = [(-1, heading)]
            index += len(titled)
            continue
        if role is not None:
            emitter.emit(role, line, ClauseLocator())
            if role in (ClauseKind.SIGNATURE, ClauseKind.DISTRIBUTION):
                path = []  # what follows a signature (an attachment) is not under the letter's headings
            continue
        if level is None:
            emitter.emit(ClauseKind.PARAGRAPH, line, ClauseLocator(path=tuple(p[1] for p in path)))
            continue
        heading, rest = split_heading(line)
        path = [p for p in path if p[0] < level] + [(level, heading.rstrip("。！？"))]
        locator = ClauseLocator(path=tuple(p[1] for p in path))
        if rest:
            emitter.emit(ClauseKind.PARAGRAPH, line, locator)
            continue
        body = index
        while body < len(lines) and kinds[body] is None and levels[body] is None:
            body += 1
        if body - index == 1:
            emitter.emit(ClauseKind.PARAGRAPH, f"{line}\n{lines[index]}", locator)
            index += 1
        elif body == index and not (body < len(lines) and kinds[body] is None and levels[body] > level):
            emitter.emit(ClauseKind.PARAGRAPH, line, locator)  # a heading with nothing under it is its own text
        else:
            emitter.emit(ClauseKind.HEADING, line, locator)


def _attachment_title(lines: list[str], kinds: list[ClauseKind | None], start: int) -> list[int]:
    """The lines of an attachment's own title under its mark (附件1 / 关于……村 / 地质险情调研情况的报告)."""
    if start >= len(lines) or kinds[start] is not None or heading_label(lines[start]) or "\t" in lines[start]:
        return []
    found = title_lines(lines, start)
    return found if len(found) > 1 or ends_as_title(lines[start]) else []


def _heading_level(line: str, style: str | None) -> int | None:
    if "\t" in line:
        return None  # a table row (cells separated by tabs), even where its first cell is numbered
    found = heading_label(line)
    if found is not None:
        return found[0]
    return 0 if style in ("heading", "title") else None
