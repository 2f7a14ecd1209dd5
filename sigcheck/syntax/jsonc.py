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
from typing import Any, Callable, Iterator

from sigcheck.syntax.text import LineIndex, offset_span
from sigcheck.syntax.located import Span

# Real templates stay far below this (Bicep modules nest a few dozen levels); later stages recurse
# per level, so the limit keeps them within Python's recursion limit.
MAX_DEPTH = 256

# Whitespace is consumed in front of each token rather than as a token of its own: it is half
# of a formatted file's tokens.
_WS = re.compile(r"[ \t\r\n\ufeff]*")
_TOKEN = re.compile(
    r"""
    [ \t\r\n\ufeff]*
    (?:
    (?P<line_comment>//[^\r\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<number>-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<word>true|false|null)
  | (?P<punct>[{}\[\]:,])
    )
    """,
    re.VERBOSE | re.DOTALL,
)
_WORDS = {"true": True, "false": False, "null": None}
# Strings up to this length are shared within a parse (longer ones rarely repeat).
_SHARED_LENGTH = 64


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


_NODE_SPAN = Node.__dict__["span"]


class _Parsed(Node):
    """A node the parser made: its span is kept as packed offsets (sigcheck.syntax.text.packed)
    and made a Span when first read. A large template has hundreds of thousands of nodes and
    only those a model field or a finding reads ever need one."""

    __slots__ = ("_at", "_index")

    def __init__(self, value: Any, at: int, index: LineIndex, key_spans: dict[str, Span] | None = None) -> None:  # noqa: D107
        self.value = value
        self._at = at
        self._index = index
        self.key_spans = key_spans
        self.origin = None

    @property
    def span(self) -> Span:
        try:
            made: Span = _NODE_SPAN.__get__(self, Node)
        except AttributeError:
            at = self._at
            if at < 0:  # a container still being parsed: its opening bracket, not kept
                return offset_span(self._index, ((~at) << 32) | (~at + 1))
            made = offset_span(self._index, at)
            _NODE_SPAN.__set__(self, made)  # read once, kept: the model shares it
        return made

    @span.setter
    def span(self, span: Span) -> None:
        _NODE_SPAN.__set__(self, span)


class _KeySpans(dict):  # type: ignore[type-arg]
    """The spans of an object's keys, kept as packed offsets and made Spans when read. Holds
    Spans as well (set by a caller), which it hands back as they are."""

    __slots__ = ("_index",)

    def __init__(self, index: LineIndex) -> None:  # noqa: D107
        super().__init__()
        self._index = index

    def __getitem__(self, key: str) -> Span:
        at = dict.__getitem__(self, key)
        return offset_span(self._index, at) if type(at) is int else at

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def items(self) -> Iterator[tuple[str, Span]]:  # type: ignore[override]
        for key in dict.keys(self):
            yield key, self[key]

    def values(self) -> Iterator[Span]:  # type: ignore[override]
        for key in dict.keys(self):
            yield self[key]

    def copy(self) -> dict[str, Span]:
        return dict(self.items())

    def __reduce__(self) -> Any:
        return (dict, (list(self.items()),))


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

    def __init__(self, node: _Parsed, start: int) -> None:
        self.node = node
        self.start = start
        self.pending_key: str | None = None
        self.pending_key_span: int | None = None  # packed offsets
        # object: "key" | "colon" | "value" | "comma_or_end"; array: "value" | "comma_or_end"
        self.expect = "key" if node.key_spans is not None else "value"


def _describe(token: str) -> str:
    if not token:
        return "end of file"
    return f"'{token[:20]}'"


# Decides, as a container opens, whether its content may be read later (see Deferred): called
# with the keys and indexes leading to it and the containers around it (their content so far).
# False: parsed now; True (or ONE_LEVEL): read one level at a time when looked into; RELEASABLE:
# read whole when looked into (what lies within deferred by the same decision), and may be
# released and read again (Deferred.release).
DeferWhen = Callable[[tuple[str | int, ...], list["Node"]], int]
ONE_LEVEL = 1
RELEASABLE = 2


