"""SIG003: command lines the tool itself would reject. The script loaders emit these findings
while they read `az sig …` and `New-AzGallery*` calls (option tables: rules/cli_options.json)."""

from __future__ import annotations

from sigcheck.checks.api import pipeline_rule
from sigcheck.findings import Finding, Severity
from sigcheck.location import Span

INVALID_CLI_USAGE = pipeline_rule(
    "SIG003", "invalid-cli-usage", Severity.ERROR,
    "An `az sig` or `New-AzGallery*` command line is one the tool itself would reject before sending any request.",
)

RULES = [INVALID_CLI_USAGE]


def usage_error(span: Span, message: str, resource_type: str | None = None, resource_name: str | None = None,
                property_path: str = "") -> Finding:
    return Finding(
        INVALID_CLI_USAGE.meta.id,
        INVALID_CLI_USAGE.meta.severity,
        message,
        span,
        resource_type=resource_type,
        resource_name=resource_name,
        property_path=property_path,
    )
