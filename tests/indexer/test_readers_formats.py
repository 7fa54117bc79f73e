"""PDF, DOCX and HTML readers: fixtures built in the tests, plus the shared sample files when present."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from indexer.readers import read_bytes
from indexer.readers.docx import read_docx
from indexer.readers.html import read_html
from indexer.readers.pdf import read_pdf
from policy_search.errors import UnsupportedDocument

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
FORMATS = SHARED / "corpus" / "formats"
ECO = SHARED / "corpus" / "eco"
SHARED_STEMS = [
    "环境保护法(2014-04-24)",
    "大气污染防治法(2018-10-26)",
    "水污染防治法(2017-06-27)",
    "固体废物污染环境防治法(2020-04-29)",
    "长江保护法(2020-12-26)",
    "黄河保护法(2022-10-30)",
]
ARTICLE = re.compile(r"^第[一二三四五六七八九十百零]+条[\u3000 ]")


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _texts(document) -> list[str]:
    return [block.text for block in document.blocks]


# ---------------------------------------------------------------- PDF fixtures

FILLER = "国家采取有利于节约和循环利用资源保护和改善环境促进人与自然和谐的经济技术政策"
SIZE, LEFT, PER_LINE = 12, 72, 37  # 12-pt CJK characters, 37 to a full line


def _fill(count: int, start: int = 0) -> str:
    """Filler text; different starts give different lines (PDFium merges identical neighbouring lines)."""
    return (FILLER * (count // len(FILLER) + 2))[start : start + count]


def _make_pdf(pages: list[list[tuple[float, float, float, str]]], title: str | None = None) -> bytes:
    """A PDF whose text is drawn with a predefined CJK font (STSong-Light, UCS-2 CMap): no font file needed."""
    objects: list[bytes | None] = []

    def add(body: bytes | None) -> int:
        objects.append(body)
        return len(objects)

    cid = add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /DW 1000"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> >>"
    )
    font = add(b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [%d 0 R] >>" % cid)
    pages_id = add(None)
    kids = []
    for lines in pages:
        drawn = (f"BT /F1 {size} Tf {x} {y} Td <{text.encode('utf-16-be').hex()}> Tj ET" for x, y, size, text in lines)
        content = "\n".join(drawn).encode()
        stream = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        page = b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
        kids.append(add(page % (pages_id, font, stream)))
    objects[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % kid for kid in kids), len(kids))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    info = add(b"<< /Title <feff%s> >>" % title.encode("utf-16-be").hex().encode()) if title else None
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    info_ref = b" /Info %d 0 R" % info if info else b""
    out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, info_ref, xref)
    return bytes(out)


def _typeset(paragraphs: list[str], *, spacing: float = 0, indent: int = 0, top: float = 780, pitch: float = 18):
    """Wrap paragraphs at 37 characters into positioned lines, as a word processor would print them."""
    lines, y = [], top
    for paragraph in paragraphs:
        first, rest = paragraph[: PER_LINE - indent], paragraph[PER_LINE - indent :]
        chunks = [first] + [rest[i : i + PER_LINE] for i in range(0, len(rest), PER_LINE)]
        for number, chunk in enumerate(chunks):
            lines.append((LEFT + (indent * SIZE if number == 0 else 0), y, SIZE, chunk))
            y -= pitch
        y -= spacing
    return lines


def _ambiguous_paragraphs(first_line: int) -> list[str]:
    """Paragraphs whose first printed line is full and ends in 。: twice a paragraph end, once not."""
    return [
        "第一条　" + _fill(first_line - 5) + "。",  # one full line, paragraph ends
        _fill(first_line - 1, start=5) + "。" + _fill(10) + "。",  # full line ends in 。, paragraph goes on
        "第二条　" + _fill(40) + "，" + _fill(20) + "。",
        "第三条　" + _fill(first_line - 5, start=9) + "：",  # one full line ending in ：
        "（一）" + _fill(20) + "；",
        "（二）" + _fill(50, start=2) + "。",
    ]


def test_pdf_paragraph_spacing_decides_where_the_layout_shows_it():
    paragraphs = _ambiguous_paragraphs(PER_LINE)
    document = read_pdf("spaced.pdf", _make_pdf([_typeset(paragraphs, spacing=10)]))
    assert _texts(document) == paragraphs


def test_pdf_first_line_indent_decides_where_the_layout_shows_it():
    paragraphs = _ambiguous_paragraphs(PER_LINE - 2)
    document = read_pdf("indented.pdf", _make_pdf([_typeset(paragraphs, indent=2)]))
    assert _texts(document) == paragraphs


def test_pdf_without_layout_cues_breaks_after_sentence_ends_and_marks():
    paragraphs = [
        "第一条　" + _fill(32) + "。",  # a full line ending in 。: taken as a paragraph end
        _fill(37) + _fill(37, start=3) + _fill(5) + "。",  # full lines without punctuation carry on
        "第二条　" + _fill(32) + "，" + _fill(8) + "；",  # a full line ending in ，carries on
        _fill(12) + "：",  # a short line ending in ：ends its paragraph
        "1. " + _fill(10),
        "Environmental protection law applies " + "to all regions.",
    ]
    document = read_pdf("plain.pdf", _make_pdf([_typeset(paragraphs)]))
    assert _texts(document) == paragraphs
    assert all("\n" not in text and "\r" not in text for text in _texts(document))


def test_pdf_drops_page_numbers_and_running_headers_and_joins_across_pages():
    header = (LEFT, 810, 10, "某市人民政府公报　2024年第3期")
    first = _typeset(["第一条　" + _fill(20) + "。", "第二条　" + _fill(33)])  # 第二条 runs on to page 2
    second = _typeset([_fill(30) + "。", "第三条　" + _fill(10) + "。"])
    third = _typeset(["第四条　" + _fill(15) + "。"])
    footers = [(290, 40, 10, "- 1 -"), (290, 40, 10, "第 2 页"), (290, 40, 10, "3/3")]
    pages = [[header, *body, footer] for body, footer in zip((first, second, third), footers)]
    document = read_pdf("gazette.pdf", _make_pdf(pages))
    assert _texts(document) == [
        "第一条　" + _fill(20) + "。",
        "第二条　" + _fill(33) + _fill(30) + "。",
        "第三条　" + _fill(10) + "。",
        "第四条　" + _fill(15) + "。",
    ]


def test_pdf_keeps_a_line_that_only_looks_like_a_header_when_it_does_not_repeat():
    pages = [_typeset([f"第{n}条　" + _fill(10) + "。"]) + [(290, 40, 10, str(i + 1))] for i, n in enumerate("一二三")]
    document = read_pdf("numbers.pdf", _make_pdf(pages))
    assert _texts(document) == [f"第{n}条　" + _fill(10) + "。" for n in "一二三"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("中华人民共和国环境保护法", "中华人民共和国环境保护法"),
        ("Microsoft Word - 环境保护法.docx", None),
        ("环境保护法.doc", None),
        ("", None),
    ],
)
def test_pdf_title_comes_from_metadata_unless_it_is_a_file_name(title, expected):
    document = read_pdf("titled.pdf", _make_pdf([_typeset(["第一条　" + _fill(5) + "。"])], title=title or None))
    assert document.title == expected


def test_pdf_encrypted_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(UnsupportedDocument) as error:
        read_pdf("locked.pdf", buffer.getvalue())
    assert error.value.reason == "PDF is encrypted (password required)"
    assert error.value.source == "locked.pdf"


@pytest.mark.parametrize("cut", [0.5, 0.95])
def test_pdf_truncated_is_refused_as_unreadable(cut):
    data = _make_pdf([_typeset(_ambiguous_paragraphs(PER_LINE))])
    with pytest.raises(UnsupportedDocument, match="not a readable PDF"):
        read_pdf("broken.pdf", data[: int(len(data) * cut)])


def test_pdf_without_header_is_refused():
    with pytest.raises(UnsupportedDocument, match="not a readable PDF"):
        read_pdf("fake.pdf", b"this is not a pdf at all")


def test_pdf_blank_page_has_no_text_layer_and_ocr_finds_nothing_on_it():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(UnsupportedDocument) as error:
        read_pdf("scan.pdf", buffer.getvalue())
    assert error.value.reason == "no text layer in its 1 page(s), and OCR found no text on them"


# ---------------------------------------------------------------- DOCX fixtures


def _docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _claim_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size a zip's local and central headers state for one member."""
    out = bytearray(data)
    name = member.encode()
    for signature, name_length_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        start = out.find(signature)
        while start != -1:
            length = int.from_bytes(out[start + name_length_at : start + name_length_at + 2], "little")
            if out[start + name_at : start + name_at + length] == name:
                out[start + size_at : start + size_at + 4] = size.to_bytes(4, "little")
            start = out.find(signature, start + 4)
    return bytes(out)


