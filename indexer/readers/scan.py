"""Scanned pages and photos: OCR'd lines laid out by the PDF reader's layout logic, with their confidence."""

from __future__ import annotations

import re

import numpy as np
import pypdfium2 as pdfium

from indexer.readers import ocr
from indexer.readers.base import RawDocument, TextBlock
from indexer.readers.pdf import PrintedLine, rejoin_pages
from policy_search.errors import UnsupportedDocument

_NO_SPACE = re.compile(r"\s+")


def ocr_pdf_pages(document: pdfium.PdfDocument, indices: list[int]) -> dict[int, list[PrintedLine]]:
    """OCR the given pages of an open PDF, rendered at ocr.RENDER_SCALE; coordinates in PDF points."""
    read: dict[int, list[ocr.OcrLine]] = {}
    ocr.start(len(indices))
    for done, index in enumerate(indices, start=1):
        page = document[index]
        try:
            bitmap = page.render(scale=ocr.RENDER_SCALE, grayscale=False)
            try:
                image = np.asarray(bitmap.to_pil().convert("RGB"))
            finally:
                bitmap.close()
        finally:
            page.close()
        read[index] = ocr.recognise(image, scale=ocr.RENDER_SCALE)
        ocr.report_progress(done, len(indices))
    return _printed(read)


def read_image(name: str, data: bytes) -> RawDocument:
    """A photo or scan of a document (PNG, JPEG, TIFF; a multi-page TIFF is one page per frame)."""
    frames = ocr.decode_image_pages(name, data)
    read = {}
    ocr.start(len(frames))
    for done, image in enumerate(frames, start=1):
        read[len(read)] = ocr.recognise(image)
        ocr.report_progress(done, len(frames))
    lines = _printed(read)
    pages = [lines[index] for index in range(len(frames))]
    if not any(pages):
        raise UnsupportedDocument(name, f"OCR found no text in the image ({len(frames)} page(s))")
    pages, paragraphs = rejoin_pages(pages)
    return scanned_document(name, pages, paragraphs, title=None, ocr_pages=len(frames))


def _printed(read: dict[int, list[ocr.OcrLine]]) -> dict[int, list[PrintedLine]]:
    """OCR lines as the PDF layout's printed lines: y flipped to grow upwards, sizes snapped to the
    document's font sizes."""
    order = sorted(read)
    sizes = ocr.line_sizes([read[index] for index in order])
    printed = {}
    for position, index in enumerate(order):
        printed[index] = [
            PrintedLine(line.text, index, line.x0, line.x1, -line.bottom, sizes[(position, number)], line.confidence)
            for number, line in enumerate(read[index])
        ]
    return printed


def scanned_document(name: str, pages: list[list[PrintedLine]], paragraphs: list[str], *, title: str | None,
                     ocr_pages: int) -> RawDocument:
    """Blocks with the lowest confidence of the OCR'd lines each paragraph was joined from."""
    lines = [line for page in pages for line in page]
    if not paragraphs:
        raise UnsupportedDocument(name, "no text left after removing page numbers and running headers")
    confidences = _paragraph_confidences(lines, paragraphs)
    blocks = [TextBlock(text, confidence=confidence) for text, confidence in zip(paragraphs, confidences)]
    return RawDocument(source=name, blocks=blocks, title=title, ocr_pages=ocr_pages)


def _paragraph_confidences(lines: list[PrintedLine], paragraphs: list[str]) -> list[float | None]:
    """Paragraphs are consecutive runs of the lines: each line goes to the paragraph holding its middle
    character, counted without whitespace (the layout adds or drops spaces where it joins lines)."""
    ends, total = [], 0
    for paragraph in paragraphs:
        total += len(_NO_SPACE.sub("", paragraph))
        ends.append(total)
    found: list[list[float]] = [[] for _ in paragraphs]
    position, current = 0, 0
    for line in lines:
        length = len(_NO_SPACE.sub("", line.text))
        middle = position + length / 2
        while current < len(ends) - 1 and middle > ends[current]:
            current += 1
        if line.confidence is not None:
            found[current].append(line.confidence)
        position += length
    return [round(min(values), 4) if values else None for values in found]
