"""Azure Policy's condition language over a gallery resource: compiling (checking) a condition
written as data, and evaluating it over the resource's located ARM-shaped body.

Semantics follow Azure Policy (learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule):
string comparisons ignore case (except `match`), `like` takes `*` wildcards, `match` takes `#` for
a digit, `?` for a letter and `.` for any character; a `field` with `[*]` outside `count` holds only
when every element satisfies it (vacuously on an empty or absent array); `count` counts the elements
of a `[*]` field, or those its `where` holds for. An absent field is `null`: `equals` fails,
`notEquals` holds, `exists: false` holds.

A value sigcheck cannot resolve is unknown, and so is every condition that depends on it: the
logic is three-valued (true, false, unknown), `allOf` is false as soon as one part is false,
`anyOf` true as soon as one is true, and a condition that stays unknown reports nothing.

Conditions nest at most MAX_DEPTH deep (a deeper one is a configuration error), so evaluation
recurses over the condition only, never over the input; the input is walked with loops, and a
budget of steps per resource bounds the work on huge arrays.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Iterable, Union

from sigcheck.model import facts
from sigcheck.model import resources as m
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span

MAX_DEPTH = 16
MAX_STEPS = 100_000  # element evaluations per resource and condition

COMPARISONS = (
    "equals", "notEquals", "in", "notIn", "like", "notLike", "match", "notMatch",
    "matchInsensitively", "notMatchInsensitively", "contains", "notContains", "containsKey",
    "notContainsKey", "exists", "greater", "greaterOrEquals", "less", "lessOrEquals",
)
LOGICAL = ("allOf", "anyOf", "not")
OPERANDS = ("field", "value", "count")
STAR = "[*]"
# Fields every resource has outside its body (Azure Policy's `name`, `type`, `location`).
TOP_FIELDS = ("name", "type", "location")


_KIND_NAMES = {m.GALLERY: "gallery", m.IMAGE_DEFINITION: "image-definition", m.IMAGE_VERSION: "image-version",
               m.APPLICATION: "application", m.APPLICATION_VERSION: "application-version"}


class ConditionError(Exception):
    """A condition that cannot be used; `where` is the path of keys and indexes inside it."""

    def __init__(self, message: str, where: tuple[Any, ...]) -> None:
        super().__init__(message)
        self.message = message
        self.where = where


# -- the compiled form ----------------------------------------------------------------
@dataclass(frozen=True)
class FieldRef:
    text: str  # as written
    segments: tuple[str, ...]  # keys, and STAR for `[*]`


@dataclass(frozen=True)
class CountExpr:
    field: FieldRef
    where: Condition | None


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Compare:
    operand: FieldRef | Literal | CountExpr
    operator: str
    argument: Any


@dataclass(frozen=True)
class Logical:
    kind: str  # allOf | anyOf
    parts: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    part: Condition


Condition = Union[Compare, Logical, Not]


# -- compiling ------------------------------------------------------------------------
_SEGMENT = re.compile(r"""\[\*\]|\[\s*'((?:[^']|'')*)'\s*\]|\[\s*"([^"]*)"\s*\]|\.?([^.\[\]'"]+)""")


def parse_field(text: str) -> tuple[str, ...] | None:
    """`properties.features[*].name` -> ('properties', 'features', '[*]', 'name'); None when
    malformed. `tags['cost-center']` and `tags.owner` name a tag."""
    segments: list[str] = []
    pos = 0
    while pos < len(text):
        found = _SEGMENT.match(text, pos)
        if found is None or found.end() == pos:
            return None
        if found.group(0) == STAR:
            segments.append(STAR)
        elif found.group(1) is not None:
            segments.append(found.group(1).replace("''", "'"))
        elif found.group(2) is not None:
            segments.append(found.group(2))
        else:
            if found.group(0).startswith(".") and not segments:
                return None
            segments.append(found.group(3))
        pos = found.end()
    return tuple(segments) if segments else None


