"""The library entry points, `sigcheck.lint_text` and `sigcheck.lint_paths`: the same findings as
the command line (which goes through them), imported lazily from the package root."""

from __future__ import annotations

import datetime as _dt
import subprocess
import sys
from pathlib import Path

import pytest

import sigcheck

FIRING = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Compute/galleries",
      "apiVersion": "2026-03-03",
      "name": "contoso-images",
      "location": "westeurope",
      "properties": {}
    }
  ]
}
"""


def test_import_sigcheck_loads_nothing_else() -> None:
    code = "import sigcheck, sys; print(sorted(m for m in sys.modules if m.startswith('sigcheck.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_lint_text_returns_located_findings(tmp_path: Path) -> None:
    result = sigcheck.lint_text(FIRING, str(tmp_path / "main.json"), today="2026-11-22")
    assert [(f.rule_id, f.span.line, f.span.column) for f in result.findings] == [("SIG101", 8, 16)]
    assert result.files_checked == 1 and result.resources_checked == 1 and result.internal_errors == []
    assert "SIG101" in {r.meta.id for r in result.rules}
    assert sigcheck.lint_text(FIRING.encode("utf-8"), "main.json", config=False).findings[0].rule_id == "SIG101"


def test_options_select_and_ignore(tmp_path: Path) -> None:
    path = str(tmp_path / "main.json")
    assert sigcheck.lint_text(FIRING, path, ignore=["SIG1"]).findings == []
    # Ids as a list or as the command line's comma-separated text; a stale API version by 2031.
    late = sigcheck.lint_text(FIRING, path, select="sig101, SIG504", today=_dt.date(2031, 1, 1), config=False)
    assert [(f.rule_id, f.span.line) for f in late.findings] == [("SIG504", 7), ("SIG101", 8)]
    with pytest.raises(sigcheck.LintError, match="no rule matches XYZ"):
        sigcheck.lint_text(FIRING, path, select=["XYZ"])
    with pytest.raises(sigcheck.LintError, match="not a date"):
        sigcheck.lint_text(FIRING, path, today="22/11/2026")


def test_the_configuration_is_found_from_the_file(tmp_path: Path) -> None:
    (tmp_path / ".sigcheck.yaml").write_text("severity:\n  SIG101: note\n", encoding="utf-8")
    [finding] = sigcheck.lint_text(FIRING, str(tmp_path / "main.json")).findings
    assert finding.severity.label == "note"
    [default] = sigcheck.lint_text(FIRING, str(tmp_path / "main.json"), config=False).findings
    assert default.severity.label == "error"
    (tmp_path / ".sigcheck.yaml").write_text("select: [NOPE]\n", encoding="utf-8")
    with pytest.raises(sigcheck.LintError, match="NOPE"):
        sigcheck.lint_text(FIRING, str(tmp_path / "main.json"))


def test_lint_paths_agrees_with_the_command_line(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.json").write_text(FIRING, encoding="utf-8")
    (tmp_path / "b.json").write_text(FIRING.replace("contoso-images", "contoso_images"), encoding="utf-8")
    result = sigcheck.lint_paths([str(tmp_path)], today="2026-11-22", extend_select=["ALL"])
    cli = run_cli("check", str(tmp_path), "--today", "2026-11-22", "--extend-select", "ALL", "--format", "json").json()
    assert [(f.span.path, f.span.line, f.span.column, f.rule_id, f.message) for f in result.findings] == [
        (f["path"], f["line"], f["column"], f["rule"], f["message"]) for f in cli]
    assert result.files_checked == 2
    assert sigcheck.lint_paths(str(tmp_path / "a.json"), config=False).files_checked == 1


def test_a_linter_checks_many_buffers(tmp_path: Path) -> None:
    linter = sigcheck.Linter(config=False, select=["SIG101"])
    first = linter.lint_text(FIRING, "one.json")
    second = linter.lint_text(FIRING.replace("contoso-images", "contoso_images"), "two.json")
    assert [f.span.path for f in first.findings] == ["one.json"] and second.findings == []
