"""In-source suppressions: each comment form and ARM metadata, reasons required (SIG006), unused
ones reported (SIG007), suppressed findings kept in json/SARIF but not counted for the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sigcheck.model.findings import Finding, Severity
from sigcheck.syntax.located import Span
from sigcheck.engine.suppress import Suppression, apply, parse_comment
from conftest import SHARED

KNOWN = {"SIG101", "SIG201", "SIG202"}
HEAD = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Compute/galleries",
      "apiVersion": "2024-03-03",
"""
TAIL = """      "location": "westeurope",
      "properties": { "description": "Golden images" }
    }
  ]
}
"""


def template(lines: str) -> str:
    return HEAD + lines + TAIL


def check(run_cli, tmp_path: Path, text: str, *args: str):
    path = tmp_path / "gallery.json"
    path.write_text(text, encoding="utf-8")
    return run_cli("check", "--format", "json", *args, str(path))


def active(result) -> list[str]:
    return [f["rule"] for f in result.json() if not f["suppressed"]]


def suppressed(result) -> list[tuple[str, str]]:
    return [(f["rule"], f["justification"]) for f in result.json() if f["suppressed"]]


@pytest.mark.parametrize(
    "lines",
    [
        '      "name": "contoso-images", // sigcheck-disable-line SIG101 -- legacy name, consumers pin it\n',
        '      "name": "contoso-images", /* sigcheck-disable-line SIG101 -- legacy name, consumers pin it */\n',
        '      // sigcheck-disable-next-line SIG101 -- legacy name, consumers pin it\n      "name": "contoso-images",\n',
        '      /* sigcheck-disable-next-line\n         SIG101 -- legacy name, consumers pin it */\n      "name": "contoso-images",\n',
        '      "name": "contoso-images", // sigcheck-disable-line SIG202, SIG101 -- legacy name, consumers pin it\n',
    ],
    ids=["line-comment", "block-comment", "next-line", "multi-line-block-next-line", "several-ids"],
)
def test_comment_forms_suppress_with_their_reason(run_cli, tmp_path: Path, lines: str) -> None:
    result = check(run_cli, tmp_path, template(lines))
    assert suppressed(result) == [("SIG101", "legacy name, consumers pin it")]
    if "SIG202" in lines:  # named but reports nothing there
        assert active(result) == ["SIG007"]
    else:
        assert active(result) == []
        assert result.code == 0


def test_suppressed_findings_do_not_fail_the_run_and_are_hidden_from_text(run_cli, tmp_path: Path) -> None:
    text = template('      "name": "contoso-images", // sigcheck-disable-line SIG101 -- legacy\n')
    (tmp_path / "gallery.json").write_text(text, encoding="utf-8")
    for fmt in ("text", "github"):
        result = run_cli("check", "--format", fmt, "--fail-on", "note", str(tmp_path / "gallery.json"))
        assert result.code == 0
        assert "SIG101" not in result.out


def test_arm_metadata_ignore(run_cli, tmp_path: Path) -> None:
    lines = ('      "metadata": { "sigcheck": { "ignore": [ { "id": "SIG101", "reason": "legacy" } ] } },\n'
             '      "name": "contoso-images",\n')
    result = check(run_cli, tmp_path, template(lines))
    assert suppressed(result) == [("SIG101", "legacy")]
    assert active(result) == []
    assert result.code == 0


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ('      "name": "contoso-images", // sigcheck-disable-line SIG101\n', "gives no reason"),
        ('      "name": "contoso-images", // sigcheck-disable-line SIG101 --   \n', "gives no reason"),
        ('      "name": "contoso-images", // sigcheck-disable-line -- legacy\n', "names no rule"),
        ('      "name": "contoso-images", // sigcheck-disable-line SIG999 -- legacy\n', "names no rule 'SIG999'"),
        ('      "name": "contoso-images", // sigcheck-disable-line gallery-name -- legacy\n', "is not a rule id"),
        ('      "name": "contoso-images", // sigcheck-disable SIG101 -- legacy\n', "unknown directive"),
        ('      "metadata": { "sigcheck": { "ignore": [ { "id": "SIG101" } ] } },\n      "name": "contoso-images",\n',
         "gives no reason"),
        ('      "metadata": { "sigcheck": { "ignore": { "id": "SIG101", "reason": "x" } } },\n      "name": "contoso-images",\n',
         "must be a list"),
    ],
)
def test_invalid_suppressions_are_sig006_and_suppress_nothing(run_cli, tmp_path: Path, lines: str, message: str) -> None:
    result = check(run_cli, tmp_path, template(lines))
    assert sorted(active(result)) == ["SIG006", "SIG101"]
    assert suppressed(result) == []
    assert message in next(f["message"] for f in result.json() if f["rule"] == "SIG006")
    assert result.code == 1


