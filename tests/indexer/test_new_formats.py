"""OFD, legacy .doc/.wps (through LibreOffice) and bad files of those kinds: each fixture is built in the test
from a .docx written here, and must index to the same units as that .docx."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from indexer.pipeline import document_from_raw, parse_files
from indexer.readers import read_bytes
from indexer.readers import legacy_word
from policy_search.errors import UnsupportedDocument

LAW = [
    "示例市扬尘污染防治办法",
    "第一条　为了防治扬尘污染，改善大气环境质量，保障人体健康，根据《中华人民共和国大气污染防治法》等法律法规，结合本市实际，制定本办法。",
    "第二条　本市行政区域内扬尘污染的防治及其监督管理，适用本办法。",
    "第三条　施工单位应当遵守下列规定：",
    "（一）施工工地周边设置连续、封闭的围挡；",
    "（二）施工工地内的车行道路进行硬化处理，裸露地面采取覆盖、绿化或者铺装等防尘措施；",
    "（三）运输车辆冲洗干净后方可驶出工地。",
    "生态环境主管部门应当对施工单位落实前款规定的情况进行监督检查，发现问题的，责令限期改正。",
    "第四条　违反本办法第三条规定的，由住房城乡建设主管部门责令改正，处一万元以上十万元以下的罚款；拒不改正的，责令停工整治。",
    "第五条　本办法自2024年3月1日起施行。",
]
NOTICE = [
    "示例市生态环境局关于开展夏季臭氧污染防治攻坚的通知",
    "各区生态环境分局：",
    "为做好夏季臭氧污染防治工作，现将有关事项通知如下。",
    "一、工作目标",
    "全市臭氧浓度上升势头得到遏制，优良天数比例比上年提高一个百分点以上，重点行业挥发性有机物排放量明显下降。",
    "二、重点任务",
    "（一）加强涉挥发性有机物企业监管。对石化、化工、工业涂装、包装印刷等重点行业企业开展全覆盖检查。",
    "（二）强化移动源污染管控。加大柴油货车路检路查力度，严查超标排放车辆。",
    "示例市生态环境局",
    "2024年5月6日",
]
SIGNED = {"示例市生态环境局", "2024年5月6日"}  # printed flush right, as a signature block is


def _docx(lines: list[str]) -> bytes:
    document = docx.Document()
    document.add_paragraph(lines[0], style="Title")
    document.core_properties.title = lines[0]
    for line in lines[1:]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _units(name: str, data: bytes) -> list[tuple]:
    """What the index holds of a file: each unit's kind, text and place."""
    (raw,) = read_bytes(name, data)
    parsed = document_from_raw(raw, None)
    return [(c.kind, c.text, c.locator) for c in parsed.clauses], parsed.meta


# ---------------------------------------------------------------- OFD

OFD_NS = "http://www.ofdspec.org/2016"
SIZE, LEFT, WIDTH, TOP, PITCH, PER_PAGE = 4.2333, 25.0, 160.0, 30.0, 7.5, 30  # mm: 12-pt characters, 37 to a line