@cache
def valid_paths(type_name: str) -> frozenset[str]:
    """Body paths some gallery API version defines for the type, lower-cased, `[*]` for items."""
    paths = facts.load("api/matrix")["types"][type_name]["paths"]
    return frozenset(p.replace("[]", STAR).lower() for p in paths)


def _shape(segments: tuple[str, ...]) -> str:
    out = ""
    for seg in segments:
        out += seg if seg == STAR else (f".{seg}" if out else seg)
    return out


def field_known(segments: tuple[str, ...], type_names: Iterable[str]) -> bool:
    head = segments[0].lower()
    if head in TOP_FIELDS and len(segments) == 1:
        return True
    if head == "tags" and (len(segments) == 1 or (len(segments) == 2 and segments[1] != STAR)):
        return True
    shape = _shape(segments).lower()
    return any(shape in valid_paths(t) for t in type_names)


def suggest_field(text: str, type_names: Iterable[str]) -> str | None:
    choices: dict[str, str] = {}
    for type_name in type_names:
        for path in facts.load("api/matrix")["types"][type_name]["paths"]:
            choices.setdefault(path.replace("[]", STAR).lower(), path.replace("[]", STAR))
    for top in TOP_FIELDS:
        choices[top] = top
    import difflib

    found = difflib.get_close_matches(text.lower(), list(choices), n=1, cutoff=0.6)
    return choices[found[0]] if found else None


def compile_condition(data: Any, type_names: tuple[str, ...]) -> Condition:
    """Check a condition written as data and return its compiled form; a ConditionError names
    the problem and where (keys and indexes below the condition)."""
    return _compile(data, type_names, (), 1)


