"""OFD (GB/T 33190), the format 电子公文 systems export: text runs placed on pages, read with ofdkit,
grouped into printed lines and rejoined into paragraphs by the PDF reader's layout logic."""

from __future__ import annotations

import io
import zipfile

from indexer.readers.base import RawDocument, TextBlock, clean_line
from indexer.readers.pdf import MAX_PAGES, PrintedLine, rejoin_pages
from policy_search.errors import UnsupportedDocument

MAX_MEMBERS = 20000  # an OFD holds a few parts per page
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # summed over the zip's size table, before anything is unpacked
_POINTS_PER_MM = 72 / 25.4  # OFD places text in millimetres; the layout's margins are set in points
_SAME_LINE = 0.3  # baselines closer than this many font sizes are one printed line
_GAP_SPACE = 0.6  # a gap of this many font sizes between runs of one line is a full-width space


def read_ofd(name: str, data: bytes) -> RawDocument:
    """Read every page's text in layout order; refuse a damaged package, or one with no text (a scan)."""
    import ofdkit

    _check_package(name, data)
    try:
        with ofdkit.open(data) as document:
            if len(document.pages) > MAX_PAGES:
                raise UnsupportedDocument(name, f"OFD has {len(document.pages)} pages, over the {MAX_PAGES}-page limit")
            pages = [_page_lines(page, number) for number, page in enumerate(document.pages)]
            title = clean_line(document.info.title or "").strip() or None
    except ofdkit.OFDError as exc:
        raise UnsupportedDocument(name, f"not a readable OFD ({exc})") from exc
    if not pages:
        raise UnsupportedDocument(name, "not a readable OFD (Document.xml lists no pages)")
    if not any(pages):
        raise UnsupportedDocument(name, f"no text in its {len(pages)} page(s) (a scanned OFD holds only images)")
    _, paragraphs = rejoin_pages(pages)
    if not paragraphs:
        raise UnsupportedDocument(name, "no text left after removing page numbers and running headers")
    return RawDocument(source=name, blocks=[TextBlock(text) for text in paragraphs], title=title)


def _check_package(name: str, data: bytes) -> None:
    """A zip whose size table is sane, holding OFD.xml; nothing is decompressed here."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise UnsupportedDocument(name, "not a readable OFD (not a zip package)") from exc
    if len(members) > MAX_MEMBERS:
        raise UnsupportedDocument(name, f"not a readable OFD ({len(members)} zip members, over the limit of {MAX_MEMBERS})")
    if not any(member.filename.lstrip("/").lower() == "ofd.xml" for member in members):
        raise UnsupportedDocument(name, "not a readable OFD (no OFD.xml in the package)")
    total = sum(member.file_size for member in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnsupportedDocument(name, f"refused as a possible zip bomb: {total} bytes uncompressed, over {MAX_UNCOMPRESSED_BYTES}")


def _page_lines(page, number: int) -> list[PrintedLine]:
    """The page's runs grouped by baseline into lines, top to bottom, each line's runs left to right."""
    x0, y0, width, height = page.box
    runs = [run for run in page.runs
            if run.text.strip() and x0 - 1 <= run.x <= x0 + width + 1 and y0 - 1 <= run.y <= y0 + height + 1]
    rows: list[list] = []
    for run in sorted(runs, key=lambda r: (r.y, r.x)):
        if rows and abs(run.y - rows[-1][0].y) <= _SAME_LINE * max(run.size, rows[-1][0].size, 0.1):
            rows[-1].append(run)
        else:
            rows.append([run])
    lines = []
    for row in rows:
        row.sort(key=lambda r: r.x)
        size = max(r.size for r in row) or 1.0
        text = row[0].text
        for before, run in zip(row, row[1:]):
            gap = run.x - (before.x + before.width)
            spaced = gap >= _GAP_SPACE * size and not text.endswith(("\u3000", " ")) and not run.text.startswith(("\u3000", " "))
            text += ("\u3000" if spaced else "") + run.text
        text = clean_line(text)
        if text.strip():
            right = max(r.x + r.width for r in row)
            lines.append(PrintedLine(text, number, row[0].x * _POINTS_PER_MM, right * _POINTS_PER_MM,
                                     -row[0].y * _POINTS_PER_MM, size * _POINTS_PER_MM))
    return lines
