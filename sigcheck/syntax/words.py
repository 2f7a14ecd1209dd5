"""Building located bodies from things that are not JSON: command-line words, URL segments,
hashtables. Every value node keeps the span of the token the user wrote, so the shared body
mapping (`normalize.body.build`) and every rule see a script exactly as they see a template.

`Word` is a resolved shell/PowerShell word: its text after quotes, escapes and variables, with
the file offsets each character came from, so a part of a word (`westus=2=Standard_ZRS` → `2`)
has its own span. Characters that cannot be known statically are `UNK`.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from sigcheck.syntax.jsonc import JsonSyntaxError, Node, parse
from sigcheck.syntax.text import LineIndex
from sigcheck.syntax.located import UNKNOWN, Span

UNK = "\ue000"  # a character whose value is not known statically


class Word:
    """A resolved word with per-character source offsets (start, end) and origins."""

    __slots__ = ("text", "starts", "ends", "origins", "token_start", "token_end", "index", "split_ok")

    def __init__(
        self,
        text: str,
        starts: list[int],
        ends: list[int],
        origins: list[str | None],
        token_start: int,
        token_end: int,
        index: LineIndex,
        split_ok: list[bool] | None = None,
    ) -> None:
        self.text = text
        self.starts = starts
        self.ends = ends
        self.origins = origins
        self.token_start = token_start
        self.token_end = token_end
        self.index = index
        # Per character: True when it came from an unquoted expansion (subject to word splitting).
        self.split_ok = split_ok

    @classmethod
    def literal(cls, text: str, start: int, index: LineIndex) -> Word:
        """A word written literally at `start` (one source character per character)."""
        n = len(text)
        return cls(text, list(range(start, start + n)), list(range(start + 1, start + n + 1)), [None] * n, start, start + n, index)

    @classmethod
    def unknown(cls, start: int, end: int, index: LineIndex, origin: str | None = None) -> Word:
        return cls(UNK, [start], [end], [origin], start, end, index)

    # -- what it says ------------------------------------------------------------------
    @property
    def known(self) -> bool:
        return UNK not in self.text

    @property
    def value(self) -> Any:
        return self.text if UNK not in self.text else UNKNOWN

    @property
    def span(self) -> Span:
        return self.index.span(self.token_start, self.token_end)

    @property
    def origin(self) -> str | None:
        for origin in self.origins:
            if origin:
                return origin
        return None

    def __repr__(self) -> str:
        return f"Word({self.text!r} @ {self.span!r})"

    # -- parts ---------------------------------------------------------------------------
    def slice(self, a: int, b: int | None = None) -> Word:
        b = len(self.text) if b is None else b
        if a >= b:
            # An empty part: point just after the preceding character (or at the word start).
            at = self.ends[a - 1] if 0 < a <= len(self.ends) else (self.starts[a] if a < len(self.starts) else self.token_start)
            return Word("", [], [], [], at, at, self.index)
        starts = self.starts[a:b]
        ends = self.ends[a:b]
        return Word(
            self.text[a:b], starts, ends, self.origins[a:b], min(starts), max(ends), self.index,
            self.split_ok[a:b] if self.split_ok is not None else None,
        )

    def split(self, sep: str, maxsplit: int = -1) -> list[Word]:
        """Like str.split(sep, maxsplit), keeping positions."""
        out = []
        start = 0
        count = 0
        while maxsplit < 0 or count < maxsplit:
            at = self.text.find(sep, start)
            if at < 0:
                break
            out.append(self.slice(start, at))
            start = at + len(sep)
            count += 1
        out.append(self.slice(start))
        return out

    def split_whitespace(self, only_expanded: bool = False) -> list[Word]:
        """Like str.split() (or shell word splitting of expanded characters only)."""
        out = []
        start = None
        for i, ch in enumerate(self.text):
            splits = ch.isspace() and (not only_expanded or (self.split_ok is not None and self.split_ok[i]))
            if splits:
                if start is not None:
                    out.append(self.slice(start, i))
                    start = None
            elif start is None:
                start = i
        if start is not None:
            out.append(self.slice(start))
        return out

    def node(self, value: Any = None, origin: str | None = None) -> Node:
        """A scalar body node for this word: its value (or `value`), at its span."""
        return Node(self.value if value is None else value, self.span, None, origin or self.origin)


def concat(words: list[Word], index: LineIndex) -> Word:
    text = "".join(w.text for w in words)
    starts = [s for w in words for s in w.starts]
    ends = [e for w in words for e in w.ends]
    origins = [o for w in words for o in w.origins]
    split_ok = [s for w in words for s in (w.split_ok or [False] * len(w.text))]
    token_start = min((w.token_start for w in words), default=0)
    token_end = max((w.token_end for w in words), default=0)
    return Word(text, starts, ends, origins, token_start, token_end, index, split_ok)


# -- located bodies ----------------------------------------------------------------------

def obj(span: Span, origin: str | None = None) -> Node:
    return Node({}, span, {}, origin)


def arr(span: Span, items: Iterable[Node] = ()) -> Node:
    return Node(list(items), span)


def scalar(value: Any, span: Span, origin: str | None = None) -> Node:
    return Node(value, span, None, origin)


class Body:
    """A located body assembled member by member: `set("properties.osType", node, key_span)`."""

    def __init__(self, span: Span) -> None:
        self.root = obj(span)
        self.span = span

    def set(self, dotted: str, value: Node, key_span: Span | None = None) -> Node:
        parent = self.root
        keys = dotted.split(".")
        for key in keys[:-1]:
            found = parent.value.get(key)
            if found is None or not found.is_object:
                found = put(parent, key, obj(key_span or value.span), key_span or value.span)
            parent = found
        return put(parent, keys[-1], value, key_span)

    def get(self, dotted: str) -> Node | None:
        node: Node | None = self.root
        for key in dotted.split("."):
            if node is None or not node.is_object:
                return None
            node = node.value.get(key)
        return node


def put(node: Node, key: str, value: Node, key_span: Span | None = None) -> Node:
    """Set member `key` of the object node `node`."""
    if node.key_spans is None:
        raise TypeError("put() needs an object node")
    node.value[key] = value
    node.key_spans[key] = key_span or value.span
    return value


# -- JSON embedded in another file ------------------------------------------------------

_HOLE = "\ue001"  # stands for an unknown character inside a JSON string while parsing


def parse_json_mapped(
    text: str,
    index: LineIndex,
    to_file: Callable[[int], tuple[int, int]],
    on_scalar: Callable[[Node, int, int], None] | None = None,
) -> tuple[Node | None, JsonSyntaxError | None, list[tuple[Span, str]]]:
    """Parse JSON text that sits inside another file, returning nodes whose spans point into it.

    `to_file(i)` gives the (start, end) file offsets of character i of `text`; `on_scalar(node, a, b)`
    sees every scalar node with its range [a, b) in `text` before it is moved.
    Returns the root, the syntax error (re-located) if any, and the comments (re-located).
    """
    starts = LineIndex("", text)._starts  # noqa: SLF001 - line starts of the embedded text
    n = len(text)

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    def remap(span: Span) -> Span:
        if n == 0:
            at = to_file(0)[0]
            return index.span(at, at)
        a = offset(span.line, span.column)
        b = offset(span.end_line, span.end_column)
        a_file = to_file(a)[0] if a < n else to_file(n - 1)[1]
        b_file = to_file(min(b, n) - 1)[1] if b > a else a_file
        return index.span(a_file, max(a_file, b_file))

    try:
        doc = parse(text, index.path)
    except JsonSyntaxError as exc:
        return None, JsonSyntaxError(exc.message, remap(exc.span)), []
    comments = [(remap(span), body) for span, body in doc.comments]
    if doc.root is None:
        return None, None, comments
    stack = [doc.root]
    while stack:
        node = stack.pop()
        if node.key_spans is not None:
            for key in list(node.key_spans):
                node.key_spans[key] = remap(node.key_spans[key])
            stack.extend(node.value.values())
        elif isinstance(node.value, list):
            stack.extend(node.value)
        elif on_scalar is not None:
            on_scalar(node, offset(node.span.line, node.span.column), offset(node.span.end_line, node.span.end_column))
        node.span = remap(node.span)
    return doc.root, None, comments


def parse_json_word(word: Word) -> tuple[Node | None, JsonSyntaxError | None, list[tuple[Span, str]]]:
    """Parse the JSON text of a word (an `az rest --body '…'`, a here-string, an `.http` body
    after `{{variable}}` substitution). Unknown characters (unresolved variables) make the value
    they fall in unknown: inside a string they are kept as a placeholder, outside one they parse
    as a number that is then marked unknown."""
    text = word.text
    unknown_at: set[int] = set()
    if UNK in text:
        chars = list(text)
        in_string = False
        escaped = False
        for i, ch in enumerate(chars):
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
                elif ch == UNK:
                    chars[i] = _HOLE
            elif ch == '"':
                in_string = True
            elif ch == UNK:
                chars[i] = "0"
                unknown_at.add(i)
        text = "".join(chars)

    def to_file(i: int) -> tuple[int, int]:
        if 0 <= i < len(word.starts):
            return word.starts[i], word.ends[i]
        return word.token_end, word.token_end

    def on_scalar(node: Node, at: int, end: int) -> None:
        if node.origin is None:
            node.origin = next((o for o in word.origins[at:end] if o), None)
        if isinstance(node.value, str) and _HOLE in node.value:
            node.value = UNKNOWN
        elif at in unknown_at:
            node.value = UNKNOWN

    return parse_json_mapped(text, word.index, to_file, on_scalar)
