"""The text readers on any bytes: a .txt or .md file is read, or refused with UnsupportedDocument naming the
file, never another exception; text in the encodings we accept (BOM, UTF-8, GB18030) reads back as written."""

import codecs

from hypothesis import example, given, settings
from hypothesis import strategies as st

from indexer.readers import read_bytes
from indexer.readers.base import decode_text
from policy_search.errors import UnsupportedDocument
from tests.properties import PROPERTY

NAMES = st.sampled_from(["通知.txt", "办法.md", "note.markdown"])
# what _refuse_binary lets through: no control characters (but line ends and tabs), no private or unassigned code points
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn")) | st.sampled_from("\n\t中华人民共和国第一条"), max_size=300)
BOM_ENCODINGS = {"utf-8-sig": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
                 "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}
# bytes that are nearly text: a BOM or a multi-byte lead byte in front of random bytes
NEAR_TEXT = st.builds(
    bytes.__add__,
    st.sampled_from([b"", *BOM_ENCODINGS.values(), b"\xe4\xb8", b"\x81\x30", b"\xff\xfe\x00"]),
    st.binary(max_size=400),
)


def read_or_refuse(name: str, data: bytes) -> None:
    try:
        read_bytes(name, data)
    except UnsupportedDocument as refused:
        assert refused.source == name and name in str(refused)


@given(NAMES, st.one_of(st.binary(max_size=2000), NEAR_TEXT))
@settings(PROPERTY, max_examples=400)
@example("a.txt", codecs.BOM_UTF16_LE + b"\x00\xd8")  # a lone surrogate after a UTF-16 mark
@example("a.txt", codecs.BOM_UTF32_LE + b"\x00\x00\x11\x00")  # past U+10FFFF
@example("a.md", b"\x00" * 10)
def test_any_bytes_are_read_or_refused_naming_the_file(name, data):
    read_or_refuse(name, data)


@given(NAMES, TEXT, st.sampled_from(["utf-8", "gb18030", *BOM_ENCODINGS]), st.data())
@settings(PROPERTY, max_examples=300)
def test_truncated_multibyte_text_is_read_or_refused(name, text, encoding, data):
    encoded = text.encode(encoding)
    cut = data.draw(st.integers(0, len(encoded)), label="cut")
    read_or_refuse(name, encoded[:cut])


@given(TEXT, st.sampled_from(["utf-8", *BOM_ENCODINGS]))
@settings(PROPERTY, max_examples=300)
def test_text_with_a_bom_or_in_utf8_reads_back_as_written(text, encoding):
    if encoding == "utf-8":  # a text that starts with U+FEFF starts with the UTF-8 mark, which is dropped
        data, expected = text.encode(encoding), text.removeprefix("\ufeff")
    else:
        data, expected = BOM_ENCODINGS[encoding] + text.encode(encoding.replace("-sig", "")), text
    assert decode_text("a.txt", data) == expected


@given(TEXT)
@settings(PROPERTY, max_examples=200)
def test_gb18030_text_that_is_not_utf8_reads_back_as_written(text):
    data = text.encode("gb18030")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        assert decode_text("a.txt", data) == data.decode("gb18030")
    else:  # bytes valid as both are read as UTF-8, the first encoding tried
        try:
            decoded = decode_text("a.txt", data)
        except UnsupportedDocument:
            return  # 呒 in GB18030 is a control character in UTF-8: refused as binary
        assert decoded == data.decode("utf-8")
