"""Evaluating HCL expressions into located values, within a work budget.

The evaluator knows HCL, not Terraform or Packer: root names (`var`, `local`, `each`, resource
types, `source`, …) are answered by the caller's `resolve(name, span)`; names bound by `for`
expressions and by the caller's `scope` mapping come first. Whatever cannot be known statically
is UNKNOWN and stays so through every operator and function (a comparison with an unknown is
unknown, never false).

Bounds: every step spends one unit of `budget` (a file's worth of work); once it is spent every
further value is unknown and `exhausted` is set, so the caller reports it once. Expression depth
is capped by the parser (`syntax.MAX_DEPTH`) and the nesting of evaluations (through references
into other expressions) by `MAX_ACTIVE`, so Python's stack is never at risk.
"""

from __future__ import annotations

from typing import Callable, Mapping

from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Span
from sigcheck.inputs.hcl import syntax as s
from sigcheck.inputs.hcl.values import (
    EvalError, Lazy, ResourceId, first_origin, is_list, is_object, is_unknown, object_of, plain, relocate, representable,
    scalar, size, to_bool, to_number, to_text, tuple_of, unknown, wholly_known,
)

Resolver = Callable[[str, Span], "Node | None"]

DEFAULT_BUDGET = 400_000  # evaluation steps per file; real configurations use a few thousand
MAX_ACTIVE = 120  # nested evaluations (expression levels plus references followed)


class Meter:
    """Work left and evaluations in progress, shared by the evaluators of one file's work
    (a module and the local modules it calls)."""

    __slots__ = ("left", "active", "exhausted", "too_deep")

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.left = budget
        self.active = 0
        self.exhausted = False
        self.too_deep = False


