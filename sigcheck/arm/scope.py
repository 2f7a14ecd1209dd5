"""What an ARM template's expressions can see, and evaluation of located values through it."""

from __future__ import annotations

import re
from typing import Iterator

from sigcheck.load.jsonc import Node
from sigcheck.location import UNKNOWN, Located

_RESOURCE_ID = re.compile(r"^\[\s*resourceId\(\s*('(?:[^']|'')*'(?:\s*,\s*'(?:[^']|'')*')*)\s*\)\s*\]$", re.IGNORECASE)
_LITERAL = re.compile(r"'((?:[^']|'')*)'")


class ResourceRef(str):
    """A `resourceId()` result whose subscription and resource group may be unknown."""

    type_name: str
    names: list[str]

    def __new__(cls, type_name: str, names: list[str]) -> ResourceRef:
        segments = type_name.split("/")
        path = segments[0] + "".join(f"/{t}/{n}" for t, n in zip(segments[1:], names))
        obj = super().__new__(cls, f"/providers/{path}")
        obj.type_name = type_name
        obj.names = names
        return obj


def is_expression(text: str) -> bool:
    return text.startswith("[") and text.endswith("]") and not text.startswith("[[")


class TemplateScope:
    def evaluate_string(self, text: str) -> tuple[object, str | None]:
        """The value of a JSON string (literal or expression) and where it came from."""
        if not is_expression(text):
            return (text[1:] if text.startswith("[[") else text), None
        match = _RESOURCE_ID.match(text)
        if match:
            args = [a.replace("''", "'") for a in _LITERAL.findall(match.group(1))]
            if len(args) >= 2 and "/" in args[0]:
                return ResourceRef(args[0], args[1:]), None
        return UNKNOWN, None

    def evaluate(self, node: Node) -> Located:
        if isinstance(node.value, str):
            value, origin = self.evaluate_string(node.value)
            return Located(value, node.span, origin)
        return Located(node.plain() if (node.is_object or node.is_array) else node.value, node.span)

    def evaluate_tree(self, node: Node) -> Node:
        """A copy of `node` with every expression replaced by its value (or UNKNOWN)."""
        if node.is_object:
            return Node({k: self.evaluate_tree(v) for k, v in node.value.items()}, node.span, dict(node.key_spans or {}))
        if node.is_array:
            return Node([self.evaluate_tree(v) for v in node.value], node.span)
        if isinstance(node.value, str) and is_expression(node.value):
            value, origin = self.evaluate_string(node.value)
            return Node(value, node.span, origin=origin)
        if isinstance(node.value, str) and node.value.startswith("[["):
            return Node(node.value[1:], node.span)
        return node

    def instances(self, resource: Node) -> Iterator[TemplateScope]:
        """One scope per instance of a resource: none when its condition is false."""
        condition = resource.get_ci("condition")
        if condition is not None and condition.value is False:
            return
        yield self

    def nested(self, deployment: Node, template: Node) -> TemplateScope:
        return TemplateScope()