def parse(text: str, path: str, first_line: int = 1, defer: DeferWhen | None = None) -> JsonDocument:
    """Parse `text` (which starts at line `first_line` of the file); raises JsonSyntaxError
    with the span of the fault. Containers for which `defer` says so are only scanned (in C),
    and read into nodes when first looked into (see Deferred)."""
    index = LineIndex(path, text, first_line)
    doc = JsonDocument(root=None, index=index)
    # Most files are strict JSON: when the C scanner reads the whole file so, the nodes are made
    # without the checks only JSON with comments needs (a quarter of the parsing time).
    start = _WS.match(text).end()  # type: ignore[union-attr]  # it matches the empty string
    if text.startswith(("{", "["), start):
        stop = _scanned_end(text, start, len(text))
        if stop is not None and _WS.match(text, stop).end() == len(text):  # type: ignore[union-attr]
            doc.root = _parse_strict(text, index, start, stop, defer)
            return doc
    doc.root = _parse(text, index, doc, 0, len(text), defer)
    return doc


def _parse(text: str, index: LineIndex, doc: JsonDocument, pos: int, end: int, defer: DeferWhen | None) -> Node | None:
    """The value in text[pos:end]; comments and repeated keys go to `doc`."""
    root: Node | None = None
    stack: list[_Frame] = []
    match = _TOKEN.match
    # One object per distinct short string: a template repeats its keys ("type", "name",
    # "properties") and many values ("eastus", an API version) thousands of times.
    strings: dict[str, str] = {}
    shared = strings.setdefault
    set_key: Callable[[dict[str, Any], str, Any], None] = dict.__setitem__
    shared_around: list[Node] | None = None
    root_done = False

    def fail(message: str, start: int, stop: int | None = None) -> JsonSyntaxError:
        return JsonSyntaxError(message, index.span(start, stop if stop is not None else min(start + 1, end)))

    def attach(node: Node, start: int) -> None:
        nonlocal root_done, root
        if not stack:
            root = node
            root_done = True
            return
        frame = stack[-1]
        if frame.node.key_spans is not None:
            key = frame.pending_key
            assert key is not None and frame.pending_key_span is not None
            if key in frame.node.value:
                doc.duplicate_keys.append((_path(stack), frame.node.key_spans[key], offset_span(index, frame.pending_key_span)))
            frame.node.value[key] = node
            set_key(frame.node.key_spans, key, frame.pending_key_span)
        else:
            frame.node.value.append(node)
        frame.expect = "comma_or_end"

    while pos < end:
        m = match(text, pos)
        if m is None:
            pos = _WS.match(text, pos).end()  # type: ignore[union-attr]  # it matches the empty string
            if pos >= end:
                break
            bad = text[pos]
            if bad == '"':
                raise fail("unterminated string", pos, text.find("\n", pos) if "\n" in text[pos:] else end)
            if bad == "/" and text.startswith("/*", pos):
                raise fail("unterminated /* comment", pos, pos + 2)
            raise fail(f"unexpected character {bad!r}", pos)
        kind = m.lastgroup
        token = m.group(kind)  # type: ignore[arg-type]  # one alternative always matched
        start, pos = m.start(kind), m.end()  # type: ignore[arg-type]
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
                how = defer(_keys(stack), [f.node for f in stack]) if defer is not None and stack else 0
                if how:
                    stop = _scanned_end(text, start, end)
                    if stop is not None:
                        pos = stop
                        deferred = Deferred(text, index, start, stop, token == "{")
                        if how == RELEASABLE:
                            around: list[Node] = [f.node for f in stack]
                            if shared_around is not None and len(shared_around) == len(around) \
                                    and all(a is b for a, b in zip(shared_around, around)):
                                around = shared_around  # the siblings' (one list for a template's resources)
                            shared_around = around
                            deferred.releasable(defer, _keys(stack), around)  # type: ignore[arg-type]
                        attach(deferred, start)
                        continue
                # Open: ~start (negative) until the closing bracket gives its end.
                node = _Parsed({}, ~start, index, _KeySpans(index)) if token == "{" else _Parsed([], ~start, index)
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
                closed = frame.node
                closed._at = (frame.start << 32) | pos
                attach(closed, frame.start)
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
            if len(value) <= _SHARED_LENGTH:
                value = shared(value, value)
        elif kind == "number":
            value = _number(token)
        else:
            value = _WORDS[token]
        if expect == "key":
            if kind != "string":
                raise fail(f"expected a property name in double quotes, found {_describe(token)}", start, pos)
            frame.pending_key = value  # type: ignore[union-attr]
            frame.pending_key_span = (start << 32) | pos  # type: ignore[union-attr]  # text.packed
            frame.expect = "colon"  # type: ignore[union-attr]
            continue
        if expect != "value":
            raise fail(f"expected {_expectation(expect)}, found {_describe(token)}", start, pos)
        attach(_Parsed(value, (start << 32) | pos, index), start)  # text.packed, inlined

    if stack:
        frame = stack[-1]
        closer = "}" if frame.node.key_spans is not None else "]"
        raise JsonSyntaxError(
            f"unexpected end of file: '{closer}' expected to close the value opened at line "
            f"{frame.node.span.line}, column {frame.node.span.column}",
            index.span(end, end),
        )
    return root