def _compile(data: Any, types: tuple[str, ...], where: tuple[Any, ...], depth: int) -> Condition:
    if depth > MAX_DEPTH:
        raise ConditionError(f"the condition nests deeper than {MAX_DEPTH} levels", where)
    if not isinstance(data, dict):
        raise ConditionError("a condition is a mapping (field/value/count with an operator, or allOf, anyOf, not)", where)
    keys = list(data)
    for key in keys:
        if key not in COMPARISONS and key not in LOGICAL and key not in OPERANDS:
            import difflib

            hint = difflib.get_close_matches(str(key), [*COMPARISONS, *LOGICAL, *OPERANDS], n=1)
            raise ConditionError(f"unknown operator '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""), where + (key,))
    logical = [k for k in keys if k in LOGICAL]
    if logical:
        if len(keys) != 1:
            raise ConditionError(f"'{logical[0]}' stands alone in its mapping; found also {', '.join(k for k in keys if k != logical[0])}", where)
        kind = logical[0]
        if kind == "not":
            return Not(_compile(data[kind], types, where + (kind,), depth + 1))
        parts = data[kind]
        if not isinstance(parts, list) or not parts:
            raise ConditionError(f"'{kind}' takes a non-empty list of conditions", where + (kind,))
        return Logical(kind, tuple(_compile(p, types, where + (kind, i), depth + 1) for i, p in enumerate(parts)))
    operands = [k for k in keys if k in OPERANDS]
    operators = [k for k in keys if k in COMPARISONS]
    if len(operands) != 1:
        raise ConditionError("a comparison has exactly one of field, value or count", where)
    if len(operators) != 1:
        raise ConditionError(f"a comparison has exactly one operator ({', '.join(COMPARISONS)})" if not operators
                             else f"a comparison has one operator; found {', '.join(operators)}", where)
    operand_key, operator = operands[0], operators[0]
    operand: FieldRef | Literal | CountExpr
    if operand_key == "field":
        operand = _field(data["field"], types, where + ("field",))
    elif operand_key == "value":
        operand = Literal(data["value"])
    else:
        operand = _count(data["count"], types, where + ("count",), depth)
    argument = data[operator]
    _check_argument(operator, argument, operand, where + (operator,))
    return Compare(operand, operator, argument)


def _field(text: Any, types: tuple[str, ...], where: tuple[Any, ...]) -> FieldRef:
    if not isinstance(text, str) or not text.strip():
        raise ConditionError("'field' takes a property path such as properties.osType", where)
    segments = parse_field(text.strip())
    if segments is None:
        raise ConditionError(f"'{text}' is not a property path (keys separated by '.', '[*]' for every element, tags['name'])", where)
    if not field_known(segments, types):
        hint = suggest_field(text, types)
        kinds = ", ".join(_KIND_NAMES.get(t, t) for t in types)
        raise ConditionError(f"no gallery API version defines the field '{text}' for {kinds}"
                             + (f" (did you mean '{hint}'?)" if hint else ""), where)
    return FieldRef(text.strip(), segments)


def _count(data: Any, types: tuple[str, ...], where: tuple[Any, ...], depth: int) -> CountExpr:
    if not isinstance(data, dict) or "field" not in data:
        raise ConditionError("'count' takes a mapping with 'field' (a path ending in [*]) and optionally 'where'", where)
    for key in data:
        if key not in ("field", "where"):
            raise ConditionError(f"unknown key '{key}' in count (field, where)", where + (key,))
    ref = _field(data["field"], types, where + ("field",))
    if ref.segments[-1] != STAR:
        raise ConditionError(f"the field of a count ends in [*] (counts the elements of an array): '{ref.text}'", where + ("field",))
    inner = _compile(data["where"], types, where + ("where",), depth + 1) if "where" in data else None
    return CountExpr(ref, inner)


def _check_argument(operator: str, argument: Any, operand: Any, where: tuple[Any, ...]) -> None:
    if operator in ("in", "notIn"):
        if not isinstance(argument, list):
            raise ConditionError(f"'{operator}' takes a list of values", where)
    elif operator == "exists":
        if not isinstance(argument, bool) and str(argument).lower() not in ("true", "false"):
            raise ConditionError("'exists' takes true or false", where)
    elif operator in ("like", "notLike", "match", "notMatch", "matchInsensitively", "notMatchInsensitively",
                      "containsKey", "notContainsKey"):
        if not isinstance(argument, str):
            raise ConditionError(f"'{operator}' takes a string pattern", where)
    elif isinstance(argument, (dict, list)) and operator not in ("equals", "notEquals"):
        raise ConditionError(f"'{operator}' takes a single value", where)
    if isinstance(operand, CountExpr) and operator not in ("equals", "notEquals", "in", "notIn", "greater",
                                                            "greaterOrEquals", "less", "lessOrEquals"):
        raise ConditionError(f"a count is a number: compare it with equals, notEquals, in, notIn, greater, greaterOrEquals, less or lessOrEquals, not '{operator}'", where)


# -- evaluating -----------------------------------------------------------------------
class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "absent"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Point:
    """A value a field resolved to: the node (or model value) with its span and path."""

    value: Any  # a plain scalar, a Node container, UNKNOWN or ABSENT
    span: Span | None
    path: str
    node: Node | None = None
    origin: str | None = None  # where an unknown value came from ("parameter 'x'")


@dataclass(frozen=True)
class Verdict:
    """Whether a condition holds (None: unknown), and where the deciding field is written. An
    unknown verdict points at the first unresolved value it depends on, which SIG002 lists, or
    has `exhausted` set when the evaluation ran out of steps."""

    holds: bool | None
    where: Span | None = None
    path: str = ""
    shown: str = ""
    specific: bool = True  # False for the resource as a whole (its type), which any field beats
    exhausted: bool = False
    origin: str | None = None  # of the unknown value, for SIG002's note


class _Budget(Exception):
    pass


@dataclass
class _Binding:
    prefix: tuple[str, ...]  # lower-cased segments of the count's field, up to and including [*]
    element: Point


class _Evaluation:
    def __init__(self, res: m.Resource) -> None:
        self.res = res
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise _Budget()

    # -- fields -------------------------------------------------------------------
    def resolve(self, ref: FieldRef, bindings: tuple[_Binding, ...]) -> tuple[list[Point], bool, Span | None]:
        """The points a field names, whether it has `[*]` (all must hold), and the span of the
        array (or nearest container) for an empty result."""
        segments = ref.segments
        lowered = tuple(s.lower() for s in segments)
        start: list[Point] | None = None
        rest: tuple[str, ...] = segments
        for binding in reversed(bindings):
            if lowered[: len(binding.prefix)] == binding.prefix:
                start, rest = [binding.element], segments[len(binding.prefix):]
                break
        if start is None:
            head = segments[0].lower()
            if len(segments) == 1 and head in TOP_FIELDS:
                return [self._top(head)], False, None
            body = self.res.body
            start = [Point(body if body is not None else ABSENT, body.span if body is not None else self.res.span, "", body)]
        multi = STAR in rest
        points = start
        container: Span | None = points[0].span if points else None
        for seg in rest:
            following: list[Point] = []
            for point in points:
                self.step()
                node = point.node
                if point.value is UNKNOWN or (node is not None and node.value is UNKNOWN):
                    following.append(Point(UNKNOWN, point.span, point.path, origin=_origin(point)))
                    continue
                if node is None:
                    if seg != STAR:
                        following.append(Point(ABSENT, point.span, _join(point.path, seg)))
                    continue
                if seg == STAR:
                    container = node.span
                    if isinstance(node.value, list):
                        for i, item in enumerate(node.value):
                            following.append(_point(item, f"{point.path}[{i}]"))
                    continue
                child = node.get_ci(seg) if node.is_object else None
                if child is None:
                    following.append(Point(ABSENT, node.span, _join(point.path, seg)))
                else:
                    following.append(_point(child, _join(point.path, seg)))
            points = following
        return points, multi, container

    def _top(self, head: str) -> Point:
        res = self.res
        if head == "type":
            return Point(res.type_name, res.span, "type")
        item: Located[Any] | None = res.name if head == "name" else res.effective_location
        if item is None:
            return Point(ABSENT, res.span, head)
        if head == "location" and item.span.path != res.path:
            # The configured resource-group location: known, but written elsewhere.
            return Point(item.value, res.span, head)
        return Point(item.value, item.span, head)

    # -- conditions -----------------------------------------------------------------
    def condition(self, cond: Condition, bindings: tuple[_Binding, ...]) -> Verdict:
        if isinstance(cond, Not):
            inner = self.condition(cond.part, bindings)
            return Verdict(None if inner.holds is None else not inner.holds, inner.where, inner.path, inner.shown, inner.specific)
        if isinstance(cond, Logical):
            return self.logical(cond, bindings)
        return self.compare(cond, bindings)

    def logical(self, cond: Logical, bindings: tuple[_Binding, ...]) -> Verdict:
        decisive = cond.kind == "anyOf"  # the value that settles it: true for anyOf, false for allOf
        verdicts: list[Verdict] = []
        unknown: Verdict | None = None
        for part in cond.parts:
            verdict = self.condition(part, bindings)
            if verdict.holds is decisive:
                return verdict
            if verdict.holds is None and unknown is None:
                unknown = verdict
            verdicts.append(verdict)
        if unknown is not None:
            return unknown
        # Every part agrees: the last specific field is the one a reader would change.
        best = next((v for v in reversed(verdicts) if v.where is not None and v.specific),
                    next((v for v in reversed(verdicts) if v.where is not None), verdicts[-1]))
        return Verdict(not decisive, best.where, best.path, best.shown, best.specific)

    def compare(self, cond: Compare, bindings: tuple[_Binding, ...]) -> Verdict:
        operand = cond.operand
        if isinstance(operand, Literal):
            return Verdict(apply(cond.operator, operand.value, cond.argument), None, "", "", False)
        if isinstance(operand, CountExpr):
            return self.count(operand, cond, bindings)
        points, multi, container = self.resolve(operand, bindings)
        specific = operand.segments[0].lower() != "type"
        if not multi:
            point = points[0]
            return Verdict(apply(cond.operator, point.value, cond.argument), point.span, point.path, show(point.value), specific,
                           origin=_origin(point))
        first_true: Point | None = None
        unknown: Point | None = None
        for point in points:
            self.step()
            holds = apply(cond.operator, point.value, cond.argument)
            if holds is False:
                return Verdict(False, point.span, point.path, show(point.value), specific)
            if holds is None:
                unknown = unknown or point
            elif first_true is None:
                first_true = point
        if unknown is not None:
            return Verdict(None, unknown.span, unknown.path, "unknown", specific, origin=_origin(unknown))
        if first_true is None:  # vacuously true: no element at all
            return Verdict(True, container, operand.text, "empty", specific)
        return Verdict(True, first_true.span, first_true.path, show(first_true.value), specific)

    def count(self, expr: CountExpr, cond: Compare, bindings: tuple[_Binding, ...]) -> Verdict:
        points, _multi, container = self.resolve(expr.field, bindings)
        prefix = tuple(s.lower() for s in expr.field.segments)
        matched, unsure = 0, 0
        first: Verdict | None = None
        first_unsure: Verdict | None = None
        for point in points:
            self.step()
            if point.value is UNKNOWN and point.node is None:
                # The array itself is unknown: it may hold any number of elements.
                return Verdict(None, point.span, point.path, "unknown", origin=_origin(point))
            if expr.where is None:
                holds: bool | None = True
                verdict = Verdict(True, point.span, point.path, show(point.value))
            else:
                verdict = self.condition(expr.where, bindings + (_Binding(prefix, point),))
                holds = verdict.holds
            if holds is True:
                matched += 1
                if first is None:
                    first = verdict if verdict.where is not None else Verdict(True, point.span, point.path, show(point.value))
            elif holds is None:
                unsure += 1
                if first_unsure is None:
                    first_unsure = verdict if verdict.where is not None else Verdict(None, point.span, point.path, "unknown", origin=_origin(point))
        outcomes = {apply(cond.operator, n, cond.argument) for n in range(matched, matched + unsure + 1)}
        if len(outcomes) != 1:
            return first_unsure or Verdict(None)
        holds_all = outcomes.pop()
        if first is not None and expr.where is not None:
            return Verdict(holds_all, first.where, first.path, first.shown)
        where = first.where if first is not None else container
        return Verdict(holds_all, where, f"the number of {expr.field.text}" + (" matching where" if expr.where is not None else ""), str(matched))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _origin(point: Point) -> str | None:
    return point.origin or (point.node.origin if point.node is not None else None)


def _point(node: Node, path: str) -> Point:
    value: Any = node.value
    if node.is_object or isinstance(value, list):
        value = node
    return Point(value, node.span, path, node)


def evaluate(cond: Condition, res: m.Resource) -> Verdict:
    """Whether the condition holds for the resource; unknown when it depends on an unresolved
    value or exceeds the step budget."""
    try:
        return _Evaluation(res).condition(cond, ())
    except _Budget:
        return Verdict(None, exhausted=True)


# -- values and operators ---------------------------------------------------------
def show(value: Any) -> str:
    if value is ABSENT:
        return "absent"
    if value is UNKNOWN:
        return "unknown"
    if isinstance(value, Node):
        plain, unknown = to_plain(value)
        return "unknown" if unknown else _short(repr(plain))
    if isinstance(value, str):
        return f"'{value}'"
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)  # as the user wrote it: true, null, 2
    return _short(repr(value))


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "..."


