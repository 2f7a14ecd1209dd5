"""Turning a file's bytes into text, and offsets into line/column positions."""

from __future__ import annotations

import re

import codecs
from array import array
from bisect import bisect_right
from itertools import accumulate
from typing import Sequence

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

# str.splitlines also breaks at \v, \f, \x1c-\x1e, \x85, \u2028 and \u2029, which editors, the
# language server protocol and every position sigcheck reports show inside a line.
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_EDITOR_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """`text.splitlines(keepends)` with only the editor's line breaks (LF, CRLF, a lone CR)."""
    if _OTHER_BREAKS.search(text) is None:
        return text.splitlines(keepends)
    lines: list[str] = _EDITOR_LINE.findall(text)
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `text[offset]` as an editor counts them (any line ends)."""
    return LineIndex("", text).position(offset)


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(encoding, errors="replace")
        line, column = line_and_column(before, len(before))
        raise DecodeError(f"not valid {encoding.upper()}: byte 0x{data[exc.start]:02x} cannot be decoded", line, column) from None


class LineIndex:
    """Maps character offsets in a text to 1-based line and column."""

    __slots__ = ("path", "first_line", "_text", "_starts_list")

    def __init__(self, path: str, text: str, first_line: int = 1) -> None:
        """`first_line` is the line of the file `text` starts at, for a part of a file (a
        Markdown code block) read on its own: its positions are still the file's."""
        self.path = path
        self.first_line = first_line
        self._text: str | None = text
        self._starts_list: array[int] | None = None

    @property
    def _starts(self) -> Sequence[int]:
        """The offset of each line's first character, found when a position is first asked for
        (line lengths summed up in C; kept as 32-bit integers, as files are read up to 32 MiB: a
        4 MB file has 100,000 lines)."""
        starts = self._starts_list
        if starts is None:
            text = self._text or ""
            if "\r" in text:  # a text no reader unified (lone CRs end lines too; one for one)
                text = unify_line_breaks(text)
            starts = array("i", accumulate(map((1).__add__, map(len, text.split("\n"))), initial=0))
            starts.pop()
            self._starts_list = starts
            self._text = None
        return starts

    def position(self, offset: int) -> tuple[int, int]:
        starts = self._starts
        line = bisect_right(starts, offset)
        return line + self.first_line - 1, offset - starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        """The span of text[start:end], its lines and columns worked out when first read: a
        parser makes one for every token, and only the few that end in a finding are read."""
        return offset_span(self, (start << 32) | end)

    def resolved(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(self.path, line, column, end_line, end_column)


# Offsets are packed into one integer, start << 32 | end (files are far below 4 GiB): one object
# where two would be, which a parser holding one per token can share with its nodes.
_LOW = (1 << 32) - 1


def packed(start: int, end: int) -> int:
    return (start << 32) | end


class OffsetSpan(Span):
    """A Span kept as offsets into its text until its line or column is read; then the lines
    and columns are worked out and kept."""

    __slots__ = ("_index", "_at", "_where")

    def __init__(self, index: LineIndex, at: int) -> None:  # noqa: D107 - no Span.__init__
        self._index = index
        self._at = at  # packed(start, end)
        self._where: tuple[int, int, int, int] | None = None

    def _resolve(self) -> tuple[int, int, int, int]:
        where = self._where
        if where is None:
            position = self._index.position
            at = self._at
            where = self._where = (*position(at >> 32), *position(at & _LOW))
        return where

    def start(self) -> tuple[int, int]:
        where = self._where
        if where is not None:
            return (where[0], where[1])
        return self._index.position(self._at >> 32)

    @property
    def path(self) -> str:  # type: ignore[override]
        return self._index.path

    @property
    def line(self) -> int:  # type: ignore[override]
        return (self._where or self._resolve())[0]

    @property
    def column(self) -> int:  # type: ignore[override]
        return (self._where or self._resolve())[1]

    @property
    def end_line(self) -> int:  # type: ignore[override]
        return (self._where or self._resolve())[2]

    @property
    def end_column(self) -> int:  # type: ignore[override]
        return (self._where or self._resolve())[3]

    def _plain(self) -> tuple[str, int, int, int, int]:
        return (self._index.path, *self._resolve())

    def __reduce__(self) -> tuple[type[Span], tuple[str, int, int, int, int]]:
        # Handed to another process or the cache as a plain Span, without the whole line index.
        return (Span, self._plain())

    def __copy__(self) -> Span:
        return Span(*self._plain())

    def __deepcopy__(self, memo: dict[int, object]) -> Span:
        return self.__copy__()


_new = object.__new__


def offset_span(index: LineIndex, at: int) -> OffsetSpan:
    """`OffsetSpan(index, at)`, made without Span.__new__ (a parser makes hundreds of thousands)."""
    span: OffsetSpan = _new(OffsetSpan)
    span._index = index
    span._at = at
    span._where = None
    return span
