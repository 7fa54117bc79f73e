"""OCR of page images with RapidOCR: the PP-OCRv4 detection and recognition models ship inside the
rapidocr-onnxruntime wheel, so nothing is downloaded. Recognised text boxes become printed lines with a
position, a size and a confidence, which the PDF reader's layout logic rejoins into paragraphs.
"""

from __future__ import annotations

import io
import os
import re
import resource
import statistics
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from policy_search.errors import UnsupportedDocument

RENDER_SCALE = 2.35  # PDF pages rendered at 170 dpi: an A4 page is 1400x1980 px, under RapidOCR's 2000-px cap, a 12-pt character 28 px
MAX_IMAGE_PIXELS = 60_000_000  # an A4 page at 600 dpi is 35 M pixels; a larger image is refused, not decoded
MAX_IMAGE_FRAMES = 500  # pages of a multi-page TIFF
MIN_CONFIDENCE = 0.5  # boxes recognised below this are noise (stamps, speckles), not text
_SAME_SIZE = 0.4  # box heights within this share of the body text's are the body's font size
_GAP_SPACE = 0.6  # a gap of this many line heights between boxes of one line is a full-width space
_WIDE_STEP = 1.6  # CJK characters this many pitches apart have a space between them (a full-width one makes 2)

if TYPE_CHECKING:  # numpy is imported where pages are read, not where progress is only reported
    import numpy as np

Progress = Callable[[int, int], None]  # (pages done, pages in all)


@dataclass(frozen=True)
class OcrLine:
    """One recognised line in page units (points for PDFs, pixels for images; y grows downwards)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    confidence: float


@lru_cache(maxsize=1)
def _engine():
    """One engine per process; its models load from the installed wheel (about a second).

    In the sandbox, the address-space limit for parsing is below what OCR needs; the sandbox leaves the
    difference in the hard limit, and only here, about to OCR a page, is the soft limit raised to it.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or hard > soft):
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # pragma: no cover - a dependency of the project
        raise RuntimeError("OCR needs rapidocr-onnxruntime (pip install rapidocr-onnxruntime==1.4.4)") from exc
    threads = max(1, min(os.cpu_count() or 1, 4))
    return RapidOCR(
        use_cls=False,  # pages are upright; the angle classifier only costs time
        intra_op_num_threads=threads,
        inter_op_num_threads=1,
        print_verbose=False,
    )


def recognise(image: np.ndarray, scale: float = 1.0) -> list[OcrLine]:
    """The text lines of one page image (RGB array); coordinates divided by `scale`."""
    result, _ = _engine()(image, use_cls=False, return_word_box=True)
    boxes = []
    for points, text, score, *characters in result or []:
        text = _with_gaps((text or "").strip(), *characters[:2])
        if not text or float(score) < MIN_CONFIDENCE:
            continue
        xs, ys = [p[0] / scale for p in points], [p[1] / scale for p in points]
        boxes.append(OcrLine(text, min(xs), max(xs), min(ys), max(ys), float(score)))
    return _merge_rows(boxes)


def _with_gaps(text: str, boxes: list | None = None, characters: list | None = None) -> str:
    """Put back the spaces the recogniser reads through: between two CJK characters whose centres stand
    clearly further apart than the line's usual character pitch (第一条　国家…, printed with a full-width space)."""
    glyphs = [char for char in text if not char.isspace()]
    if not boxes or not characters or len(boxes) != len(glyphs) or "".join(characters) != "".join(glyphs):
        return text
    centres = [(box[0][0] + box[1][0]) / 2 for box in boxes]
    steps = [b - a for a, b, x, y in zip(centres, centres[1:], glyphs, glyphs[1:]) if _wide(x) and _wide(y)]
    if len(steps) < 3:
        return text
    pitch = statistics.median(steps)
    out, position = [], 0
    for char in text:
        if char.isspace():
            out.append(" ")
            continue
        if position and _wide(glyphs[position - 1]) and _wide(char) and centres[position] - centres[position - 1] >= _WIDE_STEP * pitch:
            out.append(" ")
        out.append(char)
        position += 1
    return "".join(out)


