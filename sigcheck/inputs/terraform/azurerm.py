"""azurerm resources to the ARM-shaped located bodies the gallery model reads, driven by the
attribute table `rules/terraform/azurerm.json` (each mapping with its source).

What the provider sends is what the service judges, so the body is the provider's request:
attributes the user left unset but that the provider sends anyway (`hyper_v_generation` = V1,
`storage_account_type` = Standard_LRS, …) become values located at the resource's (or block's)
header with the origin "azurerm default of …". Where the provider's own plan-time validation
rejects a value, a note is recorded at that value, so every finding there says that
`terraform plan` would also stop it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from sigcheck.model import facts
from sigcheck.model import resources as m
from sigcheck.model.from_body import build
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.syntax.words import Body, arr, obj, put
from sigcheck.inputs.hcl.values import is_unknown, scalar, to_number, unknown
from sigcheck.inputs.terraform.module import EvaluatedBlock, id_segment

PLAN_NOTE = "terraform plan would also stop this"


@cache
def table() -> dict[str, Any]:
    data: dict[str, Any] = facts.load("terraform/azurerm")
    return data


def resource_types() -> set[str]:
    return set(table()["resources"]) | {k for k in table()["consumers"] if not k.startswith("_")} | disk_types()


def disk_types() -> set[str]:
    """The azurerm disk and snapshot resources read as sources of image versions."""
    return {k for k in table()["disk_sources"] if not k.startswith("_")}


class Built:
    """The body of one resource instance, its names, the plan-time notes, and the plan-time
    refusals that no rule reports (SIG003)."""

    def __init__(self, span: Span) -> None:
        self.body = Body(span)
        self.notes: list[tuple[Span, str]] = []
        self.refusals: list[tuple[Span, str, str]] = []  # (span, message, property path)

    def plan_check(self, rule: dict[str, Any], value: Node, attr_name: str, path: str) -> None:
        failure = plan_failure(rule, value)
        if failure is None:
            return
        if rule.get("report"):
            self.refusals.append((value.span, f"`{attr_name}` {_shown(value)} is refused by the azurerm provider at plan: {failure}", path))
        else:
            self.notes.append((value.span, f"{PLAN_NOTE}: {failure}"))


def _shown(value: Node) -> str:
    raw = value.value
    if isinstance(raw, list):
        raw = [item.value for item in raw]
    text = f"{raw!r}"
    return f"{text} ({value.origin})" if value.origin else text


def _set(value: Node) -> bool:
    """Whether an attribute counts as set: Terraform treats null as not written."""
    return value.value is not None


def _normalized_location(value: Node) -> Node:
    if isinstance(value.value, str):
        return scalar(value.value.lower().replace(" ", ""), value.span, value.origin)
    return value


def plan_failure(rule: dict[str, Any], value: Node) -> str | None:
    """The provider's message when `value` fails its plan-time validation `rule`, else None."""
    if is_unknown(value):
        return None
    raw = value.value
    values = raw if isinstance(raw, list) else [value]
    for item in values:
        v = item.value if isinstance(item, Node) else item
        if v is UNKNOWN or v is None:
            continue
        if "enum" in rule and isinstance(v, str) and v not in rule["enum"]:
            return str(rule["message"])
        if "pattern" in rule and isinstance(v, str) and re.fullmatch(rule["pattern"], v) is None:
            return str(rule["message"])
        if "length" in rule and isinstance(v, str):
            low, high = rule["length"]
            if not low <= len(v) <= high:
                return str(rule["message"])
        if "range" in rule and isinstance(v, (int, float)) and not isinstance(v, bool):
            low, high = rule["range"]
            if not low <= v <= high:
                return str(rule["message"])
    return None


