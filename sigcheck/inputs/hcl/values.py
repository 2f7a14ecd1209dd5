"""Evaluated HCL values are located body nodes (`sigcheck.syntax.jsonc.Node`), so an evaluated
resource body goes straight to `sigcheck.model.from_body.build`: scalars, lists of nodes, objects
(dict of nodes with `key_spans`), or UNKNOWN. `Lazy` stands in for an object whose members are
computed only when read (resources, modules): reading `azurerm_resource_group.x.location` must
not evaluate every other attribute of every resource.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Span


class EvalError(Exception):
    """An expression Terraform would reject (a missing attribute, a bad argument): `try()` and
    `can()` catch it; anywhere else the value is unknown."""


class Lazy:
    """An object whose members are computed on demand by `get(name, span) -> Node | None`
    (`span`: the reference being read, where the member's value is placed)."""

    __slots__ = ("get", "what")

    def __init__(self, get: Callable[[str, Span], Node | None], what: str) -> None:
        self.get = get
        self.what = what

    def __repr__(self) -> str:
        return f"Lazy({self.what})"


class ResourceId(str):
    """The id of a resource declared in the configuration whose type and names are known but
    whose subscription or resource group usually is not (`sigcheck.model.ids.reference_target`
    reads `.type` and `.names`). The text, with `{subscriptionId}`-style placeholders, is for
    display only: in any string operation the id is unknown."""

    type: str
    names: tuple[str, ...]

    def __new__(cls, type_: str, names: list[str] | tuple[str, ...]) -> ResourceId:
        namespace, _, rest = type_.partition("/")
        path = "/".join(f"{t}/{n}" for t, n in zip(rest.split("/"), names))
        self = super().__new__(cls, f"/subscriptions/{{subscriptionId}}/resourceGroups/{{resourceGroupName}}/providers/{namespace}/{path}")
        self.type = type_
        self.names = tuple(names)
        return self


class SetItems(list):  # type: ignore[type-arg]
    """The elements of a set (`toset`, a `set(...)` variable): a list whose order is Terraform's
    iteration order, marked because iterating a set gives each element as its own key
    (a `dynamic` block's `iterator.key` is the element, not an index)."""


def set_of(items: list[Node], span: Span, origin: str | None = None) -> Node:
    return Node(SetItems(items), span, None, origin)


def unknown(span: Span, origin: str | None = None) -> Node:
    return Node(UNKNOWN, span, None, origin)


def scalar(value: Any, span: Span, origin: str | None = None) -> Node:
    return Node(value, span, None, origin)


def tuple_of(items: list[Node], span: Span, origin: str | None = None) -> Node:
    return Node(items, span, None, origin)


def object_of(members: dict[str, Node], span: Span, key_spans: dict[str, Span] | None = None, origin: str | None = None) -> Node:
    return Node(members, span, key_spans if key_spans is not None else {k: v.span for k, v in members.items()}, origin)


def lazy(get: Callable[[str, Span], Node | None], span: Span, what: str, origin: str | None = None) -> Node:
    return Node(Lazy(get, what), span, None, origin)


def is_unknown(node: Node) -> bool:
    return node.value is UNKNOWN or isinstance(node.value, Lazy)


def is_list(node: Node) -> bool:
    return isinstance(node.value, list)


def is_object(node: Node) -> bool:
    return node.key_spans is not None


def wholly_known(node: Node) -> bool:
    """No unknown anywhere inside (iterative)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if is_unknown(current):
            return False
        if current.key_spans is not None:
            stack.extend(current.value.values())
        elif isinstance(current.value, list):
            stack.extend(current.value)
    return True


def plain(node: Node) -> Any:
    """The Python value (dicts, lists, scalars; UNKNOWN where unknown), iteratively built."""
    if node.key_spans is None and not isinstance(node.value, list):
        return UNKNOWN if isinstance(node.value, Lazy) else node.value
    root: Any = {} if node.key_spans is not None else []
    stack: list[tuple[Node, Any]] = [(node, root)]
    while stack:
        current, out = stack.pop()
        pairs = current.value.items() if current.key_spans is not None else enumerate(current.value)
        for key, child in pairs:
            if child.key_spans is not None:
                value: Any = {}
                stack.append((child, value))
            elif isinstance(child.value, list):
                value = []
                stack.append((child, value))
            else:
                value = UNKNOWN if isinstance(child.value, Lazy) else child.value
            if isinstance(out, dict):
                out[key] = value
            else:
                out.append(value)
    return root


def relocate(node: Node, span: Span, origin: str | None) -> Node:
    """A copy of `node` placed at `span` (the reference the user wrote), keeping the origin each
    value already has and giving `origin` to those without one. Iterative."""
    def copy(n: Node) -> Node:
        return Node(n.value, span, dict.fromkeys(n.key_spans, span) if n.key_spans is not None else None, n.origin or origin)

    root = copy(node)
    stack = [root]
    while stack:
        current = stack.pop()
        if current.key_spans is not None:
            members = {k: copy(v) for k, v in current.value.items()}
            current.value = members
            stack.extend(members.values())
        elif isinstance(current.value, list):
            items = [copy(v) for v in current.value]
            current.value = SetItems(items) if isinstance(current.value, SetItems) else items
            stack.extend(items)
    return root


def size(node: Node) -> int:
    """How many nodes a value holds (for the work budget)."""
    count = 0
    stack = [node]
    while stack:
        current = stack.pop()
        count += 1
        if current.key_spans is not None:
            stack.extend(current.value.values())
        elif isinstance(current.value, list):
            stack.extend(current.value)
    return count


def to_text(node: Node) -> str | None:
    """A primitive as Terraform converts it to a string; None for unknown, null and collections."""
    value = node.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, ResourceId):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


# Terraform's numbers are 512-bit binary floats: integers of up to about 154 digits are exact.
# sigcheck keeps integers exact up to this many digits and floats within the double range; a
# number past either is one it cannot hold as Terraform does (nor print: Python refuses to turn
# an int of 4,300+ digits into text), so it is unknown rather than rounded or turned to "inf".
MAX_DIGITS = 150
_LIMIT: int = 10 ** MAX_DIGITS


def parse_number(text: str) -> int | float | None:
    """An HCL number written as `text` (a literal, or a string given to a number): an exact int
    for a whole number, a float otherwise; None when it is not a number or past what sigcheck
    holds (over MAX_DIGITS digits, or beyond the float range)."""
    text = text.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if digits.isdigit() and digits.isascii():
        return int(text) if len(digits) <= MAX_DIGITS else None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def representable(number: int | float) -> bool:
    """Whether a computed number is one sigcheck holds (see MAX_DIGITS)."""
    if isinstance(number, float):
        return math.isfinite(number)
    return bool(-_LIMIT < number < _LIMIT)


def to_number(node: Node) -> int | float | None:
    value = node.value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return parse_number(value)
    return None


def to_bool(node: Node) -> bool | None:
    value = node.value
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    return None


def first_origin(nodes: list[Node]) -> str | None:
    return next((n.origin for n in nodes if n.origin), None)