def _merge_rows(boxes: list[OcrLine]) -> list[OcrLine]:
    """Boxes side by side on one printed line become one line, a wide gap between them a full-width space."""
    rows: list[list[OcrLine]] = []
    for box in sorted(boxes, key=lambda b: ((b.top + b.bottom) / 2, b.x0)):
        middle, height = (box.top + box.bottom) / 2, box.bottom - box.top
        if rows:
            last = rows[-1]
            top, bottom = min(b.top for b in last), max(b.bottom for b in last)
            if top <= middle <= bottom and abs(height - (bottom - top)) <= 0.5 * max(height, bottom - top):
                last.append(box)
                continue
        rows.append([box])
    lines = []
    for row in rows:
        row.sort(key=lambda b: b.x0)
        height = statistics.median(b.bottom - b.top for b in row)
        text = row[0].text
        for before, box in zip(row, row[1:]):
            gap = box.x0 - before.x1
            text += ("\u3000" if gap >= _GAP_SPACE * height else "") + box.text
        weight = sum(len(b.text) for b in row)
        confidence = sum(b.confidence * len(b.text) for b in row) / weight
        lines.append(OcrLine(_full_width_punctuation(_normalise_spaces(text)), row[0].x0, max(b.x1 for b in row),
                             min(b.top for b in row), max(b.bottom for b in row), confidence))
    return lines


_SPACE_RUN = re.compile(r"[ \u3000]+")


def _normalise_spaces(text: str) -> str:
    """A space between two CJK characters is the source's full-width space (第一条　…); one between CJK
    and Latin or digits is the recogniser's spacing (2014 年) and goes; Latin words keep one space."""
    out: list[str] = []
    for index, piece in enumerate(_SPACE_RUN.split(text)):
        if index and out:
            before, after = out[-1][-1:], piece[:1]
            if _wide(before) and _wide(after):
                out.append("\u3000")
            elif not _wide(before) and not _wide(after) and before.isalnum() and after.isalnum():
                out.append(" ")
        out.append(piece)
    return "".join(out).strip()


_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ",": "，", ";": "；", ":": "：", "?": "？", "!": "！"})


def _full_width_punctuation(text: str) -> str:
    """The recogniser cannot tell ( from （: a half-width mark touching a CJK character or a bracket is
    taken as the full-width one Chinese text prints; between Latin letters or digits it stays."""
    chars = list(text)
    for index, char in enumerate(chars):
        if char not in "(),;:?!":
            continue
        before = chars[index - 1] if index else ""
        after = chars[index + 1] if index + 1 < len(chars) else ""
        latin = lambda c: c.isascii() and c.isalnum()  # noqa: E731
        if char == "(" and (_wide(after) or after.isdigit() and not latin(before)):
            chars[index] = "（"
        elif char == ")" and ("（" in chars[:index] or _wide(before) and not latin(after)):
            chars[index] = "）"
        elif char not in "()" and (_wide(before) or _wide(after)) and not (latin(before) and latin(after)):
            chars[index] = char.translate(_FULL_WIDTH)
    return "".join(chars)


def _wide(char: str) -> bool:
    return bool(char) and unicodedata.east_asian_width(char) in ("W", "F")


def line_sizes(pages: Sequence[Sequence[OcrLine]]) -> dict[tuple[int, int], float]:
    """A font size for every line. A box's height varies with its length (a two-character box comes out a
    quarter taller than a full line), which the layout would read as a change of font; so every line
    within 40% of the body text's height (the median of the lines of ten characters or more) takes that
    height, and only clearly larger or smaller text (a title) keeps its own."""
    heights = {(p, i): line.bottom - line.top for p, lines in enumerate(pages) for i, line in enumerate(lines)}
    if not heights:
        return {}
    long_lines = [line.bottom - line.top for lines in pages for line in lines if len(line.text) >= 10]
    body = statistics.median(long_lines or list(heights.values()))
    return {key: body if abs(height - body) <= _SAME_SIZE * body else height for key, height in heights.items()}


def decode_image_pages(name: str, data: bytes) -> list[np.ndarray]:
    """The frames of a PNG, JPEG or TIFF as RGB arrays; refuse what cannot be an image of a page."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            frames = []
            for number in range(getattr(image, "n_frames", 1)):
                if number >= MAX_IMAGE_FRAMES:
                    raise UnsupportedDocument(name, f"image has more than {MAX_IMAGE_FRAMES} pages")
                image.seek(number)
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise UnsupportedDocument(name, f"image is {width}x{height} pixels, over the {MAX_IMAGE_PIXELS}-pixel limit")
                frames.append(np.asarray(image.convert("RGB")))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise UnsupportedDocument(name, f"not a readable image ({type(exc).__name__}: {exc})") from exc
    return frames


_progress: Progress | None = None


def on_progress(callback: Progress | None) -> None:
    """Report (pages done, pages in all) as OCR goes: the sandbox passes it on to the update task."""
    global _progress
    _progress = callback


def start(total: int) -> None:
    """Load the engine, then report (0, total): the sandbox's clock restarts once the models are in."""
    _engine()
    report_progress(0, total)


def report_progress(done: int, total: int) -> None:
    if _progress is not None:
        _progress(done, total)