def _fill(spec: dict[str, Any], block: EvaluatedBlock, target: Body | Node, header: Span, built: Built, base: str) -> None:
    """Map one (evaluated) block's attributes and nested blocks onto `target` per `spec`."""
    for attr_name, rule in spec.items():
        if rule.get("name") or "feature" in rule:
            continue
        if "block" in rule:
            _fill_blocks(attr_name, rule["block"], block, target, built, base)
            continue
        found = block.attributes.get(attr_name)
        value: Node | None = None
        if found is not None and _set(found[0]):
            value, attribute = found
            key_span = attribute.name_span
            if "plan" in rule:
                built.plan_check(rule["plan"], value, attr_name, f"{base}.{rule['path']}".lstrip("."))
            for other in rule.get("required_with", ()):
                partner = block.attributes.get(other)
                if partner is None or not _set(partner[0]):
                    built.notes.append((value.span, f"{PLAN_NOTE}: `{attr_name}` requires `{other}` (RequiredWith)"))
            if rule.get("omit_empty") and value.value == "":
                continue
            if rule.get("omit_false") and value.value is False:
                continue
        elif "default" in rule:
            key_span = header
            value = _default(rule["default"], header, f"azurerm default of {attr_name}")
        else:
            continue
        if rule.get("normalize") == "location":
            value = _normalized_location(value)
        if "map" in rule and not is_unknown(value) and isinstance(value.value, bool):
            value = scalar(rule["map"]["true" if value.value else "false"], value.span, value.origin)
        path = rule["path"]
        if "vm_id_path" in rule and isinstance(value.value, str) and "/virtualmachines/" in value.value.lower():
            path = rule["vm_id_path"]
        _put(target, path, value, key_span)


def _default(default: Any, span: Span, origin: str) -> Node:
    if isinstance(default, list):
        return Node([], span, None, origin)
    if isinstance(default, dict):
        return Node({}, span, {}, origin)
    return scalar(default, span, origin)


def _put(target: Body | Node, dotted: str, value: Node, key_span: Span) -> None:
    if isinstance(target, Body):
        target.set(dotted, value, key_span)
        return
    node = target
    keys = dotted.split(".")
    for key in keys[:-1]:
        found = node.value.get(key)
        if found is None or not found.is_object:
            found = put(node, key, obj(key_span), key_span)
        node = found
    put(node, keys[-1], value, key_span)


def _fill_blocks(name: str, spec: dict[str, Any], block: EvaluatedBlock, target: Body | Node, built: Built, base: str) -> None:
    made = block.blocks.get(name)
    if not made:
        return
    nodes = []
    for child in made:
        header = child.span or child.block.type_span
        node = obj(child.block.span if child.span is None else child.span)
        _fill(spec["attributes"], child, node, header, built, f"{base}.{spec['path']}")
        nodes.append(node)
    first = made[0]
    key_span = first.span or first.block.type_span
    if spec.get("list"):
        _put(target, spec["path"], arr(key_span, nodes), key_span)
    else:
        _put(target, spec["path"], nodes[-1], key_span)


def _features(spec: dict[str, Any], block: EvaluatedBlock, body: Body, built: Built, header: Span) -> None:
    items: list[Node] = []
    security_true: list[tuple[str, Node, Span]] = []
    security_unknown: list[tuple[str, Node, Span]] = []
    # In the order the attributes are written, so a repeated feature is reported where it repeats.
    written = sorted(
        (name for name, rule in spec.items() if "feature" in rule and name in block.attributes),
        key=lambda name: block.attributes[name][1].name_span.sort_key(),
    )
    for attr_name in written:
        rule = spec[attr_name]
        found = block.attributes.get(attr_name)
        if found is None or not _set(found[0]):
            continue
        value, attribute = found
        if rule.get("conflicts") == "security":
            if is_unknown(value):
                security_unknown.append((attr_name, value, attribute.name_span))
            elif value.value is True:
                security_true.append((attr_name, value, attribute.name_span))
            continue
        if is_unknown(value) or value.value is True:
            items.append(_feature(rule["feature"], value))
    if len(security_true) > 1:
        names = ", ".join(n for n, _, _ in security_true)
        for _, value, _ in security_true:
            built.notes.append((value.span, f"{PLAN_NOTE}: {names} conflict (ConflictsWith)"))
    for attr_name, value, _ in security_true:
        items.append(_feature(spec[attr_name]["feature"], value))
    if not security_true and security_unknown:
        # Which (if any) of the exclusive security flags is set is unknown: one SecurityType
        # feature of unknown value stands for them.
        value = security_unknown[0][1]
        items.append(_feature(["SecurityType", UNKNOWN], value))
    if items:
        body.set("properties.features", arr(header, items), header)


def _feature(pair: list[Any], value: Node) -> Node:
    node = obj(value.span)
    put(node, "name", scalar(pair[0], value.span, value.origin), value.span)
    feature_value = UNKNOWN if is_unknown(value) or pair[1] is UNKNOWN else pair[1]
    put(node, "value", scalar(feature_value, value.span, value.origin), value.span)
    return node


