"""OCR measured on scans made from the formats twins: each PDF of ../shared/corpus/formats is rasterised
page by page (pypdfium2, JPEG like a scanner's output) into a PDF without a text layer, read back through
the product's PDF reader (which OCRs pages without text) and compared with the law's .txt:

- character accuracy: 1 - edit distance / length, over the whole text with all whitespace removed;
- articles equal: share of the twin's articles that the OCR'd document segments with the same label and
  the same text (whitespace removed), through the product's segmentation;
- pages per second of OCR (rendering and recognition), on this machine's cores.

    python scripts/bench_ocr.py [--dpi 300] [--limit-pages N] [--json out.json]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.pipeline import document_from_raw  # noqa: E402
from indexer.readers import read_bytes  # noqa: E402
from indexer.readers.pdf import read_pdf  # noqa: E402

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
_SPACE = re.compile(r"\s+")


def scan_of(pdf_bytes: bytes, dpi: int, limit_pages: int | None, skip_pages: int = 0) -> tuple[bytes, int]:
    """An image-only PDF of the same pages: each page rendered at `dpi` and stored as a JPEG."""
    source = pdfium.PdfDocument(pdf_bytes)
    scan = pdfium.PdfDocument.new()
    end = len(source) if limit_pages is None else min(skip_pages + limit_pages, len(source))
    count = end - skip_pages
    for index in range(skip_pages, end):
        page = source[index]
        width, height = page.get_size()
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
        buffer.seek(0)
        new_page = scan.new_page(width, height)
        picture = pdfium.PdfImage.new(scan)
        picture.load_jpeg(buffer, inline=True)
        picture.set_matrix(pdfium.PdfMatrix().scale(width, height))
        new_page.insert_obj(picture)
        new_page.gen_content()
    out = io.BytesIO()
    scan.save(out)
    return out.getvalue(), count


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (insertions resolved with a running minimum)."""
    if len(a) < len(b):
        a, b = b, a
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    positions = np.arange(len(b) + 1)
    previous = positions.copy()
    for index, char in enumerate(a.encode("utf-32-le")[i : i + 4] for i in range(0, 4 * len(a), 4)):
        cost = (codes_b != np.frombuffer(char, dtype=np.uint32)[0]).astype(np.int64)
        current = np.empty_like(previous)
        current[0] = index + 1
        current[1:] = np.minimum(previous[1:] + 1, previous[:-1] + cost)
        current = np.minimum.accumulate(current - positions) + positions  # current[j-1] + 1
        previous = current
    return int(previous[-1])


def part_distance(ocr_text: str, twin: str, *, from_start: bool) -> int:
    """Edit distance from the OCR'd text to the closest part of the twin (when only some pages are read):
    a prefix of it, or any stretch of it where the pages read do not start at the first."""
    codes = np.frombuffer(twin.encode("utf-32-le"), dtype=np.uint32)
    positions = np.arange(len(twin) + 1)
    previous = positions.copy() if from_start else np.zeros_like(positions)
    for index, char in enumerate(ocr_text):
        cost = (codes != ord(char)).astype(np.int64)
        current = np.empty_like(previous)
        current[0] = index + 1
        current[1:] = np.minimum(previous[1:] + 1, previous[:-1] + cost)
        previous = np.minimum.accumulate(current - positions) + positions
    return int(previous.min())


def articles(name: str, raw) -> dict[str, str]:
    """Article label → its whole text (split parts rejoined), whitespace removed, as the product segments it."""
    parsed = document_from_raw(raw, None)
    found: dict[str, str] = {}
    for clause in parsed.clauses:
        label = clause.locator.article
        if label:
            found[label] = found.get(label, "") + _SPACE.sub("", clause.text)
    return found


def total_pages_of(path: Path) -> int:
    document = pdfium.PdfDocument(path.read_bytes())
    try:
        return len(document)
    finally:
        document.close()


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    if not total:
        return (0.0, 0.0)
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (centre - half, centre + half)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dpi", type=int, default=300, help="resolution of the simulated scan")
    parser.add_argument("--limit-pages", type=int, default=None, help="only N pages of each PDF (a quick look)")
    parser.add_argument("--skip-pages", type=int, default=0, help="start after the first N pages")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    from indexer.readers import ocr

    ocr.on_progress(lambda done, total: print(f"  page {done}/{total}", file=sys.stderr, flush=True))
    pdfs = sorted((SHARED / "formats").glob("*.pdf"))
    if not pdfs:
        print(f"no PDFs under {SHARED / 'formats'}", file=sys.stderr)
        return 1
    rows, total_pages, total_seconds, equal, twin_articles, errors, chars = [], 0, 0.0, 0, 0, 0, 0
    for path in pdfs:
        twin_path = SHARED / "eco" / f"{path.stem}.txt"
        scan, pages = scan_of(path.read_bytes(), args.dpi, args.limit_pages, args.skip_pages)
        started, cpu_started = time.perf_counter(), time.process_time()
        raw = read_pdf(path.name, scan)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        twin = read_bytes(twin_path.name, twin_path.read_bytes())[0]
        ocr_text, twin_text = _SPACE.sub("", raw.text), _SPACE.sub("", twin.text)
        ocr_articles, source_articles = articles(path.name, raw), articles(twin_path.name, twin)
        if pages < total_pages_of(path):  # only some pages: the part of the twin they hold
            if args.skip_pages:
                distance = part_distance(ocr_text, twin_text, from_start=False)
            else:
                distance = part_distance(ocr_text, twin_text[: len(ocr_text) + 500], from_start=True)
            twin_text = twin_text[: len(ocr_text)]
            labels, read = list(source_articles), list(ocr_articles)
            # the first and last articles read may begin before or go on after the pages read
            first = read[0] if args.skip_pages and read else None
            last = read[-1] if read else None
            start = labels.index(first) + 1 if first in labels else 0
            kept = labels[start : labels.index(last)] if last in labels else []
            source_articles = {label: source_articles[label] for label in kept}
        else:
            distance = edit_distance(ocr_text, twin_text)
        same = sum(1 for label, text in source_articles.items() if ocr_articles.get(label) == text)
        wrong = [label for label, text in source_articles.items() if ocr_articles.get(label) != text]
        rows.append({
            "file": path.name, "pages": pages, "seconds": round(seconds, 1), "pages_per_s": round(pages / seconds, 3),
            "cpu_seconds_per_page": round(cpu_seconds / pages, 2),
            "chars": len(twin_text), "edit_distance": distance, "char_accuracy": round(1 - distance / max(len(twin_text), 1), 5),
            "articles": len(source_articles), "articles_equal": same, "mean_confidence": round(raw.ocr_confidence or 0, 4),
            "articles_differing": wrong[:20],
        })
        print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        total_pages += pages
        total_seconds += seconds
        equal += same
        twin_articles += len(source_articles)
        errors += distance
        chars += len(twin_text)
    low, high = wilson(equal, twin_articles)
    summary = {
        "dpi": args.dpi, "cpus": os.cpu_count(), "pages": total_pages,
        "pages_per_s": round(total_pages / total_seconds, 3),
        "char_accuracy": round(1 - errors / chars, 5),
        "articles_equal": round(equal / twin_articles, 4), "articles_equal_95ci": [round(low, 4), round(high, 4)],
        "articles": twin_articles,
        "page_seconds_median": round(sorted(r["seconds"] / r["pages"] for r in rows)[len(rows) // 2], 2),
        "cpu_seconds_per_page_median": sorted(r["cpu_seconds_per_page"] for r in rows)[len(rows) // 2],
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(summary, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps({"files": rows, "summary": summary}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
