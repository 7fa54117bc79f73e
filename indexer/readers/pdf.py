"""PDF: the text layer read with pypdfium2, printed lines rejoined into the source paragraphs.

Where a line ends a sentence, opens a unit, and how two lines are joined is decided by the law-text
repair (`indexer/lawtext.py`), the same code that repairs the law database's text; the layout cues
(line ends, spacing, indentation) are this reader's own. A law text's paragraphs then go through that
repair too, so a PDF and a database row of one law segment alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexer.lawtext import ends_full_stop, ends_sentence, join, opens_unit, repair_paragraphs
from indexer.readers.base import RawDocument, TextBlock
from policy_search.errors import UnsupportedDocument

MAX_PAGES = 5000  # far beyond any policy document; bounds the work a hostile file can ask for

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_\s]*\d{1,4}[-—–－_\s]*"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$",
    re.IGNORECASE,
)
_OPEN_ERRORS = {
    pdfium_c.FPDF_ERR_FORMAT: "damaged or truncated: PDFium cannot parse its structure",
    pdfium_c.FPDF_ERR_FILE: "PDFium could not load the data",
    pdfium_c.FPDF_ERR_UNKNOWN: "PDFium failed with an unknown error",
}
_EDGE_LINES = 2  # how many lines at each page edge may be furniture (a running header plus a page number)

# Layout thresholds, in units of the font size unless stated otherwise.
_SHORT_LINE = 0.25  # a line stopping this fraction of the text width early ends its paragraph
_SHORT_AFTER_CLAUSE = 1.5  # so does a line ending in ；or ：that stops this many characters early
_INDENT = 1.5  # a line starting this far right of the margin is indented
_GAP_FACTOR = 1.25  # a baseline distance this much above the normal line pitch is paragraph spacing
_DECISIVE = 0.8  # share of clear paragraph starts a layout cue must mark before it is trusted alone


@dataclass(frozen=True)
class _Line:
    """One printed line: its text and where it sits on its page (PDF points, y grows upwards)."""

    text: str
    page: int
    x0: float
    x1: float
    bottom: float
    size: float
    confidence: float | None = None  # recognition confidence of a line read by OCR; None for the text layer


def read_pdf(name: str, data: bytes) -> RawDocument:
    """Read a PDF's text layer into paragraphs; refuse encrypted, corrupt and image-only files."""
    document = _open(name, data)
    try:
        if len(document) > MAX_PAGES:
            raise UnsupportedDocument(name, f"PDF has {len(document)} pages, over the {MAX_PAGES}-page limit")
        pages = [_page_lines(document, index) for index in range(len(document))]
        title = _metadata_title(document)
        scanned = [index for index, lines in enumerate(pages) if not lines]
        if scanned:  # pages without a text layer are read by OCR; the others keep their text
            from indexer.readers.scan import ocr_pdf_pages

            for index, lines in ocr_pdf_pages(document, scanned).items():
                pages[index] = lines
    except pdfium.PdfiumError as exc:
        raise UnsupportedDocument(name, f"not a readable PDF ({exc})") from exc
    finally:
        document.close()
    if not any(pages):
        raise UnsupportedDocument(name, f"no text layer in its {len(pages)} page(s), and OCR found no text on them")
    pages, paragraphs = rejoin_pages(pages)
    if scanned:
        from indexer.readers.scan import scanned_document

        return scanned_document(name, pages, paragraphs, title=title, ocr_pages=len(scanned))
    blocks = [TextBlock(text) for text in paragraphs]
    if not blocks:
        raise UnsupportedDocument(name, "no text left after removing page numbers and running headers")
    return RawDocument(source=name, blocks=blocks, title=title)


def _open(name: str, data: bytes) -> pdfium.PdfDocument:
    """Open with PDFium, turning its error codes into reasons a person can act on."""
    if b"%PDF-" not in data[:1024]:
        raise UnsupportedDocument(name, "not a readable PDF (no %PDF- header)")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise UnsupportedDocument(name, "PDF is encrypted (password required)") from exc
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise UnsupportedDocument(name, "PDF is encrypted with an unsupported security handler") from exc
        reason = _OPEN_ERRORS.get(code, str(exc))
        raise UnsupportedDocument(name, f"not a readable PDF ({reason})") from exc


def _metadata_title(document: pdfium.PdfDocument) -> str | None:
    """The Info dictionary's Title, unless it is empty or a file name the producing program left there."""
    title = (document.get_metadata_value("Title") or "").strip()
    if not title or re.search(r"\.(docx?|wps|rtf|odt|pdf|txt)$", title, re.IGNORECASE):
        return None
    if re.match(r"(microsoft (word|excel|powerpoint)\b|untitled$)", title, re.IGNORECASE):
        return None
    return title


def _page_lines(document: pdfium.PdfDocument, index: int) -> list[_Line]:
    """The page's text split at PDFium's own line breaks, each line with its box and font size."""
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            return _split_lines(textpage, index)
        finally:
            textpage.close()
    finally:
        page.close()


