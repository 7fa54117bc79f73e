"""Repair of law texts as sources store or print them, before segmentation.

One implementation for every reader that meets broken law text (the law database, PDFs):
- lines broken mid-sentence are joined: a line that does not end a sentence is joined to the next
  unless the next opens a unit (an article, a heading, an item, an appendix, a table, a note);
- spaces between Chinese characters are removed; spaces between numbers or Latin words stay;
- 编/分编/章/节 headings found inside an article's text are lifted out into the outline;
- an article whose label sits inside another article's text, where it continues the numbering, is
  recovered as an article of its own;
- tables stay tables: their rows are kept as rows, never joined, and a table with its caption is
  lifted out of the article it was stored in as an appendix of the law, as are carried texts (附件, 附：,
  a title over its adoption note), whose lines are kept as printed.

What counts as a sentence end: 。；：！？ (and … ), optionally followed by closing quotes or brackets;
a line ending in a parenthetical note after such a mark, or that is a note on its own, ends too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policy_search.labels import ARTICLE_RE, ITEM_RE, STRUCTURE_RE, SUBITEM_RE
from policy_search.numerals import numeral_value

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
# Full-width punctuation and brackets that sit between Chinese characters without a space.
_CJK_PUNCT = r"\u3001-\u3003\u3008-\u3011\u3014-\u301f\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f\u201c\u201d\u2018\u2019\u2014\u2026"
_WIDE = f"[{_CJK}{_CJK_PUNCT}]"
_SPACES = "[ \t\u3000\u00a0\u2009\u200a\u202f]+"
_SPACE_BETWEEN_WIDE = re.compile(f"(?<={_WIDE}){_SPACES}(?={_WIDE})")
_THIN_SPACE_IN_NUMBER = re.compile(r"(?<=\d[.．])[\u2009\u200a\u202f ](?=\d)")

_CLOSERS = "”’」』\"'）)》】〕"
_SENTENCE_END = re.compile(f"[。；：！？!?;:…][{_CLOSERS}]*$")
_TRAILING_NOTE = re.compile(r"[（(][^（()）]*[）)]$")
_NOTE_LINE = re.compile(r"^[（(][^（()）]*[）)]$")
UNNUMBERED_HEADING = re.compile(r"^[ \t\u3000]*附[ \t\u3000]*则[ \t\u3000]*$")
_APPENDIX_START = re.compile(r"^(?:(附件|附表|附录)[一二三四五六七八九十\d]*(?:[：:\s\u3000]|$)|附[：:])")
_LEADING_STRUCTURE = re.compile(r"^[ \t\u3000]*第[一二三四五六七八九十百千零〇\d]+(?:分编|编|章|节)[ \t\u3000]+")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)(\{[^}]*\})?|![^\s{]*\{[^}]*\}")
_IMAGE_START = re.compile(r"^!\[?[^\s]*\{")
# Tables: grid and pipe rows (| a | b |, +----+), rule lines (-----, =====, ----- -----), and rows of
# a table set in aligned columns (cells apart by two spaces or more) between such rules.
_GRID_ROW = re.compile(r"^[|+].*[|+]$|^\S.*\s\|\s.*$|^[|+]")
_RULE = re.compile(r"^[-=+:| ]{3,}$")
_COLUMNS = re.compile(r"\S {2,}\S")
_CAPTION = re.compile(rf"^[^。；，：]{{2,40}}表[一二三四五六七八九十\d]*(?:[（(][^）)]*[）)])?$")
_NUMBERED = re.compile(r"^\d{1,2}[.．]")
# A line that holds a column of figures after a space: a row of a table set without rules.
_FIGURE_COLUMN = re.compile(r"\S \d[\d.,，％%]*[^\s\d]{0,2}$")


def ends_sentence(line: str) -> bool:
    """The line ends a sentence or clause: 。；：！？ and closers, or a parenthetical note after one."""
    text = line.rstrip()
    if not text:
        return True
    if _SENTENCE_END.search(text) or _NOTE_LINE.match(text):
        return True
    note = _TRAILING_NOTE.search(text)
    return bool(note) and bool(_SENTENCE_END.search(text[: note.start()].rstrip()))


def ends_full_stop(line: str) -> bool:
    """The line ends a sentence with 。！？ (a 款 may end there), not a clause (；：)."""
    return bool(re.search(f"[。！？!?…][{_CLOSERS}]*$", line.rstrip())) or _NOTE_LINE.match(line.strip()) is not None


def is_heading(line: str) -> bool:
    """A 编/分编/章/节 heading line (第二编　污染防治), or an unnumbered 附则."""
    return (bool(STRUCTURE_RE.match(line)) and len(line) <= 60) or bool(UNNUMBERED_HEADING.match(line))


def is_table_line(line: str) -> bool:
    """A row or rule of a table (pipe, grid or rule-delimited columns)."""
    text = line.strip()
    return bool(_RULE.match(text) or _GRID_ROW.match(text) or " | " in text)


def opens_unit(line: str) -> bool:
    """The line starts something of its own: an article, heading, item, appendix, table, note or image."""
    text = line.strip()
    return bool(
        ARTICLE_RE.match(text)
        or is_heading(text)
        or ITEM_RE.match(text)
        or SUBITEM_RE.match(text)
        or _APPENDIX_START.match(text)
        or _NOTE_LINE.match(text)
        or _IMAGE_START.match(text)
        or is_table_line(text)
        or text.startswith("\u3000")
    )


def continues(head: str, tail: str) -> bool:
    """`tail` continues the sentence `head` broke off: the text alone decides, no layout."""
    if ends_sentence(head) or opens_unit(tail) or not tail.strip():
        return False
    if ITEM_RE.match(head) and _NUMBERED.match(tail.strip()):
        return False  # 1.300总吨… under （一）关于人身伤亡的赔偿请求: a sub-item whose text starts with a figure
    return not (is_heading(head) or is_table_line(head) or _FIGURE_COLUMN.search(head) or _CAPTION.match(head.strip()))


def join(head: str, tail: str) -> str:
    """Join a broken line to the one it continues: nothing between Chinese characters, one space between Latin words."""
    head, tail = head.rstrip(), tail.lstrip()
    latin_end = head[-1:].isascii() and (head[-1:].isalnum() or head[-1:] in tuple(",.;:!?)"))
    if latin_end and tail[:1].isascii() and tail[:1].isalnum():
        return f"{head} {tail}"
    return head + tail


def remove_spaces(text: str) -> str:
    """Spaces between Chinese characters (and full-width marks) go; thin spaces inside a number go.

    The space after a leading 第N条 or 第N章 label stays: it is what marks the label as one.
    """
    label = ARTICLE_RE.match(text) or _LEADING_STRUCTURE.match(text)
    start = label.end() if label else 0
    return text[:start] + _THIN_SPACE_IN_NUMBER.sub("", _SPACE_BETWEEN_WIDE.sub("", text[start:]))


def repair_paragraphs(paragraphs: list[str]) -> list[str]:
    """The repair of a law text whose lines a layout has already rejoined (a PDF's paragraphs): from
    its first article on, spaces between Chinese characters go and headings are written as the
    outline shows them (第二编　物权). Joining stays with the layout, which sees where lines end on the
    page and decides with `ends_sentence`, `opens_unit` and `join`. Texts that are no law are left alone."""
    first = next((i for i, text in enumerate(paragraphs) if ARTICLE_RE.match(text)), None)
    if first is None or sum(1 for text in paragraphs if ARTICLE_RE.match(text)) < 2:
        return paragraphs
    repaired = [
        heading_text(text) if is_heading(text) else text if is_table_line(text) or _COLUMNS.search(text) else remove_spaces(text)
        for text in paragraphs[first:]
    ]
    return [heading_text(text) if is_heading(text) else text for text in paragraphs[:first]] + repaired


def spaced_characters(text: str) -> list[str]:
    """Each place where `text` has a space between two Chinese characters or marks, with a little context."""
    return [text[max(0, m.start() - 3) : m.end() + 3] for m in _SPACE_BETWEEN_WIDE.finditer(text)]


def heading_text(line: str) -> str:
    """A heading as the outline shows it: 第二编 物 权 → 第二编　物权."""
    match = STRUCTURE_RE.match(line.strip())
    if not match:
        return re.sub(_SPACES, "", line)
    name = (match.group(3) or match.group(4) or "").strip()
    name = re.sub(_SPACES, "", name) if re.fullmatch(f"[{_CJK}{_SPACES[1:-2]}]+", name) else remove_spaces(name)
    return f"{match.group(1)}\u3000{name}" if name else match.group(1)


# ---------------------------------------------------------------- articles


@dataclass
class Appendix:
    """What a law carries after an article: a table (rows kept as rows) or a text, under its caption."""

    caption: str
    lines: list[str]
    table: bool = False


@dataclass
class RepairedArticle:
    """One article after repair, with the headings that open before it and appendices that follow it."""

    label: str
    lines: list[str]
    headings: list[str] = field(default_factory=list)  # 编/分编/章/节 lines that come before the article
    appendices: list[Appendix] = field(default_factory=list)  # tables and carried texts after the article
    recovered: bool = False  # the label was found inside the text of the article before it
    opening_lost: bool = False  # its opening words are missing from the source: the text starts mid-sentence


def repair_lines(lines: list[str]) -> list[str]:
    """Join broken lines, drop image references, remove spaces between Chinese characters; tables kept."""
    out: list[str] = []
    for raw in lines:
        line = _IMAGE.sub("", raw).strip()
        if not line:
            continue
        if not is_table_line(line) and not _COLUMNS.search(line):
            line = remove_spaces(line)
        if out and continues(out[-1], line) and not _in_table(out):
            out[-1] = join(out[-1], line)
        else:
            out.append(line)
    return out


def _in_table(lines: list[str]) -> bool:
    return bool(lines) and is_table_line(lines[-1])


def repair_articles(rows: list[tuple[str, str]]) -> list[RepairedArticle]:
    """Repair a law stored as (article label, article text) rows in order.

    Lines are repaired within each article; headings at the end of an article move before the next;
    a table and its caption move out into an appendix; a label of the next number found inside an
    article's text becomes an article of its own.
    """
    articles: list[RepairedArticle] = []
    pending: list[str] = []
    for index, (label, text) in enumerate(rows):
        lines = [line for line in _IMAGE.sub("", text or "").split("\n") if line.strip()]
        body, headings_after, appendices = _split_article(lines)
        article = RepairedArticle(label.strip(), repair_lines(body), pending, appendices)
        pending = headings_after
        following = rows[index + 1][0] if index + 1 < len(rows) else None
        articles.extend(_recover_labels(article, following))
    if pending and articles:
        articles[-1].appendices.append(Appendix("", pending))
    return articles


def _split_article(lines: list[str]) -> tuple[list[str], list[str], list[Appendix]]:
    """(the article's own lines, headings that belong before the next article, appendices).

    An appendix starts at 附件/附表/附录/附：, at the title of a carried text (a line that ends no
    sentence, followed by its adoption or publication note), or at a table; everything after it in
    the article's row belongs to the appendices.
    """
    body: list[str] = []
    headings: list[str] = []
    appendices: list[Appendix] = []
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        if is_heading(line) and not appendices:
            headings.append(heading_text(line))
            index += 1
            continue
        table_end = _table_end(lines, index)
        if table_end > index:
            above = appendices[-1].lines if appendices and not appendices[-1].table else body
            caption = remove_spaces(above.pop()) if above and _CAPTION.match(remove_spaces(above[-1])) else ""
            rows = [_table_row(row) for row in lines[index:table_end] if not _RULE.match(row.strip())]  # rules draw, not say
            appendices.append(Appendix(caption or "附表", rows, table=True))
            index = table_end
            continue
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        carried_title = not ends_sentence(line) and bool(_NOTE_LINE.match(following)) and bool(body) and ends_full_stop(body[-1])
        if body and (_APPENDIX_START.match(line) or (carried_title and not appendices)):
            appendices.append(Appendix(remove_spaces(line), []))
        elif appendices:
            if appendices[-1].table:
                appendices.append(Appendix("", []))
            appendices[-1].lines.append(line)
        else:
            body.append(line)
        index += 1
    for appendix in appendices:  # carried texts: titles and captions stand alone, so no lines are joined
        if not appendix.table:
            appendix.lines = [remove_spaces(line) if not _COLUMNS.search(line) else line for line in appendix.lines]
    return body, headings, appendices


def _table_end(lines: list[str], start: int) -> int:
    """The end of a table starting at `start` (rows and rules, at least two table lines), else `start`."""
    end = start
    ruled = False
    while end < len(lines):
        text = lines[end].strip()
        if is_table_line(text):
            ruled = ruled or bool(_RULE.match(text))
            end += 1
        elif ruled and (_COLUMNS.search(text) or _FIGURE_COLUMN.search(text) or not ends_sentence(text)) and len(text) <= 80:
            end += 1  # a row set in aligned columns between rules
        else:
            break
    # a table ends with a rule or a row; lines after the last table line are not part of it
    while end > start and not is_table_line(lines[end - 1]) and not _COLUMNS.search(lines[end - 1]) and not _FIGURE_COLUMN.search(lines[end - 1]):
        end -= 1
    return end if end - start >= 2 else start


def _table_row(line: str) -> str:
    """A table row with the spaces inside its cells' Chinese words removed (税 目 → 税目)."""
    if " | " in line or line.strip().startswith("|"):
        return " | ".join(remove_spaces(cell.strip()) for cell in line.strip().strip("|").split("|")).strip()
    return line.strip()


def _recover_labels(article: RepairedArticle, following: str | None) -> list[RepairedArticle]:
    """Split off an article whose label sits inside this one's text and continues the numbering."""
    number = _number(article.label)
    if number is None:
        return [article]
    expected = number + 1
    next_number = _number(following) if following else None
    for position, line in enumerate(article.lines[1:], 1):
        match = ARTICLE_RE.match(line)
        if match and _number(match.group(1)) == expected:
            rest = line[match.end():].strip()
            tail = RepairedArticle(match.group(1), [rest, *article.lines[position + 1 :]] if rest else article.lines[position + 1 :], recovered=True)
            article.lines = article.lines[:position]
            return [article, *_recover_labels(tail, following)]
    if next_number is None or next_number != expected + 1:
        return [article]
    # One article is missing and its label is nowhere in the text: its text, when the source put it
    # here, starts at a line that opens a list after an earlier list or full sentence, mid-word.
    split = _lost_opening(article.lines)
    if split is None:
        return [article]
    tail = RepairedArticle(_label(expected), ["……" + article.lines[split], *article.lines[split + 1 :]], recovered=True, opening_lost=True)
    article.lines = article.lines[:split]
    return [article, tail]


def _lost_opening(lines: list[str]) -> int | None:
    """The line where a second article's text begins without its label: after a full stop, the last
    line that is no item and introduces items (ends in ：) — the shape of a penalty article's opening."""
    for position in range(len(lines) - 1, 0, -1):
        line = lines[position]
        if ITEM_RE.match(line) or SUBITEM_RE.match(line):
            continue
        if line.endswith("：") and ends_full_stop(lines[position - 1]) and position + 1 < len(lines) and ITEM_RE.match(lines[position + 1]):
            return position
    return None


def _number(label: str | None) -> int | None:
    match = ARTICLE_RE.match((label or "") + "\u3000")
    return numeral_value(match.group(2)) if match and "之" not in match.group(1) else None


_DIGITS = "零一二三四五六七八九"


def _label(number: int) -> str:
    """第N条 in Chinese numerals as laws write them (第十条, 第一百零五条, 第一千一百二十条)."""
    return f"第{_chinese(number)}条"


def _chinese(number: int) -> str:
    if number < 10:
        return _DIGITS[number]
    if number < 20:
        return "十" + (_DIGITS[number % 10] if number % 10 else "")
    parts = []
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit:
            if zero and parts:
                parts.append("零")
            parts.append(_DIGITS[digit] + unit)
            zero = False
        elif parts:
            zero = True
    return "".join(parts)
