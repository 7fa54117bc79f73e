from __future__ import annotations

import codecs

import pytest

from indexer.pipeline import parse_files
from indexer.readers.base import decode_text
from policy_search.errors import UnsupportedDocument
from tests.conftest import LAW_TEXT

ENCODINGS = {
    "utf8": LAW_TEXT.encode("utf-8"),
    "utf8bom": codecs.BOM_UTF8 + LAW_TEXT.encode("utf-8"),
    "gb18030": LAW_TEXT.encode("gb18030"),
    "utf16": LAW_TEXT.encode("utf-16"),  # with BOM
    "crlf": LAW_TEXT.replace("\n", "\r\n").encode("utf-8"),
}


def test_every_encoding_gives_identical_ids_and_texts(tmp_path):
    results = []
    for name, data in ENCODINGS.items():
        folder = tmp_path / name
        folder.mkdir()
        path = folder / "示例保护法(2014-04-24).txt"
        path.write_bytes(data)
        result = parse_files([path])
        assert not result.failures, result.failures
        (doc,) = result.documents
        results.append((doc.meta.doc_id, [(c.clause_id, c.text) for c in doc.clauses]))
    assert all(r == results[0] for r in results)
    assert len(results[0][1]) == 6


def test_gbk_text_decodes_strictly():
    assert decode_text("a.txt", "生态环境局关于整改销号的通知".encode("gbk")) == "生态环境局关于整改销号的通知"


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"PK\x03\x04\x14\x00\x00\x00header" * 50, "binary"),
        (bytes(range(256)) * 20, "not valid"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfa", "byte-order mark"),
    ],
)
def test_undecodable_or_binary_bytes_are_refused_naming_the_file(data, reason):
    with pytest.raises(UnsupportedDocument) as error:
        decode_text("bad.txt", data)
    assert error.value.source == "bad.txt"
    assert reason in str(error.value)