def to_plain(node: Node) -> tuple[Any, bool]:
    """The node as plain data without recursion, and whether some part of it is unknown."""
    unknown = False
    root: list[Any] = [None]
    stack: list[tuple[Node, Any, Any]] = [(node, root, 0)]
    while stack:
        current, parent, key = stack.pop()
        value = current.value
        if value is UNKNOWN:
            unknown = True
            parent[key] = None
        elif current.is_object:
            out: dict[str, Any] = {}
            parent[key] = out
            for name, child in current.items():
                out[name] = None
                stack.append((child, out, name))
        elif isinstance(value, list):
            items: list[Any] = [None] * len(value)
            parent[key] = items
            for i, child in enumerate(value):
                stack.append((child, items, i))
        else:
            parent[key] = value
    return root[0], unknown


def _scalar(value: Any) -> tuple[Any, bool]:
    """A comparable form of a point's value and whether it is unknown."""
    if value is UNKNOWN:
        return None, True
    if isinstance(value, Node):
        return to_plain(value)
    return value, False


def _fold(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, bool):
        return str(value).casefold()
    if isinstance(value, list):
        return [_fold(v) for v in value]
    if isinstance(value, dict):
        return {str(k).casefold(): _fold(v) for k, v in value.items()}
    return value


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(actual, (int, float)) and not isinstance(actual, bool) and isinstance(expected, (int, float)) \
            and not isinstance(expected, bool):
        return bool(actual == expected)
    return bool(_fold(actual) == _fold(expected))


