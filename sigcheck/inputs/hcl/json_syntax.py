"""The JSON flavour of HCL (`.tf.json`, `.pkr.json`) into the same tree as native syntax.

JSON has no block/attribute distinction; which keys are blocks depends on the schema of the
tool reading it. Top-level keys are blocks with the label depth Terraform and Packer give them
(`resource` and `data` two, `variable`, `module`, `output`, `source`, `build` one, `locals` none);
inside a body, an object (or a list of objects) is offered both as an attribute and as nested
blocks, and the reader asks for whichever its schema says. Strings are templates: `${…}` is
parsed with the native parser, and everything inside one JSON string is located at that string.
"""

from __future__ import annotations

from typing import Any

from sigcheck.syntax.jsonc import JsonSyntaxError, Node, parse as parse_json
from sigcheck.syntax.located import Span
from sigcheck.syntax.text import LineIndex
from sigcheck.inputs.hcl import syntax as s

_LABELS = {"resource": 2, "data": 2, "variable": 1, "module": 1, "output": 1, "provider": 1, "source": 2,
           "build": 0, "locals": 0, "terraform": 0, "packer": 0}


def parse(text: str, path: str) -> s.HclFile:
    index = LineIndex(path, text)
    try:
        document = parse_json(text, path)
    except JsonSyntaxError as exc:
        return s.HclFile(path, text, s.Body(span=index.span(0, 0)), index,
                         [s.SyntaxProblem(exc.span, f"JSON syntax error: {exc.message}")])
    reader = _Reader(text, index, path)
    root = document.root
    body = s.Body(span=root.span if root is not None else index.span(0, 0))
    if root is not None and root.is_object:
        for key, value in root.items():
            labels = _LABELS.get(key)
            if labels is None:
                continue
            key_span = root.key_spans[key] if root.key_spans else value.span
            for item in value.value if value.is_array else [value]:
                reader.blocks(key, key_span, item, labels, [], body)
    return s.HclFile(path, text, body, index, [], document.comments)


class _Reader:
    def __init__(self, text: str, index: LineIndex, path: str) -> None:
        self.text = text
        self.index = index
        self.path = path

    def blocks(self, type_: str, type_span: Span, node: Node, labels: int, got: list[tuple[str, Span]], out: s.Body) -> None:
        if labels > len(got):
            if not node.is_object:
                return
            for key, value in node.items():
                key_span = node.key_spans[key] if node.key_spans else value.span
                for item in value.value if value.is_array else [value]:
                    self.blocks(type_, type_span, item, labels, [*got, (key, key_span)], out)
            return
        if type_ == "locals":
            # `"locals": {"a": …}` holds attributes, not a block per key.
            out.blocks.append(s.Block(type_, type_span, got, self.body(node), node.span, self.path))
            return
        out.blocks.append(s.Block(type_, type_span, got, self.body(node), node.span, self.path))

    def body(self, node: Node) -> s.Body:
        out = s.Body(span=node.span)
        if not node.is_object:
            return out
        for key, value in node.items():
            key_span = node.key_spans[key] if node.key_spans else value.span
            out.attributes[key] = s.Attribute(key, key_span, self.expr(value), value.span)
            items = value.value if value.is_array else [value]
            if all(isinstance(i, Node) and i.is_object for i in items) and items:
                for item in items:
                    out.blocks.append(s.Block(key, key_span, [], self.body(item), item.span, self.path))
        return out

    def expr(self, node: Node) -> s.Expr:
        if node.is_object:
            return s.Object(node.span, [(s.Literal(node.key_spans[k] if node.key_spans else v.span, k), self.expr(v)) for k, v in node.items()])
        if node.is_array:
            return s.Tuple(node.span, [self.expr(v) for v in node.value])
        value: Any = node.value
        if isinstance(value, str) and ("${" in value or "%{" in value):
            return self.template(node)
        return s.Literal(node.span, value)

    def template(self, node: Node) -> s.Expr:
        """A JSON string holding `${…}`: the raw string (JSON escapes are HCL escapes too) parsed
        as an HCL quoted template, everything located at the JSON string."""
        starts = self.index._starts  # noqa: SLF001 - offsets of the line starts
        start = starts[node.span.line - 1] + node.span.column - 1
        end = starts[node.span.end_line - 1] + node.span.end_column - 1
        raw = self.text[start:end]
        hcl = s.parse(f"x = {raw}\n", self.path)
        attribute = hcl.body.attr("x")
        if hcl.broken or attribute is None:
            return s.Literal(node.span, node.value)
        _place(attribute.expr, node.span)
        return attribute.expr


def _place(expr: s.Expr, span: Span) -> None:
    """Give every expression in the tree `span` (iterative)."""
    stack: list[Any] = [expr]
    while stack:
        current = stack.pop()
        if isinstance(current, s.Expr):
            current.span = span
            if isinstance(current, s.Call):
                current.name_span = span
            for slot in type(current).__mro__:
                for name in getattr(slot, "__slots__", ()):
                    if name != "span":
                        stack.append(getattr(current, name, None))
        elif isinstance(current, (list, tuple)):
            stack.extend(current)
