"""The ARM template loader plugin: JSON with comments to model resources."""

from __future__ import annotations


from sigcheck.arm.scope import TemplateScope
from sigcheck.hookspecs import hookimpl
from sigcheck.load import diagnostics
from sigcheck.load.api import LoadOptions, LoadResult, SourceFile
from sigcheck.load.jsonc import JsonSyntaxError, parse
from sigcheck.normalize.arm import resources_from_template

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
        result = LoadResult()
        try:
            doc = parse(source.text, source.path)
        except JsonSyntaxError as exc:
            result.findings.append(diagnostics.parse_error(exc.span, f"invalid JSON: {exc.message}"))
            return result
        result.comments = doc.comments
        for key, first, again in doc.duplicate_keys:
            result.findings.append(diagnostics.duplicate_key(key, first, again))
        root = doc.root
        if root is None or not root.is_object:
            return result
        scope = TemplateScope()
        result.resources = resources_from_template(root, source.path, scope, options.context)
        return result


@hookimpl
def sigcheck_loaders() -> list[ArmLoader]:
    return [ArmLoader()]


