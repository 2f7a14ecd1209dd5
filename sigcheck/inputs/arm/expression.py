"""The ARM template expression language: recognising expression strings and parsing them.

A JSON string is an expression when it is wrapped in `[` … `]` and does not start with `[[`
(`"[[x]"` is the literal string `[x]`). Inside: function calls (`concat(a, b)`, `ns.fn(x)` for
user-defined functions), single-quoted strings (`''` is a quote), integers, `true`/`false`/`null`,
property access (`.name`) and index access (`[expr]`), with whitespace allowed between tokens.

Every offset — in AST nodes and in `ExpressionError` — is a 0-based character offset into the whole
JSON string value, counting the leading `[`, so a caller maps it to a file column by adding the
column of the string's first character (after JSON unescaping).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import NoReturn, Union

__all__ = [
    "MAX_DEPTH",
    "Call",
    "Expr",
    "ExpressionError",
    "Index",
    "Literal",
    "Member",
    "is_expression",
    "parse",
    "unescape_literal",
]

# Deeper nesting than this is refused with an ExpressionError: it keeps the recursive parser and
# evaluator far from Python's recursion limit, and no real template comes close (Bicep output
# rarely nests beyond 20).
MAX_DEPTH = 256

# ARM numbers are 64-bit.
_INT_MIN = -(2**63)
_INT_MAX = 2**63 - 1

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_INTEGER = re.compile(r"-?[0-9]+")


def _digit(char: str) -> bool:
    """An ASCII digit: str.isdigit() also takes '²' and '٣', which no literal may start with."""
    return "0" <= char <= "9"
_WHITESPACE = re.compile(r"[ \t\r\n]*")
_KEYWORDS = {"true": True, "false": False, "null": None}


class ExpressionError(Exception):
    """A syntax error in an expression, at `offset` (0-based, counting the leading `[`)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at offset {offset})")
        self.message = message
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Literal:
    """A string, integer, boolean or null written in the expression."""

    value: str | int | bool | None
    offset: int


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; `name` is as written (ARM function names are case-insensitive)."""

    name: str
    args: tuple[Expr, ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Member:
    """`target.name`; `offset` is that of the `.`."""

    target: Expr
    name: str
    offset: int


@dataclass(frozen=True, slots=True)
class Index:
    """`target[index]`; `offset` is that of the `[`."""

    target: Expr
    index: Expr
    offset: int


Expr = Union[Literal, Call, Member, Index]


def is_expression(s: str) -> bool:
    """True when the JSON string value `s` is an ARM expression rather than a literal."""
    return len(s) >= 2 and s[0] == "[" and s[-1] == "]" and s[1] != "["


def unescape_literal(s: str) -> str:
    """The literal a non-expression JSON string stands for: `[[x]` means `[x]`."""
    if s.startswith("[[") and s.endswith("]"):
        return s[1:]
    return s


@functools.lru_cache(maxsize=4096)
def parse(s: str) -> Expr:
    """Parse an expression string (with its brackets) into an AST.

    Raises ExpressionError for anything ARM would reject as a language expression. Results are
    cached: templates repeat the same expressions many times, and the AST is immutable.
    """
    if not is_expression(s):
        raise ExpressionError("not an expression: it must start with '[' and end with ']'", 0)
    return _Parser(s).parse()


class _Parser:
    """Recursive descent over the text between the outer brackets; one frame per nesting level."""

    __slots__ = ("text", "pos", "end")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1
        self.end = len(text) - 1  # the closing ']' of the expression

    def parse(self) -> Expr:
        self._skip_whitespace()
        if self.pos == self.end:
            raise ExpressionError("empty expression", self.pos)
        node = self._expression(1)
        self._skip_whitespace()
        if self.pos != self.end:
            raise ExpressionError(self._unexpected("the end of the expression"), self.pos)
        return node

    def _expression(self, depth: int) -> Expr:
        if depth > MAX_DEPTH:
            raise ExpressionError(f"expression is nested more than {MAX_DEPTH} levels deep", self.pos)
        node = self._primary(depth)
        # A postfix chain deepens the AST (and the evaluator's recursion) just as nesting does.
        while True:
            self._skip_whitespace()
            char = self._peek()
            if char == ".":
                dot = self.pos
                self.pos += 1
                self._skip_whitespace()
                if _digit(self._peek()):
                    raise ExpressionError("floating-point literals are not supported (use json('1.5'))", dot)
                match = _IDENTIFIER.match(self.text, self.pos, self.end)
                if match is None:
                    raise ExpressionError(self._unexpected("a property name after '.'"), self.pos)
                self.pos = match.end()
                node = Member(node, match.group(), dot)
            elif char == "[":
                start = self.pos
                self.pos += 1
                self._skip_whitespace()
                if self.pos >= self.end:
                    self._unclosed_or_unexpected("[", start, "an index")
                if self._peek() == "]":
                    raise ExpressionError("expected an index expression inside '[]'", self.pos)
                index = self._expression(depth + 1)
                self._skip_whitespace()
                if self._peek() != "]":
                    self._unclosed_or_unexpected("[", start, "']'")
                self.pos += 1
                node = Index(node, index, start)
            else:
                return node
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(f"expression is nested more than {MAX_DEPTH} levels deep", self.pos)

    def _primary(self, depth: int) -> Expr:
        start = self.pos
        char = self._peek()
        if char == "'":
            return Literal(self._string(), start)
        if char == '"':
            raise ExpressionError("strings in expressions are quoted with single quotes", start)
        if _digit(char) or (char == "-" and _digit(self._peek(1))):
            return Literal(self._integer(), start)
        match = _IDENTIFIER.match(self.text, self.pos, self.end)
        if match is None:
            raise ExpressionError(self._unexpected("a function call or a value"), start)
        name = match.group()
        self.pos = match.end()
        # `ns.fn(` is one dotted name; anything else after an identifier is not a call.
        while True:
            self._skip_whitespace()
            if self._peek() != ".":
                break
            self.pos += 1
            self._skip_whitespace()
            part = _IDENTIFIER.match(self.text, self.pos, self.end)
            if part is None:
                raise ExpressionError(self._unexpected("a function name after '.'"), self.pos)
            name = f"{name}.{part.group()}"
            self.pos = part.end()
        if self._peek() == "(":
            return Call(name, self._arguments(depth), start)
        keyword = name.lower()
        if keyword in _KEYWORDS:
            return Literal(_KEYWORDS[keyword], start)
        raise ExpressionError(f"expected '(' after function name '{name}'", self.pos)

    def _arguments(self, depth: int) -> tuple[Expr, ...]:
        open_paren = self.pos
        self.pos += 1
        self._skip_whitespace()
        if self._peek() == ")":
            self.pos += 1
            return ()
        args: list[Expr] = []
        while True:
            if self.pos >= self.end:
                raise ExpressionError(f"'(' at offset {open_paren} is never closed", open_paren)
            if self._peek() in (",", ")"):
                raise ExpressionError("expected an argument", self.pos)
            args.append(self._expression(depth + 1))
            self._skip_whitespace()
            char = self._peek()
            if char == ",":
                self.pos += 1
                self._skip_whitespace()
            elif char == ")":
                self.pos += 1
                return tuple(args)
            else:
                self._unclosed_or_unexpected("(", open_paren, "',' or ')'")

    def _string(self) -> str:
        start = self.pos
        parts: list[str] = []
        pos = start + 1
        while True:
            quote = self.text.find("'", pos, self.end)
            if quote < 0:
                raise ExpressionError("unterminated string", start)
            parts.append(self.text[pos:quote])
            if quote + 1 < self.end and self.text[quote + 1] == "'":
                parts.append("'")
                pos = quote + 2
                continue
            self.pos = quote + 1
            return "".join(parts)

    def _integer(self) -> int:
        start = self.pos
        match = _INTEGER.match(self.text, self.pos, self.end)
        assert match is not None  # the caller saw a digit
        self.pos = match.end()
        if self._peek() == "." and _digit(self._peek(1)):
            raise ExpressionError("floating-point literals are not supported (use json('1.5'))", start)
        # A literal past 20 digits is out of range whatever it says; don't convert it (Python
        # refuses, or takes quadratic time on, thousands of digits).
        digits = match.group()
        value = int(digits) if len(digits.lstrip("0")) <= 20 else _INT_MAX + 1
        if not _INT_MIN <= value <= _INT_MAX:
            raise ExpressionError("integer literal out of the 64-bit range", start)
        return value

    def _skip_whitespace(self) -> None:
        self.pos = _WHITESPACE.match(self.text, self.pos, self.end).end()  # type: ignore[union-attr]

    def _peek(self, ahead: int = 0) -> str:
        at = self.pos + ahead
        return self.text[at] if at < self.end else ""

    def _unexpected(self, expected: str) -> str:
        if self.pos >= self.end:
            return f"expected {expected}, found the end of the expression"
        return f"expected {expected}, found '{self.text[self.pos]}'"

    def _unclosed_or_unexpected(self, opener: str, opened_at: int, expected: str) -> NoReturn:
        # At the end of the text the real mistake is the bracket left open, so point there.
        if self.pos >= self.end:
            raise ExpressionError(f"'{opener}' at offset {opened_at} is never closed", opened_at)
        raise ExpressionError(self._unexpected(expected), self.pos)
