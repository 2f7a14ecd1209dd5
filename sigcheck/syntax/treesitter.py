"""Shared tree-sitter plumbing for the script loaders: lazy parsers, byte to character offsets,
syntax-error locations and an iterative walk.

tree-sitter (and its grammars) is imported only when a script is actually loaded: a run over one
ARM template never pays for it. Columns reported by tree-sitter are byte offsets into the UTF-8
encoding; sigcheck's spans count characters, so every offset goes through `Offsets`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Iterator

from sigcheck.syntax.text import split_lines


class TreeSitterMissing(Exception):
    """The parser libraries are not installed."""


@cache
def _parser(grammar: str) -> Any:
    try:
        import tree_sitter
    except ImportError as exc:  # pragma: no cover - a broken install
        raise TreeSitterMissing(f"tree-sitter is not installed ({exc})") from None
    try:
        module: Any
        if grammar == "bash":
            import tree_sitter_bash

            module = tree_sitter_bash
        elif grammar == "powershell":
            import tree_sitter_powershell

            module = tree_sitter_powershell
        else:  # pragma: no cover - programming error
            raise ValueError(grammar)
    except ImportError as exc:  # pragma: no cover - a broken install
        raise TreeSitterMissing(f"tree-sitter-{grammar} is not installed ({exc})") from None
    return tree_sitter.Parser(tree_sitter.Language(module.language()))


def parse(grammar: str, text: str) -> tuple[Any, Offsets]:
    """Parse `text` with the named grammar; the tree and the byte-to-character converter."""
    data = text.encode("utf-8", errors="surrogatepass")
    fed = bash_scanner_safe(text, data) if grammar == "bash" else data
    tree = _parser(grammar).parse(fed)
    return tree, Offsets(text, data)


# tree-sitter-bash's external scanner (every release up to 0.25.1, src/scanner.c, the brace
# range `{1..5}` look-ahead) passes the character after `{`, after `{digits` and after
# `{digits..digits` to C's isdigit(), whose table covers only -1..255: a character above U+00FF
# there reads up to 2 MB past the table and, as memory happens to lie, kills the process with a
# segmentation fault (upstream issue 337, an unreleased fix in pull request 348). Such a character
# is fed to the parser as letters of U+0080..U+00FF (the same number of bytes, so every byte offset
# still points into the real text, from which sigcheck reads every value).
_BRACE_LOOKAHEAD = re.compile(r"\{[0-9]*(?:\.\.[0-9]*)?([^\x00-\xff])")
_STAND_IN = {2: "é", 3: "ée", 4: "éé"}


def bash_scanner_safe(text: str, data: bytes) -> bytes:
    """`data`, the UTF-8 bytes of `text`, for tree-sitter-bash: a character above U+00FF that the
    scanner would hand to isdigit() replaced by a stand-in of the same byte length."""
    if len(data) == len(text):
        return data
    hits = list(_BRACE_LOOKAHEAD.finditer(text))
    if not hits:
        return data
    out = bytearray(data)
    char, byte = 0, 0
    for hit in hits:
        at = hit.start(1)
        byte += len(text[char:at].encode("utf-8", errors="surrogatepass"))
        char = at
        stand_in = _STAND_IN[len(hit.group(1).encode("utf-8", errors="surrogatepass"))].encode()
        out[byte:byte + len(stand_in)] = stand_in
    return bytes(out)


class Offsets:
    """Byte offsets of the UTF-8 encoding to character offsets of the text (identity for ASCII)."""

    __slots__ = ("text", "data", "_ascii", "_table")

    def __init__(self, text: str, data: bytes) -> None:
        self.text = text
        self.data = data
        self._ascii = len(data) == len(text)
        self._table: list[int] | None = None

    def char(self, byte_offset: int) -> int:
        if self._ascii:
            return byte_offset
        if self._table is None:
            table = []
            for index, ch in enumerate(self.text):
                width = len(ch.encode("utf-8", errors="surrogatepass"))
                table.extend([index] * width)
            table.append(len(self.text))
            self._table = table
        if byte_offset >= len(self._table):
            return len(self.text)
        return self._table[byte_offset]

    def start(self, node: Any) -> int:
        return self.char(node.start_byte)

    def end(self, node: Any) -> int:
        return self.char(node.end_byte)

    def node_text(self, node: Any) -> str:
        return self.text[self.start(node):self.end(node)]


def walk(root: Any) -> Iterator[Any]:
    """Every node below `root` in document order (pre-order), without recursion."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        children = node.children
        if children:
            stack.extend(reversed(children))


def first_error(node: Any) -> Any | None:
    """The first ERROR or MISSING node inside `node` (document order), or None."""
    if not node.has_error:
        return None
    for child in walk(node):
        if child.type == "ERROR" or child.is_missing:
            return child
    return node


def describe_error(node: Any, offsets: Offsets) -> str:
    if node.is_missing:
        return f"missing '{node.type}'"
    raw = offsets.node_text(node).lstrip()
    if raw[:1] in ("'", '"') and raw.count(raw[0]) % 2 == 1:
        return f"unterminated {raw[0]}-quoted string"
    text = split_lines(raw.strip())
    shown = text[0][:40] if text else ""
    return f"unexpected '{shown}'" if shown else "syntax error"


def error_span(bad: Any, offsets: Offsets) -> tuple[int, int, str]:
    """Where a syntax error node is and what it says (character offsets `start, end` and a
    message): a construct left open is reported where it was opened."""
    if bad.is_missing and bad.parent is not None:
        start = offsets.start(bad.parent)
        line_end = offsets.text.find("\n", start)
        end = line_end if line_end >= 0 else len(offsets.text)
        return start, max(start, end), f"'{bad.type}' expected to close what starts here"
    start, end = offsets.start(bad), offsets.end(bad)
    return start, max(start, end), describe_error(bad, offsets)