def test_unused_suppressions_are_sig007(run_cli, tmp_path: Path) -> None:
    lines = ('      "metadata": { "sigcheck": { "ignore": [ { "id": "SIG201", "reason": "not a version" } ] } },\n'
             '      "name": "contoso_images", // sigcheck-disable-line SIG101 -- was wrong once\n')
    result = check(run_cli, tmp_path, template(lines))
    findings = result.json()
    assert [(f["rule"], f["line"]) for f in findings] == [("SIG007", 8), ("SIG007", 9)]
    assert "SIG201" in findings[0]["message"] and "SIG101" in findings[1]["message"]
    assert result.code == 0  # a warning


def test_suppressions_of_rules_that_do_not_run_are_not_judged(run_cli, tmp_path: Path) -> None:
    lines = '      "name": "contoso_images", // sigcheck-disable-line SIG101 -- was wrong once\n'
    assert active(check(run_cli, tmp_path, template(lines), "--ignore", "SIG101")) == []
    assert active(check(run_cli, tmp_path, template(lines), "--ignore", "SIG007")) == []


@pytest.mark.parametrize(
    "text",
    [
        "# sigcheck-disable-line SIG201 -- reason",
        "#sigcheck-disable-line SIG201 -- reason",
        "// sigcheck-disable-line SIG201 -- reason",
        "/* sigcheck-disable-line SIG201 -- reason */",
        "<# sigcheck-disable-line SIG201 -- reason #>",
    ],
)
def test_comment_markers(text: str) -> None:
    parsed = parse_comment(Span("x.sh", 3, 1, 3, len(text) + 1), text, KNOWN)
    assert isinstance(parsed, Suppression)
    assert (parsed.ids, parsed.reason, parsed.line) == (("SIG201",), "reason", 3)


def test_hash_comment_suppression_in_scripts() -> None:
    """The contract with the script and .http loaders: (span, raw text with its `#`)."""
    finding = Finding("SIG201", Severity.ERROR, "m", Span("deploy.sh", 5, 30, 5, 37))
    comments = [(Span("deploy.sh", 4, 1, 4, 60), "# sigcheck-disable-next-line SIG201 -- built in westus only")]
    out = apply([finding], comments, [], KNOWN, lambda rule, path: True)
    assert out == [finding]
    assert finding.suppression == "built in westus only"


def test_sarif_with_suppressions_is_valid(run_cli, tmp_path: Path) -> None:
    schema_path = SHARED / "sarif" / "sarif-schema-2.1.0.json"
    if not schema_path.exists():
        pytest.skip("../shared/sarif is not beside this checkout")
    from jsonschema import Draft4Validator

    lines = '      "name": "contoso-images", // sigcheck-disable-line SIG101 -- legacy name\n'
    result = check(run_cli, tmp_path, template(lines), "--format", "sarif")
    log = json.loads(result.out)
    Draft4Validator(json.loads(schema_path.read_text(encoding="utf-8"))).validate(log)
    [sarif_result] = log["runs"][0]["results"]
    assert sarif_result["suppressions"] == [{"kind": "inSource", "justification": "legacy name", "status": "accepted"}]
    assert result.code == 0


SCRIPT = """#!/bin/bash
# sigcheck-disable-next-line SIG101 -- legacy gallery name, consumers pin it
az sig create --resource-group rg --gallery-name legacy-gallery --location westeurope
az sig create --resource-group rg --gallery-name other-gallery --location westeurope # sigcheck-disable-line SIG101
"""
HTTP = """# sigcheck-disable-next-line SIG101 -- legacy gallery name, consumers pin it
PUT https://management.azure.com/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/galleries/legacy-gallery?api-version=2024-03-03
Content-Type: application/json

{
  "location": "westeurope",
  "properties": { "description": "Golden images" }
}
"""


@pytest.mark.parametrize(("name", "text"), [("deploy.sh", SCRIPT), ("gallery.http", HTTP)])
def test_hash_comments_in_scripts_and_http_files(run_cli, tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    findings = run_cli("check", "--format", "json", str(tmp_path / name)).json()
    mine = [(f["line"], f["rule"], f["suppressed"]) for f in findings if f["rule"] in ("SIG101", "SIG006", "SIG007")]
    if name.endswith(".sh"):
        assert mine == [(3, "SIG101", True), (4, "SIG101", False), (4, "SIG006", False)]
    else:
        assert mine == [(2, "SIG101", True)]
