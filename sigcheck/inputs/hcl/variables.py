"""Input variables: declared defaults, and values supplied by variable files.

Terraform and Packer read variables the same way: a `variable "name" { default = … }` block
declares one; a variables file (`terraform.tfvars`, `*.auto.tfvars`, `-var-file`, Packer's
`*.pkrvars.hcl`) assigns top-level attributes, later files overriding earlier ones. Variable files
hold constant expressions, so they are evaluated without any names in scope.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Span
from sigcheck.inputs.hcl import syntax as s
from sigcheck.inputs.hcl.evaluate import Evaluator
from sigcheck.inputs.hcl.values import Lazy, SetItems, relocate, to_bool, to_number, to_text, unknown


@dataclass
class Declared:
    name: str
    block: s.Block
    default: s.Attribute | None


@dataclass
class Supplied:
    value: Node
    origin: str  # "variable x from terraform.tfvars"


@dataclass
class Variables:
    declared: dict[str, Declared] = field(default_factory=dict)
    supplied: dict[str, Supplied] = field(default_factory=dict)

    def declare(self, body: s.Body) -> list[tuple[Span, str]]:
        """Add the `variable` blocks of a body; returns (span, message) for repeated names."""
        problems = []
        for block in body.blocks_of("variable"):
            if len(block.labels) != 1:
                continue
            name = block.labels[0][0]
            if name in self.declared:
                problems.append((block.labels[0][1], f"variable '{name}' is declared twice"))
                continue
            self.declared[name] = Declared(name, block, block.body.attr("default"))
        return problems

    def supply(self, hcl: s.HclFile, evaluator: Evaluator) -> None:
        """Values assigned by a variables file (top-level attributes), overriding earlier ones."""
        shown = os.path.basename(hcl.path)
        for name, attribute in hcl.body.attributes.items():
            value = evaluator.value(attribute.expr)
            origin = f"variable {name} from {shown}"
            self.supplied[name] = Supplied(relocate(value, value.span, origin), origin)

    def supply_values(self, values: dict[str, Node], origin_of: str) -> None:
        """Values given another way (module inputs): `origin_of` is formatted with the name."""
        for name, value in values.items():
            self.supplied[name] = Supplied(value, origin_of.format(name=name))


# -- type constraints ---------------------------------------------------------------------------

_MAX_TYPE_DEPTH = 32


def convert(value: Node, type_expr: s.Expr, evaluator: Evaluator, depth: int = 0) -> Node:
    """`value` converted to a variable's `type` the way Terraform converts input variables:
    object attributes the type does not declare are dropped, `optional(T, default)` attributes
    that are absent get their default (else null), primitives convert (`1` to `"1"`). A value that
    cannot be converted is unknown (Terraform would refuse it; sigcheck does not guess)."""
    if value.value is UNKNOWN or isinstance(value.value, Lazy) or depth > _MAX_TYPE_DEPTH:
        return value
    if value.value is None and value.key_spans is None:
        return value  # null is valid for every type
    if isinstance(type_expr, s.Variable):
        return _primitive(value, type_expr.name)
    if not isinstance(type_expr, s.Call) or not type_expr.args:
        return value
    kind, inner = type_expr.name, type_expr.args[0]
    if kind in ("list", "set") and isinstance(value.value, list):
        items = [convert(item, inner, evaluator, depth + 1) for item in value.value]
        return Node(SetItems(items) if kind == "set" else items, value.span, None, value.origin)
    if kind == "map" and value.key_spans is not None:
        members = {k: convert(v, inner, evaluator, depth + 1) for k, v in value.value.items()}
        return Node(members, value.span, dict(value.key_spans.items()), value.origin)
    if kind == "tuple" and isinstance(value.value, list) and isinstance(inner, s.Tuple):
        if len(inner.items) != len(value.value):
            return unknown(value.span, value.origin)
        return Node([convert(item, t, evaluator, depth + 1) for item, t in zip(value.value, inner.items)], value.span, None, value.origin)
    if kind == "object" and value.key_spans is not None and isinstance(inner, s.Object):
        return _object(value, inner, evaluator, depth)
    if kind in ("list", "set", "map", "tuple", "object"):
        return unknown(value.span, value.origin)  # the wrong shape: Terraform refuses the value
    return value


def _object(value: Node, type_expr: s.Object, evaluator: Evaluator, depth: int) -> Node:
    assert value.key_spans is not None
    members: dict[str, Node] = {}
    spans: dict[str, Span] = {}
    for key_expr, attr_type in type_expr.items:
        if not isinstance(key_expr, s.Literal) or not isinstance(key_expr.value, str):
            return value
        name = key_expr.value
        optional = isinstance(attr_type, s.Call) and attr_type.name == "optional" and attr_type.args
        inner = attr_type.args[0] if optional and isinstance(attr_type, s.Call) else attr_type
        given = value.value.get(name)
        if given is None:
            if not optional:
                return unknown(value.span, value.origin)  # a required attribute is missing
            assert isinstance(attr_type, s.Call)
            if len(attr_type.args) > 1:
                default = evaluator.value(attr_type.args[1])
                given = relocate(default, value.span, f"optional default of {name}")
            else:
                given = Node(None, value.span, None, value.origin)
            spans[name] = value.span
        else:
            spans[name] = value.key_spans[name]
        members[name] = convert(given, inner, evaluator, depth + 1)
    return Node(members, value.span, spans, value.origin)


def _primitive(value: Node, name: str) -> Node:
    raw = value.value
    if name == "string":
        if isinstance(raw, (bool, int, float)) and not isinstance(raw, str):
            text = to_text(value)
            return Node(text, value.span, None, value.origin) if text is not None else value
        return value if isinstance(raw, str) else unknown(value.span, value.origin)
    if name == "number":
        number = to_number(value)
        return Node(number, value.span, None, value.origin) if number is not None else unknown(value.span, value.origin)
    if name == "bool":
        flag = to_bool(value)
        return Node(flag, value.span, None, value.origin) if flag is not None else unknown(value.span, value.origin)
    return value  # any
