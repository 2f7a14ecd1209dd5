"""SIG706: a property the service refuses to update, changed between the base revision and now.

The engine pairs each resource with its declaration at `--base REV` (same type and names); this
rule walks both located bodies along the ARM property paths of rules/immutable.json. Only values
known on both sides are compared, so an unresolved value never reports."""

from __future__ import annotations

import re
from typing import Any, Iterator, Mapping, Sequence

from sigcheck.engine.rules import CheckContext, Hit, Rule, rule
from sigcheck.model import facts
from sigcheck.model import resources as m
from sigcheck.model.findings import Severity
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span

_SEGMENT = re.compile(r"^([A-Za-z0-9_$]+)(?:\[([A-Za-z0-9_]+)\])?$")
_ABSENT = object()  # the entry has no `absent` value: leaving the property out says nothing


def _table() -> Mapping[str, Any]:
    data: Mapping[str, Any] = facts.load("immutable")
    return {k.lower(): v for k, v in data.items() if not k.startswith("_")}


def _segments(path: str) -> list[tuple[str, str | None]]:
    out = []
    for part in path.split("."):
        match = _SEGMENT.match(part)
        if match is None:
            raise ValueError(f"rules/immutable.json: bad path segment '{part}' in '{path}'")
        out.append((match.group(1), match.group(2)))
    return out


def _key_text(node: Node | None) -> str | None:
    """An element's identity across revisions: region names as the service compares them
    ("West US 2" is westus2), LUNs as numbers; None when unknown."""
    if node is None or node.value is UNKNOWN or node.is_object or node.is_array or isinstance(node.value, bool):
        return None
    if isinstance(node.value, float) and node.value.is_integer():
        return str(int(node.value))
    return re.sub(r"[\s_-]", "", str(node.value)).lower()


# One place a path reaches: the element keys passed on the way (normalised, to pair places across
# revisions; and as written, for messages), the node there (None when the property is left out),
# and the nearest node on the way (for pointing at).
Reached = tuple[tuple[str, ...], tuple[str, ...], Node | None, Node]


def _walk(body: Node, segments: Sequence[tuple[str, str | None]]) -> Iterator[Reached]:
    """Every place `segments` reaches in `body`. An array whose elements are keyed yields one
    place per element with a known key; an object member that is absent yields a place whose
    node is None."""
    stack: list[tuple[int, Node, tuple[str, ...], tuple[str, ...]]] = [(0, body, (), ())]
    while stack:
        depth, node, keys, shown = stack.pop()
        if depth == len(segments):
            yield keys, shown, node, node
            continue
        name, key = segments[depth]
        child = node.get_ci(name) if node.is_object else None
        if child is None or child.value is UNKNOWN:
            if child is None and node.is_object:
                yield keys, shown, None, node
            continue
        if key is None:
            stack.append((depth + 1, child, keys, shown))
            continue
        if not child.is_array:
            continue
        for element in reversed(child.value):
            key_node = element.get_ci(key) if element.is_object else None
            ident = _key_text(key_node)
            if ident is not None and key_node is not None:
                stack.append((depth + 1, element, (*keys, ident), (*shown, str(key_node.value))))


def _scalar(node: Node | None) -> Any:
    """A comparable value: a known scalar, or UNKNOWN (objects, arrays, unresolved values)."""
    if node is None or node.value is UNKNOWN or node.is_object or node.is_array:
        return UNKNOWN
    return node.value


def _same(old: Any, new: Any, case_sensitive: bool) -> bool:
    if isinstance(old, str) and isinstance(new, str) and not case_sensitive:
        return old.lower() == new.lower()
    return bool(old == new)


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    return f"'{value}'" if isinstance(value, str) else str(value)


def _api_at_least(res: m.Resource, version: str) -> bool | None:
    api = res.api_version
    if api is None:
        return None  # the tool chooses (az, Az PowerShell): unknown
    if not api.known or not isinstance(api.value, str):
        return None
    return api.value[:10] >= version


def _exempt(res: m.Resource, unless: Mapping[str, Any] | None) -> bool | None:
    """Whether the new revision opts in to changing the property (allowUpdateImage); None when
    that cannot be told (then nothing is reported)."""
    if not unless or res.body is None:
        return False
    flags = [node for _, _, node, _ in _walk(res.body, _segments(unless["path"]))]
    value = _scalar(flags[0]) if flags and flags[0] is not None else None  # left out: not set
    if value is UNKNOWN:
        return None
    if value != unless["equals"]:
        return False
    recent = _api_at_least(res, unless["min_api"])
    return None if recent is None else recent


def _label(entry: Mapping[str, Any], keys: tuple[str, ...]) -> str:
    if "label" in entry:
        return str(entry["label"]).replace("{key}", keys[-1] if keys else "?")
    return str(entry["path"]).removeprefix("properties.")


def _token(node: Node | None, fallback: Node, res: m.Resource) -> Span:
    if node is not None:
        return node.span
    name = res.name
    return name.span if name is not None else fallback.span


