"""Findings the loaders themselves report (parse errors, duplicate keys)."""

from __future__ import annotations

from sigcheck.findings import Finding, Severity
from sigcheck.location import Span

PARSE_ERROR = "SIG001"
DUPLICATE_KEY = "SIG004"


def parse_error(span: Span, message: str) -> Finding:
    return Finding(PARSE_ERROR, Severity.ERROR, message, span)


def duplicate_key(path: str, first: Span, again: Span) -> Finding:
    """`path` is the repeated key's JSON path (`resources[0].properties.osType`)."""
    key = path.rsplit(".", 1)[-1]
    return Finding(
        DUPLICATE_KEY,
        Severity.WARNING,
        f"key '{key}' is repeated (first at line {first.line}, column {first.column}); only the last value is used",
        again,
        property_path=path,
    )