def _typeset(lines: list[str]) -> list[list[tuple[float, float, float, str]]]:
    """Paragraphs wrapped as a word processor prints them: the title centred and larger, body lines of 37
    characters, a page number at the foot of each page; (x, baseline y, size, text) per printed line."""
    per_line = int(WIDTH // SIZE)
    printed: list[tuple[float, float, str]] = []
    title_size = SIZE * 1.5
    printed.append((LEFT + (WIDTH - len(lines[0]) * title_size) / 2, title_size, lines[0]))
    for paragraph in lines[1:]:
        if paragraph in SIGNED:
            printed.append((LEFT + WIDTH - len(paragraph) * SIZE - 2 * SIZE, SIZE, paragraph))
            continue
        for start in range(0, len(paragraph), per_line):
            printed.append((LEFT, SIZE, paragraph[start : start + per_line]))
    pages = []
    for first in range(0, len(printed), PER_PAGE):
        page = [(x, TOP + PITCH * row, size, text) for row, (x, size, text) in enumerate(printed[first : first + PER_PAGE])]
        page.append((LEFT + WIDTH / 2 - 5, 285.0, SIZE, f"- {len(pages) + 1} -"))
        pages.append(page)
    return pages


def _ofd(pages: list[list[tuple[float, float, float, str]]], title: str | None = None, *, one_run_per_line: bool = True) -> bytes:
    """An OFD package written by hand: OFD.xml → Document.xml → Pages/Page_N/Content.xml with TextObjects."""
    info = f"<ofd:DocInfo><ofd:DocID>0123</ofd:DocID>{f'<ofd:Title>{title}</ofd:Title>' if title else ''}</ofd:DocInfo>"
    head = f'<?xml version="1.0" encoding="UTF-8"?>'
    files = {
        "OFD.xml": f'{head}<ofd:OFD xmlns:ofd="{OFD_NS}" Version="1.0" DocType="OFD"><ofd:DocBody>{info}'
                   "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": f'{head}<ofd:Document xmlns:ofd="{OFD_NS}"><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID>'
                              "<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData><ofd:Pages>"
                              + "".join(f'<ofd:Page ID="{n + 1}" BaseLoc="Pages/Page_{n}/Content.xml"/>' for n in range(len(pages)))
                              + "</ofd:Pages></ofd:Document>",
    }
    object_id = 100
    for number, lines in enumerate(pages):
        objects = []
        for x, y, size, text in lines:
            # a line as one TextCode, or (as some producers write it) one TextObject per character
            pieces = [(x, text)] if one_run_per_line else [(x + i * size, char) for i, char in enumerate(text)]
            for piece_x, piece in pieces:
                object_id += 1
                deltas = f' DeltaX="g {len(piece) - 1} {size}"' if len(piece) > 1 else ""
                objects.append(f'<ofd:TextObject ID="{object_id}" Boundary="{piece_x} {y - size} {len(piece) * size + 1} {size * 1.4}" '
                               f'Font="3" Size="{size}"><ofd:TextCode X="0" Y="{size}"{deltas}>{piece}</ofd:TextCode></ofd:TextObject>')
        files[f"Doc_0/Pages/Page_{number}/Content.xml"] = (
            f'{head}<ofd:Page xmlns:ofd="{OFD_NS}"><ofd:Content><ofd:Layer ID="2">{"".join(objects)}</ofd:Layer></ofd:Content></ofd:Page>'
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize("lines", [LAW, NOTICE], ids=["articles", "outline"])
@pytest.mark.parametrize("one_run_per_line", [True, False], ids=["line-runs", "char-runs"])
def test_ofd_indexes_to_the_same_units_as_its_docx_source(lines, one_run_per_line):
    from_docx, docx_meta = _units("source.docx", _docx(lines))
    from_ofd, ofd_meta = _units("source.ofd", _ofd(_typeset(lines * 1), title=lines[0], one_run_per_line=one_run_per_line))
    assert from_ofd == from_docx
    assert (ofd_meta.title, ofd_meta.doc_type, ofd_meta.date) == (docx_meta.title, docx_meta.doc_type, docx_meta.date)
    assert ofd_meta.ocr_confidence is None and ofd_meta.ocr_pages == 0


def test_ofd_over_two_pages_rejoins_a_paragraph_and_drops_page_numbers():
    long_law = LAW[:1] + [f"第{n}条　" + "排污单位应当按照国家有关规定和监测规范，对所排放的污染物自行监测，并保存原始监测记录。" * 2
                          for n in "一二三四五六七八九十"]
    (raw,) = read_bytes("long.ofd", _ofd(_typeset(long_law)))
    texts = [block.text for block in raw.blocks]
    assert texts == long_law
    assert not any("- 1 -" in text or "- 2 -" in text for text in texts)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04 truncated", "not a zip package"),
        (_ofd([[(25.0, 30.0, SIZE, "第一条　正文。")]])[:200], "not a zip package"),
        ("zip-without-ofd-xml", "no OFD.xml"),
        ("ofd-xml-without-document", "not a readable OFD"),
        ("image-only", "scanned OFD"),
    ],
)
def test_a_corrupt_or_empty_ofd_is_refused_naming_the_cause(data, reason):
    if data == "zip-without-ofd-xml":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("Doc_0/Document.xml", "<Document/>")
        data = buffer.getvalue()
    elif data == "ofd-xml-without-document":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("OFD.xml", f'<ofd:OFD xmlns:ofd="{OFD_NS}"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
        data = buffer.getvalue()
    elif data == "image-only":
        data = _ofd([[]])
    with pytest.raises(UnsupportedDocument, match=reason) as error:
        read_bytes("通知.ofd", data)
    assert error.value.source == "通知.ofd"


# ---------------------------------------------------------------- .doc and .wps through LibreOffice

needs_libreoffice = pytest.mark.skipif(legacy_word.find_soffice() is None, reason="LibreOffice (soffice) is not installed")


def _convert_with_libreoffice(tmp_path: Path, docx_bytes: bytes, suffix: str) -> bytes:
    """A Word 97 binary made from the .docx by LibreOffice; Kingsoft's .wps is that same binary format."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "source.docx"
    source.write_bytes(docx_bytes)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run([legacy_word.find_soffice(), f"-env:UserInstallation={profile}", "--headless", "--norestore",
                    "--convert-to", "doc:MS Word 97", "--outdir", str(tmp_path / "out"), str(source)],
                   check=True, capture_output=True, timeout=180)
    converted = (tmp_path / "out" / "source.doc").read_bytes()
    assert converted.startswith(b"\xd0\xcf\x11\xe0") and suffix in (".doc", ".wps")
    return converted


@pytest.fixture(scope="module")
def legacy_files(tmp_path_factory):
    """The two fixture documents as .doc (converted once per module: LibreOffice takes seconds to start)."""
    if legacy_word.find_soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    root = tmp_path_factory.mktemp("legacy")
    return {name: _convert_with_libreoffice(root / name, _docx(lines), ".doc") for name, lines in (("law", LAW), ("notice", NOTICE))}


@needs_libreoffice
@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_doc_and_wps_index_to_the_same_units_as_their_docx_source(legacy_files, suffix):
    for name, lines in (("law", LAW), ("notice", NOTICE)):
        from_docx, docx_meta = _units("source.docx", _docx(lines))
        from_legacy, legacy_meta = _units(f"source{suffix}", legacy_files[name])
        assert from_legacy == from_docx
        assert legacy_meta.title == docx_meta.title and legacy_meta.source == f"source{suffix}"


def _mark_encrypted(doc: bytes) -> bytes:
    """Set fEncrypted in the Word binary's FIB, as Word does when a password protects the file."""
    data = bytearray(doc)
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    size = 1 << shift
    for start in range(size, len(data), size):  # the WordDocument stream starts a sector with the FIB's magic
        if data[start : start + 2] == b"\xec\xa5":
            flags = struct.unpack_from("<H", data, start + 10)[0]
            struct.pack_into("<H", data, start + 10, flags | 0x0100)
            return bytes(data)
    raise AssertionError("no FIB found")


@needs_libreoffice
def test_a_password_protected_doc_is_refused_naming_the_cause(legacy_files):
    with pytest.raises(UnsupportedDocument, match="password-protected") as error:
        read_bytes("加密.doc", _mark_encrypted(legacy_files["law"]))
    assert error.value.source == "加密.doc"


def test_an_encrypted_office_package_is_refused_before_libreoffice_runs(monkeypatch):
    monkeypatch.setattr(legacy_word, "find_soffice", lambda: pytest.fail("LibreOffice must not run"))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 600
    with pytest.raises(UnsupportedDocument, match="password-protected"):
        read_bytes("加密.wps", ole)


def test_without_libreoffice_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(legacy_word.shutil, "which", lambda name: None)
    monkeypatch.delenv("POLICY_SEARCH_SOFFICE", raising=False)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1200
    with pytest.raises(UnsupportedDocument, match="apt-get install libreoffice-writer-nogui") as error:
        read_bytes("旧文件.doc", ole)
    assert error.value.source == "旧文件.doc"


def test_a_doc_that_is_not_a_word_binary_is_refused_without_libreoffice():
    with pytest.raises(UnsupportedDocument, match="no OLE compound-file header"):
        read_bytes("假的.doc", "第一条　这其实是一个文本文件。".encode())


@needs_libreoffice
def test_a_damaged_doc_is_refused_by_libreoffice_naming_the_file(tmp_path, legacy_files):
    damaged = legacy_files["law"][:512] + b"\xff" * 4096
    with pytest.raises(UnsupportedDocument, match="LibreOffice could not open it") as error:
        read_bytes("损坏.doc", damaged)
    assert error.value.source == "损坏.doc"


def test_new_suffixes_are_picked_up_from_a_folder(tmp_path):
    for name in ("a.ofd", "b.doc", "c.wps", "d.png", "e.jpg", "f.tiff"):
        (tmp_path / name).write_bytes(b"x")
    from indexer.pipeline import discover

    files, failures = discover([tmp_path])
    assert sorted(path.name for path in files) == ["a.ofd", "b.doc", "c.wps", "d.png", "e.jpg", "f.tiff"] and not failures
    result = parse_files(files)
    assert len(result.failures) == 6 and all(Path(f.path).name in f.path for f in result.failures)


@needs_libreoffice
def test_soffice_is_found_on_path_or_from_the_setting(monkeypatch, tmp_path):
    assert Path(legacy_word.find_soffice()).name in ("soffice", "libreoffice")
    monkeypatch.setenv("POLICY_SEARCH_SOFFICE", str(tmp_path / "missing"))
    assert legacy_word.find_soffice() is None
    monkeypatch.setenv("POLICY_SEARCH_SOFFICE", shutil.which("soffice"))
    assert legacy_word.find_soffice() == shutil.which("soffice")
