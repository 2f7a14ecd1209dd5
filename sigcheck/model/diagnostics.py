"""The findings the pipeline reports itself rather than a rule over the model: parse errors,
duplicate keys, rejected command lines, template expression errors, suppression problems.

They are catalogue entries like every rule (registered by the built-in rule plugin, documented in
docs/rules/), declared once here because the inputs and the engine emit them and neither may
import the checks.
"""

from __future__ import annotations

from sigcheck.model.findings import Finding, RuleMeta, Severity
from sigcheck.syntax.located import Span

PARSE_ERROR = RuleMeta(
    "SIG001", "parse-error", Severity.ERROR,
    "A file that looks like a gallery input cannot be read or parsed, so none of its resources can be checked.",
    emitted_by_pipeline=True,
)
INVALID_CLI_USAGE = RuleMeta(
    "SIG003", "invalid-cli-usage", Severity.ERROR,
    "An `az sig` or `New-AzGallery*` command line is one the tool itself would reject before sending any request.",
    emitted_by_pipeline=True,
)
DUPLICATE_KEY = RuleMeta(
    "SIG004", "duplicate-key", Severity.WARNING,
    "A JSON object repeats a key, so one of the two values is silently ignored.",
    emitted_by_pipeline=True,
)
ARM_EXPRESSION_ERROR = RuleMeta(
    "SIG005", "arm-expression-error", Severity.ERROR,
    "An ARM template expression calls an unknown function, passes the wrong number or type of arguments, or names a parameter or variable the template does not declare.",
    emitted_by_pipeline=True,
)
INVALID_SUPPRESSION = RuleMeta(
    "SIG006", "invalid-suppression", Severity.ERROR,
    "A suppression comment or `metadata.sigcheck.ignore` entry is malformed or gives no reason, so it suppresses nothing.",
    emitted_by_pipeline=True,
)
UNUSED_SUPPRESSION = RuleMeta(
    "SIG007", "unused-suppression", Severity.WARNING,
    "A suppression names a rule that reports nothing where the suppression applies.",
    emitted_by_pipeline=True,
)
PLUGIN_ERROR = RuleMeta(
    "SIG008", "plugin-error", Severity.ERROR,
    "A plugin could not be loaded, or a loader or rule raised an exception, so part of the check did not run.",
    emitted_by_pipeline=True,
)

PIPELINE_DIAGNOSTICS = (PARSE_ERROR, INVALID_CLI_USAGE, DUPLICATE_KEY, ARM_EXPRESSION_ERROR,
                        INVALID_SUPPRESSION, UNUSED_SUPPRESSION, PLUGIN_ERROR)


def parse_error(span: Span, message: str) -> Finding:
    return PARSE_ERROR.at(span, message)


def plugin_error(span: Span, message: str, resource_type: str | None = None,
                 resource_name: str | None = None) -> Finding:
    """A crash of foreign (or our own) code met while checking: where it failed, in the plugin's
    source or at the resource being checked."""
    return PLUGIN_ERROR.at(span, message, resource_type=resource_type, resource_name=resource_name)


def duplicate_key(path: str, first: Span, again: Span) -> Finding:
    """`path` is the repeated key's JSON path (`resources[0].properties.osType`)."""
    key = path.rsplit(".", 1)[-1]
    return DUPLICATE_KEY.at(
        again,
        f"key '{key}' is repeated (first at line {first.line}, column {first.column}); only the last value is used",
        property_path=path,
    )


def usage_error(span: Span, message: str, resource_type: str | None = None, resource_name: str | None = None,
                property_path: str = "") -> Finding:
    return INVALID_CLI_USAGE.at(span, message, resource_type=resource_type, resource_name=resource_name,
                                property_path=property_path)
