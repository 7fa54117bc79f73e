"""A batch of hostile and broken files finishes, indexes every good file and names each bad one."""

from __future__ import annotations

import io
import resource
import zipfile

import pytest

from cli.main import main
from indexer.build import load_generation
from policy_search import store

pypdf = pytest.importorskip("pypdf")


def _pdf_bytes(encrypt: bool = False) -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if encrypt:
        writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zip_bomb_docx(path) -> None:
    """A .docx whose size table claims about 1 GB: written in streamed chunks, a few MB on disk."""
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(1024):
                member.write(chunk)


def test_bad_files_are_reported_and_good_ones_indexed(tmp_path, law_file, speech_file, capsys):
    batch = tmp_path / "batch"
    batch.mkdir()
    law_file.rename(batch / law_file.name)
    (batch / "speech.txt").write_bytes(speech_file.read_bytes())
    (batch / "corrupt.pdf").write_bytes(_pdf_bytes()[:300])
    (batch / "empty.txt").write_bytes(b"")
    (batch / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (batch / "locked.pdf").write_bytes(_pdf_bytes(encrypt=True))
    _zip_bomb_docx(batch / "bomb.docx")

    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    code = main(["index", str(batch), "--out", str(tmp_path / "idx"), "--quiet", "--no-embed"])
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = capsys.readouterr().out

    assert code == 0
    assert "documents: 2 (2 added" in out
    assert "failed: 5 file(s)" in out
    reasons = {line.split(": ", 1)[0].rsplit("/", 1)[-1]: line.split(": ", 1)[1] for line in out.splitlines() if line.startswith("  /")}
    assert "empty" in reasons["empty.txt"]
    assert "not valid" in reasons["binary.txt"] or "binary" in reasons["binary.txt"]
    assert "encrypted" in reasons["locked.pdf"]
    assert "PDF" in reasons["corrupt.pdf"]
    assert "uncompressed" in reasons["bomb.docx"] or "size" in reasons["bomb.docx"]
    assert (peak_after - peak_before) < 200 * 1024  # KiB: the bomb was refused from its size table, not unpacked
    docs = load_generation(store.IndexStore(tmp_path / "idx")).documents
    assert sorted(d.source for d in docs) == ["speech.txt", "示例保护法(2014-04-24).txt"]
