"""Scans and photos through OCR: pages drawn here with a CJK font, read back with their confidence; only
pages without a text layer are OCR'd; a scan of nothing is refused; OCR progress reaches the caller."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from indexer.pipeline import document_from_raw
from indexer.readers import read_bytes
from indexer.readers.ocr import _full_width_punctuation, _normalise_spaces, _with_gaps
from indexer.sandbox import parse_in_child
from policy_search.errors import UnsupportedDocument

FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
FONT = next((path for path in FONTS if Path(path).is_file()), None)
needs_font = pytest.mark.skipif(FONT is None, reason="no CJK font to draw the test pages with (apt fonts-wqy-microhei)")

PAGE = [
    "示例市餐饮油烟管理办法",
    "第一条　为了减少餐饮油烟污染，制定本办法。",
    "第二条　餐饮服务单位应当安装油烟净化设施，",
    "并保持正常使用。",
    "第三条　本办法自2024年1月1日起施行。",
]


def _page_image(lines: list[str], *, width: int = 1240, size: int = 36):
    """An A4-proportioned page at 150 dpi with the lines drawn at 12 pt, as a scanner would see it."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (width, int(width * 1.414)), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, size)
    for row, line in enumerate(lines):  # the title centred, every other line from the left margin
        draw.text((150 if row else (width - size * len(line)) / 2, 150 + row * size * 2), line, fill="black", font=font)
    return image


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _scanned_pdf(images, before: bytes | None = None) -> bytes:
    """A PDF of page images (no text layer), after the pages of the PDF `before` when given."""
    document = pdfium.PdfDocument.new()
    if before is not None:
        document.import_pages(pdfium.PdfDocument(before))
    for image in images:
        width, height = 595, 842
        buffer = io.BytesIO()
        image.convert("L").save(buffer, format="JPEG", quality=90)
        buffer.seek(0)
        page = document.new_page(width, height)
        picture = pdfium.PdfImage.new(document)
        picture.load_jpeg(buffer, inline=True)
        picture.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page.insert_obj(picture)
        page.gen_content()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_spaces_the_recogniser_reads_through_are_put_back():
    boxes = [[[x - 10, 0], [x + 10, 0], [x + 10, 20], [x - 10, 20]] for x in (10, 34, 58, 106, 130, 154, 178)]
    assert _with_gaps("第一条为了保护", boxes, list("第一条为了保护")) == "第一条 为了保护"
    assert _normalise_spaces("第一条 为了保护") == "第一条\u3000为了保护"
    assert _normalise_spaces("每年6 月5 日") == "每年6月5日"
    assert _normalise_spaces("ISO 14001 认证") == "ISO 14001认证"
    assert _with_gaps("第一条为了", boxes[:4], list("第一条为")) == "第一条为了"  # boxes that do not fit: unchanged


def test_half_width_punctuation_beside_chinese_is_made_full_width():
    assert _full_width_punctuation("(一)施工单位应当:") == "（一）施工单位应当："
    assert _full_width_punctuation("(2014年修订)") == "（2014年修订）"
    assert _full_width_punctuation("ISO 9001:2015") == "ISO 9001:2015"


@needs_font
def test_a_photo_of_a_page_is_read_with_its_confidence():
    (raw,) = read_bytes("photo.png", _png(_page_image(PAGE)))
    texts = [block.text for block in raw.blocks]
    assert texts == [PAGE[0], PAGE[1], PAGE[2] + PAGE[3], PAGE[4]]
    assert raw.ocr_pages == 1
    assert all(0.5 <= block.confidence <= 1 for block in raw.blocks)
    parsed = document_from_raw(raw, None)
    assert parsed.meta.title == PAGE[0] and parsed.meta.ocr_pages == 1 and 0.5 <= parsed.meta.ocr_confidence <= 1
    articles = [c for c in parsed.clauses if c.locator.article]
    assert [c.locator.article for c in articles] == ["第一条", "第二条", "第三条"]
    assert all(c.ocr_confidence is not None and 0.5 <= c.ocr_confidence <= 1 for c in articles)
    assert articles[1].to_dict()["ocr_confidence"] == articles[1].ocr_confidence


@needs_font
def test_only_pages_without_a_text_layer_are_ocrd_and_progress_is_reported(tmp_path):
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(_scanned_pdf([_page_image(PAGE), _page_image(["第四条　违反本办法规定的，依法处理。"])]))
    heard = []
    documents, failures = parse_in_child(scan, timeout_s=60, memory_mb=1024, on_progress=lambda *p: heard.append(p))
    assert not failures, failures
    assert heard == [(0, 2), (1, 2), (2, 2)]  # the models loaded, then each page
    (document,) = documents
    assert document.meta.ocr_pages == 2
    assert [c.locator.article for c in document.clauses if c.locator.article] == ["第一条", "第二条", "第三条", "第四条"]


@needs_font
def test_in_a_mixed_pdf_only_the_page_without_text_is_ocrd():
    from tests.indexer.test_readers_formats import _make_pdf

    text_page = _make_pdf([[(72, 780, 18, PAGE[0]), (72, 740, 12, "第一条　本页有文字层。")]])
    (raw,) = read_bytes("混合.pdf", _scanned_pdf([_page_image(["第二条　本页是扫描件。"])], before=text_page))
    assert raw.ocr_pages == 1
    assert [(block.text, block.confidence is None) for block in raw.blocks[:2]] == [(PAGE[0], True), ("第一条　本页有文字层。", True)]
    assert raw.blocks[-1].text == "第二条　本页是扫描件。" and 0.5 <= raw.blocks[-1].confidence <= 1


def test_a_text_pdf_is_not_ocrd(monkeypatch):
    from indexer.readers import ocr

    monkeypatch.setattr(ocr, "recognise", lambda *a, **k: pytest.fail("a page with text must not be OCR'd"))
    from tests.indexer.test_readers_formats import _make_pdf

    (raw,) = read_bytes("text.pdf", _make_pdf([[(72, 780, 12, "第一条　正文。")]]))
    assert raw.ocr_pages == 0 and raw.blocks[0].confidence is None


def test_an_all_image_pdf_that_ocrs_to_nothing_is_refused_naming_the_file():
    from PIL import Image

    blank = Image.new("RGB", (600, 850), "white")
    with pytest.raises(UnsupportedDocument, match="OCR found no text") as error:
        read_bytes("空白扫描.pdf", _scanned_pdf([blank, blank]))
    assert error.value.source == "空白扫描.pdf" and "2 page(s)" in error.value.reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"\x89PNG\r\n\x1a\n broken", "not a readable image"), (b"plain text", "not a readable image")],
)
def test_a_broken_image_is_refused_naming_the_file(data, reason):
    with pytest.raises(UnsupportedDocument, match=reason) as error:
        read_bytes("照片.png", data)
    assert error.value.source == "照片.png"
