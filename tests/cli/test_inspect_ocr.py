"""`inspect` on a photo of a page: the OCR mark on the document and each unit's lowest line confidence."""

from __future__ import annotations

import json
import re

from cli.main import main
from tests.indexer.test_ocr import PAGE, _page_image, _png, needs_font


@needs_font
def test_inspect_shows_the_ocr_mark_and_each_units_confidence(tmp_path, capsys):
    photo = tmp_path / "通知照片.png"
    photo.write_bytes(_png(_page_image(PAGE)))
    assert main(["inspect", str(photo)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"OCR: 1 page\(s\) read by OCR, mean confidence 0\.\d{3}; check quotes", out)
    assert len(re.findall(r"第[一二三]条\s+款\d 项\d\s+OCR 0\.\d\d|OCR 1\.00", out)) == 3
    assert main(["inspect", str(photo), "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["document"]["ocr_pages"] == 1 and 0.5 < shown["document"]["ocr_confidence"] <= 1
    assert all(0.5 < c["ocr_confidence"] <= 1 for c in shown["clauses"] if c["locator"]["article"])
