"""HCL native syntax to a small located tree: bodies, attributes, blocks and expressions.

tree-sitter-hcl parses every HCL file of the corpus with exact positions (tech notes), and its
error recovery keeps the rest of a file readable. Its tree is converted once into the plain
classes below, so the evaluator never touches tree-sitter nodes and the grammar is imported only
when an HCL file is read. Conversion recurses per nesting level of an expression; levels past
`MAX_DEPTH` become an `Invalid` expression (evaluates to unknown) and one SIG001 finding, so a
hostile file cannot exhaust Python's stack.

Template literals are taken from the source text between interpolations rather than from the
grammar's `template_literal` tokens, which drop the whitespace of heredoc lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Iterator, Union

from sigcheck.syntax.located import Span
from sigcheck.syntax.text import LineIndex, split_lines
from sigcheck.syntax.treesitter import Offsets, TreeSitterMissing
from sigcheck.inputs.hcl.values import parse_number

MAX_DEPTH = 96  # nesting levels of one expression; real configurations stay below 20


# -- expressions ------------------------------------------------------------------------------


class Expr:
    """An HCL expression at `span`."""

    __slots__ = ("span",)

    def __init__(self, span: Span) -> None:
        self.span = span


class Literal(Expr):
    __slots__ = ("value",)

    def __init__(self, span: Span, value: Any) -> None:
        super().__init__(span)
        self.value = value  # str, int, float, bool or None


TemplatePart = Union[str, Expr]


class Template(Expr):
    """A quoted string or heredoc with interpolations and directives (`parts`)."""

    __slots__ = ("parts",)

    def __init__(self, span: Span, parts: list[TemplatePart]) -> None:
        super().__init__(span)
        self.parts = parts


class TemplateIf(Expr):
    __slots__ = ("condition", "then", "otherwise")

    def __init__(self, span: Span, condition: Expr, then: list[TemplatePart], otherwise: list[TemplatePart]) -> None:
        super().__init__(span)
        self.condition = condition
        self.then = then
        self.otherwise = otherwise


class TemplateFor(Expr):
    __slots__ = ("key_name", "value_name", "collection", "parts")

    def __init__(self, span: Span, key_name: str | None, value_name: str, collection: Expr, parts: list[TemplatePart]) -> None:
        super().__init__(span)
        self.key_name = key_name
        self.value_name = value_name
        self.collection = collection
        self.parts = parts


class Variable(Expr):
    __slots__ = ("name",)

    def __init__(self, span: Span, name: str) -> None:
        super().__init__(span)
        self.name = name


class GetAttr(Expr):
    __slots__ = ("target", "name")

    def __init__(self, span: Span, target: Expr, name: str) -> None:
        super().__init__(span)
        self.target = target
        self.name = name


class Index(Expr):
    __slots__ = ("target", "key")

    def __init__(self, span: Span, target: Expr, key: Expr) -> None:
        super().__init__(span)
        self.target = target
        self.key = key


class Splat(Expr):
    """`target[*].a.b` / `target.*.a`: `each` applied to every element (`Variable("")` stands
    for the element)."""

    __slots__ = ("target", "each")

    def __init__(self, span: Span, target: Expr, each: Expr) -> None:
        super().__init__(span)
        self.target = target
        self.each = each


class Call(Expr):
    __slots__ = ("name", "args", "expand", "name_span")

    def __init__(self, span: Span, name: str, args: list[Expr], expand: bool, name_span: Span) -> None:
        super().__init__(span)
        self.name = name
        self.args = args
        self.expand = expand  # the last argument was written `xs...`
        self.name_span = name_span


class Tuple(Expr):
    __slots__ = ("items",)

    def __init__(self, span: Span, items: list[Expr]) -> None:
        super().__init__(span)
        self.items = items


class Object(Expr):
    """`{ k = v }`; a bare identifier key is a `Literal` string, as HCL reads it."""

    __slots__ = ("items",)

    def __init__(self, span: Span, items: list[tuple[Expr, Expr]]) -> None:
        super().__init__(span)
        self.items = items


class For(Expr):
    __slots__ = ("key_name", "value_name", "collection", "key", "value", "condition", "group")

    def __init__(
        self, span: Span, key_name: str | None, value_name: str, collection: Expr,
        key: Expr | None, value: Expr, condition: Expr | None, group: bool,
    ) -> None:
        super().__init__(span)
        self.key_name = key_name
        self.value_name = value_name
        self.collection = collection
        self.key = key  # None for a tuple `[for …]`
        self.value = value
        self.condition = condition
        self.group = group


class Conditional(Expr):
    __slots__ = ("condition", "then", "otherwise")

    def __init__(self, span: Span, condition: Expr, then: Expr, otherwise: Expr) -> None:
        super().__init__(span)
        self.condition = condition
        self.then = then
        self.otherwise = otherwise


class Binary(Expr):
    __slots__ = ("op", "left", "right")

    def __init__(self, span: Span, op: str, left: Expr, right: Expr) -> None:
        super().__init__(span)
        self.op = op
        self.left = left
        self.right = right


class Unary(Expr):
    __slots__ = ("op", "operand")

    def __init__(self, span: Span, op: str, operand: Expr) -> None:
        super().__init__(span)
        self.op = op
        self.operand = operand


class Invalid(Expr):
    """Something that could not be read (a syntax error, nesting past MAX_DEPTH): unknown."""

    __slots__ = ()


# -- structure --------------------------------------------------------------------------------


@dataclass
class Attribute:
    name: str
    name_span: Span
    expr: Expr
    span: Span


@dataclass
class Block:
    type: str
    type_span: Span
    labels: list[tuple[str, Span]]
    body: Body
    span: Span
    path: str  # the file it was written in

    @property
    def header_span(self) -> Span:
        """From the block type to its last label: where a finding about the block points."""
        end = self.labels[-1][1] if self.labels else self.type_span
        return Span(self.type_span.path, self.type_span.line, self.type_span.column, end.end_line, end.end_column)


@dataclass
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    span: Span | None = None

    def attr(self, name: str) -> Attribute | None:
        return self.attributes.get(name)

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


@dataclass
class SyntaxProblem:
    span: Span
    message: str


@dataclass
class HclFile:
    path: str
    text: str
    body: Body
    index: LineIndex
    problems: list[SyntaxProblem] = field(default_factory=list)
    comments: list[tuple[Span, str]] = field(default_factory=list)

    @property
    def broken(self) -> bool:
        return bool(self.problems)


# -- parsing ----------------------------------------------------------------------------------


@cache
def _parser() -> Any:
    try:
        import tree_sitter
        import tree_sitter_hcl
    except ImportError as exc:  # pragma: no cover - a broken install
        raise TreeSitterMissing(f"tree-sitter-hcl is not installed ({exc})") from None
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


def parse(text: str, path: str) -> HclFile:
    """Parse HCL native syntax. Syntax errors are listed in `problems` (the first one is what a
    user needs); whatever parsed around them is still in `body`."""
    data = text.encode("utf-8", errors="surrogatepass")
    tree = _parser().parse(data)
    index = LineIndex(path, text)
    reader = _Reader(text, Offsets(text, data), index, path)
    root = tree.root_node
    body_node = next((c for c in root.children if c.type == "body"), None)
    body = reader.body(body_node) if body_node is not None else Body(span=index.span(0, 0))
    problems = reader.problems
    if root.has_error:
        problem = _first_syntax_error(root, reader)
        if problem is not None:
            problems.insert(0, problem)
    comments = [(index.span(reader.offsets.start(n), reader.offsets.end(n)), reader.offsets.node_text(n))
                for n in _comments(root)]
    return HclFile(path, text, body, index, problems, comments)


def _comments(root: Any) -> Iterator[Any]:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "comment":
            yield node
        elif node.child_count:
            stack.extend(reversed(node.children))


def _first_syntax_error(root: Any, reader: _Reader) -> SyntaxProblem | None:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_missing:
            return _missing(node, reader)
        if node.type == "ERROR":
            return _unexpected(node, reader)
        if node.has_error:
            stack.extend(reversed(node.children))
    return None


def _missing(node: Any, reader: _Reader) -> SyntaxProblem:
    """A token the parser had to invent: reported where the construct it would close opens."""
    parent = node.parent
    if parent is not None and parent.type in ("block_start", "block_end", "object_end", "tuple_end") and parent.parent is not None:
        parent = parent.parent
    at = reader.offsets.start(parent if parent is not None else node)
    line_end = reader.text.find("\n", at)
    end = line_end if line_end >= 0 else len(reader.text)
    span = reader.index.span(at, max(at, end))
    kind = node.type
    if kind == "quoted_template_end":
        message = "unterminated string: the closing '\"' is missing"
    elif kind == "heredoc_identifier":
        message = "unterminated heredoc: its closing marker line is missing"
    elif kind == "{":
        message = "'{' expected after this block header (an attribute is written `name = value`)"
    elif kind in ("}", ")", "]"):
        what = "block" if parent is not None and parent.type == "block" else "expression"
        message = f"'{kind}' expected to close the {what} that starts here"
    else:
        message = f"'{kind}' expected"
    return SyntaxProblem(span, f"HCL syntax error: {message}")


def _unexpected(node: Any, reader: _Reader) -> SyntaxProblem:
    """An ERROR node: the first token inside it that is not part of a well-formed construct,
    or, when the parser kept every child, the text right after them."""
    offsets = reader.offsets
    at = None
    for child in node.children:
        if child.end_byte == child.start_byte:
            continue
        if child.type == "ERROR" or not child.is_named or child.has_error:
            at = offsets.start(child)
            break
    if at is None:
        widths = [c for c in node.children if c.end_byte > c.start_byte]
        at = offsets.end(widths[-1]) if widths else offsets.start(node)
        while at < len(reader.text) and reader.text[at] in " \t\r\n":
            at += 1
    rest = split_lines(reader.text[at:].strip())
    if not rest:
        return SyntaxProblem(reader.index.span(at, at), "HCL syntax error: unexpected end of file (a block or string left open)")
    token = rest[0].split()[0] if rest[0].split() else rest[0]
    token = token[:40]
    span = reader.index.span(at, at + len(token))
    if token == "=":
        return SyntaxProblem(span, "HCL syntax error: a value is expected after '='")
    return SyntaxProblem(span, f"HCL syntax error: unexpected '{token}'")


_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))|\$\$\{|%%\{", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(raw: str, quoted: bool = True) -> str:
    """The value of a template literal: backslash escapes (quoted strings only), `$${`, `%%{`."""
    if "\\" not in raw and "$${" not in raw and "%%{" not in raw:
        return raw

    def one(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole == "$${":
            return "${"
        if whole == "%%{":
            return "%{"
        if not quoted:
            return whole
        if match.group(1) or match.group(2):
            try:
                return chr(int(match.group(1) or match.group(2), 16))
            except ValueError:
                return whole
        return _SIMPLE_ESCAPES.get(match.group(3), whole)

    return _ESCAPE.sub(one, raw)


_BINARY_OPS = {"+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"}


class _Reader:
    def __init__(self, text: str, offsets: Offsets, index: LineIndex, path: str) -> None:
        self.text = text
        self.offsets = offsets
        self.index = index
        self.path = path
        self.problems: list[SyntaxProblem] = []
        self._too_deep_reported = False

    def span(self, node: Any) -> Span:
        return self.index.span(self.offsets.start(node), self.offsets.end(node))

    def node_text(self, node: Any) -> str:
        return self.offsets.node_text(node)

    # -- structure: iterative over blocks, which real files nest a few levels deep --------
    def body(self, node: Any) -> Body:
        root = Body(span=self.span(node))
        stack: list[tuple[Any, Body]] = [(node, root)]
        while stack:
            current, out = stack.pop()
            for child in current.children:
                if child.type == "attribute":
                    attribute = self.attribute(child)
                    if attribute is not None:
                        out.attributes[attribute.name] = attribute
                elif child.type == "block":
                    block, inner = self.block_header(child)
                    if block is None:
                        continue
                    out.blocks.append(block)
                    if inner is not None:
                        stack.append((inner, block.body))
        return root

    def attribute(self, node: Any) -> Attribute | None:
        name_node = node.child(0)
        expr_node = next((c for c in node.children if c.type == "expression"), None)
        if name_node is None or name_node.type != "identifier":
            return None
        expr: Expr = self.expr(expr_node, 0) if expr_node is not None else Invalid(self.span(node))
        return Attribute(self.node_text(name_node), self.span(name_node), expr, self.span(node))

    def block_header(self, node: Any) -> tuple[Block | None, Any]:
        type_node = node.child(0)
        if type_node is None or type_node.type != "identifier":
            return None, None
        labels: list[tuple[str, Span]] = []
        inner = None
        for child in node.children[1:]:
            if child.type == "string_lit":
                raw = self.template_raw(child)
                labels.append((unescape(raw), self.span(child)))
            elif child.type == "identifier":
                labels.append((self.node_text(child), self.span(child)))
            elif child.type == "body":
                inner = child
        block = Block(self.node_text(type_node), self.span(type_node), labels,
                      Body(span=self.span(inner) if inner is not None else self.span(node)), self.span(node), self.path)
        return block, inner

    def template_raw(self, node: Any) -> str:
        """The raw text between the quotes of a string literal."""
        children = node.children
        if len(children) >= 2 and children[0].type == "quoted_template_start":
            start = self.offsets.end(children[0])
            end = self.offsets.start(children[-1]) if children[-1].type == "quoted_template_end" else self.offsets.end(node)
            return self.text[start:end]
        return self.node_text(node).strip('"')

    # -- expressions -----------------------------------------------------------------------
    def expr(self, node: Any, depth: int) -> Expr:
        span = self.span(node)
        if depth > MAX_DEPTH:
            if not self._too_deep_reported:
                self._too_deep_reported = True
                self.problems.append(SyntaxProblem(span, f"expression nested more than {MAX_DEPTH} levels deep; not evaluated"))
            return Invalid(span)
        kind = node.type
        depth += 1
        if kind == "expression":
            children = [c for c in node.children if c.type != "comment"]
            if not children:
                return Invalid(span)
            first = children[0]
            if first.type == "(":
                inner = next((c for c in children[1:] if c.type == "expression"), None)
                base = self.expr(inner, depth) if inner is not None else Invalid(span)
                rest = [c for c in children[1:] if c.type not in ("expression", ")")]
            else:
                base = self.expr(first, depth)
                rest = children[1:]
            return self.traversals(base, rest, depth)
        if kind == "literal_value":
            return self.literal(node.child(0), span, depth)
        if kind == "variable_expr":
            return Variable(span, self.node_text(node.child(0)))
        if kind in ("template_expr", "quoted_template", "heredoc_template"):
            target = node.child(0) if kind == "template_expr" else node
            if target.type == "heredoc_template":
                return Template(span, self.heredoc_parts(target, depth))
            return Template(span, self.quoted_parts(target, depth))
        if kind == "collection_value":
            return self.expr(node.child(0), depth)
        if kind == "tuple":
            return Tuple(span, [self.expr(c, depth) for c in node.children if c.type == "expression"])
        if kind == "object":
            items = []
            for elem in node.children:
                if elem.type != "object_elem":
                    continue
                parts = [c for c in elem.children if c.type == "expression"]
                if len(parts) != 2:
                    continue
                items.append((self.object_key(parts[0], depth), self.expr(parts[1], depth)))
            return Object(span, items)
        if kind == "function_call":
            name_node = node.child(0)
            args_node = next((c for c in node.children if c.type == "function_arguments"), None)
            args = [self.expr(c, depth) for c in args_node.children if c.type == "expression"] if args_node is not None else []
            expand = args_node is not None and any(c.type == "ellipsis" for c in args_node.children)
            return Call(span, self.node_text(name_node), args, expand, self.span(name_node))
        if kind == "for_expr":
            return self.for_expr(node.child(0), span, depth)
        if kind == "conditional":
            parts = [c for c in node.children if c.type == "expression"]
            if len(parts) != 3:
                return Invalid(span)
            return Conditional(span, *(self.expr(p, depth) for p in parts))
        if kind == "operation":
            return self.expr(node.child(0), depth)
        if kind == "binary_operation":
            # The grammar gives an operand's traversals as siblings of its first term
            # (`var.a == "x"`: variable_expr, get_attr, ==, literal_value), so each side is split
            # at the operator and read as a term with its traversals.
            children = [c for c in node.children if c.type != "comment"]
            at = next((i for i, c in enumerate(children) if not c.is_named and c.type in _BINARY_OPS), None)
            if at is None:
                return Invalid(span)
            left, right = self.operand(children[:at], span, depth), self.operand(children[at + 1:], span, depth)
            return Binary(span, children[at].type, left, right)
        if kind == "unary_operation":
            op = node.child(0).type
            return Unary(span, op, self.operand([c for c in node.children[1:] if c.type != "comment"], span, depth))
        return Invalid(span)

    def operand(self, nodes: list[Any], span: Span, depth: int) -> Expr:
        """An operator's operand: its first term and the traversals that follow it."""
        if nodes and nodes[0].type == "(":
            close = next((i for i, c in enumerate(nodes) if c.type == ")"), None)
            inner = next((c for c in nodes[1:close] if c.type == "expression"), None)
            if close is None or inner is None:
                return Invalid(span)
            return self.traversals(self.expr(inner, depth), nodes[close + 1:], depth)
        if not nodes or not nodes[0].is_named:
            return Invalid(span)
        return self.traversals(self.expr(nodes[0], depth), nodes[1:], depth)

    def literal(self, node: Any, span: Span, depth: int) -> Expr:
        kind = node.type
        if kind == "numeric_lit":
            number = parse_number(self.node_text(node))
            # A number past what sigcheck holds is unknown (values.MAX_DIGITS), never rounded.
            return Invalid(span) if number is None else Literal(span, number)
        if kind == "bool_lit":
            return Literal(span, self.node_text(node) == "true")
        if kind == "null_lit":
            return Literal(span, None)
        if kind == "string_lit":
            return Literal(span, unescape(self.template_raw(node)))
        return Invalid(span)

    def object_key(self, node: Any, depth: int) -> Expr:
        """A bare identifier as an object key is the string itself (`{ name = 1 }`)."""
        children = [c for c in node.children if c.type != "comment"]
        if len(children) == 1 and children[0].type == "variable_expr":
            return Literal(self.span(node), self.node_text(children[0]))
        return self.expr(node, depth)

    def traversals(self, base: Expr, rest: list[Any], depth: int) -> Expr:
        out = base
        for child in rest:
            span = Span(base.span.path, base.span.line, base.span.column, *self._end(child))
            if child.type == "get_attr":
                name = next((c for c in child.children if c.type == "identifier"), None)
                out = GetAttr(span, out, self.node_text(name) if name is not None else "")
            elif child.type == "index":
                inner = child.child(0)
                if inner.type == "legacy_index":
                    key_text = self.node_text(inner).lstrip(".")
                    out = Index(span, out, Literal(self.span(inner), int(key_text) if key_text.isascii() and key_text.isdigit() and len(key_text) <= 18 else key_text))
                else:
                    key = next((c for c in inner.children if c.type == "expression"), None)
                    out = Index(span, out, self.expr(key, depth) if key is not None else Invalid(span))
            elif child.type == "splat":
                inner = child.child(0)
                each: Expr = Variable(span, "")
                for op in inner.children:
                    op_span = Span(base.span.path, base.span.line, base.span.column, *self._end(op))
                    if op.type == "get_attr":
                        name = next((c for c in op.children if c.type == "identifier"), None)
                        each = GetAttr(op_span, each, self.node_text(name) if name is not None else "")
                    elif op.type == "index":
                        key = next((c for c in op.child(0).children if c.type == "expression"), None)
                        each = Index(op_span, each, self.expr(key, depth) if key is not None else Invalid(op_span))
                out = Splat(span, out, each)
        return out

    def _end(self, node: Any) -> tuple[int, int]:
        return self.index.position(self.offsets.end(node))

    def for_expr(self, node: Any, span: Span, depth: int) -> Expr:
        intro = next((c for c in node.children if c.type == "for_intro"), None)
        if intro is None:
            return Invalid(span)
        names = [self.node_text(c) for c in intro.children if c.type == "identifier"]
        coll_node = next((c for c in intro.children if c.type == "expression"), None)
        if not names or coll_node is None:
            return Invalid(span)
        key_name, value_name = (names[0], names[1]) if len(names) > 1 else (None, names[0])
        bodies = [c for c in node.children if c.type == "expression"]
        cond_node = next((c for c in node.children if c.type == "for_cond"), None)
        condition = None
        if cond_node is not None:
            inner = next((c for c in cond_node.children if c.type == "expression"), None)
            condition = self.expr(inner, depth) if inner is not None else None
        collection = self.expr(coll_node, depth)
        if node.type == "for_object_expr":
            if len(bodies) != 2:
                return Invalid(span)
            group = any(c.type == "ellipsis" for c in node.children)
            return For(span, key_name, value_name, collection, self.expr(bodies[0], depth), self.expr(bodies[1], depth), condition, group)
        if not bodies:
            return Invalid(span)
        return For(span, key_name, value_name, collection, None, self.expr(bodies[0], depth), condition, False)

    # -- templates ---------------------------------------------------------------------------
    def quoted_parts(self, node: Any, depth: int) -> list[TemplatePart]:
        children = node.children
        start = self.offsets.end(children[0]) if children and children[0].type == "quoted_template_start" else self.offsets.start(node)
        end = self.offsets.start(children[-1]) if children and children[-1].type == "quoted_template_end" else self.offsets.end(node)
        inner = [c for c in children if c.type in ("template_interpolation", "template_directive")]
        return self.parts_between(start, end, inner, depth, quoted=True)

    def heredoc_parts(self, node: Any, depth: int) -> list[TemplatePart]:
        children = node.children
        idents = [c for c in children if c.type == "heredoc_identifier"]
        if len(idents) < 2:
            return []
        start = self.text.find("\n", self.offsets.end(idents[0]))
        start = start + 1 if start >= 0 else self.offsets.end(idents[0])
        end = self.text.rfind("\n", 0, self.offsets.start(idents[-1]))
        end = end + 1 if end >= start else start
        inner = [c for c in children if c.type in ("template_interpolation", "template_directive")]
        parts = self.parts_between(start, end, inner, depth, quoted=False)
        strip = any(c.type == "heredoc_start" and self.node_text(c) == "<<-" for c in children)
        return _dedent(parts) if strip else parts

    def parts_between(self, start: int, end: int, inner: list[Any], depth: int, quoted: bool) -> list[TemplatePart]:
        parts: list[TemplatePart] = []
        at = start
        for child in inner:
            child_start, child_end = self.offsets.start(child), self.offsets.end(child)
            if child_start > at:
                parts.append(unescape(self.text[at:child_start], quoted))
            parts.append(self.template_piece(child, depth))
            at = child_end
        if end > at:
            parts.append(unescape(self.text[at:end], quoted))
        return parts

    def template_piece(self, node: Any, depth: int) -> Expr:
        span = self.span(node)
        if node.type == "template_interpolation":
            expr = next((c for c in node.children if c.type == "expression"), None)
            return self.expr(expr, depth + 1) if expr is not None else Invalid(span)
        directive = node.child(0)
        if directive is None:
            return Invalid(span)
        if directive.type == "template_if":
            intro = next((c for c in directive.children if c.type == "template_if_intro"), None)
            cond = next((c for c in intro.children if c.type == "expression"), None) if intro is not None else None
            if cond is None:
                return Invalid(span)
            else_intro = next((c for c in directive.children if c.type == "template_else_intro"), None)
            end_node = next((c for c in directive.children if c.type == "template_if_end"), None)
            pieces = [c for c in directive.children if c.type in ("template_interpolation", "template_directive")]
            then_end = self.offsets.start(else_intro) if else_intro is not None else (self.offsets.start(end_node) if end_node is not None else self.offsets.end(directive))
            body_start = self.offsets.end(intro)
            then = self.parts_between(body_start, then_end, [p for p in pieces if self.offsets.end(p) <= then_end], depth + 1, True)
            otherwise: list[TemplatePart] = []
            if else_intro is not None:
                else_end = self.offsets.start(end_node) if end_node is not None else self.offsets.end(directive)
                else_start = self.offsets.end(else_intro)
                otherwise = self.parts_between(else_start, else_end, [p for p in pieces if self.offsets.start(p) >= else_start], depth + 1, True)
            return TemplateIf(span, self.expr(cond, depth + 1), then, otherwise)
        if directive.type == "template_for":
            intro = next((c for c in directive.children if c.type == "template_for_start"), None)
            end_node = next((c for c in directive.children if c.type == "template_for_end"), None)
            if intro is None:
                return Invalid(span)
            names = [self.node_text(c) for c in intro.children if c.type == "identifier"]
            coll = next((c for c in intro.children if c.type == "expression"), None)
            if not names or coll is None:
                return Invalid(span)
            key_name, value_name = (names[0], names[1]) if len(names) > 1 else (None, names[0])
            pieces = [c for c in directive.children if c.type in ("template_interpolation", "template_directive")]
            body_end = self.offsets.start(end_node) if end_node is not None else self.offsets.end(directive)
            parts = self.parts_between(self.offsets.end(intro), body_end, pieces, depth + 1, True)
            return TemplateFor(span, key_name, value_name, self.expr(coll, depth + 1), parts)
        return Invalid(span)


def _dedent(parts: list[TemplatePart]) -> list[TemplatePart]:
    """`<<-` heredocs: remove the smallest indentation of the non-blank lines from every line."""
    lines_text = "".join(p if isinstance(p, str) else "\x00" for p in parts)
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines_text.split("\n") if line.strip(" \t")]
    strip = min(indents, default=0)
    if not strip:
        return parts
    out: list[TemplatePart] = []
    at_line_start = True
    for part in parts:
        if not isinstance(part, str):
            out.append(part)
            at_line_start = False
            continue
        lines = part.split("\n")
        fixed = []
        for i, line in enumerate(lines):
            if i > 0 or at_line_start:
                line = line[min(strip, len(line) - len(line.lstrip(" \t"))):]
            fixed.append(line)
        out.append("\n".join(fixed))
        at_line_start = part.endswith("\n")
    return out
