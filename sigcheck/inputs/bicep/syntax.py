"""Bicep source to a syntax tree: a hand-written lexer and a Pratt parser.

Why not tree-sitter: `tree-sitter-bicep` 1.1.0 (the newest on PyPI) does not know user-defined
`type` declarations, `resourceInput<…>` types or `import {…} from 'br/…'`, and on a real
Azure Verified Module its error recovery drops every resource declaration (reference/tech-notes.md).
Bicep's grammar is small and stable, so a parser written here reads all of today's syntax, gives
exact spans (character offsets, mapped to line:column by LineIndex) and says what is wrong at the
first error.

Safety: the lexer keeps string interpolation in an explicit mode stack; the parser recurses only
on nesting written in the file, capped at MAX_NESTING, and every expression node records its
depth, capped at MAX_DEPTH, so the later tree walks (compile, evaluation) stay far from Python's
recursion limit. Exceeding a cap is a syntax error like any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Union

MAX_NESTING = 40  # brackets, parentheses, braces and interpolations inside each other
MAX_DEPTH = 120  # depth of an expression tree (long operator chains count)
MAX_INTERPOLATION = 16
MAX_ERRORS = 20
DECLARATION_KEYWORDS = frozenset({
    "param", "var", "resource", "module", "output", "func", "type", "import", "using", "targetScope",
    "metadata", "extension", "provider", "assert",
})


class BicepSyntaxError(Exception):
    def __init__(self, message: str, start: int, end: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end if end is not None else start + 1


# -- tokens --------------------------------------------------------------------------------------

@dataclass(slots=True)
class Token:
    kind: str  # ident, int, str, str_start, str_mid, str_end, nl, eof, or the punctuation itself
    value: object
    start: int
    end: int


_PUNCT3 = ("...",)
_PUNCT2 = ("=>", "==", "!=", "=~", "!~", "<=", ">=", "&&", "||", "??", "::")
_PUNCT1 = "{}[](),.:?=<>!+-*/%@|&"
_ESCAPES = {"\\": "\\", "'": "'", "n": "\n", "r": "\r", "t": "\t", "$": "$"}


def _describe(token: Token) -> str:
    if token.kind == "eof":
        return "the end of the file"
    if token.kind == "nl":
        return "a new line"
    if token.kind == "ident":
        return f"'{token.value}'"
    if token.kind == "int":
        return f"the number {token.value}"
    if token.kind.startswith("str"):
        return "a string"
    return f"'{token.kind}'"


def tokenize(text: str) -> tuple[list[Token], list[tuple[int, int, str]]]:
    """Tokens and comments ((start, end, text) with their `//` or `/*` marker)."""
    tokens: list[Token] = []
    comments: list[tuple[int, int, str]] = []
    # One entry per open interpolation: the brace depth inside it.
    modes: list[int] = []
    n = len(text)
    i = 0
    append = tokens.append

    def lex_string_body(pos: int, opening: int, first: bool) -> int:
        """Reads string content from `pos` up to the closing quote or `${`; returns the new position."""
        parts: list[str] = []
        while True:
            if pos >= n or text[pos] in "\r\n":
                raise BicepSyntaxError("unterminated string: a closing ' is missing on this line", opening, pos)
            ch = text[pos]
            if ch == "'":
                append(Token("str" if first else "str_end", "".join(parts), opening, pos + 1))
                return pos + 1
            if ch == "\\":
                nxt = text[pos + 1] if pos + 1 < n else ""
                if nxt in _ESCAPES:
                    parts.append(_ESCAPES[nxt])
                    pos += 2
                    continue
                if nxt == "u" and text.startswith("{", pos + 2):
                    close = text.find("}", pos + 3)
                    digits = text[pos + 3:close] if close != -1 else ""
                    try:
                        code = int(digits, 16) if re.fullmatch(r"[0-9A-Fa-f]{1,8}", digits) else -1
                        if 0xD800 <= code <= 0xDFFF:  # a lone surrogate is no character (nor UTF-8)
                            raise ValueError(digits)
                        parts.append(chr(code))
                    except (ValueError, OverflowError):
                        raise BicepSyntaxError("invalid \\u{…} escape in a string", pos, pos + 2) from None
                    pos = close + 1
                    continue
                raise BicepSyntaxError(f"unknown escape sequence '\\{nxt}' in a string", pos, pos + 2)
            if ch == "$" and text.startswith("{", pos + 1):
                if len(modes) >= MAX_INTERPOLATION:
                    raise BicepSyntaxError(f"string interpolations nested more than {MAX_INTERPOLATION} deep", pos)
                append(Token("str_start" if first else "str_mid", "".join(parts), opening, pos + 2))
                modes.append(0)
                return pos + 2
            parts.append(ch)
            pos += 1

    while i < n:
        ch = text[i]
        if ch in " \t\r\ufeff":
            i += 1
            continue
        if ch == "\n":
            if tokens and tokens[-1].kind != "nl":
                append(Token("nl", None, i, i + 1))
            i += 1
            continue
        if ch == "/" and text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end == -1 else end
            comments.append((i, end, text[i:end].rstrip("\r")))
            i = end
            continue
        if ch == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end == -1:
                raise BicepSyntaxError("unterminated comment: '*/' is missing", i, i + 2)
            comments.append((i, end + 2, text[i:end + 2]))
            i = end + 2
            continue
        if ch == "#" and (i == 0 or text[text.rfind("\n", 0, i) + 1:i].strip() == ""):
            end = text.find("\n", i)  # a pragma such as #disable-next-line
            i = n if end == -1 else end
            continue
        if ch == "'":
            if text.startswith("'''", i):
                end = text.find("'''", i + 3)
                if end == -1:
                    raise BicepSyntaxError("unterminated multi-line string: ''' is missing", i, i + 3)
                body = text[i + 3:end]
                if body.startswith("\r\n"):
                    body = body[2:]
                elif body.startswith("\n"):
                    body = body[1:]
                append(Token("str", body, i, end + 3))
                i = end + 3
                continue
            i = lex_string_body(i + 1, i, True)
            continue
        if "0" <= ch <= "9":  # str.isdigit() would take '²', which int() refuses
            j = i
            while j < n and "0" <= text[j] <= "9":
                j += 1
            digits = text[i:j].lstrip("0")
            # Bicep's integers are 64-bit (BCP010); `-9223372036854775808` is a minus before 2**63.
            if len(digits) > 19 or int(digits or "0") > 2 ** 63:
                raise BicepSyntaxError("expected a valid 64-bit signed integer", i, j)
            append(Token("int", int(digits or "0"), i, j))
            i = j
            continue
        if ch.isalpha() or ch == "_":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            append(Token("ident", text[i:j], i, j))
            i = j
            continue
        if ch == "}" and modes and modes[-1] == 0:
            modes.pop()
            opening = i
            i = lex_string_body(i + 1, opening, False)
            continue
        if text.startswith("...", i):
            append(Token("...", None, i, i + 3))
            i += 3
            continue
        two = text[i:i + 2]
        if two in _PUNCT2:
            append(Token(two, None, i, i + 2))
            i += 2
            continue
        if ch in _PUNCT1:
            if modes and ch == "{":
                modes[-1] += 1
            elif modes and ch == "}":
                modes[-1] -= 1
            append(Token(ch, None, i, i + 1))
            i += 1
            continue
        raise BicepSyntaxError(f"unexpected character {ch!r}", i)
    if modes:
        raise BicepSyntaxError("unterminated string interpolation: '}' is missing", n)
    append(Token("eof", None, n, n))
    return tokens, comments


# -- syntax tree ---------------------------------------------------------------------------------

class Expr:
    __slots__ = ("start", "end", "depth")

    def __init__(self, start: int, end: int, *children: Expr | None) -> None:
        self.start = start
        self.end = end
        self.depth: int = 1 + max((c.depth for c in children if c is not None), default=0)
        if self.depth > MAX_DEPTH:
            raise BicepSyntaxError(f"expression nested more than {MAX_DEPTH} levels deep", start, end)


class Str(Expr):
    __slots__ = ("parts",)

    def __init__(self, start: int, end: int, parts: list[Union[str, Expr]]) -> None:
        super().__init__(start, end, *[p for p in parts if isinstance(p, Expr)])
        self.parts = parts

    @property
    def literal(self) -> str | None:
        if all(isinstance(p, str) for p in self.parts):
            return "".join(p for p in self.parts if isinstance(p, str))
        return None


class Lit(Expr):
    """An integer, true, false or null."""

    __slots__ = ("value",)

    def __init__(self, start: int, end: int, value: object) -> None:
        super().__init__(start, end)
        self.value = value


class Ident(Expr):
    __slots__ = ("name",)

    def __init__(self, start: int, end: int, name: str) -> None:
        super().__init__(start, end)
        self.name = name


class Array(Expr):
    __slots__ = ("items",)

    def __init__(self, start: int, end: int, items: list[Expr]) -> None:
        super().__init__(start, end, *items)
        self.items = items


class Spread(Expr):
    __slots__ = ("value",)

    def __init__(self, start: int, end: int, value: Expr) -> None:
        super().__init__(start, end, value)
        self.value = value


@dataclass(slots=True)
class Prop:
    key: str
    key_start: int
    key_end: int
    value: Expr
    key_expr: Str | None = None  # an interpolated key


class Object(Expr):
    """`{ key: value … }`; nested resource declarations and spreads are kept apart."""

    __slots__ = ("props", "resources", "spreads")

    def __init__(self, start: int, end: int, props: list[Prop], resources: list[Resource], spreads: list[Spread]) -> None:
        super().__init__(start, end, *[p.value for p in props], *spreads)
        self.props = props
        self.resources = resources
        self.spreads = spreads

    def get(self, key: str) -> Prop | None:
        for prop in self.props:
            if prop.key.lower() == key.lower():
                return prop
        return None


class Unary(Expr):
    __slots__ = ("op", "operand")

    def __init__(self, start: int, end: int, op: str, operand: Expr) -> None:
        super().__init__(start, end, operand)
        self.op = op
        self.operand = operand


class Binary(Expr):
    __slots__ = ("op", "left", "right", "op_start")

    def __init__(self, op: str, left: Expr, right: Expr, op_start: int) -> None:
        super().__init__(left.start, right.end, left, right)
        self.op = op
        self.left = left
        self.right = right
        self.op_start = op_start


class Ternary(Expr):
    __slots__ = ("cond", "then", "other")

    def __init__(self, cond: Expr, then: Expr, other: Expr) -> None:
        super().__init__(cond.start, other.end, cond, then, other)
        self.cond = cond
        self.then = then
        self.other = other


class Call(Expr):
    """`f(…)`, `sys.f(…)`, `az.f(…)` or a method on a value (`stg.listKeys()`)."""

    __slots__ = ("callee", "args")

    def __init__(self, start: int, end: int, callee: Expr, args: list[Expr]) -> None:
        super().__init__(start, end, callee, *args)
        self.callee = callee
        self.args = args


class Member(Expr):
    __slots__ = ("obj", "name", "safe", "name_start")

    def __init__(self, obj: Expr, name: str, safe: bool, name_start: int, end: int) -> None:
        super().__init__(obj.start, end, obj)
        self.obj = obj
        self.name = name
        self.safe = safe
        self.name_start = name_start


class Index(Expr):
    __slots__ = ("obj", "index", "safe")

    def __init__(self, obj: Expr, index: Expr, safe: bool, end: int) -> None:
        super().__init__(obj.start, end, obj, index)
        self.obj = obj
        self.index = index
        self.safe = safe


class ChildRef(Expr):
    """`parent::child`."""

    __slots__ = ("obj", "name")

    def __init__(self, obj: Expr, name: str, end: int) -> None:
        super().__init__(obj.start, end, obj)
        self.obj = obj
        self.name = name


class NonNull(Expr):
    __slots__ = ("value",)

    def __init__(self, value: Expr, end: int) -> None:
        super().__init__(value.start, end, value)
        self.value = value


class Lambda(Expr):
    __slots__ = ("params", "body")

    def __init__(self, start: int, params: list[str], body: Expr) -> None:
        super().__init__(start, body.end, body)
        self.params = params
        self.body = body


class For(Expr):
    """`[for item in items: body]`, `[for (item, i) in …]`, with `if (cond)` before the body."""

    __slots__ = ("item", "index", "iterable", "condition", "body")

    def __init__(self, start: int, end: int, item: str | None, index: str | None, iterable: Expr,
                 condition: Expr | None, body: Expr) -> None:
        super().__init__(start, end, iterable, condition, body)
        self.item = item
        self.index = index
        self.iterable = iterable
        self.condition = condition
        self.body = body


class IfBody(Expr):
    """A conditional resource or module body: `if (cond) { … }`."""

    __slots__ = ("condition", "body")

    def __init__(self, start: int, condition: Expr, body: Expr) -> None:
        super().__init__(start, body.end, condition, body)
        self.condition = condition
        self.body = body


# -- declarations -----------------------------------------------------------------------------

@dataclass(slots=True)
class Decl:
    keyword: str  # param, var, resource, module, output, func, type, import, using, targetScope, metadata, extension
    name: str
    start: int
    end: int
    name_start: int
    name_end: int
    decorators: list[Expr] = field(default_factory=list)
    value: Expr | None = None  # default, value, body
    # resource: 'Type@version' / module: path / import & using: the path
    target: Str | None = None
    existing: bool = False
    nullable: bool = False  # param with a `?` type, or typed without a default
    type_text: str = ""  # param type as written, lower-cased when simple
    params: list[str] = field(default_factory=list)  # func parameters
    imports: list[tuple[str, str]] = field(default_factory=list)  # (name, alias); ('*', alias) for wildcard
    parent: Resource | None = None  # nested resource: the resource whose body holds it

    def has_decorator(self, name: str) -> bool:
        return any(decorator_name(d) == name for d in self.decorators)


Resource = Decl


def decorator_name(expr: Expr) -> str:
    callee = expr.callee if isinstance(expr, Call) else expr
    if isinstance(callee, Member):
        return callee.name.lower()
    return callee.name.lower() if isinstance(callee, Ident) else ""


@dataclass(slots=True)
class Program:
    decls: list[Decl]
    comments: list[tuple[int, int, str]]
    # Syntax errors met (the first is what the user is told); declarations after an error are
    # read again from the next line that starts a declaration.
    errors: list[BicepSyntaxError] = field(default_factory=list)


# -- parser ----------------------------------------------------------------------------------

_BINARY: dict[str, int] = {
    "??": 1,
    "||": 2,
    "&&": 3,
    "==": 4, "!=": 4, "=~": 4, "!~": 4,
    "<": 5, "<=": 5, ">": 5, ">=": 5,
    "+": 6, "-": 6,
    "*": 7, "/": 7, "%": 7,
}  # fmt: skip
# Operators that may start a continuation line (nothing else can start a statement or property).
_CONTINUES = {"?", "??", "&&", "||", "|"}


class Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens, self.comments = tokenize(text)
        self.pos = 0
        # '(' where newlines are insignificant, '{'/'['/'' where they separate items.
        self.contexts: list[str] = [""]

    # token access
    def _peek_pos(self, offset: int = 0) -> int:
        pos = self.pos
        skip = self.contexts[-1] == "("
        tokens = self.tokens
        while True:
            if skip and tokens[pos].kind == "nl":
                pos += 1
                continue
            if offset == 0 or tokens[pos].kind == "eof":
                return pos
            offset -= 1
            pos += 1

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[self._peek_pos(offset)]

    def next(self) -> Token:
        pos = self._peek_pos()
        self.pos = pos + 1 if self.tokens[pos].kind != "eof" else pos
        return self.tokens[pos]

    def at(self, kind: str, value: object = None) -> bool:
        token = self.peek()
        return token.kind == kind and (value is None or token.value == value)

    def at_word(self, word: str) -> bool:
        return self.at("ident", word)

    def expect(self, kind: str, what: str | None = None) -> Token:
        token = self.peek()
        if token.kind != kind:
            raise BicepSyntaxError(f"expected {what or repr(kind)}, found {_describe(token)}", token.start, token.end)
        return self.next()

    def skip_newlines(self) -> None:
        while self.tokens[self.pos].kind == "nl":
            self.pos += 1

    def fail(self, message: str) -> BicepSyntaxError:
        token = self.peek()
        return BicepSyntaxError(f"{message}, found {_describe(token)}", token.start, token.end)

    def enter(self, context: str) -> None:
        if len(self.contexts) > MAX_NESTING:
            token = self.peek()
            raise BicepSyntaxError(f"nested more than {MAX_NESTING} levels deep", token.start, token.end)
        self.contexts.append(context)

    def leave(self) -> None:
        self.contexts.pop()

    def end_of_statement(self) -> None:
        token = self.tokens[self.pos]
        if token.kind not in ("nl", "eof"):
            raise BicepSyntaxError(f"expected a new line after the declaration, found {_describe(token)}",
                                   token.start, token.end)

    # program
    def program(self) -> Program:
        decls: list[Decl] = []
        errors: list[BicepSyntaxError] = []
        self.skip_newlines()
        while not self.at("eof"):
            start = self.pos
            try:
                decl = self.declaration()
                self.end_of_statement()
                decls.append(decl)
            except BicepSyntaxError as exc:
                errors.append(exc)
                if len(errors) >= MAX_ERRORS:
                    break
                self.recover(start)
            self.skip_newlines()
        return Program(decls, self.comments, errors)

    def recover(self, start: int) -> None:
        """Resume at the next line after the failed declaration's first that starts, in column 1,
        with a declaration keyword or a decorator (a declaration is never indented)."""
        self.contexts = [""]
        tokens, text = self.tokens, self.text
        pos = start + 1
        while tokens[pos].kind != "eof":
            token = tokens[pos]
            at_line_start = token.start == 0 or text[token.start - 1] == "\n"
            if at_line_start and tokens[pos - 1].kind == "nl" and (
                    token.kind == "@" or (token.kind == "ident" and token.value in DECLARATION_KEYWORDS)):
                break
            pos += 1
        self.pos = pos

    def decorators(self) -> list[Expr]:
        out: list[Expr] = []
        while self.at("@"):
            self.next()
            out.append(self.postfix(self.primary()))
            if not self.at("nl"):
                raise self.fail("expected a new line after the decorator")
            self.skip_newlines()
        return out

    def declaration(self) -> Decl:
        decorators = self.decorators()
        token = self.peek()
        if token.kind != "ident":
            raise BicepSyntaxError(f"expected a declaration (param, var, resource, module, output, …), found {_describe(token)}",
                                   token.start, token.end)
        word = str(token.value)
        handler = getattr(self, f"decl_{word}", None)
        if handler is None:
            raise BicepSyntaxError(f"unknown declaration '{word}'", token.start, token.end)
        self.next()
        decl: Decl = handler(token)
        decl.decorators = decorators
        decl.end = self.tokens[self.pos - 1].end
        return decl

    def name(self, what: str) -> Token:
        return self.expect("ident", f"the {what}'s name")

    def _decl(self, keyword: str, token: Token, name: Token) -> Decl:
        return Decl(keyword, str(name.value), token.start, token.end, name.start, name.end)

    def decl_targetScope(self, token: Token) -> Decl:
        decl = Decl("targetScope", "targetScope", token.start, token.end, token.start, token.end)
        self.expect("=", "'='")
        decl.value = self.expression()
        return decl

    def decl_metadata(self, token: Token) -> Decl:
        decl = self._decl("metadata", token, self.name("metadata"))
        self.expect("=", "'='")
        decl.value = self.expression()
        return decl

    def decl_param(self, token: Token) -> Decl:
        name = self.name("parameter")
        decl = self._decl("param", token, name)
        if self.at("="):  # .bicepparam: param x = value
            self.next()
            decl.value = self.expression()
            return decl
        start = self.peek().start
        nullable = self.type_expression()
        decl.type_text = self.text_between(start)
        decl.nullable = nullable
        if self.at("="):
            self.next()
            decl.value = self.expression()
        elif self.at("{"):
            token = self.peek()
            raise BicepSyntaxError("a parameter block `param name type { … }` is the 2020 v0.1 syntax, which Bicep "
                                   "no longer accepts: write `param name type = default` and decorators", token.start, token.end)
        elif not self.at("nl") and not self.at("eof"):
            raise self.fail("expected '=' or a new line after the parameter type")
        return decl

    def decl_var(self, token: Token) -> Decl:
        decl = self._decl("var", token, self.name("variable"))
        if not self.at("="):  # typed variable: var x string = …
            self.type_expression()
        self.expect("=", "'='")
        decl.value = self.expression()
        return decl

    def decl_output(self, token: Token) -> Decl:
        decl = self._decl("output", token, self.name("output"))
        if self.at_word("resource"):
            self.next()
            self.expect("str", "a resource type string")
        else:
            self.type_expression()
        self.expect("=", "'='")
        decl.value = self.expression()
        return decl

    def decl_type(self, token: Token) -> Decl:
        decl = self._decl("type", token, self.name("type"))
        self.expect("=", "'='")
        self.type_expression()
        return decl

    def decl_func(self, token: Token) -> Decl:
        decl = self._decl("func", token, self.name("function"))
        self.expect("(", "'('")
        self.enter("(")
        while not self.at(")"):
            param = self.expect("ident", "a parameter name")
            decl.params.append(str(param.value))
            self.type_expression()
            if not self.at(")"):
                self.expect(",", "',' or ')'")
        self.next()
        self.leave()
        self.type_expression()
        self.expect("=>", "'=>'")
        self.skip_newlines()
        decl.value = self.expression()
        return decl

    def decl_import(self, token: Token) -> Decl:
        decl = Decl("import", "", token.start, token.end, token.start, token.end)
        if self.at("str"):  # legacy provider import: import 'az@1.0.0' [as x]
            decl.target = self.string()
            if self.at_word("with"):
                self.next()
                self.expression()
            if self.at_word("as"):
                self.next()
                self.expect("ident")
            return decl
        if self.at("*"):
            self.next()
            if not self.at_word("as"):
                raise self.fail("expected 'as' after 'import *'")
            self.next()
            alias = self.expect("ident", "a namespace name")
            decl.imports.append(("*", str(alias.value)))
        else:
            self.expect("{", "'{' or '*'")
            self.enter("(")
            while not self.at("}"):
                name = self.expect("ident", "an imported name")
                alias = name
                if self.at_word("as"):
                    self.next()
                    alias = self.expect("ident", "an alias")
                decl.imports.append((str(name.value), str(alias.value)))
                if self.at(","):  # or a new line, skipped here
                    self.next()
            self.next()
            self.leave()
        if not self.at_word("from"):
            raise self.fail("expected 'from'")
        self.next()
        decl.target = self.string()
        return decl

    def decl_using(self, token: Token) -> Decl:
        decl = Decl("using", "", token.start, token.end, token.start, token.end)
        if self.at_word("none"):
            self.next()
            return decl
        decl.target = self.string()
        return decl

    def decl_extension(self, token: Token) -> Decl:
        decl = Decl("extension", "", token.start, token.end, token.start, token.end)
        if self.at("str"):
            self.string()
        else:
            self.expect("ident", "an extension name")
        if self.at_word("with"):
            self.next()
            self.expression()
        if self.at_word("as"):
            self.next()
            self.expect("ident")
        return decl

    decl_provider = decl_extension

    def decl_assert(self, token: Token) -> Decl:
        decl = self._decl("assert", token, self.name("assertion"))
        self.expect("=", "'='")
        decl.value = self.expression()
        return decl

    def decl_resource(self, token: Token) -> Decl:
        decl = self._decl("resource", token, self.name("resource"))
        type_token = self.peek()
        if type_token.kind not in ("str", "str_start"):
            raise self.fail("expected the resource type string 'Type@apiVersion'")
        decl.target = self.string()
        if decl.target.literal is None:
            raise BicepSyntaxError("the resource type cannot be an interpolated string", decl.target.start, decl.target.end)
        if self.at_word("existing"):
            self.next()
            decl.existing = True
        self.expect("=", "'='")
        decl.value = self.declaration_body()
        return decl

    def decl_module(self, token: Token) -> Decl:
        decl = self._decl("module", token, self.name("module"))
        decl.target = self.string()
        self.expect("=", "'='")
        decl.value = self.declaration_body()
        return decl

    def declaration_body(self) -> Expr:
        token = self.peek()
        if token.kind == "ident" and token.value == "if":
            return self.if_body()
        if token.kind == "[":
            return self.array()
        if token.kind == "{":
            return self.object()
        raise self.fail("expected '{', 'if (…)' or '[for …]'")

    def if_body(self) -> IfBody:
        start = self.next().start
        self.expect("(", "'(' after 'if'")
        self.enter("(")
        condition = self.expression()
        self.expect(")", "')'")
        self.leave()
        body = self.object()
        return IfBody(start, condition, body)

    def string(self) -> Str:
        token = self.peek()
        if token.kind == "str":
            self.next()
            return Str(token.start, token.end, [str(token.value)])
        if token.kind != "str_start":
            raise self.fail("expected a string")
        return self.interpolated()

    def interpolated(self) -> Str:
        token = self.next()
        start = token.start
        parts: list[Union[str, Expr]] = [str(token.value)] if token.value else []
        self.enter("")
        while True:
            parts.append(self.expression())
            token = self.tokens[self.pos]
            if token.kind == "str_mid":
                self.pos += 1
                if token.value:
                    parts.append(str(token.value))
                continue
            if token.kind == "str_end":
                self.pos += 1
                if token.value:
                    parts.append(str(token.value))
                break
            raise BicepSyntaxError(f"expected '}}' to close the interpolation, found {_describe(token)}", token.start, token.end)
        self.leave()
        return Str(start, token.end, parts)

    def text_between(self, start: int) -> str:
        """The source from offset `start` to the end of the last token read."""
        end = self.tokens[self.pos - 1].end
        return self.text[start:end] if end > start else ""

    # types: read for their shape only (nullable or not); their content does not matter here
    def type_expression(self) -> bool:
        nullable = False
        self.continues("|")  # `type t =` followed by `| 'a'` lines
        while True:
            token = self.peek()
            if token.kind == "|":
                self.next()
                continue
            if token.kind == "ident":
                self.next()
                if self.at("<"):
                    self.skip_balanced("<", ">")
            elif token.kind in ("str", "str_start"):
                self.string()
            elif token.kind == "int":
                self.next()
            elif token.kind == "-":
                self.next()
                self.expect("int")
            elif token.kind in ("(", "{", "["):
                close = {"(": ")", "{": "}", "[": "]"}[token.kind]
                self.skip_balanced(token.kind, close)
            elif token.kind == "!":
                self.next()
                continue
            else:
                raise self.fail("expected a type")
            nullable = False
            while True:  # postfix: .prop, [], [*], [n], ?
                if self.at("."):
                    self.next()
                    self.expect("ident", "a property name")
                elif self.at("[") and self.peek().start == self.tokens[self.pos - 1].end:
                    self.skip_balanced("[", "]")
                elif self.at("?"):
                    self.next()
                    nullable = True
                else:
                    break
            if self.continues("|"):
                continue
            return nullable

    def skip_balanced(self, open_: str, close: str) -> None:
        start = self.next()
        depth = 1
        while depth:
            token = self.tokens[self.pos]
            if token.kind == "eof":
                raise BicepSyntaxError(f"missing '{close}' to close this '{open_}'", start.start, start.end)
            if token.kind == open_:
                depth += 1
                if depth > MAX_NESTING:
                    raise BicepSyntaxError(f"nested more than {MAX_NESTING} levels deep", token.start, token.end)
            elif token.kind == close:
                depth -= 1
            self.pos += 1

    # expressions
    def expression(self) -> Expr:
        if len(self.contexts) > MAX_NESTING:
            token = self.peek()
            raise BicepSyntaxError(f"nested more than {MAX_NESTING} levels deep", token.start, token.end)
        lam = self.try_lambda()
        if lam is not None:
            return lam
        cond = self.binary(1)
        if self.continues("?"):
            self.next()
            self.contexts.append(self.contexts[-1])
            then = self.expression()
            self.contexts.pop()
            if not self.continues(":"):
                raise self.fail("expected ':' in the conditional expression")
            self.next()
            other = self.expression()
            return Ternary(cond, then, other)
        return cond

    def continues(self, kind: str) -> bool:
        """Whether `kind` comes next, possibly on the next line (for operators that can only continue)."""
        if self.at(kind):
            return True
        if self.tokens[self.pos].kind != "nl":
            return False
        pos = self.pos
        while self.tokens[pos].kind == "nl":
            pos += 1
        if self.tokens[pos].kind == kind and (kind in _CONTINUES or kind == ":"):
            self.pos = pos
            return True
        return False

    def try_lambda(self) -> Lambda | None:
        token = self.peek()
        if token.kind == "ident" and self.peek(1).kind == "=>":
            self.next()
            self.next()
            self.skip_newlines()
            return Lambda(token.start, [str(token.value)], self.expression())
        if token.kind != "(":
            return None
        # (a, b) => …: look ahead without consuming
        pos = self._peek_pos()
        names: list[str] = []
        j = pos + 1
        while self.tokens[j].kind == "nl":
            j += 1
        if self.tokens[j].kind == ")":
            j += 1
        else:
            while True:
                while self.tokens[j].kind == "nl":
                    j += 1
                if self.tokens[j].kind != "ident":
                    return None
                names.append(str(self.tokens[j].value))
                j += 1
                while self.tokens[j].kind == "nl":
                    j += 1
                if self.tokens[j].kind == ",":
                    j += 1
                    continue
                if self.tokens[j].kind == ")":
                    j += 1
                    break
                return None
        if self.tokens[j].kind != "=>":
            return None
        self.pos = j + 1
        self.skip_newlines()
        return Lambda(token.start, names, self.expression())

    def binary(self, min_prec: int) -> Expr:
        left = self.unary()
        while True:
            token = self.peek()
            kind = token.kind
            if kind == "nl" and self.continues("??"):
                token, kind = self.peek(), "??"
            elif kind == "nl":
                pos = self.pos
                if self.continues("&&") or self.continues("||"):
                    token = self.peek()
                    kind = token.kind
                else:
                    self.pos = pos
            prec = _BINARY.get(kind)
            if prec is None or prec < min_prec:
                return left
            self.next()
            right = self.binary(prec + 1)
            left = Binary(kind, left, right, token.start)

    def unary(self) -> Expr:
        token = self.peek()
        if token.kind in ("!", "-", "+"):
            self.next()
            if len(self.contexts) > MAX_NESTING:
                raise BicepSyntaxError(f"nested more than {MAX_NESTING} levels deep", token.start, token.end)
            self.contexts.append(self.contexts[-1])
            operand = self.unary()
            self.contexts.pop()
            if token.kind == "-" and isinstance(operand, Lit) and isinstance(operand.value, int) and not isinstance(operand.value, bool):
                return Lit(token.start, operand.end, -operand.value)
            return Unary(token.start, operand.end, token.kind, operand)
        return self.postfix(self.primary())

    def postfix(self, expr: Expr) -> Expr:
        while True:
            token = self.tokens[self.pos] if self.contexts[-1] != "(" else self.peek()
            kind = token.kind
            if kind == ".":
                self.next()
                safe = False
                if self.at("?"):
                    self.next()
                    safe = True
                name = self.expect("ident", "a property name after '.'")
                if self.at("("):  # sys.f(…), az.f(…), resource.listKeys()
                    callee = Member(expr, str(name.value), safe, name.start, name.end)
                    expr = self.call(callee)
                else:
                    expr = Member(expr, str(name.value), safe, name.start, name.end)
            elif kind == "[":
                self.next()
                self.enter("(")
                safe = False
                if self.at("?"):
                    self.next()
                    safe = True
                index = self.expression()
                close = self.expect("]", "']'")
                self.leave()
                expr = Index(expr, index, safe, close.end)
            elif kind == "::":
                self.next()
                name = self.expect("ident", "a child resource name after '::'")
                expr = ChildRef(expr, str(name.value), name.end)
            elif kind == "!" and token.start == expr.end:
                self.next()
                expr = NonNull(expr, token.end)
            elif kind == "(" and isinstance(expr, Ident):
                expr = self.call(expr)
            else:
                return expr

    def call(self, callee: Expr) -> Call:
        self.expect("(")
        self.enter("(")
        args: list[Expr] = []
        while not self.at(")"):
            args.append(self.expression())
            if not self.at(")"):
                self.expect(",", "',' or ')'")
        close = self.next()
        self.leave()
        return Call(callee.start, close.end, callee, args)

    def primary(self) -> Expr:
        token = self.peek()
        kind = token.kind
        if kind == "int":
            self.next()
            return Lit(token.start, token.end, token.value)
        if kind in ("str", "str_start"):
            return self.string()
        if kind == "ident":
            self.next()
            word = token.value
            if word == "true" or word == "false":
                return Lit(token.start, token.end, word == "true")
            if word == "null":
                return Lit(token.start, token.end, None)
            return Ident(token.start, token.end, str(word))
        if kind == "(":
            self.next()
            self.enter("(")
            inner = self.expression()
            self.expect(")", "')'")
            self.leave()
            return inner
        if kind == "{":
            return self.object()
        if kind == "[":
            return self.array()
        raise BicepSyntaxError(f"unexpected {_describe(token)}: expected a value", token.start, token.end)

    def object(self) -> Object:
        open_ = self.expect("{", "'{'")
        self.enter("{")
        props: list[Prop] = []
        resources: list[Decl] = []
        spreads: list[Spread] = []
        self.skip_newlines()
        while not self.at("}"):
            token = self.peek()
            if token.kind == "eof":
                raise BicepSyntaxError("missing '}' to close this object", open_.start, open_.end)
            if token.kind == "@" or (token.kind == "ident" and token.value == "resource" and self.peek(1).kind == "ident"):
                decorators = self.decorators()
                start = self.expect("ident")
                if start.value != "resource":
                    raise BicepSyntaxError("only a nested resource can be decorated inside an object", start.start, start.end)
                nested = self.decl_resource(start)
                nested.decorators = decorators
                nested.end = self.tokens[self.pos - 1].end
                resources.append(nested)
            elif token.kind == "...":
                self.next()
                value = self.expression()
                spreads.append(Spread(token.start, value.end, value))
            else:
                if token.kind == "ident":
                    self.next()
                    key = str(token.value)
                elif token.kind == "str":
                    self.next()
                    key = str(token.value)
                elif token.kind == "str_start":
                    key_expr = self.interpolated()
                    self.expect(":", "':' after the property name")
                    value = self.expression()
                    props.append(Prop("", token.start, key_expr.end, value, key_expr))
                    if self.at(","):
                        self.next()
                    self.skip_newlines()
                    continue
                else:
                    raise BicepSyntaxError(f"expected a property name or '}}', found {_describe(token)}", token.start, token.end)
                self.expect(":", f"':' after the property name '{key}'")
                value = self.expression()
                props.append(Prop(key, token.start, token.end, value))
            if self.at(","):
                self.next()
            elif not self.at("nl") and not self.at("}"):
                token = self.peek()
                if token.kind == "eof":
                    raise BicepSyntaxError("missing '}' to close this object", open_.start, open_.end)
                raise self.fail("expected a new line or '}' after the property")
            self.skip_newlines()
        close = self.next()
        self.leave()
        return Object(open_.start, close.end, props, resources, spreads)

    def array(self) -> Expr:
        open_ = self.expect("[", "'['")
        self.enter("[")
        self.skip_newlines()
        if self.at_word("for"):
            loop = self.for_loop(open_)
            self.leave()
            return loop
        items: list[Expr] = []
        self.skip_newlines()
        while not self.at("]"):
            token = self.peek()
            if token.kind == "eof":
                raise BicepSyntaxError("missing ']' to close this array", open_.start, open_.end)
            if token.kind == "...":
                self.next()
                value = self.expression()
                items.append(Spread(token.start, value.end, value))
            else:
                items.append(self.expression())
            if self.at(","):
                self.next()
            elif not self.at("nl") and not self.at("]"):
                if self.at("eof"):
                    raise BicepSyntaxError("missing ']' to close this array", open_.start, open_.end)
                raise self.fail("expected a new line or ']' after the array item")
            self.skip_newlines()
        close = self.next()
        self.leave()
        return Array(open_.start, close.end, items)

    def for_loop(self, open_: Token) -> For:
        self.next()  # for
        self.contexts[-1] = "("
        item: str | None
        index: str | None = None
        if self.at("("):
            self.next()
            item = str(self.expect("ident", "the loop item's name").value)
            self.expect(",", "','")
            index = str(self.expect("ident", "the loop index's name").value)
            self.expect(")", "')'")
        else:
            item = str(self.expect("ident", "the loop item's name").value)
        if not self.at_word("in"):
            raise self.fail("expected 'in'")
        self.next()
        iterable = self.expression()
        self.expect(":", "':' after the loop's array")
        condition = None
        if self.at_word("if"):
            self.next()
            self.expect("(", "'(' after 'if'")
            condition = self.expression()
            self.expect(")", "')'")
        self.contexts[-1] = "["
        body = self.expression()
        self.skip_newlines()
        close = self.expect("]", "']' to close the loop")
        return For(open_.start, close.end, item, index, iterable, condition, body)


def parse(text: str) -> Program:
    """The declarations of a .bicep or .bicepparam file. A lexical error (an unterminated string or
    comment) raises BicepSyntaxError; a syntax error in a declaration is recorded in
    `Program.errors` and reading resumes at the next declaration."""
    parser = Parser(text)
    try:
        return parser.program()
    except RecursionError:  # the caps above should make this unreachable
        token = parser.tokens[min(parser.pos, len(parser.tokens) - 1)]
        raise BicepSyntaxError("nested too deeply to read", token.start, token.end) from None


def parse_strict(text: str) -> Program:
    """parse(), raising the first syntax error instead of recovering from it."""
    program = parse(text)
    if program.errors:
        raise program.errors[0]
    return program