# The tokens of JSON the C scanner has already read as strict JSON (see _scanned_end).
_STRICT = re.compile(
    r"""[ \t\r\n\ufeff]*(?:("(?:[^"\\\n]|\\.)*")|([{\[])|([}\]])|[,:]|(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null))""",
    re.DOTALL,
)


def _never(message: str, start: int, stop: int | None = None) -> JsonSyntaxError:
    raise AssertionError(message)  # the scanner read this text as valid JSON


def _parse_strict(text: str, index: LineIndex, start: int, end: int, defer: DeferWhen | None) -> Node:
    """The container in text[start:end], which the C scanner has read as strict JSON (no
    comment, trailing comma, repeated key, NaN, lone surrogate or huge number): the nodes
    `_parse` would make of it, made without checking what cannot be wrong."""
    match = _STRICT.match
    strings: dict[str, str] = {}
    shared = strings.setdefault
    set_key: Callable[[dict[str, Any], str, Any], None] = dict.__setitem__
    # [container, start offset, pending key (None: the next string of an object is a key), its offsets]
    stack: list[list[Any]] = []
    root: Node | None = None
    pos = start
    while pos < end:
        m = match(text, pos)
        assert m is not None
        group = m.lastindex
        pos = m.end()
        if group is None:
            continue  # ',' or ':'
        if group == 2:  # an opening bracket
            at = m.start(2)
            is_object = m.group(2) == "{"
            if len(stack) >= MAX_DEPTH:
                raise JsonSyntaxError(f"nesting deeper than {MAX_DEPTH} levels", index.span(at, pos))
            if stack and defer is not None:
                keys = tuple(f[2] if f[0].key_spans is not None else len(f[0].value) for f in stack)
                around = [f[0] for f in stack]
                how = defer(keys, around)
                stop = _FAST.raw_decode(text, at)[1] if how else None
                if stop is not None:
                    node: Node = Deferred(text, index, at, stop, is_object)
                    if how == RELEASABLE:
                        node.releasable(defer, keys, around)  # type: ignore[attr-defined]
                    pos = stop
                else:
                    stack.append([_Parsed({}, ~at, index, _KeySpans(index)) if is_object else _Parsed([], ~at, index), at, None, 0])
                    continue
            else:
                stack.append([_Parsed({}, ~at, index, _KeySpans(index)) if is_object else _Parsed([], ~at, index), at, None, 0])
                continue
        elif group == 3:  # a closing bracket
            frame = stack.pop()
            node = frame[0]
            node._at = (frame[1] << 32) | pos  # type: ignore[attr-defined]
        else:
            at = m.start(group)
            if group == 1:
                token = m.group(1)
                value: Any = token[1:-1] if "\\" not in token else _unescape(token, at, _never)
                if len(value) <= _SHARED_LENGTH:
                    value = shared(value, value)
                top = stack[-1]
                if top[2] is None and top[0].key_spans is not None:
                    top[2] = value
                    top[3] = (at << 32) | pos
                    continue
            elif group == 4:
                value = _number(m.group(4))
            else:
                value = _WORDS[m.group(5)]
            node = _Parsed(value, (at << 32) | pos, index)
        if not stack:
            root = node
            continue
        top = stack[-1]
        holder = top[0]
        if holder.key_spans is not None:
            holder.value[top[2]] = node
            set_key(holder.key_spans, top[2], top[3])
            top[2] = None
        else:
            holder.value.append(node)
    assert root is not None
    return root


def _keys(stack: list[_Frame]) -> tuple[str | int, ...]:
    """The keys and indexes leading to the value about to be attached."""
    return tuple(f.pending_key if f.node.key_spans is not None else len(f.node.value) for f in stack)  # type: ignore[misc]


class _Repeated(Exception):
    pass


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Repeated  # a repeated key is a finding: such a container is read in full
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON


def _int(token: str) -> int:
    if len(token) > 4000:
        raise ValueError(token)  # a LongNumber to this parser
    return int(token)


_SCANNER = json.JSONDecoder(object_pairs_hook=_no_repeats, parse_constant=_no_constant, parse_int=_int)
# An escaped lone surrogate, which the parser replaces (see _unescape).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