def test_docx_reads_body_paragraphs_and_tables_in_order_with_styles():
    document = docx.Document()
    document.core_properties.title = "中华人民共和国示范法"
    document.add_heading("中华人民共和国示范法", 0)
    document.add_paragraph("（2024年1月1日通过）")
    document.add_heading("第一章　总则", 1)
    document.add_paragraph("第一条　为了示范，制定本法。   ")
    table = document.add_table(rows=3, cols=3)
    for row in range(3):
        for column in range(3):
            table.cell(row, column).text = f"格{row}{column}"
    table.cell(0, 0).merge(table.cell(0, 1))  # one cell spanning two columns
    table.cell(1, 2).merge(table.cell(2, 2))  # one cell spanning two rows
    document.add_paragraph("")
    document.add_heading("第二节　细则", 2)
    broken = document.add_paragraph("第二条　第一行")
    broken.add_run().add_break()
    broken.add_run("第二行")

    read = read_docx("sample.docx", _docx_bytes(document))

    assert read.title == "中华人民共和国示范法"
    assert [(block.text, block.style) for block in read.blocks] == [
        ("中华人民共和国示范法", "title"),
        ("（2024年1月1日通过）", None),
        ("第一章\u3000总则", "heading"),
        ("第一条\u3000为了示范，制定本法。", None),
        ("格00", None),
        ("格01", None),
        ("格02", None),
        ("格10", None),
        ("格11", None),
        ("格12", None),
        ("格22", None),
        ("格20", None),
        ("格21", None),
        ("第二节\u3000细则", "heading"),
        ("第二条\u3000第一行", None),
        ("第二行", None),
    ]


