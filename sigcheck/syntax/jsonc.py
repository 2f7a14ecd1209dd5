"""JSON with comments, decoded into nodes that know where they were written.

ARM accepts `//` and `/* */` comments and trailing commas, which the standard json module does
not, and no position-keeping JSON library in the field handles both (see tech notes), so this is
a small purpose-written parser. It is iterative, so nesting depth is bounded by MAX_DEPTH and not
by Python's recursion limit.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from sigcheck.syntax.text import LineIndex
from sigcheck.syntax.located import Span

# Real templates stay far below this (Bicep modules nest a few dozen levels); later stages recurse
# per level, so the limit keeps them within Python's recursion limit.
MAX_DEPTH = 256

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n\ufeff]+)
  | (?P<line_comment>//[^\r\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<word>true|false|null)
  | (?P<punct>[{}\[\]:,])
    """,
    re.VERBOSE | re.DOTALL,
)
_WORDS = {"true": True, "false": False, "null": None}


class Node:
    """A JSON value with its span. Objects map keys to nodes and remember each key's span."""

    __slots__ = ("value", "span", "key_spans", "origin")

    def __init__(
        self, value: Any, span: Span, key_spans: dict[str, Span] | None = None, origin: str | None = None
    ) -> None:
        self.value = value
        self.span = span
        self.key_spans = key_spans
        # Where an evaluated value came from ("default of parameter 'x'"); None for literals.
        self.origin = origin

    @property
    def is_object(self) -> bool:
        return self.key_spans is not None

    @property
    def is_array(self) -> bool:
        return isinstance(self.value, list)

    def get(self, key: str) -> Node | None:
        """The member `key` of an object node (exact key), or None."""
        if self.key_spans is None:
            return None
        found: Node | None = self.value.get(key)
        return found

    def get_ci(self, key: str) -> Node | None:
        """The member `key` compared case-insensitively, as ARM compares property names."""
        if self.key_spans is None:
            return None
        found: Node | None = self.value.get(key)
        if found is not None:
            return found
        lowered = key.lower()
        members: dict[str, Node] = self.value
        for name, node in members.items():
            if name.lower() == lowered:
                return node
        return None

    def items(self) -> Iterator[tuple[str, Node]]:
        if self.key_spans is not None:
            yield from self.value.items()

    def plain(self) -> Any:
        """The value as plain Python data, positions dropped."""
        if self.key_spans is not None:
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value

    def __repr__(self) -> str:
        return f"Node({self.plain()!r} @ {self.span!r})"


@dataclass
class JsonDocument:
    root: Node | None
    index: LineIndex
    comments: list[tuple[Span, str]] = field(default_factory=list)
    duplicate_keys: list[tuple[str, Span, Span]] = field(default_factory=list)


class JsonSyntaxError(Exception):
    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


class _Frame:
    __slots__ = ("node", "start", "pending_key", "pending_key_span", "expect")

    def __init__(self, node: Node, start: int) -> None:
        self.node = node
        self.start = start
        self.pending_key: str | None = None
        self.pending_key_span: Span | None = None
        # object: "key" | "colon" | "value" | "comma_or_end"; array: "value" | "comma_or_end"
        self.expect = "key" if node.key_spans is not None else "value"


def _describe(token: str) -> str:
    if not token:
        return "end of file"
    return f"'{token[:20]}'"


