"""azapi resources: `azapi_resource` / `azapi_update_resource` whose `type` is a gallery type
with an API version (`Microsoft.Compute/galleries/images@2023-07-03`) carry a REST body, so
every body rule applies to them as to a REST request (domain-pipelines.md §2).

The body is an HCL object (azapi ≥ 1.13) or `jsonencode({...})` (before 2.0), read as that object
either way; a JSON string (a heredoc) is parsed as JSON. `location` and `tags` attributes are
copied into the body when it has none, as the provider does. An `azapi_update_resource` body is a
partial overlay (GET, merge, PUT), so what it leaves out is not missing.
"""

from __future__ import annotations

import re
from typing import Any

from sigcheck.inputs import imagebuilder
from sigcheck.model import resources as m
from sigcheck.model.findings import Finding
from sigcheck.inputs.rest.normalize import build_resource
from sigcheck.syntax.jsonc import JsonSyntaxError, Node, parse as parse_json
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.inputs.hcl import syntax as s
from sigcheck.inputs.hcl.values import ResourceId, is_object, is_unknown, relocate, to_text, unknown
from sigcheck.inputs.terraform.module import EvaluatedBlock, Instance, Module

AZAPI_TYPES = ("azapi_resource", "azapi_update_resource")

_GALLERY_TYPES = {t.lower(): t for t in m.GALLERY_TYPES}


def split_type(text: str) -> tuple[str, str] | None:
    """`Microsoft.Compute/galleries/images@2023-07-03` -> (canonical ARM type, API version) for
    the gallery types sigcheck models; None for anything else."""
    arm_type, sep, api = text.partition("@")
    canonical = _GALLERY_TYPES.get(arm_type.strip().lower())
    if not sep or canonical is None:
        return None
    return canonical, api.strip()


def azapi_major_at_least(module: Module) -> int | None:
    """The lowest major version of azapi the module's `required_providers` constraint allows,
    when it states one (`">= 2.0"`, `"~> 2.1"`, `"2.3.0"`); None when it does not."""
    lowest: int | None = None
    for hcl in module.files:
        for block in hcl.body.blocks_of("terraform"):
            for required in block.body.blocks_of("required_providers"):
                attribute = required.body.attr("azapi")
                if attribute is None:
                    continue
                value = module.evaluator.value(attribute.expr)
                version = value.value.get("version") if is_object(value) else None
                text = to_text(version) if version is not None and not is_unknown(version) else None
                if text is None:
                    continue
                for part in text.split(","):
                    match = re.match(r"\s*(?:>=|~>|=|>)?\s*v?(\d+)", part)
                    if match and not part.strip().startswith(("<", "!=")):
                        major = int(match.group(1))
                        lowest = major if lowest is None else max(lowest, major)
    return lowest


def _string_body(module: Module, instance: Instance) -> s.Expr | None:
    """The `body` expression when it is a string (`jsonencode(...)`, a JSON string)."""
    attribute = instance.block.body.attr("body")
    if attribute is None:
        return None
    expr = attribute.expr
    if isinstance(expr, s.Call) and expr.name == "jsonencode":
        return expr
    if isinstance(expr, (s.Template, s.Literal)):
        value = module.evaluator.value(expr, instance.scope)
        return expr if isinstance(value.value, str) else None
    return None


def string_body_refused(module: Module, instance: Instance) -> tuple[Span, str] | None:
    """azapi 2.0 accepts only an HCL object as `body` (CHANGELOG v2.0.0-beta: "The `body` field
    now only accepts an HCL object. Please remove the `jsonencode` function"); a configuration
    that requires azapi >= 2 and passes a string is refused at plan."""
    expr = _string_body(module, instance)
    if expr is None:
        return None
    major = azapi_major_at_least(module)
    if major is None or major < 2:
        return None
    return expr.span, ("azapi 2.x refuses a string `body` at plan (the provider requires azapi >= 2.0 here): "
                       "write the body as an HCL object, without jsonencode()")


def _body(module: Module, instance: Instance, evaluated: EvaluatedBlock) -> Node | None:
    """The request body as a located object, or None when it is not an object."""
    attribute = instance.block.body.attr("body")
    if attribute is None:
        return None
    expr = attribute.expr
    if isinstance(expr, s.Call) and expr.name == "jsonencode" and len(expr.args) == 1:
        value = module.evaluator.value(expr.args[0], instance.scope)
    else:
        value = evaluated.attributes["body"][0]
    if isinstance(value.value, str) and not is_unknown(value):
        try:
            document = parse_json(value.value, attribute.expr.span.path)
        except JsonSyntaxError:
            return None
        if document.root is None:
            return None
        # Positions inside an embedded JSON string are not kept: the whole string stands for them.
        return relocate(document.root, value.span, value.origin)
    return value if is_object(value) else None