def test_docx_without_core_title_has_no_title():
    document = docx.Document()
    document.add_paragraph("第一条　正文。")
    assert read_docx("untitled.docx", _docx_bytes(document)).title is None


def test_docx_without_text_is_refused():
    with pytest.raises(UnsupportedDocument, match="no text"):
        read_docx("empty.docx", _docx_bytes(docx.Document()))


def test_docx_that_is_not_a_zip_is_refused():
    with pytest.raises(UnsupportedDocument) as error:
        read_docx("notes.docx", "第一条　这是纯文本。".encode())
    assert error.value.reason == "not a valid .docx (not a zip archive)"


def test_docx_in_an_ole_container_is_refused():
    with pytest.raises(UnsupportedDocument, match="legacy .doc or a password-protected"):
        read_docx("old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))


def test_docx_zip_without_document_xml_is_refused():
    with pytest.raises(UnsupportedDocument, match="no word/document.xml"):
        read_docx("other.docx", _zip({"content.xml": b"<office/>"}))


def test_docx_broken_package_is_refused_not_crashed():
    with pytest.raises(UnsupportedDocument, match="not a valid .docx"):
        read_docx("broken.docx", _zip({"word/document.xml": b"<w:document"}))


def test_docx_size_table_claiming_a_gigabyte_is_refused_without_decompressing(monkeypatch):
    real = _docx_bytes(docx.Document())
    with zipfile.ZipFile(io.BytesIO(real)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["word/media/image1.bin"] = bytes(1000)
    bomb = _claim_size(_zip(members), "word/media/image1.bin", 1 << 30)

    def no_decompression(*args, **kwargs):
        raise AssertionError("the size check must not decompress anything")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_decompression)
    started = time.perf_counter()
    with pytest.raises(UnsupportedDocument, match="zip bomb") as error:
        read_docx("bomb.docx", bomb)
    assert time.perf_counter() - started < 1
    claimed = int(re.search(r"(\d+) bytes uncompressed", error.value.reason).group(1))
    assert claimed > 1 << 30


def test_docx_member_with_absurd_compression_ratio_is_refused():
    bomb = _zip({"word/document.xml": b"<w:document/>", "word/media/zeros.bin": bytes(20 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(UnsupportedDocument, match="possible zip bomb: word/media/zeros.bin expands"):
        read_docx("ratio.docx", bomb)


def test_docx_with_too_many_members_is_refused():
    members = {"word/document.xml": b"<w:document/>"} | {f"word/p{i}.xml": b"" for i in range(2100)}
    with pytest.raises(UnsupportedDocument, match="zip members"):
        read_docx("many.docx", _zip(members, zipfile.ZIP_STORED))


# ---------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title> 中华人民共和国示范法 </title>
<style>p {{ color: red }}</style><script>var 条 = "第九条　不应出现";</script></head>
<body><header>网站首页 | 政策法规</header><nav><a href="/">首页</a></nav>
<article><h1>中华人民共和国示范法</h1>
<p>（2024年1月1日 通过）</p>
<h2>第一章　总则</h2>
<p>第一条　为了示范，
   制定本法。<br>第二条　本法适用于<b>全国</b>。</p>
<div>第三条　国家支持：<ul><li>（一）研究；</li><li>（二）应用。</li></ul></div>
<table><tr><th>名称</th><td>数值</td></tr></table>
<!-- 第十条　注释不是正文 -->
</article><footer>版权所有</footer></body></html>"""

PAGE_BLOCKS = [
    ("中华人民共和国示范法", "title"),
    ("（2024年1月1日 通过）", None),
    ("第一章\u3000总则", "heading"),
    ("第一条\u3000为了示范，制定本法。", None),
    ("第二条\u3000本法适用于全国。", None),
    ("第三条\u3000国家支持：", None),
    ("（一）研究；", None),
    ("（二）应用。", None),
    ("名称", None),
    ("数值", None),
]


def test_html_block_elements_become_blocks_with_heading_styles():
    document = read_html("page.html", PAGE.format(charset="utf-8").encode("utf-8"))
    assert document.title == "中华人民共和国示范法"
    assert [(block.text, block.style) for block in document.blocks] == PAGE_BLOCKS


@pytest.mark.parametrize("charset", ["gb2312", "GBK", "gb18030"])
def test_html_declared_gb_charset_is_decoded_as_gb18030(charset):
    document = read_html("page.htm", PAGE.format(charset=charset).encode("gbk"))
    assert [(block.text, block.style) for block in document.blocks] == PAGE_BLOCKS


def test_html_declared_gbk_but_invalid_is_refused():
    with pytest.raises(UnsupportedDocument, match="not valid GB18030"):
        read_html("bad.html", b'<meta charset="gbk"><p>\xff\xfe\xff</p>')


def test_html_without_visible_text_is_refused():
    with pytest.raises(UnsupportedDocument, match="no visible text"):
        read_html("blank.html", b"<html><head><title>x</title><script>1</script></head><body> </body></html>")


def test_html_pre_keeps_its_lines():
    document = read_html("pre.html", "<pre>第一条　甲。\n第二条　乙。</pre>".encode())
    assert _texts(document) == ["第一条\u3000甲。", "第二条\u3000乙。"]


def test_html_deep_nesting_does_not_overflow_the_stack():
    document = read_html("deep.html", ("<div>" * 5000 + "深层正文" + "</div>" * 5000).encode())
    assert _texts(document) == ["深层正文"]


def test_read_bytes_chooses_these_readers_by_suffix():
    assert read_bytes("a.HTML", "<p>第一条　正文。</p>".encode())[0].blocks[0].text == "第一条\u3000正文。"
    with pytest.raises(UnsupportedDocument, match="not a zip archive"):
        read_bytes("a.docx", b"plain text")
    with pytest.raises(UnsupportedDocument, match="not a readable PDF"):
        read_bytes("a.pdf", b"plain text")


# ---------------------------------------------------------------- shared sample files


def _shared_pair(stem: str, suffix: str) -> tuple[Path, list[str]]:
    source, twin = FORMATS / f"{stem}{suffix}", ECO / f"{stem}.txt"
    if not (source.is_file() and twin.is_file()):
        pytest.skip(f"shared corpus not present at {SHARED.resolve()}")
    return source, [line.rstrip() for line in twin.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("stem", SHARED_STEMS)
def test_shared_pdf_reproduces_the_source_paragraphs(stem):
    path, lines = _shared_pair(stem, ".pdf")
    document = read_pdf(path.name, path.read_bytes())
    texts = _texts(document)

    assert _no_space("".join(texts)) == _no_space("".join(lines))
    assert document.title == lines[0]
    articles = [text for text in texts if ARTICLE.match(text)]
    source_articles = [line for line in lines if ARTICLE.match(line)]
    assert len(articles) == len(source_articles)
    assert [_no_space(text) for text in articles] == [_no_space(line) for line in source_articles]
    assert articles == source_articles  # exact: full-width spaces kept, no layout spaces such as "6 月"
    assert [_no_space(text) for text in texts] == [_no_space(line) for line in lines]  # every paragraph


@pytest.mark.parametrize("stem", SHARED_STEMS)
def test_shared_docx_matches_the_source_lines(stem):
    path, lines = _shared_pair(stem, ".docx")
    document = read_docx(path.name, path.read_bytes())
    assert _no_space("".join(_texts(document))) == _no_space("".join(lines))
    assert _texts(document) == lines
    assert document.blocks[0].style == "title"
    assert document.title == lines[0]
