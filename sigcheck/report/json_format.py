"""A JSON list of findings with every field, in a stable order."""

from __future__ import annotations

import json
from typing import Any

from sigcheck.model.findings import Finding
from sigcheck.engine.result import RunResult
from sigcheck.report.escape import clean_strings, safe_text


def finding_dict(finding: Finding) -> dict[str, Any]:
    span = finding.span
    return {
        "rule": finding.rule_id,
        "severity": finding.severity.label,
        "message": safe_text(finding.message),
        "path": safe_text(span.path),
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "resource_type": finding.resource_type,
        "resource_name": finding.resource_name,
        "property_path": finding.property_path or None,
        "suppressed": finding.suppression is not None,
        "justification": finding.suppression,
    }


class JsonFormatter:
    name = "json"

    def render(self, result: RunResult) -> str:
        return json.dumps(clean_strings([finding_dict(f) for f in result.findings]), indent=2) + "\n"