def _split_lines(textpage: pdfium.PdfTextPage, page: int) -> list[_Line]:
    lines: list[_Line] = []
    current: list[tuple[int, str, bool]] = []  # (character index, character, generated by PDFium)
    high_surrogate = None
    for index in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
        if 0xD800 <= code <= 0xDBFF:  # a UTF-16 pair on platforms where PDFium stores them
            high_surrogate = code
            continue
        if 0xDC00 <= code <= 0xDFFF:
            if high_surrogate is None:
                continue
            code = 0x10000 + ((high_surrogate - 0xD800) << 10) + (code - 0xDC00)
        high_surrogate = None
        char = chr(code)
        if char == "\n":
            lines.extend(_make_line(textpage, current, page))
            current = []
        elif char != "\r":
            current.append((index, char, pdfium_c.FPDFText_IsGenerated(textpage.raw, index) == 1))
    lines.extend(_make_line(textpage, current, page))
    return lines


def _make_line(textpage: pdfium.PdfTextPage, chars: list[tuple[int, str, bool]], page: int) -> list[_Line]:
    """Zero or one line, measured from its drawn characters only."""
    text = _line_text(chars)
    drawn = [index for index, char, generated in chars if not generated and not char.isspace()]
    if not text.strip() or not drawn:
        return []
    samples = [drawn[0], drawn[len(drawn) // 2], drawn[-1]]
    boxes = [textpage.get_charbox(index, loose=True) for index in samples]
    size = max(pdfium_c.FPDFText_GetFontSize(textpage.raw, index) for index in samples)
    return [_Line(text, page, boxes[0][0], boxes[-1][2], min(box[1] for box in boxes), size or 1.0)]


def _line_text(chars: list[tuple[int, str, bool]]) -> str:
    """Keep drawn characters; drop control codes and the spaces PDFium invents between CJK and Latin text."""
    kept: list[str] = []
    for position, (_, char, generated) in enumerate(chars):
        if unicodedata.category(char) == "Cc" and char != "\t":
            continue  # includes PDFium's \x02 for a hyphen at a line break
        if generated and char.isspace():
            before = kept[-1] if kept else ""
            after = next((c for _, c, _ in chars[position + 1 :] if not c.isspace()), "")
            if not before or not after or _is_wide(before) != _is_wide(after):
                continue  # layout spacing, not a space in the source (e.g. "1989 年")
        kept.append(char)
    return "".join(kept).rstrip()


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _drop_page_furniture(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Drop page numbers and running headers/footers: lines repeated at the top or bottom of most pages."""
    counts: Counter[tuple[str, str]] = Counter()
    for lines in pages:
        counts.update({("top", _furniture_key(line.text)) for line in lines[:_EDGE_LINES]})
        counts.update({("bottom", _furniture_key(line.text)) for line in lines[-_EDGE_LINES:]})
    with_text = sum(1 for lines in pages if lines)
    repeated = {key for key, count in counts.items() if with_text >= 3 and count >= max(3, with_text / 2)}
    return [
        [line for position, line in enumerate(lines) if not _is_furniture(line, position, len(lines), repeated)]
        for lines in pages
    ]


def _furniture_key(text: str) -> str:
    """Headers compared with numbers blanked out, so "第3页" and "第4页" count as one."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _is_furniture(line: _Line, position: int, count: int, repeated: set[tuple[str, str]]) -> bool:
    sides = ["top"] * (position < _EDGE_LINES) + ["bottom"] * (position >= count - _EDGE_LINES)
    if not sides:
        return False
    key = _furniture_key(line.text)
    return bool(_PAGE_NUMBER.match(line.text.strip())) or any((side, key) in repeated for side in sides)


class _Layout:
    """Rejoins printed lines into paragraphs, using the layout cues this document actually shows.

    A line starts a new paragraph when it opens with a structural mark (第N条, （一）, 一、, 1., a
    full-width indent), changes font size, or follows a line that stops a quarter of the text
    width short of the right margin. Beyond that, two layout cues are tried: paragraph spacing (a
    baseline distance clearly above the normal line pitch) and first-line indentation. A cue that
    marks at least 80% of the clear paragraph starts (structural lines) and almost no clear
    continuations is trusted alone: the break is made exactly where it fires. Where no cue is
    trusted (across a page break in a spaced document, or in a document without either cue) the
    text decides: the line above ends a paragraph if it ends in 。！？, or in ；： at least 1.5
    characters short of the margin. A full line ending in 。 is the one ambiguous case; without a
    layout cue it is taken as a paragraph end, the likelier reading in legislation (on the six
    sample laws this misreads 9 of 1,352 paragraphs, joining would misread 63).
    """

    def __init__(self, pages: list[list[_Line]]) -> None:
        self.lines = [line for lines in pages for line in lines]
        self.left = {page: _common_edge([line.x0 for line in lines], low=True) for page, lines in enumerate(pages) if lines}
        self.right = {page: _common_edge([line.x1 for line in lines], low=False) for page, lines in enumerate(pages) if lines}
        self.pitch = _normal_pitch(pages)
        pairs = list(zip(self.lines, self.lines[1:]))
        self.spaced = self._trusted(self._wide_gap, [(a, b) for a, b in pairs if a.page == b.page])
        self.indented = self._trusted(self._indented, pairs)

    def paragraphs(self) -> list[str]:
        paragraphs: list[str] = []
        for previous, line in zip([None, *self.lines], self.lines):
            if previous is None or self._starts_paragraph(previous, line):
                paragraphs.append(line.text)
            else:
                paragraphs[-1] = join(paragraphs[-1], line.text)
        return paragraphs

    def _starts_paragraph(self, previous: _Line, line: _Line) -> bool:
        shortfall = self.right[previous.page] - previous.x1
        if _marked_start(previous, line) or shortfall >= _SHORT_LINE * self._width(previous.page):
            return True
        if self._set_apart(previous) or self._set_apart(line):
            return True
        cues = []
        if self.spaced and previous.page == line.page:
            cues.append(self._wide_gap(previous, line))
        if self.indented:
            cues.append(self._indented(previous, line))
        if cues:
            return any(cues)
        if previous.page == line.page and self._wide_gap(previous, line):
            return True
        if ends_full_stop(previous.text):
            return True
        return ends_sentence(previous.text) and shortfall >= _SHORT_AFTER_CLAUSE * previous.size

    def _width(self, page: int) -> float:
        return max(self.right[page] - self.left[page], 1.0)

    def _wide_gap(self, previous: _Line, line: _Line) -> bool:
        """A baseline distance clearly wider than the normal pitch, or text that jumps back up the page."""
        if self.pitch is None:
            return False
        distance = previous.bottom - line.bottom
        return distance <= 0 or distance / previous.size > self.pitch * _GAP_FACTOR

    def _set_apart(self, line: _Line) -> bool:
        """A line pushed towards the right edge (a signature, a date: 右空二字) is a paragraph of its own:
        wrapped text starts at the margin or a first-line indent, and a centred title keeps equal margins."""
        left, right = self.left[line.page], self.right[line.page]
        indent, right_gap = line.x0 - left, right - line.x1
        return indent >= _SHORT_LINE * self._width(line.page) and indent - right_gap > 2 * line.size

    def _indented(self, previous: _Line, line: _Line) -> bool:
        """A first-line indent: the line starts well right of the margin without being centred."""
        left, right = self.left[line.page], self.right[line.page]
        indent = line.x0 - left
        centred = indent > line.size and abs(indent - (right - line.x1)) <= line.size
        return indent >= _INDENT * line.size and not centred

    def _trusted(self, cue, pairs: list[tuple[_Line, _Line]]) -> bool:
        """Trust a cue that marks most clear paragraph starts and hardly any clear continuations."""
        starts = [cue(a, b) for a, b in pairs if opens_unit(b.text) and abs(a.size - b.size) <= 0.1 * a.size]
        continuations = [cue(a, b) for a, b in pairs if self._clear_continuation(a, b)]
        if len(starts) < 3 or sum(starts) < _DECISIVE * len(starts):
            return False
        return sum(continuations) <= 0.05 * len(continuations)

    def _clear_continuation(self, previous: _Line, line: _Line) -> bool:
        """The line above runs to the right margin and stops mid-sentence."""
        full = self.right[previous.page] - previous.x1 < previous.size
        mid_sentence = not ends_sentence(previous.text)
        return full and mid_sentence and not _marked_start(previous, line)


def _marked_start(previous: _Line, line: _Line) -> bool:
    """A structural mark or a change of font size: a new paragraph whatever the layout says."""
    return opens_unit(line.text) or abs(line.size - previous.size) > 0.1 * max(line.size, previous.size)


def _common_edge(values: list[float], *, low: bool) -> float:
    """The margin most lines touch: the commonest position near the extreme one.

    On the right the extreme is not used, because a line may hang a punctuation mark past the
    margin; nothing hangs past the left one, where a narrow window keeps indented lines out.
    """
    extreme = min(values) if low else max(values)
    window = 6 if low else 24  # half a 12-pt character; two of them
    near = [round(value) for value in values if abs(value - extreme) <= window]
    return float(Counter(near).most_common(1)[0][0])


def _normal_pitch(pages: list[list[_Line]]) -> float | None:
    """The usual baseline distance between lines of one paragraph, in font sizes."""
    ratios = sorted(
        (above.bottom - below.bottom) / above.size
        for lines in pages
        for above, below in zip(lines, lines[1:])
        if abs(above.size - below.size) <= 0.1 * above.size and above.bottom > below.bottom
    )
    if len(ratios) < 3:
        return None
    return ratios[len(ratios) // 10]  # a low percentile: lines inside one paragraph are the closest


PrintedLine = _Line  # what other page-based readers (OCR, OFD) build, to be rejoined by the same layout


def rejoin_pages(pages: list[list[_Line]]) -> tuple[list[list[_Line]], list[str]]:
    """Printed lines of every page into paragraphs, exactly as for a PDF's text layer: page furniture
    dropped, lines rejoined by the layout, a law text repaired. Returns the lines kept and the paragraphs."""
    pages = _drop_page_furniture(pages)
    return pages, repair_paragraphs(_Layout(pages).paragraphs())
