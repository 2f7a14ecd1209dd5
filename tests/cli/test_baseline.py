"""--baseline: only findings whose fingerprints an earlier SARIF report lacks."""

from __future__ import annotations

from pathlib import Path

GALLERY = """    {
      "type": "Microsoft.Compute/galleries",
      "apiVersion": "2024-03-03",
      "name": "NAME",
      "location": "westeurope",
      "properties": { "description": "Golden images" }
    }"""


def template(*names: str, padding: int = 0) -> str:
    body = ",\n".join(GALLERY.replace("NAME", n) for n in names)
    return ('{\n' + "\n" * padding +
            '  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n'
            '  "contentVersion": "1.0.0.0",\n  "resources": [\n' + body + "\n  ]\n}\n")


def test_baseline_reports_only_new_findings(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "main.json"
    path.write_text(template("old-one"), encoding="utf-8")
    baseline = tmp_path / "baseline.sarif"
    first = run_cli("check", "--format", "sarif", "--output", str(baseline), str(path))
    assert first.code == 1

    # The old problem moves down (lines inserted above it); a new one appears.
    path.write_text(template("new-one", "old-one", padding=3), encoding="utf-8")
    result = run_cli("check", "--format", "json", "--baseline", str(baseline), str(path))
    assert [(f["rule"], f["line"]) for f in result.json()] == [("SIG101", 11)]
    assert "new-one" in result.json()[0]["message"]
    assert result.code == 1

    path.write_text(template("old-one", padding=5), encoding="utf-8")
    result = run_cli("check", "--baseline", str(baseline), str(path))
    assert result.code == 0
    assert result.out.startswith("No problems")


def test_baseline_counts_repeated_fingerprints(run_cli, tmp_path: Path) -> None:
    from sigcheck.baseline import new_findings
    from sigcheck.model.findings import Finding, Severity
    from sigcheck.syntax.located import Span
    from sigcheck.report.sarif import fingerprints

    def finding(line: int) -> Finding:
        return Finding("SIG101", Severity.ERROR, "m", Span("a.json", line, 1, line, 2), "t", "g", "name")

    old = [finding(1), finding(5)]
    now = [finding(2), finding(6), finding(9)]
    assert new_findings(now, set(fingerprints(old))) == [now[2]]


def test_a_missing_or_invalid_baseline_is_a_usage_error(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "main.json"
    path.write_text(template("old-one"), encoding="utf-8")
    cases = {
        "missing.sarif": None,
        "broken.sarif": "{ not json",
        "list.sarif": "[]",
        "foreign.sarif": '{"version": "2.1.0", "runs": [{"results": [{"message": {"text": "x"}}]}]}',
    }
    for name, text in cases.items():
        if text is not None:
            (tmp_path / name).write_text(text, encoding="utf-8")
        result = run_cli("check", "--baseline", str(tmp_path / name), str(path))
        assert result.code == 2, name
        assert result.out == "", name
        assert name in result.err, result.err
