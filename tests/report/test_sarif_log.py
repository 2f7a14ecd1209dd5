"""SARIF for code scanning: valid against the official schema, every enabled rule described from
its docs page, automation details, invocations with sigcheck's own failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SHARED

SCHEMA = SHARED / "sarif" / "sarif-schema-2.1.0.json"
FIRING = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    { "type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": "contoso-images", "location": "westeurope",
      "properties": { "description": "Golden images" } }
  ]
}
"""


def validate(log: dict) -> None:
    if not SCHEMA.exists():
        pytest.skip("../shared/sarif is not beside this checkout")
    from jsonschema import Draft4Validator

    Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(log)


def sarif(run_cli, *args: str) -> tuple[dict, int]:
    result = run_cli("check", "--format", "sarif", *args)
    return json.loads(result.out), result.code


def test_sarif_run_for_code_scanning(run_cli, tmp_path: Path) -> None:
    (tmp_path / "main.json").write_text(FIRING, encoding="utf-8")
    log, code = sarif(run_cli, "--extend-select", "SIG002", str(tmp_path / "main.json"))
    validate(log)
    assert code == 1
    run = log["runs"][0]
    assert run["automationDetails"] == {"id": "sigcheck/"}
    assert run["invocations"] == [{"executionSuccessful": True}]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    from sigcheck.engine.registry import default_registry

    enabled = {i for i, r in default_registry().rules.items() if r.meta.enabled_by_default} | {"SIG002"}
    assert set(rules) == enabled
    sig101 = rules["SIG101"]
    assert sig101["fullDescription"]["text"] != sig101["shortDescription"]["text"]
    assert "## Why it matters" in sig101["help"]["markdown"]
    assert sig101["help"]["text"].endswith(sig101["helpUri"])
    assert sig101["defaultConfiguration"]["level"] == "error"
    [result] = run["results"]
    assert result["ruleId"] == "SIG101" and run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "SIG101"
    assert set(result["partialFingerprints"]) == {"sigcheck/v1"}
    assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "Microsoft.Compute/galleries/contoso-images"


def test_configured_severity_is_the_rule_level(run_cli, tmp_path: Path) -> None:
    (tmp_path / "main.json").write_text(FIRING, encoding="utf-8")
    (tmp_path / ".sigcheck.yaml").write_text("severity:\n  SIG101: note\n", encoding="utf-8")
    log, code = sarif(run_cli, str(tmp_path / "main.json"))
    validate(log)
    run = log["runs"][0]
    assert next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "SIG101")["defaultConfiguration"]["level"] == "note"
    assert run["results"][0]["level"] == "note"
    assert code == 0


def test_internal_errors_are_tool_execution_notifications(run_cli, tmp_path: Path) -> None:
    (tmp_path / "main.json").write_text(FIRING, encoding="utf-8")
    log, code = sarif(run_cli, str(tmp_path / "main.json"), str(tmp_path / "missing.json"))
    validate(log)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "missing.json" in note["message"]["text"]
    assert code == 2
