"""`--baseline previous.sarif`: report only what is new since an earlier SARIF report.

Findings are compared by their `sigcheck/v1` partial fingerprint (rule + resource + property
path, see report/sarif.py), which survives edits that only move lines. Several findings with one
fingerprint are numbered, so a third copy of a problem the baseline had twice is new.
"""

from __future__ import annotations

import json

from sigcheck.model.findings import Finding
from sigcheck.report.sarif import FINGERPRINT_KEY, fingerprints


class BaselineError(Exception):
    """The baseline file cannot be used (a usage error: exit 2)."""


def load(path: str) -> set[str]:
    """The sigcheck fingerprints of every result in the SARIF file at `path`."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            log = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"cannot read baseline '{path}': {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline '{path}' is not JSON: {exc}") from None
    runs = log.get("runs") if isinstance(log, dict) else None
    if not isinstance(runs, list):
        raise BaselineError(f"baseline '{path}' is not a SARIF log (no 'runs' list)")
    known: set[str] = set()
    results_seen = 0
    for run in runs:
        results = run.get("results") if isinstance(run, dict) else None
        for result in results if isinstance(results, list) else ():
            results_seen += 1
            prints = result.get("partialFingerprints") if isinstance(result, dict) else None
            value = prints.get(FINGERPRINT_KEY) if isinstance(prints, dict) else None
            if isinstance(value, str):
                known.add(value)
    if results_seen and not known:
        raise BaselineError(f"baseline '{path}' has results but no '{FINGERPRINT_KEY}' fingerprints: "
                            "write it with `sigcheck check --format sarif`")
    return known


def new_findings(findings: list[Finding], known: set[str]) -> list[Finding]:
    """The findings (in report order) whose fingerprints the baseline does not have."""
    return [f for f, print_ in zip(findings, fingerprints(findings)) if print_ not in known]
