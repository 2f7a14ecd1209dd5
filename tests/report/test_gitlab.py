"""--format gitlab: GitLab Code Quality JSON."""

from __future__ import annotations

from pathlib import Path


FIRING = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    { "type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": "contoso-images",
      "location": "westeurope", "properties": {} },
    { "type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": "contoso-images2", // sigcheck-disable-line SIG101 -- legacy
      "location": "westeurope", "properties": {} }
  ]
}
"""


def test_code_quality_issues(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "main.json"
    path.write_text(FIRING, encoding="utf-8")
    result = run_cli("check", "--format", "gitlab", "--extend-select", "SIG504", "--today", "2026-11-22", str(path))
    assert result.code == 1
    issues = result.json()
    assert [i["check_name"] for i in issues if i["check_name"] == "SIG101"] == ["SIG101"]  # the suppressed one is left out
    sig101 = next(i for i in issues if i["check_name"] == "SIG101")
    assert sig101["severity"] == "major" and sig101["description"].startswith("SIG101 gallery name 'contoso-images'")
    assert sig101["location"]["positions"]["begin"] == {"line": 5, "column": 83}
    assert sig101["type"] == "issue" and sig101["categories"] == ["Bug Risk"]
    assert {i["severity"] for i in issues if i["check_name"] == "SIG504"} == {"info"}
    # Outside a repository the path is the one the run shows; fingerprints are SARIF's.
    assert sig101["location"]["path"] == str(path)
    json_findings = run_cli("check", "--format", "json", "--extend-select", "SIG504", "--today", "2026-11-22", str(path)).json()
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    assert len(issues) == sum(not f["suppressed"] for f in json_findings)


def test_fingerprints_match_sarif(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "main.json"
    path.write_text(FIRING, encoding="utf-8")
    gitlab = run_cli("check", "--format", "gitlab", str(path)).json()
    sarif = run_cli("check", "--format", "sarif", str(path)).json()
    prints = {r["partialFingerprints"]["sigcheck/v1"] for r in sarif["runs"][0]["results"]}
    assert {i["fingerprint"] for i in gitlab} <= prints