class Evaluator:
    def __init__(self, resolve: Resolver, budget: int = DEFAULT_BUDGET, meter: Meter | None = None) -> None:
        from sigcheck.inputs.hcl.functions import FUNCTIONS

        self.resolve = resolve
        self.meter = meter if meter is not None else Meter(budget)
        self.functions = FUNCTIONS

    @property
    def exhausted(self) -> bool:
        return self.meter.exhausted

    @property
    def too_deep(self) -> bool:
        return self.meter.too_deep

    def spend(self, units: int = 1) -> bool:
        """Take `units` from the budget; False once it is spent."""
        meter = self.meter
        meter.left -= units
        if meter.left < 0:
            meter.exhausted = True
            return False
        return True

    # -- entry points ------------------------------------------------------------------------
    def value(self, expr: s.Expr, scope: Mapping[str, Node] | None = None) -> Node:
        """The value of `expr`; errors (what Terraform would reject) become unknown."""
        try:
            return self.eval(expr, scope or {})
        except EvalError:
            return unknown(expr.span)

    def eval(self, expr: s.Expr, scope: Mapping[str, Node]) -> Node:
        if not self.spend():
            return unknown(expr.span)
        meter = self.meter
        if meter.active >= MAX_ACTIVE:
            meter.too_deep = True
            return unknown(expr.span)
        meter.active += 1
        try:
            return self._eval(expr, scope)
        finally:
            meter.active -= 1

    # -- dispatch ----------------------------------------------------------------------------
    def _eval(self, expr: s.Expr, scope: Mapping[str, Node]) -> Node:
        if isinstance(expr, s.Literal):
            return scalar(expr.value, expr.span)
        if isinstance(expr, s.Template):
            return self._template(expr.parts, expr.span, scope)
        if isinstance(expr, s.Variable):
            return self._variable(expr, scope)
        if isinstance(expr, s.GetAttr):
            return self._get_attr(self.eval(expr.target, scope), expr.name, expr.span)
        if isinstance(expr, s.Index):
            target = self.eval(expr.target, scope)
            key = self.eval(expr.key, scope)
            return self._index(target, key, expr.span)
        if isinstance(expr, s.Splat):
            return self._splat(expr, scope)
        if isinstance(expr, s.Call):
            return self._call(expr, scope)
        if isinstance(expr, s.Tuple):
            return tuple_of([self.eval(item, scope) for item in expr.items], expr.span)
        if isinstance(expr, s.Object):
            return self._object(expr, scope)
        if isinstance(expr, s.For):
            return self._for(expr, scope)
        if isinstance(expr, s.Conditional):
            condition = self.eval(expr.condition, scope)
            if is_unknown(condition):
                return unknown(expr.span, condition.origin)
            flag = to_bool(condition)
            if flag is None:
                raise EvalError("condition is not a bool")
            return self.eval(expr.then if flag else expr.otherwise, scope)
        if isinstance(expr, s.Binary):
            return self._binary(expr, scope)
        if isinstance(expr, s.Unary):
            operand = self.eval(expr.operand, scope)
            if is_unknown(operand):
                return unknown(expr.span, operand.origin)
            if expr.op == "!":
                flag = to_bool(operand)
                if flag is None:
                    raise EvalError("! needs a bool")
                return scalar(not flag, expr.span, operand.origin)
            number = to_number(operand)
            if number is None:
                raise EvalError("- needs a number")
            return scalar(-number, expr.span, operand.origin)
        return unknown(expr.span)

    def _variable(self, expr: s.Variable, scope: Mapping[str, Node]) -> Node:
        bound = scope.get(expr.name)
        if bound is not None:
            return bound
        found = self.resolve(expr.name, expr.span)
        return found if found is not None else unknown(expr.span)

    def _get_attr(self, target: Node, name: str, span: Span) -> Node:
        value = target.value
        if isinstance(value, Lazy):
            found = value.get(name, span)
            return found if found is not None else unknown(span, target.origin)
        if value is UNKNOWN:
            return unknown(span, target.origin)
        if target.key_spans is not None:
            member: Node | None = value.get(name)
            if member is None:
                raise EvalError(f"no attribute {name!r}")
            return member
        raise EvalError(f"cannot read attribute {name!r} of a {type(value).__name__}")

    def _index(self, target: Node, key: Node, span: Span) -> Node:
        if is_unknown(key):
            return unknown(span, key.origin or target.origin)
        if isinstance(target.value, Lazy):
            text = to_text(key)
            found = target.value.get(text, span) if text is not None else None
            return found if found is not None else unknown(span, target.origin)
        if target.value is UNKNOWN:
            return unknown(span, target.origin)
        if target.key_spans is not None:
            text = to_text(key)
            if text is None or text not in target.value:
                raise EvalError("no such key")
            member: Node = target.value[text]
            return member
        if is_list(target):
            number = to_number(key)
            if not isinstance(number, int) or not 0 <= number < len(target.value):
                raise EvalError("index out of range")
            item: Node = target.value[number]
            return item
        raise EvalError("cannot index a primitive")

    def _splat(self, expr: s.Splat, scope: Mapping[str, Node]) -> Node:
        target = self.eval(expr.target, scope)
        if is_unknown(target):
            return unknown(expr.span, target.origin)
        if target.value is None:
            return tuple_of([], expr.span)
        items = target.value if is_list(target) else [target]
        out = []
        for item in items:
            out.append(self.eval(expr.each, {**scope, "": item}))
        return tuple_of(out, expr.span)

    def _object(self, expr: s.Object, scope: Mapping[str, Node]) -> Node:
        members: dict[str, Node] = {}
        spans: dict[str, Span] = {}
        for key_expr, value_expr in expr.items:
            key = self.eval(key_expr, scope)
            text = to_text(key)
            if text is None:
                # One unknown key makes the object's shape unknown.
                return unknown(expr.span, key.origin)
            members[text] = self.eval(value_expr, scope)
            spans[text] = key_expr.span
        return object_of(members, expr.span, spans)

    def _iterate(self, collection: Node) -> list[tuple[Node, Node]] | None:
        """(key, value) pairs of a collection; None when it is not known."""
        if is_unknown(collection):
            return None
        if collection.key_spans is not None:
            return [(scalar(k, collection.key_spans[k], collection.origin), v) for k, v in collection.value.items()]
        if is_list(collection):
            return [(scalar(i, item.span, collection.origin), item) for i, item in enumerate(collection.value)]
        raise EvalError("cannot iterate over a primitive")

    def _for(self, expr: s.For, scope: Mapping[str, Node]) -> Node:
        collection = self.eval(expr.collection, scope)
        pairs = self._iterate(collection)
        if pairs is None:
            return unknown(expr.span, collection.origin)
        items: list[Node] = []
        members: dict[str, Node] = {}
        spans: dict[str, Span] = {}
        grouped: dict[str, list[Node]] = {}
        for key, value in pairs:
            inner = dict(scope)
            inner[expr.value_name] = value
            if expr.key_name is not None:
                inner[expr.key_name] = key
            if expr.condition is not None:
                keep = self.eval(expr.condition, inner)
                if is_unknown(keep):
                    return unknown(expr.span, keep.origin)
                flag = to_bool(keep)
                if flag is None:
                    raise EvalError("for condition is not a bool")
                if not flag:
                    continue
            result = self.eval(expr.value, inner)
            if expr.key is None:
                items.append(result)
                continue
            key_node = self.eval(expr.key, inner)
            text = to_text(key_node)
            if text is None:
                return unknown(expr.span, key_node.origin)
            if expr.group:
                grouped.setdefault(text, []).append(result)
                spans.setdefault(text, key_node.span)
            else:
                if text in members:
                    raise EvalError(f"duplicate key {text!r} in a for expression")
                members[text] = result
                spans[text] = key_node.span
        if expr.key is None:
            return tuple_of(items, expr.span)
        if expr.group:
            members = {k: tuple_of(v, spans[k]) for k, v in grouped.items()}
        return object_of(members, expr.span, spans)

    def _binary(self, expr: s.Binary, scope: Mapping[str, Node]) -> Node:
        op = expr.op
        left = self.eval(expr.left, scope)
        if op in ("&&", "||"):
            flag = None if is_unknown(left) else to_bool(left)
            # Short-circuit only on a known deciding value.
            if flag is not None and ((op == "&&" and not flag) or (op == "||" and flag)):
                return scalar(flag, expr.span, left.origin)
            right = self.eval(expr.right, scope)
            other = None if is_unknown(right) else to_bool(right)
            if flag is None or other is None:
                if other is not None and ((op == "&&" and not other) or (op == "||" and other)):
                    return scalar(other, expr.span, right.origin)
                return unknown(expr.span, left.origin or right.origin)
            return scalar(other, expr.span, first_origin([left, right]))
        right = self.eval(expr.right, scope)
        origin = first_origin([left, right])
        if op in ("==", "!="):
            if not (wholly_known(left) and wholly_known(right)):
                return unknown(expr.span, origin)
            equal = _same(plain(left), plain(right))
            return scalar(equal if op == "==" else not equal, expr.span, origin)
        if is_unknown(left) or is_unknown(right):
            return unknown(expr.span, origin)
        a, b = to_number(left), to_number(right)
        if a is None or b is None:
            raise EvalError(f"{op} needs numbers")
        if op == "+":
            result: object = a + b
        elif op == "-":
            result = a - b
        elif op == "*":
            result = a * b
        elif op == "/":
            if b == 0:
                raise EvalError("division by zero")
            result = a / b
            if isinstance(result, float) and result.is_integer():
                result = int(result)
        elif op == "%":
            if b == 0:
                raise EvalError("division by zero")
            result = a % b
        elif op == "<":
            result = a < b
        elif op == ">":
            result = a > b
        elif op == "<=":
            result = a <= b
        elif op == ">=":
            result = a >= b
        else:
            return unknown(expr.span, origin)
        if isinstance(result, (int, float)) and not isinstance(result, bool) and not representable(result):
            return unknown(expr.span, origin)  # past what sigcheck holds (values.MAX_DIGITS)
        return scalar(result, expr.span, origin)

    def _call(self, expr: s.Call, scope: Mapping[str, Node]) -> Node:
        name = expr.name.rsplit("::", 1)[-1] if expr.name.startswith("core::") else expr.name
        if name in ("try", "can"):
            return self._try(name, expr, scope)
        function = self.functions.get(name)
        args = [self.eval(arg, scope) for arg in expr.args]
        if function is None:
            return unknown(expr.span, first_origin(args))
        if expr.expand and args:
            last = args.pop()
            if is_unknown(last) or not (is_list(last) or is_object(last)):
                return unknown(expr.span, last.origin)
            args.extend(last.value if is_list(last) else last.value.values())
        if not self.spend(sum(size(a) for a in args)):
            return unknown(expr.span)
        return function(args, expr.span)

    def _try(self, name: str, expr: s.Call, scope: Mapping[str, Node]) -> Node:
        for arg in expr.args:
            try:
                result = self.eval(arg, scope)
            except EvalError:
                continue
            if name == "can":
                return unknown(expr.span, result.origin) if not wholly_known(result) else scalar(True, expr.span)
            # An unknown value might still fail later, so try() cannot decide yet.
            return result if not is_unknown(result) else unknown(expr.span, result.origin)
        if name == "can":
            return scalar(False, expr.span)
        raise EvalError("no argument of try() could be evaluated")

    def _template(self, parts: list[s.TemplatePart], span: Span, scope: Mapping[str, Node]) -> Node:
        # "${x}" alone is x itself, unconverted (HCL's template unwrapping).
        if len(parts) == 1 and isinstance(parts[0], s.Expr) and not isinstance(parts[0], (s.TemplateIf, s.TemplateFor)):
            return self.eval(parts[0], scope)
        pieces: list[str] = []
        origins: list[Node] = []
        for part in parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            if isinstance(part, s.TemplateIf):
                condition = self.eval(part.condition, scope)
                flag = None if is_unknown(condition) else to_bool(condition)
                if flag is None:
                    return unknown(span, condition.origin)
                node = self._template(part.then if flag else part.otherwise, span, scope)
            elif isinstance(part, s.TemplateFor):
                node = self._template_for(part, span, scope)
            else:
                node = self.eval(part, scope)
                if isinstance(node.value, ResourceId) and part is parts[0]:
                    return self._child_id(node, parts[1:], span, scope)
            origins.append(node)
            text = to_text(node)
            if text is None:
                if node.value is None and not is_unknown(node):
                    raise EvalError("null in a template")
                return unknown(span, node.origin or first_origin(origins))
            pieces.append(text)
        return scalar("".join(pieces), span, first_origin(origins))

    def _child_id(self, parent: Node, rest: list[s.TemplatePart], span: Span, scope: Mapping[str, Node]) -> Node:
        """`"${azurerm_shared_image.i.id}/versions/${var.v}"`: the id of a child resource of a
        declared one, as a declared id with one more type segment and name; unknown otherwise
        (a declared id's subscription and resource group are not known as text)."""
        assert isinstance(parent.value, ResourceId)
        tail = self._template(rest, span, scope) if rest else None
        text = to_text(tail) if tail is not None and not is_unknown(tail) else None
        segments = text.split("/") if text is not None else []
        if len(segments) < 3 or len(segments) % 2 == 0 or segments[0] or not all(segments[1:]):
            return unknown(span, parent.origin)
        kinds, names = segments[1::2], segments[2::2]
        if not all(k.isalpha() for k in kinds):
            return unknown(span, parent.origin)
        child = ResourceId("/".join([parent.value.type, *kinds]), [*parent.value.names, *names])
        return scalar(child, span, parent.origin)

    def _template_for(self, part: s.TemplateFor, span: Span, scope: Mapping[str, Node]) -> Node:
        collection = self.eval(part.collection, scope)
        pairs = self._iterate(collection)
        if pairs is None:
            return unknown(span, collection.origin)
        out = []
        for key, value in pairs:
            inner = dict(scope)
            inner[part.value_name] = value
            if part.key_name is not None:
                inner[part.key_name] = key
            node = self._template(part.parts, span, inner)
            text = to_text(node)
            if text is None:
                return unknown(span, node.origin)
            out.append(text)
        return scalar("".join(out), span, collection.origin)


def _same(a: object, b: object) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    return a == b


def reference(node: Node, span: Span, origin: str) -> Node:
    """A value read through a reference (`var.x`, `local.y`, `each.value`): placed at the
    reference the user wrote, with where it came from."""
    if isinstance(node.value, Lazy):
        return node
    return relocate(node, span, origin)


__all__ = ["Evaluator", "Meter", "Resolver", "reference", "UNKNOWN"]