def parse(text: str, path: str, first_line: int = 1) -> JsonDocument:
    """Parse `text` (which starts at line `first_line` of the file); raises JsonSyntaxError
    with the span of the fault."""
    index = LineIndex(path, text, first_line)
    doc = JsonDocument(root=None, index=index)
    stack: list[_Frame] = []
    match = _TOKEN.match
    pos = 0
    end = len(text)
    root_done = False

    def fail(message: str, start: int, stop: int | None = None) -> JsonSyntaxError:
        return JsonSyntaxError(message, index.span(start, stop if stop is not None else min(start + 1, end)))

    def attach(node: Node, start: int) -> None:
        nonlocal root_done
        if not stack:
            doc.root = node
            root_done = True
            return
        frame = stack[-1]
        if frame.node.key_spans is not None:
            key = frame.pending_key
            assert key is not None and frame.pending_key_span is not None
            if key in frame.node.value:
                doc.duplicate_keys.append((_path(stack), frame.node.key_spans[key], frame.pending_key_span))
            frame.node.value[key] = node
            frame.node.key_spans[key] = frame.pending_key_span
        else:
            frame.node.value.append(node)
        frame.expect = "comma_or_end"

    while pos < end:
        m = match(text, pos)
        if m is None:
            bad = text[pos]
            if bad == '"':
                raise fail("unterminated string", pos, text.find("\n", pos) if "\n" in text[pos:] else end)
            if bad == "/" and text.startswith("/*", pos):
                raise fail("unterminated /* comment", pos, pos + 2)
            raise fail(f"unexpected character {bad!r}", pos)
        kind = m.lastgroup
        token = m.group()
        start, pos = pos, m.end()
        if kind == "ws":
            continue
        if kind in ("line_comment", "block_comment"):
            doc.comments.append((index.span(start, pos), token))
            continue
        if root_done:
            raise fail(f"unexpected {_describe(token)} after the end of the JSON value", start, pos)
        frame = stack[-1] if stack else None
        expect = frame.expect if frame else "value"

        if kind == "punct":
            if token in "{[":
                if expect != "value":
                    raise fail(f"expected {_expectation(expect)}, found {_describe(token)}", start, pos)
                if len(stack) >= MAX_DEPTH:
                    raise fail(f"nesting deeper than {MAX_DEPTH} levels", start, pos)
                node = Node({}, index.span(start, start + 1), {}) if token == "{" else Node([], index.span(start, start + 1))
                stack.append(_Frame(node, start))
                continue
            if token in "}]":
                if frame is None:
                    raise fail(f"unexpected {_describe(token)}", start, pos)
                is_object = frame.node.key_spans is not None
                if (token == "}") != is_object:
                    raise fail(f"expected {_expectation(expect)}, found {_describe(token)}", start, pos)
                if expect in ("colon",) or (expect == "value" and is_object):
                    raise fail(f"expected {_expectation(expect)}, found {_describe(token)}", start, pos)
                # A trailing comma is tolerated: ARM's JSON reader accepts it.
                stack.pop()
                frame.node.span = index.span(frame.start, pos)
                attach(frame.node, frame.start)
                continue
            if token == ":":
                if expect != "colon":
                    raise fail(f"expected {_expectation(expect)}, found ':'", start, pos)
                frame.expect = "value"  # type: ignore[union-attr]
                continue
            # comma
            if expect != "comma_or_end":
                raise fail(f"expected {_expectation(expect)}, found ','", start, pos)
            frame.expect = "key" if frame.node.key_spans is not None else "value"  # type: ignore[union-attr]
            continue

        # scalars
        if kind == "string":
            value: Any = token[1:-1] if "\\" not in token else _unescape(token, start, fail)
        elif kind == "number":
            value = _number(token)
        else:
            value = _WORDS[token]
        if expect == "key":
            if kind != "string":
                raise fail(f"expected a property name in double quotes, found {_describe(token)}", start, pos)
            frame.pending_key = value  # type: ignore[union-attr]
            frame.pending_key_span = index.span(start, pos)  # type: ignore[union-attr]
            frame.expect = "colon"  # type: ignore[union-attr]
            continue
        if expect != "value":
            raise fail(f"expected {_expectation(expect)}, found {_describe(token)}", start, pos)
        attach(Node(value, index.span(start, pos)), start)

    if stack:
        frame = stack[-1]
        closer = "}" if frame.node.key_spans is not None else "]"
        raise JsonSyntaxError(
            f"unexpected end of file: '{closer}' expected to close the value opened at line "
            f"{frame.node.span.line}, column {frame.node.span.column}",
            index.span(end, end),
        )
    return doc


def _path(stack: list[_Frame]) -> str:
    """The JSON path of the pending key of the innermost object (`resources[2].properties.x`)."""
    parts = []
    for frame in stack:
        if frame.node.key_spans is not None:
            parts.append(f".{frame.pending_key}")
        else:
            parts.append(f"[{len(frame.node.value)}]")
    return "".join(parts).lstrip(".")


def _expectation(expect: str) -> str:
    return {
        "key": "a property name in double quotes",
        "colon": "':'",
        "value": "a value",
        "comma_or_end": "',' or a closing bracket",
    }[expect]


def _unescape(token: str, start: int, fail: Any) -> str:
    try:
        value: str = json.loads(token)
    except json.JSONDecodeError as exc:
        raise fail(f"invalid escape in string: {exc.msg}", start + exc.pos, start + exc.pos + 2) from None
    if _SURROGATE.search(value):
        # "\ud800" escapes a lone surrogate: no text encoding can carry it on (not even the
        # report), so it becomes U+FFFD, as a UTF-8 decoder would make of it.
        value = _SURROGATE.sub("\ufffd", value)
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


class LongNumber(str):
    """An integer literal too long for Python to convert (over 4,300 digits): kept as its text,
    so that reading it neither fails nor takes quadratic time. No gallery value is that long."""

    __slots__ = ()


def _number(token: str) -> Any:
    if any(c in token for c in ".eE"):
        return float(token)
    if len(token) > 4000:
        return LongNumber(token)
    return int(token)
