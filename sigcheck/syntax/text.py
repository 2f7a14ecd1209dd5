"""Turning a file's bytes into text, and offsets into line/column positions."""

from __future__ import annotations

import re

import codecs
from bisect import bisect_right

from sigcheck.syntax.located import Span

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


class DecodeError(Exception):
    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII-heavy text has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.6 and even < half * 0.1:
        return "utf-16-le"
    if even > half * 0.6 and odd < half * 0.1:
        return "utf-16-be"
    return None


def decode(data: bytes) -> str:
    """Decode a file the way editors do: BOM first, UTF-16 by shape, else strict UTF-8."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data[len(bom):], encoding)
    sniffed = _sniff_utf16(data)
    if sniffed:
        return _decode(data, sniffed)
    if b"\x00" in data[:8192]:
        raise DecodeError("binary file (contains NUL bytes), not text")
    return _decode(data, "utf-8")


def unify_line_breaks(text: str) -> str:
    """Lone carriage returns (classic Mac line ends, or mixed into a file) as line feeds.

    One character for one, so every offset stays where it was; every reader after this point
    (the JSON parser, tree-sitter, line indexes) then agrees with editors on where lines are.
    CRLF is left alone: every reader treats it as one line break already.
    """
    if "\r" not in text:
        return text
    return _LONE_CR.sub("\n", text)


_LONE_CR = re.compile(r"\r(?!\n)")


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(encoding, errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise DecodeError(f"not valid {encoding.upper()}: byte 0x{data[exc.start]:02x} cannot be decoded", line, column) from None


class LineIndex:
    """Maps character offsets in a text to 1-based line and column."""

    __slots__ = ("path", "first_line", "_starts")

    def __init__(self, path: str, text: str, first_line: int = 1) -> None:
        """`first_line` is the line of the file `text` starts at, for a part of a file (a
        Markdown code block) read on its own: its positions are still the file's."""
        self.path = path
        self.first_line = first_line
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self._starts, offset)
        return line + self.first_line - 1, offset - self._starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(self.path, line, column, end_line, end_column)
