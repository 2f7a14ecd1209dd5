"""ARM templates to model resources: resources arrays and symbolic-name objects, nested child
resources, `g/d/1.0.0` names, and nested deployments with inline templates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from sigcheck.inputs import imagebuilder
from sigcheck.inputs.arm.nodes import NodeEvaluator
from sigcheck.model.findings import Finding
from sigcheck.syntax.jsonc import Deferred, Node
from sigcheck.syntax.located import Located
from sigcheck.model import resources as m
from sigcheck.model.from_body import build, segment_spans

DEPLOYMENTS = "microsoft.resources/deployments"


@dataclass
class Declared:
    """A resource as the template declares it, before it becomes a model object."""

    type_name: str
    names: list[Located[str]]
    node: Node
    api_version: Located[Any] | None



def resources_from_template(root: Node, path: str, evaluator: NodeEvaluator, context: m.DeploymentContext,
                            findings: list[Finding] | None = None) -> list[m.Resource]:
    """The model resources of a template; Image Builder's own findings go to `findings`."""
    out: list[m.Resource] = []
    image_templates: list[tuple[Declared, Node]] = []
    for declared, instance in _walk_template(root, evaluator, parent=None):
        if declared.type_name.lower() == imagebuilder.IMAGE_TEMPLATES.lower():
            image_templates.append((declared, instance.evaluate_tree(declared.node)))
            continue
        cls = m.MODEL_BY_TYPE.get(declared.type_name.lower())
        if cls is None:
            continue
        body = instance.evaluate_tree(declared.node)
        common = {
            "source_kind": "arm",
            "path": path,
            "span": declared.node.span,
            "names": declared.names,
            "api_version": declared.api_version,
            "context": context,
        }
        out.append(build(cls, common, body))
    # After every resource: an image version takes its region from a definition declared anywhere.
    for declared, body in image_templates:
        name = declared.names[-1].value if declared.names and isinstance(declared.names[-1].value, str) else None
        versions, problems = imagebuilder.image_versions(
            body, declared.api_version, path, declared.node.span, context, known=out, template_name=name)
        out.extend(versions)
        if findings is not None:
            findings.extend(problems)
    return out


def _resource_nodes(template: Node) -> list[Node]:
    resources = template.get_ci("resources")
    if resources is None:
        return []
    if resources.is_array:
        return [r for r in resources.value if r.is_object]
    if resources.is_object:  # languageVersion 2.0: symbolic name -> resource
        return [r for _, r in resources.items() if r.is_object]
    return []


def _walk_template(template: Node, evaluator: NodeEvaluator, parent: Declared | None) -> Iterator[tuple[Declared, NodeEvaluator]]:
    for node in _resource_nodes(template):
        yield from _walk_resource(node, evaluator, parent)


def _walk_resource(node: Node, evaluator: NodeEvaluator, parent: Declared | None) -> Iterator[tuple[Declared, NodeEvaluator]]:
    if _is_true(node.get_ci("existing")):
        return  # a reference to a resource declared elsewhere, not a declaration
    for instance in evaluator.instances(node):
        type_node = node.get_ci("type")
        type_value = instance.evaluate(type_node) if type_node is not None else None
        if type_value is None or not type_value.known or not isinstance(type_value.value, str):
            continue
        type_name = type_value.value
        if parent is not None and "/" not in type_name:
            type_name = f"{parent.type_name}/{type_name}"
        name_node = node.get_ci("name")
        name = instance.evaluate(name_node) if name_node is not None else None
        depth = max(1, type_name.count("/"))  # Microsoft.Compute/galleries/images -> 2 names
        own = depth - (len(parent.names) if parent is not None and type_name.lower().startswith(parent.type_name.lower() + "/") else 0)
        segments = [instance.attribute(s) for s in segment_spans(name, max(1, own))] if name is not None else []
        names = (parent.names if parent is not None and own < depth else []) + segments
        api_node = node.get_ci("apiVersion")
        api = instance.evaluate(api_node) if api_node is not None else None
        declared = Declared(type_name, names, node, api)
        yield declared, instance
        children = node.get_ci("resources")
        if children is not None:
            for child in (children.value if children.is_array else [c for _, c in children.items()]):
                if child.is_object:
                    yield from _walk_resource(child, instance, declared)
        if type_name.lower() == DEPLOYMENTS:
            inner = node.get_ci("properties")
            template = inner.get_ci("template") if inner is not None else None
            if template is not None and template.is_object:
                yield from _walk_template(template, instance.nested(node, template), parent=None)
    if isinstance(node, Deferred):
        # Its models are built (a body that is this very node reads it again when a rule looks).
        node.release()


def _is_true(node: Node | None) -> bool:
    return node is not None and node.value is True