@cache
def _like(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else re.escape(c) for c in pattern), re.IGNORECASE | re.DOTALL)


@cache
def _match(pattern: str, insensitive: bool) -> re.Pattern[str]:
    out = []
    for c in pattern:
        out.append(r"\d" if c == "#" else "[A-Za-z]" if c == "?" else "." if c == "." else re.escape(c))
    return re.compile("".join(out), (re.IGNORECASE if insensitive else 0) | re.DOTALL)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def apply(operator: str, actual: Any, argument: Any) -> bool | None:
    """One comparison; None when the actual value is unknown."""
    if actual is ABSENT or actual is None:
        absent_truth = {"notEquals": True, "notIn": True, "notLike": True, "notMatch": True, "notMatchInsensitively": True,
                        "notContains": True, "notContainsKey": True}
        if operator == "exists":
            return not _truthy(argument)
        if operator == "equals" and argument is None:
            return True
        if operator == "notEquals" and argument is None:
            return False
        return absent_truth.get(operator, False)
    value, unknown = _scalar(actual)
    if unknown:
        return None
    if operator == "exists":
        return _truthy(argument)
    if operator in ("equals", "notEquals"):
        return _equal(value, argument) == (operator == "equals")
    if operator in ("in", "notIn"):
        return any(_equal(value, a) for a in argument) == (operator == "in")
    if operator in ("like", "notLike"):
        return (isinstance(value, str) and _like(argument).fullmatch(value) is not None) == (operator == "like")
    if operator in ("match", "notMatch", "matchInsensitively", "notMatchInsensitively"):
        found = isinstance(value, str) and _match(argument, "Insensitively" in operator).fullmatch(value) is not None
        return found == operator.startswith("match")
    if operator in ("contains", "notContains"):
        if isinstance(value, str):
            found = isinstance(argument, str) and argument.casefold() in value.casefold()
        elif isinstance(value, list):
            found = any(_equal(v, argument) for v in value)
        else:
            found = False
        return found == (operator == "contains")
    if operator in ("containsKey", "notContainsKey"):
        found = isinstance(value, dict) and any(str(k).casefold() == argument.casefold() for k in value)
        return found == (operator == "containsKey")
    # greater, greaterOrEquals, less, lessOrEquals: numbers with numbers, strings (dates) with strings
    if _number(value) and _number(argument):
        a, b = float(value), float(argument)
    elif isinstance(value, str) and isinstance(argument, str):
        a, b = value, argument  # type: ignore[assignment]
    else:
        return False
    if operator == "greater":
        return a > b
    if operator == "greaterOrEquals":
        return a >= b
    if operator == "less":
        return a < b
    return a <= b


def _truthy(argument: Any) -> bool:
    return argument is True or str(argument).lower() == "true"
