"""The ARM template loader plugin: JSON with comments to model resources."""

from __future__ import annotations

from typing import Any

from typing import TYPE_CHECKING

from sigcheck.model import diagnostics
from sigcheck.model.findings import Finding
from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile, parse_json
from sigcheck.inputs.arm.parameters import conventional_path, read_values
from sigcheck.syntax.located import UNKNOWN, Span
from sigcheck.model.ids import reference_of
from sigcheck.model.resources import GALLERY_TYPES, IMAGE_DEFINITION, IMAGE_VERSION, MODEL_BY_TYPE, DeploymentContext, Resource, VirtualMachine
from sigcheck.syntax.jsonc import RELEASABLE, Node

if TYPE_CHECKING:
    from sigcheck.inputs.arm.evaluate import DeploymentTarget

# Kept equal to sigcheck.inputs.arm.normalize.DEPLOYMENTS (a test holds it), without importing the
# evaluator: recognising a file (claims) must stay cheap for runs with no template in them.
DEPLOYMENTS = "microsoft.resources/deployments"

_JSON_SUFFIXES = (".json", ".jsonc", ".arm")


class ArmLoader:
    name = "arm"
    # The outcome depends on the file's content and the parameter file beside it, which
    # sigcheck.engine.cache includes in its key.
    cacheable = True
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
        # The evaluator is imported with the first template, not with the plugin.
        from sigcheck.inputs.arm.nodes import NodeEvaluator, Reporter
        from sigcheck.inputs.arm.normalize import resources_from_template

        doc = parse_json(source, _defer_large if len(source.text) >= RELEASE_FROM else _defer)
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


# The resource types whose properties the loader reads: those of the model, and deployments
# (whose properties hold nested templates).
_READ_PROPERTIES = {type_name.lower() for type_name in MODEL_BY_TYPE} | {DEPLOYMENTS}


# From this size on, each resource of a template is read when the loader reaches it and released
# once its model is built (and again once its rules have run): a large template is then never
# held as nodes all at once. Smaller ones are read once and kept, which costs less time.
RELEASE_FROM = 512 * 1024


def _defer_large(keys: tuple[str | int, ...], around: list[Node]) -> int:
    if len(keys) == 2 and isinstance(keys[0], str) and keys[0].lower() == "resources":
        return RELEASABLE
    return _defer(keys, around)


def _defer(keys: tuple[str | int, ...], around: list[Node]) -> int:
    """Which parts of a template the parser only scans (sigcheck.syntax.jsonc.Deferred): the
    variables (evaluated from plain data; located only where a problem is), the outputs (read by
    no rule), and the properties of a resource of a type no rule reads, when its type is written
    before them."""
    first = keys[0]
    if not isinstance(first, str):
        return False
    first = first.lower()
    if first in ("variables", "outputs"):
        return len(keys) == 1
    if first != "resources" or len(keys) != 3 or not isinstance(keys[2], str) or keys[2].lower() != "properties":
        return False
    type_node = around[2].get_ci("type") if around[2].is_object else None
    written = type_node.value if type_node is not None else None
    if not isinstance(written, str) or written.startswith("["):
        return False  # no type yet, or an expression: only evaluation tells
    return written.lower() not in _READ_PROPERTIES


def _concerns_galleries(res: Resource) -> bool:
    """A gallery resource, or a VM or scale set created from a gallery image."""
    if res.type_name in GALLERY_TYPES:
        return True
    if isinstance(res, VirtualMachine):
        return reference_of(res.image_id, (IMAGE_DEFINITION, IMAGE_VERSION)) is not None
    return False


def _eval_target(context: DeploymentContext) -> DeploymentTarget:
    from sigcheck.inputs.arm.evaluate import DeploymentTarget

    location = context.location.value if context.location is not None and context.location.known else UNKNOWN
    return DeploymentTarget(
        subscription_id=context.subscription_id or UNKNOWN,
        resource_group=context.resource_group or UNKNOWN,
        location=location,
    )


