"""GitHub Actions workflow commands, which the runner turns into annotations on the diff."""

from __future__ import annotations

from sigcheck.model.findings import Severity
from sigcheck.engine.result import RunResult
from sigcheck.report.escape import safe_text

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _escape_data(text: str) -> str:
    # Control characters and bytes that are not UTF-8 as every format shows them; then the
    # workflow commands' own escapes (a line break left by safe_text is none).
    return safe_text(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubFormatter:
    name = "github"

    def render(self, result: RunResult) -> str:
        lines = []
        for f in result.findings:
            if f.suppression is not None:
                continue
            s = f.span
            props = (
                f"file={_escape_property(s.path)},line={s.line},col={s.column},"
                f"endLine={s.end_line},endColumn={s.end_column},title={_escape_property(f.rule_id)}"
            )
            lines.append(f"::{_COMMAND[f.severity]} {props}::{_escape_data(f'{f.rule_id} {f.message}')}")
        return "".join(line + "\n" for line in lines)