# Inside text already scanned whole (_parse_strict's), a container needs no checking again,
# only its end: found by the C decoder without the per-object hook of _SCANNER.
_FAST = json.JSONDecoder()


def _scanned_end(text: str, start: int, end: int) -> int | None:
    """The end of the strict-JSON container at `start` when the C scanner reads it as this
    parser would (no comment, trailing comma, repeated key, NaN, lone surrogate or huge
    number in it); None otherwise, and the container is parsed here instead."""
    try:
        _, stop = _SCANNER.raw_decode(text, start)
    except (ValueError, _Repeated, RecursionError):
        return None
    if stop > end:
        return None
    if text.find("\\u", start, stop) != -1 and _SURROGATE_ESCAPE.search(text, start, stop) is not None:
        return None
    return stop


def _members(keys: tuple[str | int, ...], around: list[Node]) -> int:
    return len(keys) == 1


class Deferred(Node):
    """A container whose content is read when first looked into. A template's size is mostly
    content no rule reads (unrelated resources, unread variables): those are only scanned by
    the C JSON decoder, which also proves them free of everything the parser reports, and
    `plain()` decodes them in C. Reading `value` or `key_spans` parses the container into
    nodes, with the same positions as if it had been parsed with the file."""

    __slots__ = ("_text", "_index", "_start", "_end", "_object", "_read", "_defer", "_keys", "_around")

    def __init__(self, text: str, index: LineIndex, start: int, end: int, is_object: bool) -> None:  # noqa: D107
        self._text = text
        self._index = index
        self._start = start
        self._end = end
        self._object = is_object
        self._read: Node | None = None
        # For a releasable container: how to defer what lies within it (see releasable).
        self._defer: DeferWhen | None = None
        self._keys: tuple[str | int, ...] = ()
        self._around: list[Node] = []
        self.span = index.span(start, end)
        self.origin = None

    def releasable(self, defer: DeferWhen, keys: tuple[str | int, ...], around: list[Node]) -> None:
        """Read whole when looked into, the parse's `defer` deciding beneath it as if the file
        were parsed at once (`keys` lead to this container, `around` are the containers around
        it); the text is kept, so that `release` may drop what was read."""

        self._defer = defer
        self._keys = keys
        self._around = around

    def _within(self, inner: tuple[str | int, ...], inside: list[Node]) -> int:
        assert self._defer is not None
        return self._defer(self._keys + inner, self._around + inside)

    def release(self) -> None:
        """Drop the nodes read from a releasable container (they are read again when next looked
        into): a large template's resources need not all be held at once."""
        if self._defer is not None:
            self._read = None

    def _node(self) -> Node:
        read = self._read
        if read is None:
            if self._defer is not None:
                read = _parse_strict(self._text, self._index, self._start, self._end, self._within)
            else:
                # One level at a time: the members' own containers are deferred in turn, so
                # looking up one variable of a large block reads the block's keys, not every value.
                read = _parse_strict(self._text, self._index, self._start, self._end, _members)
                self._text = ""  # the file's text is no longer needed by this node
            self._read = read
        return read

    def names(self) -> list[str]:
        """The member names of an object, without reading it into nodes when it was not."""
        if self._read is not None or not self._object:
            return [key for key, _ in self.items()]
        return list(json.loads(self._text[self._start:self._end]))

    def _changed(self) -> Node:
        self._defer = None  # changed in place: never released (the change would be lost)
        return self._node()

    @property
    def value(self) -> Any:
        return self._node().value

    @value.setter
    def value(self, value: Any) -> None:
        self._changed().value = value

    @property
    def key_spans(self) -> dict[str, Span] | None:
        return self._node().key_spans if self._object else None

    @key_spans.setter
    def key_spans(self, key_spans: dict[str, Span] | None) -> None:
        self._changed().key_spans = key_spans

    @property
    def is_object(self) -> bool:
        return self._object

    @property
    def is_array(self) -> bool:
        return not self._object

    # Straight to the nodes read (Node's versions would read them through the properties above).
    def get(self, key: str) -> Node | None:
        return self._node().get(key)

    def get_ci(self, key: str) -> Node | None:
        return self._node().get_ci(key)

    def items(self) -> Iterator[tuple[str, Node]]:
        return self._node().items()

    def plain(self) -> Any:
        if self._read is not None:
            return self._read.plain()
        return json.loads(self._text[self._start:self._end])


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
