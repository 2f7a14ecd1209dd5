"""GitLab Code Quality JSON (the `codequality` report of a CI job), which GitLab shows in the merge
request widget and on the changed lines of the diff."""

from __future__ import annotations

import json
import os
from typing import Any

from sigcheck.engine.result import RunResult
from sigcheck.model.findings import Severity
from sigcheck.report.sarif import fingerprints

# Code Quality severities: info, minor, major, critical, blocker.
_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.NOTE: "info"}


def _root() -> str | None:
    from sigcheck.engine.git import GitError, toplevel

    try:
        return toplevel(".")
    except GitError:
        return None


def _path(path: str, root: str | None) -> str:
    """Relative to the repository root, as GitLab matches report paths against the diff."""
    if root is not None:
        rel = os.path.relpath(os.path.realpath(path), root)
        if not (rel == ".." or rel.startswith(".." + os.sep)):
            return rel.replace(os.sep, "/")
    return path.replace(os.sep, "/")


class GitlabFormatter:
    name = "gitlab"

    def render(self, result: RunResult) -> str:
        root = _root()
        issues: list[dict[str, Any]] = []
        for finding, print_ in zip(result.findings, fingerprints(result.findings)):
            if finding.suppression is not None:
                continue
            span = finding.span
            issues.append({
                "type": "issue",
                "check_name": finding.rule_id,
                "description": f"{finding.rule_id} {finding.message}",
                "categories": ["Bug Risk"],
                "severity": _SEVERITY[finding.severity],
                # Stable when lines move (rule + resource + property), as GitLab compares reports of
                # the base and the merge request by fingerprint.
                "fingerprint": print_,
                "location": {
                    "path": _path(span.path, root),
                    "positions": {
                        "begin": {"line": span.line, "column": span.column},
                        "end": {"line": span.end_line, "column": max(span.end_column, span.column)},
                    },
                },
            })
        return json.dumps(issues, indent=2) + "\n"
