"""`path:line:col: SIG201 [error] message`, one line each, then a one-line summary."""

from __future__ import annotations

from sigcheck.engine.result import RunResult
from sigcheck.report.escape import safe_text


class TextFormatter:
    name = "text"

    def render(self, result: RunResult) -> str:
        lines = [
            f"{safe_text(f.span.path)}:{f.span.line}:{f.span.column}: {f.rule_id} [{f.severity.label}] {safe_text(f.message)}"
            for f in result.findings
            if f.suppression is None
        ]
        lines.append(summary(result))
        return "\n".join(lines) + "\n"


def summary(result: RunResult) -> str:
    active = [f for f in result.findings if f.suppression is None]
    files = f"{result.files_checked} file{'s' if result.files_checked != 1 else ''}"
    if not active:
        return f"No problems in {files}."
    counts: dict[str, int] = {}
    for finding in active:
        counts[finding.severity.label] = counts.get(finding.severity.label, 0) + 1
    parts = [f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in ("error", "warning", "note") if k in counts]
    total = len(active)
    return f"Found {total} problem{'s' if total != 1 else ''} ({', '.join(parts)}) in {files}."