def build(
    module: Module, instance: Instance, evaluated: EvaluatedBlock, path: str, context: m.DeploymentContext
) -> m.Resource | None:
    found = evaluated.attributes.get("type")
    if found is None or not isinstance(found[0].value, str) or is_unknown(found[0]):
        return None
    type_node = found[0]
    split = split_type(type_node.value)
    if split is None:
        return None
    arm_type, api = split
    header = instance.block.header_span
    api_located = Located(api, type_node.span, type_node.origin, "apiVersion")
    body = _body(module, instance, evaluated)
    if body is None:
        body = Node({}, header, {})
    for copied in ("location", "tags"):
        given = evaluated.attributes.get(copied)
        if given is not None and given[0].value is not None and body.get(copied) is None:
            body.value[copied] = given[0]
            assert body.key_spans is not None
            body.key_spans[copied] = given[1].name_span
    partial = instance.block.labels[0][0] == "azapi_update_resource"
    names = _names(evaluated, arm_type, header, partial)
    resource = build_resource(arm_type, names, api_located, body, path, header, context,
                              source_kind="azapi", partial=partial)
    return resource


def is_image_template(evaluated: EvaluatedBlock) -> bool:
    """Whether the block's `type` is `Microsoft.VirtualMachineImages/imageTemplates@<api>`."""
    found = evaluated.attributes.get("type")
    if found is None or not isinstance(found[0].value, str) or is_unknown(found[0]):
        return False
    return found[0].value.partition("@")[0].strip().lower() == imagebuilder.IMAGE_TEMPLATES.lower()


def image_template_versions(
    module: Module, instance: Instance, evaluated: EvaluatedBlock, path: str, context: m.DeploymentContext,
    known: list[m.Resource],
) -> tuple[list[m.Resource], list[Finding]]:
    """The gallery image versions an Image Builder template's SharedImage distributions will
    create, and Image Builder's own findings on them (the same reading as an ARM template's
    imageTemplates resource, located on the HCL tokens)."""
    type_node = evaluated.attributes["type"][0]
    api = type_node.value.partition("@")[2].strip()
    api_located = Located(api or UNKNOWN, type_node.span, type_node.origin, "apiVersion")
    body = _body(module, instance, evaluated)
    if body is None:
        return [], []
    given = evaluated.attributes.get("name")
    name = given[0].value if given is not None and isinstance(given[0].value, str) and not is_unknown(given[0]) else None
    return imagebuilder.image_versions(body, api_located, path, instance.block.header_span, context,
                                       known=known, template_name=name)


def _names(evaluated: EvaluatedBlock, arm_type: str, header: Span, partial: bool) -> list[Located[Any]]:
    depth = arm_type.count("/")
    if partial and "resource_id" in evaluated.attributes:
        return _from_id(evaluated.attributes["resource_id"][0], depth, header)
    name = evaluated.attributes.get("name")
    own = Located(UNKNOWN, header, None, "name")
    if name is not None:
        value = name[0]
        own = Located(value.value if isinstance(value.value, str) and not is_unknown(value) else UNKNOWN, value.span, value.origin, "name")
    parent = evaluated.attributes.get("parent_id")
    parents = _from_id(parent[0], depth - 1, header) if parent is not None and depth > 1 else []
    return [*parents, own]


def _from_id(value: Node, count: int, header: Span) -> list[Located[Any]]:
    """The last `count` gallery names of a resource id (a declared resource's id, or text)."""
    raw = value.value
    names: list[str] | None = None
    if isinstance(raw, ResourceId):
        names = list(raw.names)
    else:
        text = to_text(value) if not is_unknown(value) else None
        if text is not None and "/galleries/" in text.lower():
            parts = [p for p in text.split("/") if p]
            lowered = [p.lower() for p in parts]
            at = lowered.index("galleries")
            names = parts[at + 1::2]
    if names is None or len(names) < count:
        return [Located(UNKNOWN, value.span if value is not None else header, value.origin, "name") for _ in range(count)]
    return [Located(n, value.span, value.origin, "name") for n in names[len(names) - count:]] if count else []


__all__ = ["AZAPI_TYPES", "build", "split_type", "unknown"]
