"""The Word plan as LibreOffice lays it out: portrait pages then the landscape 整改清单, a page number on every
page, the 清单's header on every page of it. Skips where LibreOffice (`soffice`) is not installed."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from service.drafting.gbt9704 import to_docx
from tests.service.test_plan_export import _plan

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")


def test_libreoffice_lays_the_plan_out_as_filed(tmp_path):
    plan = _plan()
    plan.problems += [dict(plan.problems[0], problem=f"第{n}个问题：{plan.problems[0]['problem']}") for n in range(3, 9)]
    source = tmp_path / "plan.docx"
    source.write_bytes(to_docx(plan))
    profile = tmp_path / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    pages = PdfReader(str(tmp_path / "plan.pdf")).pages
    shapes = [(round(float(page.mediabox.width)), round(float(page.mediabox.height))) for page in pages]
    landscape = shapes.index((842, 595))
    assert landscape > 0 and set(shapes[:landscape]) == {(595, 842)} and set(shapes[landscape:]) == {(842, 595)}
    texts = [re.sub(r"(?<=\S) (?=\S)", "", page.extract_text()) for page in pages]  # LibreOffice spaces 2026 年
    for number, text in enumerate(texts, start=1):
        assert f"—{number}—" in text  # numbered on, through the attachment
    # the 附件 line, the unit and the date share the last portrait page
    assert all(words in texts[landscape - 1] for words in ("附件：整改清单", "某县人民政府", "2026年12月7日"))
    list_pages = texts[landscape:]
    assert len(list_pages) > 1  # eight rows need more than one page, so the header's repetition shows
    assert all("督察反馈问题" in text and "佐证材料" in text for text in list_pages)
