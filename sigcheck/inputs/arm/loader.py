"""The ARM template loader plugin: JSON with comments to model resources."""

from __future__ import annotations

from typing import Any

from sigcheck.inputs.arm.evaluate import DeploymentTarget
from sigcheck.inputs.arm.nodes import Reporter, NodeEvaluator
from sigcheck.model import diagnostics
from sigcheck.model.findings import Finding
from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile, parse_json
from sigcheck.inputs.arm.parameters import conventional_path, read_values
from sigcheck.syntax.located import UNKNOWN, Span
from sigcheck.model.ids import reference_of
from sigcheck.model.resources import GALLERY_TYPES, IMAGE_DEFINITION, IMAGE_VERSION, DeploymentContext, Resource, VirtualMachine
from sigcheck.inputs.arm.normalize import resources_from_template

_JSON_SUFFIXES = (".json", ".jsonc", ".arm")


class ArmLoader:
    name = "arm"
    priority = 50

    def claims(self, path: str, text: str) -> bool:
        if not path.lower().endswith(_JSON_SUFFIXES) and not text.lstrip().startswith("{"):
            return False
        head = text[:4096]
        if "deploymentTemplate.json" in head:
            return True
        if "deploymentParameters.json" in head:
            return False
        # A template without $schema (or with it further down): resources with type/apiVersion.
        return '"resources"' in text and '"apiVersion"' in text and '"type"' in text

    def load(self, source: SourceFile, options: LoadOptions) -> LoadResult:
        doc = parse_json(source)
        if isinstance(doc, LoadResult):
            return doc
        result = LoadResult()
        root = doc.root
        if root is None or not root.is_object:
            result.relevant = False
            return result
        chosen = options.parameters_file
        if chosen is not None and chosen.lower().endswith(".bicepparam"):
            chosen = None  # given for the Bicep files of the run
        parameter_file = chosen or conventional_path(source.path)
        values: dict[str, Any] = {}
        value_spans: dict[str, Span] = {}
        if parameter_file:
            values, problems = read_values(parameter_file, value_spans)
            result.findings.extend(problems)
        reporter = Reporter(budget=options.budget)
        evaluator = NodeEvaluator.for_template(root, source.path, reporter, values, _eval_target(options.context))
        evaluator.check_supplied(root, values, value_spans)
        image_builder: list[Finding] = []
        result.resources = resources_from_template(root, source.path, evaluator, options.context, image_builder)
        if not any(_concerns_galleries(res) for res in result.resources) and not image_builder:
            return LoadResult(relevant=False)
        result.comments = doc.comments
        result.findings.extend(diagnostics.duplicate_key(key, first, again) for key, first, again in doc.duplicate_keys)
        result.findings.extend(image_builder)
        result.findings.extend(reporter.findings)
        result.internal_errors.extend(reporter.internal)
        return result


def _concerns_galleries(res: Resource) -> bool:
    """A gallery resource, or a VM or scale set created from a gallery image."""
    if res.type_name in GALLERY_TYPES:
        return True
    if isinstance(res, VirtualMachine):
        return reference_of(res.image_id, (IMAGE_DEFINITION, IMAGE_VERSION)) is not None
    return False


def _eval_target(context: DeploymentContext) -> DeploymentTarget:
    location = context.location.value if context.location is not None and context.location.known else UNKNOWN
    return DeploymentTarget(
        subscription_id=context.subscription_id or UNKNOWN,
        resource_group=context.resource_group or UNKNOWN,
        location=location,
    )


