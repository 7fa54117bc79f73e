"""Legacy Word .doc and Kingsoft WPS .wps: converted to .docx by LibreOffice headless, then read as .docx.

LibreOffice is found at run time (`soffice` on PATH, or POLICY_SEARCH_SOFFICE); it runs with a private
profile in a temporary folder, in its own process group, and is killed whole when it overruns its time.
Uploads are parsed inside the sandbox (indexer/sandbox.py), whose memory and CPU limits it inherits.
"""

from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import tempfile
from pathlib import Path

from indexer.readers.base import RawDocument
from indexer.readers.docx import read_docx
from policy_search.errors import UnsupportedDocument

CONVERT_TIMEOUT_S = 120.0  # a start of LibreOffice with a fresh profile takes 10-20 s on a busy 2-core machine
# the sandbox sets this a little below its own limit, so that LibreOffice is stopped, and its processes
# with it, before the sandbox gives up on the file
_TIMEOUT_VARIABLE = "POLICY_SEARCH_CONVERT_TIMEOUT_S"
INSTALL_HINT = "install LibreOffice: apt-get install libreoffice-writer-nogui (or set POLICY_SEARCH_SOFFICE)"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FIB_IDENT = 0xA5EC  # a Word binary's File Information Block starts with it
_FIB_ENCRYPTED = 0x0100  # fEncrypted in the FIB's flags word
_END_OF_CHAIN = 0xFFFFFFFE


def read_legacy_word(name: str, data: bytes) -> RawDocument:
    """Convert a .doc or .wps to .docx with LibreOffice and read that; the source keeps its own name."""
    if not data.startswith(_OLE_MAGIC):
        raise UnsupportedDocument(name, "not a Word/WPS binary document (no OLE compound-file header)")
    if _is_encrypted(data):
        raise UnsupportedDocument(name, "document is password-protected; save it without a password and upload it again")
    soffice = find_soffice()
    if soffice is None:
        raise UnsupportedDocument(name, f"reading {Path(name).suffix.lower()} files needs LibreOffice, which is not installed; {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="policy-search-lo-") as work:
        folder = Path(work)
        source = folder / f"input{Path(name).suffix.lower()}"
        source.write_bytes(data)
        converted = _convert(name, soffice, source, folder)
        raw = read_docx(name, converted)
    raw.title = raw.title if raw.title and raw.title.lower() != "input" else None
    return raw


def find_soffice() -> str | None:
    """The LibreOffice binary: POLICY_SEARCH_SOFFICE if set, else soffice or libreoffice on PATH."""
    configured = os.environ.get("POLICY_SEARCH_SOFFICE")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert(name: str, soffice: str, source: Path, folder: Path) -> bytes:
    out = folder / "out"
    timeout = float(os.environ.get(_TIMEOUT_VARIABLE) or CONVERT_TIMEOUT_S)
    command = [
        soffice,
        f"-env:UserInstallation={(folder / 'profile').as_uri()}",  # private profile: no lock shared with a user's LibreOffice
        "--headless", "--norestore", "--nolockcheck",
        "--convert-to", "docx:MS Word 2007 XML",
        "--outdir", str(out), str(source),
    ]
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True, cwd=folder)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # soffice starts soffice.bin: the whole group goes
        process.communicate()
        raise UnsupportedDocument(name, f"LibreOffice took longer than {timeout:.0f} s to convert it and was stopped")
    result = out / f"{source.stem}.docx"
    if process.returncode != 0 or not result.is_file():
        detail = stderr.decode("utf-8", "replace").strip().splitlines()
        detail = [line for line in detail if "javaldx" not in line]
        reason = "LibreOffice could not open it (damaged, password-protected, or not a Word/WPS document)"
        raise UnsupportedDocument(name, reason + (f": {detail[-1]}" if detail else ""))
    return result.read_bytes()


def _is_encrypted(data: bytes) -> bool:
    """A password: an encrypted OOXML package (EncryptedPackage stream) or a Word binary whose FIB says fEncrypted."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return True
    stream = _first_sector_of(data, "WordDocument")
    if stream is None or len(stream) < 12:
        return False
    ident, flags = struct.unpack_from("<H", stream, 0)[0], struct.unpack_from("<H", stream, 10)[0]
    return ident == _FIB_IDENT and bool(flags & _FIB_ENCRYPTED)


def _first_sector_of(data: bytes, stream_name: str) -> bytes | None:
    """The first sector of a named stream of an OLE compound file (enough for the FIB's header); None if absent."""
    if len(data) < 512:
        return None
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if not 7 <= shift <= 16:
        return None
    size = 1 << shift
    fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _END_OF_CHAIN]

    def sector(number: int) -> bytes:
        start = (number + 1) * size
        return data[start : start + size]

    fat: list[int] = []
    for number in fat_sectors:
        block = sector(number)
        fat.extend(struct.unpack(f"<{len(block) // 4}I", block[: len(block) // 4 * 4]))
    directory = struct.unpack_from("<I", data, 0x30)[0]
    wanted = stream_name.encode("utf-16-le")
    seen = set()
    while directory < _END_OF_CHAIN and directory not in seen and len(seen) < 10000:
        seen.add(directory)
        block = sector(directory)
        for offset in range(0, len(block) - 127, 128):
            entry = block[offset : offset + 128]
            length = struct.unpack_from("<H", entry, 64)[0]
            if entry[: max(length - 2, 0)] == wanted and entry[66] == 2:  # a stream entry
                start, stream_size = struct.unpack_from("<I", entry, 116)[0], struct.unpack_from("<I", entry, 120)[0]
                if stream_size < 4096:  # would live in the mini stream; a Word document never does
                    return None
                return sector(start)
        directory = fat[directory] if directory < len(fat) else _END_OF_CHAIN
    return None