def _values(res: m.Resource, old: m.Resource, entry: Mapping[str, Any], spec: Mapping[str, Any],
            ctx: CheckContext) -> Iterator[Hit]:
    assert res.body is not None and old.body is not None
    segments = _segments(entry["path"])
    absent = entry.get("absent", _ABSENT)
    before = {keys: (node, near) for keys, _, node, near in _walk(old.body, segments)}
    for keys, shown, node, near in _walk(res.body, segments):
        if keys not in before:
            continue  # an element new in this revision (a new target region): nothing to compare
        was, was_near = before[keys]
        new_value = _scalar(node) if node is not None else (absent if not res.partial else _ABSENT)
        old_value = _scalar(was) if was is not None else (absent if not old.partial else _ABSENT)
        if new_value is _ABSENT or old_value is _ABSENT or new_value is UNKNOWN or old_value is UNKNOWN:
            continue
        if _same(old_value, new_value, bool(entry.get("case_sensitive"))):
            continue
        if was is not None:
            where = f" ({ctx.place(was.span)})"
        else:
            where = f" (left out at {ctx.place(was_near.span)}{', the default' if old_value is not None else ''})"
        label = _label(entry, shown)
        yield Hit(
            _token(node, near, res),
            f"{label} changed from {_shown(old_value)}{where} to {_shown(new_value)}"
            f"{'' if node is not None else ' (left out, the default)'}; "
            f"{_outcome(res, entry, spec, f'changes to {label} of')} — {_fix(res, entry, spec)}",
            path=entry["path"] + "".join(f"[{k}]" for k in keys),
        )


def _replaced(res: m.Resource, entry: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    """What terraform does instead of sending the update, for an azurerm resource whose attribute
    the provider marks ForceNew (rules/immutable.json `azurerm`); None when the service's refusal
    is what the user meets (every other input kind, azapi, and azurerm attributes updated in place)."""
    if res.source_kind != "terraform" or "azurerm_in_place" in entry:
        return None
    replace = (spec.get("azurerm") or {}).get("replace")
    return str(replace) if replace else None


def _outcome(res: m.Resource, entry: Mapping[str, Any], spec: Mapping[str, Any], change: str) -> str:
    replaced = _replaced(res, entry, spec)
    if replaced is not None:
        return replaced
    return f"the service refuses {change} an existing {spec['noun']}"


def _fix(res: m.Resource, entry: Mapping[str, Any], spec: Mapping[str, Any]) -> str:
    hint = (entry.get("unless") or {}).get("hint")
    if res.source_kind == "terraform" and (spec.get("azurerm") or {}).get("no_unless"):
        hint = None  # azurerm cannot send the opt-in
    return f"{spec['fix']}, or {hint}" if hint else str(spec["fix"])


def _elements(res: m.Resource, old: m.Resource, entry: Mapping[str, Any], spec: Mapping[str, Any],
              ctx: CheckContext) -> Iterator[Hit]:
    assert res.body is not None and old.body is not None
    segments = _segments(entry["path"])
    outer, (array_name, key) = segments[:-1], segments[-1]
    assert key is not None, f"rules/immutable.json: an elements entry ends in a keyed array: {entry['path']}"
    before = {keys: node for keys, _, node, _ in _walk(old.body, outer)}
    for keys, shown_keys, holder, _ in _walk(res.body, outer):
        if holder is None or keys not in before:
            continue
        was_holder = before[keys]
        new_items = _keyed(holder.get_ci(array_name), key)
        if was_holder is None:
            old_items: dict[str, Node] | None = {} if not old.partial else None
            old_array: Node | None = None
        else:
            old_array = was_holder.get_ci(array_name)
            old_items = _keyed(old_array, key) if old_array is not None else ({} if not old.partial else None)
        if new_items is None or old_items is None:
            continue  # unknown on a side, or a partial update that leaves the list alone
        label = _label(entry, shown_keys)
        where = f" ({ctx.place(old_array.span)})" if old_array is not None else ""
        for ident, element in new_items.items():
            if ident not in old_items:
                shown = element.get_ci(key)
                assert shown is not None
                yield Hit(
                    shown.span,
                    f"{label} with {key} {_shown(shown.value)} is new since the base{where}; "
                    f"{_outcome(res, entry, spec, f'adding a {label} to')} — {_fix(res, entry, spec)}",
                    path=f"{entry['path']}[{ident}]",
                )
        array = holder.get_ci(array_name)
        if entry.get("report") == "added-removed" and array is not None:
            for ident, element in old_items.items():
                if ident not in new_items:
                    shown = element.get_ci(key)
                    assert shown is not None
                    yield Hit(
                        array.span,
                        f"{label} with {key} {_shown(shown.value)} ({ctx.place(shown.span)}) was removed; "
                        f"{_outcome(res, entry, spec, f'removing a {label} from')} — {_fix(res, entry, spec)}",
                        path=f"{entry['path']}[{ident}]",
                    )


def _keyed(array: Node | None, key: str) -> dict[str, Node] | None:
    """Elements by key; None when the list or a key is unknown (then it cannot be compared)."""
    if array is None:
        return {}
    if array.value is UNKNOWN or not array.is_array:
        return None
    out: dict[str, Node] = {}
    for element in array.value:
        ident = _key_text(element.get_ci(key)) if element.is_object else None
        if ident is None:
            return None
        out[ident] = element
    return out


@rule(
    "SIG706", "immutable-change", Severity.ERROR,
    "Between two revisions of an input, a property that the service does not allow to be updated has changed.",
    applies_to=(m.Gallery, m.ImageDefinition, m.ImageVersion, m.GalleryApplication, m.ApplicationVersion),
    enabled=False,
)
def immutable_change(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    old = ctx.base_of(res)
    if old is None or res.body is None or old.body is None:
        return
    spec = _table().get(res.type_name.lower())
    if spec is None:
        return
    for entry in spec["properties"]:
        exempt = _exempt(res, entry.get("unless"))
        if exempt is None or exempt:
            continue
        if entry.get("kind", "value") == "elements":
            yield from _elements(res, old, entry, spec, ctx)
        else:
            yield from _values(res, old, entry, spec, ctx)


RULES: list[Rule[m.Resource]] = [immutable_change]
