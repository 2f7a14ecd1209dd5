"""The HCL functions people use on names, regions and lists, as Terraform and Packer define
them. Each takes the evaluated argument nodes and the call's span and returns a node; wrong
argument types raise EvalError (what Terraform would reject), anything unknown gives unknown.

Collection functions keep the element nodes they pass through (`concat`, `element`, `lookup`,
`merge`, `flatten`, …), so a region picked out of a list still points at the token that wrote it.
Functions whose result depends on the clock or the machine (`timestamp`, `uuid`, `file`,
`fileexists`, …) are not here: a call to a function not listed is unknown.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Callable

from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Span
from sigcheck.inputs.hcl.values import (
    EvalError, first_origin, is_list, is_object, is_unknown, object_of, plain, scalar, set_of, to_number, to_text,
    tuple_of, unknown, wholly_known,
)

Function = Callable[[list[Node], Span], Node]
FUNCTIONS: dict[str, Function] = {}


def _function(*names: str) -> Callable[[Function], Function]:
    def register(fn: Function) -> Function:
        for name in names:
            FUNCTIONS[name] = fn
        return fn
    return register


def _arity(args: list[Node], low: int, high: int | None = None) -> None:
    if len(args) < low or (high is not None and len(args) > high):
        raise EvalError("wrong number of arguments")


def _text(node: Node) -> str:
    text = to_text(node)
    if text is None:
        raise EvalError("expected a string")
    return text


def _unknown_if_any(args: list[Node], span: Span) -> Node | None:
    for arg in args:
        if not wholly_known(arg):
            return unknown(span, first_origin(args))
    return None


def _known_args(args: list[Node], span: Span, low: int, high: int | None = None) -> Node | None:
    """Checks the argument count; the unknown result when an argument is not wholly known."""
    _arity(args, low, high)
    return _unknown_if_any(args, span)


def _string(fn: Callable[..., str]) -> Function:
    """A function of strings returning a string, at the call."""
    def call(args: list[Node], span: Span) -> Node:
        missing = _unknown_if_any(args, span)
        if missing is not None:
            return missing
        return scalar(fn(*[_text(a) for a in args]), span, first_origin(args))
    return call


FUNCTIONS["lower"] = _string(lambda s: s.lower())
FUNCTIONS["upper"] = _string(lambda s: s.upper())
FUNCTIONS["trimspace"] = _string(lambda s: s.strip())
FUNCTIONS["title"] = _string(lambda s: re.sub(r"\b\w", lambda m: m.group(0).upper(), s))
FUNCTIONS["trim"] = _string(lambda s, cut: s.strip(cut))
FUNCTIONS["trimprefix"] = _string(lambda s, p: s[len(p):] if p and s.startswith(p) else s)
FUNCTIONS["trimsuffix"] = _string(lambda s, p: s[: -len(p)] if p and s.endswith(p) else s)


@_function("replace")
def _replace(args: list[Node], span: Span) -> Node:
    if (missing := _known_args(args, span, 3, 3)) is not None:
        return missing
    text, old, new = (_text(a) for a in args)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        try:
            pattern = re.compile(old[1:-1])
        except re.error:
            raise EvalError("bad regular expression") from None
        # Terraform writes group references as $1 / ${1}.
        template = re.sub(r"\$\{?(\d+)\}?", r"\\\1", new)
        return scalar(pattern.sub(template, text), span, first_origin(args))
    return scalar(text.replace(old, new), span, first_origin(args))


@_function("substr")
def _substr(args: list[Node], span: Span) -> Node:
    if (missing := _known_args(args, span, 3, 3)) is not None:
        return missing
    text = _text(args[0])
    offset, length = to_number(args[1]), to_number(args[2])
    if not isinstance(offset, int) or not isinstance(length, int):
        raise EvalError("substr needs whole numbers")
    if offset < 0:
        offset += len(text)
    end = len(text) if length == -1 else offset + length
    return scalar(text[offset:end], span, first_origin(args))


@_function("format")
def _format(args: list[Node], span: Span) -> Node:
    if (missing := _known_args(args, span, 1)) is not None:
        return missing
    spec = _text(args[0])
    values = args[1:]
    out: list[str] = []
    position = 0
    i = 0
    while i < len(spec):
        ch = spec[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        match = re.match(r"%(\[(\d+)\])?([-+# 0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])", spec[i:])
        if match is None:
            raise EvalError("bad format")
        verb = match.group(6)
        i += len(match.group(0))
        if verb == "%":
            out.append("%")
            continue
        if len(match.group(2) or "") > 6 or len(match.group(4)) > 6:
            # An argument index or width of millions: text sigcheck will not build.
            return unknown(span, first_origin(args))
        if match.group(2):
            position = int(match.group(2)) - 1
        if position >= len(values):
            raise EvalError("not enough arguments for format")
        value = values[position]
        position += 1
        width = int(match.group(4)) if match.group(4) else 0
        flags = match.group(3)
        if verb in ("s", "v", "q"):
            text = _text(value) if verb != "v" or not (is_list(value) or is_object(value)) else str(plain(value))
            piece = f'"{text}"' if verb == "q" else text
        elif verb == "d":
            number = to_number(value)
            if number is None:
                raise EvalError("%d needs a number")
            piece = str(int(number))
            if "0" in flags and width:
                piece = piece.zfill(width)
        elif verb in ("f", "e", "g"):
            number = to_number(value)
            if number is None:
                raise EvalError(f"%{verb} needs a number")
            precision = match.group(5)
            piece = format(float(number), f".{precision}{verb}" if precision else verb)
        elif verb == "t":
            piece = _text(value)
        else:
            raise EvalError(f"unsupported format verb %{verb}")
        if width and len(piece) < width:
            piece = piece.ljust(width) if "-" in flags else piece.rjust(width)
        out.append(piece)
    return scalar("".join(out), span, first_origin(args))


@_function("join")
def _join(args: list[Node], span: Span) -> Node:
    if (missing := _known_args(args, span, 2)) is not None:
        return missing
    separator = _text(args[0])
    items: list[str] = []
    for arg in args[1:]:
        if not is_list(arg):
            raise EvalError("join needs lists")
        items.extend(_text(item) for item in arg.value)
    return scalar(separator.join(items), span, first_origin(args))


@_function("split")
def _split(args: list[Node], span: Span) -> Node:
    if (missing := _known_args(args, span, 2, 2)) is not None:
        return missing
    separator, text = _text(args[0]), _text(args[1])
    parts = text.split(separator) if separator else list(text)
    origin = first_origin(args)
    return tuple_of([scalar(p, span, origin) for p in parts], span, origin)


def _string_test(test: Callable[[str, str], bool]) -> Function:
    def call(args: list[Node], span: Span) -> Node:
        if (missing := _known_args(args, span, 2, 2)) is not None:
            return missing
        return scalar(test(_text(args[0]), _text(args[1])), span, first_origin(args))
    return call


FUNCTIONS["startswith"] = _string_test(str.startswith)
FUNCTIONS["endswith"] = _string_test(str.endswith)
FUNCTIONS["strcontains"] = _string_test(lambda text, part: part in text)


@_function("concat")
def _concat(args: list[Node], span: Span) -> Node:
    items: list[Node] = []
    for arg in args:
        if is_unknown(arg):
            return unknown(span, arg.origin)
        if not is_list(arg):
            raise EvalError("concat needs lists")
        items.extend(arg.value)
    return tuple_of(items, span, first_origin(args))


@_function("merge")
def _merge(args: list[Node], span: Span) -> Node:
    members: dict[str, Node] = {}
    spans: dict[str, Span] = {}
    for arg in args:
        if arg.value is None:
            continue
        if is_unknown(arg):
            return unknown(span, arg.origin)
        if not is_object(arg):
            raise EvalError("merge needs objects")
        for key, value in arg.value.items():
            members.pop(key, None)
            members[key] = value
            spans[key] = arg.key_spans[key] if arg.key_spans is not None else value.span
    return object_of(members, span, spans, first_origin(args))


@_function("lookup")
def _lookup(args: list[Node], span: Span) -> Node:
    _arity(args, 2, 3)
    table, key = args[0], args[1]
    if is_unknown(table) or is_unknown(key):
        return unknown(span, table.origin or key.origin)
    if not is_object(table):
        raise EvalError("lookup needs a map")
    text = _text(key)
    if text in table.value:
        found: Node = table.value[text]
        return found
    if len(args) == 3:
        return args[2]
    raise EvalError("lookup: no such key and no default")


@_function("element")
def _element(args: list[Node], span: Span) -> Node:
    _arity(args, 2, 2)
    items, index = args
    if is_unknown(items) or is_unknown(index):
        return unknown(span, items.origin or index.origin)
    if not is_list(items):
        raise EvalError("element needs a list")
    number = to_number(index)
    if not isinstance(number, int) or not items.value:
        raise EvalError("element needs a whole index into a non-empty list")
    if number < 0:
        raise EvalError("element: negative index")
    found: Node = items.value[number % len(items.value)]
    return found


@_function("coalesce")
def _coalesce(args: list[Node], span: Span) -> Node:
    for arg in args:
        if is_unknown(arg):
            return unknown(span, arg.origin)
        if arg.value is None or arg.value == "":
            continue
        return arg
    raise EvalError("coalesce: no non-null argument")


@_function("coalescelist")
def _coalescelist(args: list[Node], span: Span) -> Node:
    for arg in args:
        if is_unknown(arg):
            return unknown(span, arg.origin)
        if is_list(arg) and arg.value:
            return arg
    raise EvalError("coalescelist: no non-empty list")


def _elements(arg: Node) -> list[Node] | None:
    if is_unknown(arg):
        return None
    if is_list(arg):
        items: list[Node] = arg.value
        return items
    raise EvalError("expected a list or set")


@_function("distinct")
def _distinct(args: list[Node], span: Span) -> Node:
    _arity(args, 1, 1)
    items = _elements(args[0])
    if items is None or not wholly_known(args[0]):
        return unknown(span, args[0].origin)
    seen: list[object] = []
    out = []
    for item in items:
        value = plain(item)
        if value in seen:
            continue
        seen.append(value)
        out.append(item)
    return tuple_of(out, span, args[0].origin)


@_function("toset")
def _toset(args: list[Node], span: Span) -> Node:
    # Sets iterate in value order in Terraform (strings lexically), and drop duplicates.
    result = _distinct(args, span)
    if is_unknown(result):
        return result
    try:
        ordered = sorted(result.value, key=lambda n: (type(n.value).__name__, n.value))
    except TypeError:
        ordered = result.value
    return set_of(ordered, span, result.origin)


@_function("tolist")
def _tolist(args: list[Node], span: Span) -> Node:
    _arity(args, 1, 1)
    items = _elements(args[0])
    if items is None:
        return unknown(span, args[0].origin)
    return tuple_of(list(items), span, args[0].origin)


@_function("tomap")
def _tomap(args: list[Node], span: Span) -> Node:
    _arity(args, 1, 1)
    if is_unknown(args[0]):
        return unknown(span, args[0].origin)
    if not is_object(args[0]):
        raise EvalError("tomap needs an object")
    return args[0]


@_function("tostring")
def _tostring(args: list[Node], span: Span) -> Node:
    _arity(args, 1, 1)
    if is_unknown(args[0]):
        return unknown(span, args[0].origin)
    return scalar(_text(args[0]), args[0].span, args[0].origin)


@_function("tonumber")
def _tonumber(args: list[Node], span: Span) -> Node:
    _arity(args, 1, 1)
    if is_unknown(args[0]):
        return unknown(span, args[0].origin)
    number = to_number(args[0])
    if number is None:
        raise EvalError("not a number")
    return scalar(number, args[0].span, args[0].origin)


@_function("flatten")
def _flatten(args: list[Node], span: Span) -> Node:
    _arity(args, 1, 1)
    out: list[Node] = []
    stack: list[Node] = [args[0]]
    while stack:
        current = stack.pop()
        if is_unknown(current):
            return unknown(span, current.origin)
        if is_list(current):
            stack.extend(reversed(current.value))
        else:
            out.append(current)
    return tuple_of(out, span, args[0].origin)


@_function("length")
def _length(args: list[Node], span: Span) -> Node:
    _arity(args, 1, 1)
    arg = args[0]
    if is_unknown(arg):
        return unknown(span, arg.origin)
    if is_list(arg) or is_object(arg):
        return scalar(len(arg.value), span, arg.origin)
    text = to_text(arg)
    if text is None:
        raise EvalError("length of null")
    return scalar(len(text), span, arg.origin)


@_function("keys")
def _keys(args: list[Node], span: Span) -> Node:
    _arity(args, 1, 1)
    arg = args[0]
    if is_unknown(arg):
        return unknown(span, arg.origin)
    if not is_object(arg):
        raise EvalError("keys needs a map")
    assert arg.key_spans is not None
    return tuple_of([scalar(k, arg.key_spans[k], arg.origin) for k in sorted(arg.value)], span, arg.origin)


@_function("values")
def _values(args: list[Node], span: Span) -> Node:
    _arity(args, 1, 1)
    arg = args[0]
    if is_unknown(arg):
        return unknown(span, arg.origin)
    if not is_object(arg):
        raise EvalError("values needs a map")
    return tuple_of([arg.value[k] for k in sorted(arg.value)], span, arg.origin)


@_function("contains")
def _contains(args: list[Node], span: Span) -> Node:
    if (missing := _known_args(args, span, 2, 2)) is not None:
        return missing
    items = _elements(args[0]) or []
    wanted = plain(args[1])
    return scalar(any(plain(item) == wanted for item in items), span, first_origin(args))


@_function("index")
def _index(args: list[Node], span: Span) -> Node:
    if (missing := _known_args(args, span, 2, 2)) is not None:
        return missing
    items = _elements(args[0]) or []
    wanted = plain(args[1])
    for i, item in enumerate(items):
        if plain(item) == wanted:
            return scalar(i, span, first_origin(args))
    raise EvalError("index: not found")


@_function("compact")
def _compact(args: list[Node], span: Span) -> Node:
    _arity(args, 1, 1)
    items = _elements(args[0])
    if items is None:
        return unknown(span, args[0].origin)
    if any(is_unknown(i) for i in items):
        return unknown(span, args[0].origin)
    return tuple_of([i for i in items if i.value not in (None, "")], span, args[0].origin)


@_function("slice")
def _slice(args: list[Node], span: Span) -> Node:
    _arity(args, 3, 3)
    items = _elements(args[0])
    if items is None or is_unknown(args[1]) or is_unknown(args[2]):
        return unknown(span, first_origin(args))
    start, end = to_number(args[1]), to_number(args[2])
    if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end <= len(items):
        raise EvalError("slice: bad bounds")
    return tuple_of(items[start:end], span, args[0].origin)


@_function("zipmap")
def _zipmap(args: list[Node], span: Span) -> Node:
    _arity(args, 2, 2)
    names, values = _elements(args[0]), _elements(args[1])
    if names is None or values is None or any(is_unknown(n) for n in names):
        return unknown(span, first_origin(args))
    if len(names) != len(values):
        raise EvalError("zipmap: lengths differ")
    return object_of({_text(n): v for n, v in zip(names, values)}, span,
                     {_text(n): n.span for n in names}, first_origin(args))


def _extreme(pick: Callable[[list[float]], float]) -> Function:
    def call(args: list[Node], span: Span) -> Node:
        missing = _unknown_if_any(args, span)
        if missing is not None:
            return missing
        numbers = [to_number(a) for a in args]
        if not numbers or any(n is None for n in numbers):
            raise EvalError("min/max need numbers")
        return scalar(pick([n for n in numbers if n is not None]), span, first_origin(args))
    return call


FUNCTIONS["min"] = _extreme(min)
FUNCTIONS["max"] = _extreme(max)


@_function("abs")
def _abs(args: list[Node], span: Span) -> Node:
    _arity(args, 1, 1)
    if is_unknown(args[0]):
        return unknown(span, args[0].origin)
    number = to_number(args[0])
    if number is None:
        raise EvalError("abs needs a number")
    return scalar(abs(number), span, args[0].origin)


@_function("jsonencode")
def _jsonencode(args: list[Node], span: Span) -> Node:
    """Kept as the value itself, marked: `body = jsonencode({...})` is read as that object by
    the loaders (azapi), and a string it would make is never checked as text."""
    _arity(args, 1, 1)
    return unknown(span, args[0].origin)


_FORMATDATE = re.compile(r"'[^']*'|YYYY|YY|MMMM|MMM|MM|M|DD|D|EEEE|EEE|hh|h|HH|H|mm|m|ss|s|AA|aa|ZZZZZ|ZZZZ|ZZZ|Z")


@_function("formatdate")
def _formatdate(args: list[Node], span: Span) -> Node:
    if (missing := _known_args(args, span, 2, 2)) is not None:
        return missing
    spec, stamp = _text(args[0]), _text(args[1])
    try:
        moment = _dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        raise EvalError("formatdate needs an RFC 3339 timestamp") from None
    table = {
        "YYYY": f"{moment.year:04d}", "YY": f"{moment.year % 100:02d}", "MMMM": moment.strftime("%B"),
        "MMM": moment.strftime("%b"), "MM": f"{moment.month:02d}", "M": str(moment.month),
        "DD": f"{moment.day:02d}", "D": str(moment.day), "EEEE": moment.strftime("%A"), "EEE": moment.strftime("%a"),
        "hh": f"{moment.hour:02d}", "h": str(moment.hour), "HH": f"{(moment.hour % 12) or 12:02d}",
        "H": str((moment.hour % 12) or 12), "mm": f"{moment.minute:02d}", "m": str(moment.minute),
        "ss": f"{moment.second:02d}", "s": str(moment.second), "AA": "AM" if moment.hour < 12 else "PM",
        "aa": "am" if moment.hour < 12 else "pm", "Z": "Z" if moment.utcoffset() in (None, _dt.timedelta(0)) else moment.strftime("%z"),
        "ZZZ": "UTC", "ZZZZ": moment.strftime("%z") or "+0000", "ZZZZZ": moment.isoformat()[-6:] if moment.utcoffset() else "+00:00",
    }

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("'"):
            return token[1:-1].replace("''", "'") or "'"
        return table[token]

    return scalar(_FORMATDATE.sub(one, spec), span, first_origin(args))


@_function("timestamp", "uuid", "plantimestamp", "file", "fileexists", "templatefile", "filebase64", "abspath", "pathexpand")
def _unknowable(args: list[Node], span: Span) -> Node:
    """Values of the clock, the machine or files: not known when reading the configuration."""
    return unknown(span)


@_function("regex")
def _regex(args: list[Node], span: Span) -> Node:
    if (missing := _known_args(args, span, 2, 2)) is not None:
        return missing
    try:
        match = re.search(_text(args[0]), _text(args[1]))
    except re.error:
        raise EvalError("bad regular expression") from None
    if match is None:
        raise EvalError("regex: no match")
    if match.re.groups == 0:
        return scalar(match.group(0), span, first_origin(args))
    if match.re.groupindex:
        return object_of({k: scalar(v, span) for k, v in match.groupdict().items()}, span, origin=first_origin(args))
    return tuple_of([scalar(g, span) for g in match.groups()], span, first_origin(args))


__all__ = ["FUNCTIONS", "Function", "UNKNOWN"]
