"""Limits users can see: parameter files checked against the template, findings capped per rule
and file, long messages shortened, suppression comments in any case."""

from __future__ import annotations

import json
from pathlib import Path

from sigcheck.engine.registry import default_registry
from sigcheck.engine.run import MAX_PER_RULE, Engine, Options
from sigcheck.model.findings import Finding

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def _run(paths: list[str], **options: object) -> list[Finding]:
    engine = Engine(default_registry(), Options(**options))  # type: ignore[arg-type]
    return engine.run(paths).findings


def test_parameter_file_values_are_checked_against_the_declarations(tmp_path: Path) -> None:
    template = {
        "$schema": SCHEMA,
        "parameters": {
            "galleryName": {"type": "string"},
            "replicas": {"type": "int", "defaultValue": 1},
            "tier": {"type": "string", "allowedValues": ["Standard_LRS", "Standard_ZRS"], "defaultValue": "Standard_LRS"},
        },
        "resources": [{"type": "Microsoft.Compute/galleries", "apiVersion": "2022-03-03",
                       "name": "[parameters('galleryName')]", "location": "westus"}],
    }
    (tmp_path / "main.json").write_text(json.dumps(template, indent=2))
    (tmp_path / "main.parameters.json").write_text("""{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "parameters": {
    "galleryName": { "value": "gallery1" },
    "replicas": { "value": "three" },
    "tier": { "value": "Premium_LRS" },
    "galeryName": { "value": "x" }
  }
}
""")
    found = [(f.rule_id, f.span.path.endswith("main.parameters.json"), f.span.line, f.message)
             for f in _run([str(tmp_path / "main.json")], select=["SIG005"])]
    # Each at the value it is about, in the parameter file (lines 5, 6 and 7 of it).
    assert [(rule, in_file, line) for rule, in_file, line, _ in found] == [
        ("SIG005", True, 5), ("SIG005", True, 6), ("SIG005", True, 7)]
    messages = " | ".join(m for *_, m in found)
    assert "declared int in the template, but the parameter file gives a value of type string" in messages
    assert "must be one of Standard_LRS, Standard_ZRS (allowedValues), not 'Premium_LRS'" in messages
    assert "does not declare; did you mean 'galleryName'?" in messages


def test_thousands_of_one_finding_are_counted_not_listed(tmp_path: Path) -> None:
    keys = "".join('"tags": {},' for _ in range(MAX_PER_RULE + 250))
    (tmp_path / "dups.json").write_text(
        '{"$schema": "%s", "resources": [{"type": "Microsoft.Compute/galleries", "apiVersion": "2022-03-03", '
        '"name": "g", %s "location": "westus"}]}' % (SCHEMA, keys))
    found = [f for f in _run([str(tmp_path / "dups.json")], select=["SIG004"])]
    assert len(found) == MAX_PER_RULE + 1
    summary = [f for f in found if "not listed" in f.message]
    assert len(summary) == 1 and summary[0].message.startswith(f"{250 - 1:,} more SIG004 findings")


def test_a_suppression_in_capitals_is_honoured(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("""{
 "$schema": "%s",
 "resources": [{"type": "Microsoft.Compute/galleries", "apiVersion": "2022-03-03",
 "name": "my-gal", // SIGCHECK-DISABLE-LINE SIG101 -- legacy name kept for existing pipelines
 "location": "westus"}]}
""" % SCHEMA)
    found = _run([str(tmp_path / "a.json")], select=["SIG101", "SIG006", "SIG007"])
    assert [(f.rule_id, f.suppression is not None) for f in found] == [("SIG101", True)]


def test_a_huge_value_makes_a_short_message(tmp_path: Path) -> None:
    name = "g" * 50_000
    (tmp_path / "long.json").write_text(json.dumps({"$schema": SCHEMA, "resources": [
        {"type": "Microsoft.Compute/galleries", "apiVersion": "2022-03-03", "name": name, "location": "westus"}]}))
    found = _run([str(tmp_path / "long.json")], select=["SIG101"])
    assert found and all(len(f.message) <= 1000 for f in found)
