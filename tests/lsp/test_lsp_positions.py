"""Spans (1-based lines, 1-based character columns, end exclusive) to LSP positions (0-based,
UTF-16 code units)."""

from __future__ import annotations

from sigcheck.syntax.located import Span
from sigcheck.lsp import lsp_range, utf16_character


def test_ascii_columns_shift_by_one() -> None:
    assert utf16_character("abc", 1) == 0
    assert utf16_character("abc", 4) == 3


def test_characters_outside_the_bmp_take_two_code_units() -> None:
    line = '"\U0001F600" "x"'
    assert utf16_character(line, line.index("x") + 1) == line.index("x") + 1
    assert utf16_character("é€x", 3) == 2  # BMP characters are one unit each


def test_range_of_a_span() -> None:
    lines = ['{', '  "name": "a-\U0001F600-b"', "}"]
    span = Span("f.json", 2, 12, 2, 17)  # a-😀-b inside the quotes
    assert lsp_range(lines, span) == ((1, 11), (1, 17))


def test_crlf_and_clamping() -> None:
    lines = ["ab\r", "cd"]
    assert lsp_range(lines, Span("f", 1, 1, 1, 9)) == ((0, 0), (0, 2))  # past the end: clamped, \r not counted
    assert lsp_range(lines, Span("f", 7, 1, 7, 1)) == ((1, 0), (1, 0))
    assert lsp_range([], Span("f", 1, 1, 1, 1)) == ((0, 0), (0, 0))
