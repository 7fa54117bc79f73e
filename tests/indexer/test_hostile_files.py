"""Hostile files against the sandboxed parser and the upload limits: each is read, or refused naming the file,
within its limits; none crashes its caller or loses what is already indexed."""

from __future__ import annotations

import io
import zipfile

from fastapi.testclient import TestClient

from indexer.readers.docx import MAX_TABLE_DEPTH
from indexer.sandbox import parse_in_child
from service.app import create_app
from service.settings import Settings
from tests.conftest import index_small_corpus

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>')


def _nested_docx(depth: int) -> bytes:
    body = "<w:p><w:r><w:t>第一条　排污单位应当依法申请排污许可证。</w:t></w:r></w:p>"
    for _ in range(depth):
        body = f"<w:tbl><w:tr><w:tc>{body}</w:tc></w:tr></w:tbl><w:p/>"
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>'
                f"<w:p><w:r><w:t>示例嵌套办法</w:t></w:r></w:p>{body}</w:body></w:document>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def _pdf_claiming_pages(count: int) -> bytes:
    """A valid PDF whose page tree lists one page object `count` times."""
    objects = [b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n",
               f"2 0 obj<</Type/Pages/Count {count}/Kids[{' '.join(['3 0 R'] * count)}]>>endobj\n".encode(),
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"]
    pdf, offsets = b"%PDF-1.7\n", []
    for obj in objects:
        offsets.append(len(pdf))
        pdf += obj
    xref = len(pdf)
    pdf += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    return pdf + f"trailer<</Size 4/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF".encode()


def test_tables_nested_past_the_limit_keep_their_text(tmp_path):
    path = tmp_path / "nested.docx"
    path.write_bytes(_nested_docx(MAX_TABLE_DEPTH * 5))
    documents, failures = parse_in_child(path, timeout_s=60, memory_mb=1024)
    assert not failures
    assert any("排污许可证" in clause.text for clause in documents[0].clauses)


def test_tables_nested_past_the_xml_parser_s_depth_are_refused_naming_the_file(tmp_path):
    path = tmp_path / "deep.docx"
    path.write_bytes(_nested_docx(2000))
    documents, failures = parse_in_child(path, timeout_s=60, memory_mb=1024)
    assert documents == [] and failures[0].path.endswith("deep.docx") and "not a valid .docx" in failures[0].reason


def test_a_pdf_claiming_a_million_pages_is_refused(tmp_path):
    path = tmp_path / "million.pdf"
    path.write_bytes(_pdf_claiming_pages(1_000_000))
    documents, failures = parse_in_child(path, timeout_s=60, memory_mb=1024)
    assert documents == [] and "1000000 pages" in failures[0].reason


def test_a_50_mb_single_line_is_stopped_by_the_memory_limit(tmp_path):
    path = tmp_path / "line.txt"
    path.write_text("排污单位应当依法申请排污许可证" * (50 * 1024 * 1024 // 45), encoding="utf-8")
    documents, failures = parse_in_child(path, timeout_s=60, memory_mb=200)
    assert documents == [] and "memory" in failures[0].reason and failures[0].path.endswith("line.txt")


def test_an_upload_over_the_size_limit_is_refused_and_the_index_kept(tmp_path):
    out = index_small_corpus(tmp_path)
    with TestClient(create_app(Settings(index_dir=out, max_upload_bytes=1024 * 1024), load_model=False)) as client:
        before = client.get("/readyz").json()["index_generation"]
        line = ("排污单位应当依法申请排污许可证" * 100_000).encode()  # 4.5 MB on one line
        answer = client.post("/documents", files={"files": ("line.txt", line, "text/plain")})
        assert answer.status_code == 413 and answer.json()["error"]["status"] == 413
        assert client.get("/readyz").json()["index_generation"] == before
        assert client.get("/search", params={"q": "排污", "mode": "bm25"}).json()["results"]