def _id_segments(value: Node, after: str) -> Located[Any]:
    """The name that follows `/<after>/` in a resource id, located at the id."""
    name = id_segment(value, after)
    return Located(name if name is not None else UNKNOWN, value.span, value.origin, "name")


def _names(spec: dict[str, Any], block: EvaluatedBlock, header: Span, built: Built) -> list[Located[Any]]:
    names: list[Located[Any]] = []
    for entry in spec["names"]:
        attr_name, _, segment = entry.partition(":")
        found = block.attributes.get(attr_name)
        if found is None or not _set(found[0]):
            names.append(Located(UNKNOWN, header, None, "name"))
            continue
        value, _ = found
        if segment:
            names.append(_id_segments(value, segment))
            continue
        rule = spec["attributes"].get(attr_name, {})
        if "plan" in rule:
            built.plan_check(rule["plan"], value, attr_name, "name")
        text = value.value if isinstance(value.value, str) and not is_unknown(value) else UNKNOWN
        names.append(Located(text, value.span, value.origin, "name"))
    return names


def build_gallery_resource(
    type_: str, block: EvaluatedBlock, path: str, context: m.DeploymentContext
) -> tuple[m.Resource, Built]:
    spec = table()["resources"][type_]
    header = block.block.header_span
    built = Built(block.block.span)
    for dotted, fixed in spec.get("fixed", {}).items():
        built.body.set(dotted, _default(fixed["value"], header, "set by the azurerm provider"), header)
    _fill(spec["attributes"], block, built.body, header, built, "")
    _features(spec["attributes"], block, built.body, built, header)
    names = _names(spec, block, header, built)
    api = Located(spec["api_version"], header, "the API version the azurerm provider sends", "apiVersion")
    return _model(spec["arm_type"], path, header, names, api, context, built.body.root), built


def _model(arm_type: str, path: str, header: Span, names: list[Located[Any]], api: Located[Any] | None,
           context: m.DeploymentContext, body: Node) -> m.Resource:
    common = {"source_kind": "terraform", "path": path, "span": header, "names": names, "api_version": api, "context": context}
    if body.get("location") is None:
        common["location"] = Located(UNKNOWN, header, None, "location")
    return build(m.MODEL_BY_TYPE[arm_type.lower()], common, body)


def build_consumer(
    type_: str, block: EvaluatedBlock, path: str, context: m.DeploymentContext
) -> m.Resource | None:
    spec = table()["consumers"][type_]
    found = block.attributes.get("source_image_id")
    if found is None or not _set(found[0]):
        return None  # a marketplace or managed image: nothing for the gallery rules
    header = block.block.header_span
    body = Body(block.block.span)
    value, attribute = found
    body.set(spec["image_path"], value, attribute.name_span)
    location = block.attributes.get("location")
    if location is not None and _set(location[0]):
        body.set("location", _normalized_location(location[0]), location[1].name_span)
    for dotted in spec["unknown"]:
        body.set(dotted, unknown(header), header)
    name = block.attributes.get("name")
    name_value = name[0] if name is not None else unknown(header)
    names = [Located(name_value.value if isinstance(name_value.value, str) else UNKNOWN, name_value.span, name_value.origin, "name")]
    return _model(spec["arm_type"], path, header, names, None, context, body.root)


def build_disk(type_: str, block: EvaluatedBlock, path: str, context: m.DeploymentContext) -> m.Resource:
    """A managed disk or snapshot, with the size the provider sends when the configuration gives
    one: an image version whose disk comes from it is then checked against the size limits."""
    spec = table()["disk_sources"][type_]
    header = block.block.header_span
    body = Body(block.block.span)
    size = block.attributes.get(spec["size"])
    if size is not None and _set(size[0]):
        number = to_number(size[0]) if not is_unknown(size[0]) else None
        value = scalar(number, size[0].span, size[0].origin) if number is not None else unknown(size[0].span)
        body.set("properties.diskSizeGB", value, size[1].name_span)
    location = block.attributes.get("location")
    if location is not None and _set(location[0]):
        body.set("location", _normalized_location(location[0]), location[1].name_span)
    name = block.attributes.get("name")
    name_value = name[0] if name is not None else unknown(header)
    names = [Located(name_value.value if isinstance(name_value.value, str) and not is_unknown(name_value) else UNKNOWN,
                     name_value.span, name_value.origin, "name")]
    return _model(spec["arm_type"], path, header, names, None, context, body.root)
