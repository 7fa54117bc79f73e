"""Uploads of the new kinds: a photo is OCR'd with its progress shown and its confidence in the results;
a corrupt OFD, a scan of nothing and a password-protected .doc each fail naming the file and the cause,
and nothing already indexed is lost."""

from __future__ import annotations

import io
import struct
import zipfile

from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings
from tests.conftest import index_small_corpus
from tests.indexer.test_ocr import PAGE, _page_image, _png, _scanned_pdf, needs_font

END, FREE, FAT_SECTOR = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def encrypted_doc() -> bytes:
    """A minimal Word binary (OLE compound file with a WordDocument stream) whose FIB says fEncrypted."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x28, 0, 1, 1, 0, 4096, END, 0, END, 0)
    struct.pack_into("<109I", header, 0x4C, 0, *([FREE] * 108))
    fat = [FAT_SECTOR, END, 3, 4, 5, 6, 7, 8, 9, END] + [FREE] * 118
    directory = bytearray(512)
    for number, (name, kind, child, start, size) in enumerate([("Root Entry", 5, 1, END, 0), ("WordDocument", 2, FREE, 2, 4096)]):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le")
        entry[: len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded) + 2, kind, 1)
        struct.pack_into("<III", entry, 68, FREE, FREE, child)
        struct.pack_into("<II", entry, 116, start, size)
        directory[number * 128 : (number + 1) * 128] = entry
    stream = bytearray(4096)
    struct.pack_into("<HHHHH", stream, 0, 0xA5EC, 0xC1, 0, 0x0409, 0x0100)  # wIdent, nFib, …, flags with fEncrypted
    return bytes(header) + struct.pack("<128I", *fat) + bytes(directory) + bytes(stream)


def _corrupt_ofd() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody>'
                                    "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>")
    return buffer.getvalue()[:-30]  # the central directory cut short


def test_a_password_protected_doc_is_refused_before_conversion():
    from indexer.readers import read_bytes
    from policy_search.errors import UnsupportedDocument

    try:
        read_bytes("加密.doc", encrypted_doc())
    except UnsupportedDocument as error:
        assert error.source == "加密.doc" and "password-protected" in error.reason
    else:
        raise AssertionError("an encrypted .doc was read")


@needs_font
def test_uploads_of_new_kinds_index_or_fail_per_file_and_keep_the_index(tmp_path):
    from PIL import Image

    out = index_small_corpus(tmp_path)
    blank = Image.new("RGB", (600, 850), "white")
    files = [
        ("files", ("餐饮油烟办法照片.png", _png(_page_image(PAGE)), "image/png")),
        ("files", ("损坏.ofd", _corrupt_ofd(), "application/ofd")),
        ("files", ("空白扫描.pdf", _scanned_pdf([blank]), "application/pdf")),
        ("files", ("加密.doc", encrypted_doc(), "application/msword")),
    ]
    with TestClient(create_app(Settings(index_dir=out), load_model=False)) as client:
        before = client.get("/documents").json()
        answer = client.post("/documents?wait=300", files=files)
        assert answer.status_code in (200, 202), answer.text
        task = answer.json()
        assert task["status"] == "done", task
        reasons = {error["file"] if "file" in error else error["path"]: error["reason"] for error in task["errors"]}
        reasons = {name.rsplit("/", 1)[-1]: reason for name, reason in reasons.items()}
        assert set(reasons) == {"损坏.ofd", "空白扫描.pdf", "加密.doc"}, reasons
        assert "OFD" in reasons["损坏.ofd"]
        assert "OCR found no text" in reasons["空白扫描.pdf"]
        assert "password-protected" in reasons["加密.doc"]
        assert task["progress"]["ocr"]["pages"] == 1 and task["progress"]["ocr"]["pages_done"] == 1

        after = client.get("/documents").json()
        assert after["total"] == before["total"] + 1
        hits = client.get("/search", params={"q": "油烟净化设施", "mode": "bm25"}).json()["results"]
        assert hits[0]["document"]["title"] == PAGE[0]
        assert hits[0]["document"]["ocr_pages"] == 1 and 0.5 < hits[0]["ocr_confidence"] <= 1
        assert client.get("/search", params={"q": "排污", "mode": "bm25"}).json()["results"]  # the old index is all there
        old = [hit for hit in client.get("/search", params={"q": "排污", "mode": "bm25"}).json()["results"]]
        assert all("ocr_confidence" not in hit and "ocr_pages" not in hit["document"] for hit in old)
