"""Bytes to text as editors decode them, and character offsets to the line:column users see."""

from __future__ import annotations

import codecs

import pytest

from sigcheck.syntax.located import Span
from sigcheck.syntax.text import DecodeError, LineIndex, decode

TEXT = '{\n  "name": "Galería"\n}\n'


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
        TEXT.encode("utf-16-le"),  # no BOM: recognised by the NUL in every other byte
        TEXT.encode("utf-16-be"),
    ],
    ids=["utf-8", "utf-8 BOM", "utf-16-le BOM", "utf-16-be BOM", "utf-32-le BOM", "utf-16-le", "utf-16-be"],
)
def test_every_encoding_editors_write_decodes_to_the_same_text(data: bytes) -> None:
    assert decode(data) == TEXT


def test_invalid_utf8_is_an_error_at_the_line_and_column_of_the_bad_byte() -> None:
    with pytest.raises(DecodeError) as caught:
        decode(b'{\n  "name": "ab\xff"\n}\n')
    error = caught.value
    assert (error.line, error.column) == (2, 14)
    assert error.message == "not valid UTF-8: byte 0xff cannot be decoded"


def test_a_binary_file_is_an_error_at_its_start() -> None:
    with pytest.raises(DecodeError) as caught:
        decode(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00")
    assert (caught.value.line, caught.value.column) == (1, 1)
    assert "binary" in caught.value.message


def test_line_index_positions_count_characters_and_lines_from_one() -> None:
    index = LineIndex("t.json", TEXT)
    assert index.position(0) == (1, 1)
    assert index.position(TEXT.index('"name"')) == (2, 3)
    after_accent = TEXT.index('"', TEXT.index("Galer"))
    assert index.position(after_accent) == (2, 19)  # "í" is one column, not two bytes
    assert index.span(0, 4) == Span("t.json", 1, 1, 2, 3)


def test_a_point_span_starts_and_ends_in_one_place() -> None:
    assert Span.at("f.json") == Span("f.json", 1, 1, 1, 1)
    assert Span.at("f.json", 3, 7) == Span("f.json", 3, 7, 3, 7)
