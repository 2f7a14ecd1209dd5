"""Organisation policy in the configuration (`policy:` and `custom-rules:`): the user's mistakes
are exit 2 with file:line:col, custom rules behave as any rule (listing, selection, severity,
suppressions, SARIF), messages and SARIF name the configuration line, and each folder's own
configuration governs its files."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from sigcheck.cli import main

TEMPLATE = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Compute/galleries",
      "apiVersion": "2024-03-03",
      "name": "polGallery",
      "location": "eastus",
      "properties": { "sharingProfile": { "permissions": "Groups" } }
    }
  ]
}
"""
CUSTOM = """custom-rules:
  - id: CONTOSO001
    name: no-direct-sharing
    severity: warning
    message: galleries are not shared directly
    help-uri: https://contoso.example/policy/CONTOSO001
    resources: [gallery]
    condition:
      field: properties.sharingProfile.permissions
      equals: Groups
"""


def run(cwd: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(here)
    return code, out.getvalue(), err.getvalue()


def project(tmp_path: Path, config: str, name: str = ".sigcheck.yaml") -> Path:
    (tmp_path / name).write_text(config, encoding="utf-8")
    (tmp_path / "gallery.json").write_text(TEMPLATE, encoding="utf-8")
    return tmp_path


def findings(cwd: Path, *argv: str) -> list[dict[str, Any]]:
    code, out, err = run(cwd, "check", ".", "--format", "json", "--today", "2026-11-22", *argv)
    assert code in (0, 1), err
    result: list[dict[str, Any]] = json.loads(out)
    return result


# -- the user's mistakes ------------------------------------------------------------------
ERRORS = [
    ("policy:\n  alowed-regions: [westeurope]\n", ".sigcheck.yaml:2:3", "unknown key 'alowed-regions' (did you mean 'allowed-regions'?)"),
    ("policy:\n  naming:\n    gallery: 'gal(['\n", ".sigcheck.yaml:3:14", "invalid regular expression"),
    ("policy:\n  allowed-regions: [westeurope, westeurpe]\n", ".sigcheck.yaml:2:33", "unknown region 'westeurpe' (did you mean 'westeurope'?)"),
    ("policy:\n  replicas: {min: 3, max: 2}\n", ".sigcheck.yaml:2:19", "min (3) is greater than max (2)"),
    ("policy:\n  min-api-version: '2024'\n", ".sigcheck.yaml:2:20", "policy.min-api-version"),
    ("policy:\n  sharing: [Public]\n", ".sigcheck.yaml:2:13", "policy.sharing[0]"),
    (CUSTOM.replace("equals: Groups", "equal: Groups"), ".sigcheck.yaml:10:7", "unknown operator 'equal' (did you mean 'equals'?)"),
    (CUSTOM.replace("properties.sharingProfile.permissions", "properties.sharingProfile.permission"), ".sigcheck.yaml:9:14",
     "no gallery API version defines the field 'properties.sharingProfile.permission' for gallery (did you mean 'properties.sharingProfile.permissions'?)"),
    (CUSTOM.replace("CONTOSO001", "SIG201"), ".sigcheck.yaml:2:9", "id 'SIG201' is taken by a built-in rule"),
    (CUSTOM + CUSTOM.replace("custom-rules:\n", ""), ".sigcheck.yaml:11:9", "id 'CONTOSO001' is defined twice"),
    (CUSTOM.replace("    resources: [gallery]\n", ""), ".sigcheck.yaml:2:5", "'resources' is a required property"),
    (CUSTOM.replace("resources: [gallery]", "resources: [galleries]"), ".sigcheck.yaml:7:17", "custom-rules[0].resources[0]"),
    (CUSTOM.replace("    help-uri:", "    helpUri:"), ".sigcheck.yaml:6:5", "unknown key 'helpUri' (did you mean 'help-uri'?)"),
]


@pytest.mark.parametrize("config,where,message", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_configuration_errors_name_file_line_column(tmp_path: Path, config: str, where: str, message: str) -> None:
    code, _out, err = run(project(tmp_path, config), "check", ".")
    assert code == 2
    assert "Traceback" not in err
    assert f"sigcheck: error: {where}: invalid configuration: " in err, err
    assert message in err


def test_a_condition_too_deep_is_a_configuration_error(tmp_path: Path) -> None:
    condition = "{field: name, equals: x}"
    for _ in range(20):
        condition = "{not: " + condition + "}"
    config = CUSTOM.replace("    condition:\n      field: properties.sharingProfile.permissions\n      equals: Groups\n",
                            f"    condition: {condition}\n")
    code, _out, err = run(project(tmp_path, config), "check", ".")
    assert code == 2 and "nests deeper than 16 levels" in err and ".sigcheck.yaml:8:" in err


def test_toml_errors_name_the_line(tmp_path: Path) -> None:
    config = """[project]
name = "x"

[tool.sigcheck.policy]
allowed-regions = ["westeurope"]

[[tool.sigcheck.custom-rules]]
id = "ACME001"
name = "no-groups"
severity = "warning"
message = "no direct sharing"
resources = ["gallery"]
condition = { field = "properties.sharingProfile.permissions", equls = "Groups" }
"""
    code, _out, err = run(project(tmp_path, config, "pyproject.toml"), "check", ".")
    assert code == 2
    assert "pyproject.toml:13:" in err and "unknown operator 'equls' (did you mean 'equals'?)" in err


def test_toml_policy_and_custom_rules(tmp_path: Path) -> None:
    config = """[tool.sigcheck.policy]
allowed-regions = ["westeurope"]

[[tool.sigcheck.custom-rules]]
id = "ACME001"
name = "no-groups"
severity = "note"
message = "no direct sharing"
resources = ["gallery"]
condition = { field = "properties.sharingProfile.permissions", equals = "Groups" }
"""
    got = findings(project(tmp_path, config, "pyproject.toml"), "--select", "SIG8,ACME")
    assert [(f["rule"], f["severity"], f["line"]) for f in got] == [("SIG801", "error", 9), ("ACME001", "note", 10)]
    assert "policy.allowed-regions (pyproject.toml:2): westeurope" in got[0]["message"]


# -- catalogue messages and SARIF ------------------------------------------------------------
def test_catalogue_message_names_key_and_configuration_line(tmp_path: Path) -> None:
    got = findings(project(tmp_path, "# policy\npolicy:\n  allowed-regions: [westeurope, northeurope]\n"))
    sig801 = [f for f in got if f["rule"] == "SIG801"]
    assert len(sig801) == 1
    assert sig801[0]["message"] == ("location 'eastus' of gallery 'polGallery' is not in policy.allowed-regions "
                                    "(.sigcheck.yaml:3): westeurope, northeurope")
    assert (sig801[0]["line"], sig801[0]["column"]) == (9, 19)


def test_policy_rules_are_off_without_their_key(tmp_path: Path) -> None:
    got = findings(project(tmp_path, "policy:\n  sharing: [Private, Groups]\n"), "--extend-select", "ALL")
    assert not [f for f in got if f["rule"].startswith("SIG8")]


def test_severity_and_ignore_apply_to_policy_rules(tmp_path: Path) -> None:
    config = "policy:\n  allowed-regions: [westeurope]\nseverity:\n  SIG801: warning\n"
    assert [f["severity"] for f in findings(project(tmp_path, config)) if f["rule"] == "SIG801"] == ["warning"]
    assert not [f for f in findings(tmp_path, "--ignore", "SIG801") if f["rule"] == "SIG801"]


def test_sarif_carries_the_configuration_as_related_location_and_help_uri(tmp_path: Path) -> None:
    config = "policy:\n  allowed-regions: [westeurope]\n" + CUSTOM
    code, out, err = run(project(tmp_path, config), "check", ".", "--format", "sarif")
    assert code == 1, err
    run_ = json.loads(out)["runs"][0]
    results = {r["ruleId"]: r for r in run_["results"]}
    related = results["SIG801"]["relatedLocations"][0]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == ".sigcheck.yaml"
    assert related["physicalLocation"]["region"]["startLine"] == 2
    assert related["message"]["text"] == "policy.allowed-regions is set here"
    custom = results["CONTOSO001"]
    assert custom["level"] == "warning"
    assert custom["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 4
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert rules["CONTOSO001"]["helpUri"] == "https://contoso.example/policy/CONTOSO001"


# -- custom rules as rules -------------------------------------------------------------------
def test_custom_rule_finding(tmp_path: Path) -> None:
    got = [f for f in findings(project(tmp_path, CUSTOM)) if f["rule"] == "CONTOSO001"]
    assert len(got) == 1
    assert (got[0]["line"], got[0]["column"], got[0]["severity"]) == (10, 58, "warning")
    assert got[0]["message"] == ("galleries are not shared directly: properties.sharingProfile.permissions is 'Groups' "
                                 "(custom rule CONTOSO001, .sigcheck.yaml:2)")


def test_custom_rules_are_listed(tmp_path: Path) -> None:
    project(tmp_path, CUSTOM)
    code, out, _err = run(tmp_path, "rules")
    assert code == 0 and "CONTOSO001  no-direct-sharing" in out and "SIG801" in out
    code, out, _err = run(tmp_path, "rules", "--format", "json")
    listed = {r["id"]: r for r in json.loads(out)}
    assert listed["CONTOSO001"]["help_uri"] == "https://contoso.example/policy/CONTOSO001"


def test_custom_rules_honour_select_ignore_and_severity(tmp_path: Path) -> None:
    project(tmp_path, CUSTOM + "severity:\n  CONTOSO: error\n")
    assert [f["severity"] for f in findings(tmp_path) if f["rule"] == "CONTOSO001"] == ["error"]
    assert not [f for f in findings(tmp_path, "--ignore", "CONTOSO001") if f["rule"] == "CONTOSO001"]
    assert {f["rule"] for f in findings(tmp_path, "--select", "CONTOSO")} == {"CONTOSO001"}
    project(tmp_path, CUSTOM + "ignore: [CONTOSO001]\n")
    assert not [f for f in findings(tmp_path) if f["rule"] == "CONTOSO001"]


def test_custom_rules_honour_suppressions(tmp_path: Path) -> None:
    project(tmp_path, CUSTOM)
    (tmp_path / "gallery.json").write_text(TEMPLATE.replace(
        '"properties": { "sharingProfile"',
        '// sigcheck-disable-next-line CONTOSO001 -- shared with the partner tenant by contract\n      "properties": { "sharingProfile"'),
        encoding="utf-8")
    got = [f for f in findings(tmp_path) if f["rule"] == "CONTOSO001"]
    assert len(got) == 1 and got[0]["suppressed"] and got[0]["justification"] == "shared with the partner tenant by contract"


def test_a_condition_on_an_unknown_value_reports_nothing(tmp_path: Path) -> None:
    project(tmp_path, CUSTOM)
    (tmp_path / "gallery.json").write_text(TEMPLATE.replace(
        '"contentVersion": "1.0.0.0",', '"contentVersion": "1.0.0.0",\n  "parameters": { "permissions": { "type": "string" } },').replace(
        '"permissions": "Groups"', '"permissions": "[parameters(\'permissions\')]"'), encoding="utf-8")
    assert not [f for f in findings(tmp_path) if f["rule"] == "CONTOSO001"]


def test_sig002_lists_the_custom_rule_an_unknown_value_leaves_undecided(tmp_path: Path) -> None:
    location_rule = CUSTOM.replace("custom-rules:\n", "") .replace("CONTOSO001", "CONTOSO002").replace(
        "field: properties.sharingProfile.permissions\n      equals: Groups", "field: location\n      notIn: [eastus]")
    project(tmp_path, CUSTOM + location_rule)
    (tmp_path / "gallery.json").write_text(TEMPLATE.replace(
        '"contentVersion": "1.0.0.0",',
        '"contentVersion": "1.0.0.0",\n  "parameters": { "permissions": { "type": "string" }, "where": { "type": "string" } },').replace(
        '"permissions": "Groups"', '"permissions": "[parameters(\'permissions\')]"').replace(
        '"location": "eastus"', '"location": "[parameters(\'where\')]"'), encoding="utf-8")
    got = [(f["line"], f["column"], f["message"]) for f in findings(tmp_path, "--select", "SIG002,CONTOSO")]
    # The location: one note naming the built-in readers and the custom rule together.
    assert got[0][:2] == (10, 19)
    assert got[0][2].startswith("the location cannot be resolved statically (parameter 'where'), so SIG201, ")
    assert got[0][2].endswith(" and custom rule CONTOSO002 (.sigcheck.yaml:11) cannot check it; give it a value (a parameter default, --parameters, --location)")
    # The sharing permission: no built-in rule needs it, only the custom one.
    assert got[1] == (11, 58, "properties.sharingProfile.permissions cannot be resolved statically (parameter 'permissions'), so custom rule CONTOSO001 "
                      "(.sigcheck.yaml:2) decides nothing for this gallery; give it a value (a parameter default, --parameters, --location)")
    assert len(got) == 2
    # With the values given, both rules decide and SIG002 has nothing to say about them.
    (tmp_path / "gallery.parameters.json").write_text(
        '{"parameters": {"permissions": {"value": "Private"}, "where": {"value": "eastus"}}}', encoding="utf-8")
    assert not findings(tmp_path, "--select", "SIG002,CONTOSO", "--parameters", "gallery.parameters.json")


# -- each folder's policy ------------------------------------------------------------------------
def test_each_folder_has_its_own_policy(tmp_path: Path) -> None:
    project(tmp_path, "policy:\n  allowed-regions: [eastus]\n")
    team = tmp_path / "team"
    team.mkdir()
    (team / ".sigcheck.yaml").write_text("policy:\n  allowed-regions: [westeurope]\n", encoding="utf-8")
    (team / "gallery.json").write_text(TEMPLATE.replace("polGallery", "teamGallery"), encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    (other / ".sigcheck.yaml").write_text("exclude: ['*.bak']\n", encoding="utf-8")  # no policy: the parent's applies
    (other / "gallery.json").write_text(TEMPLATE.replace("polGallery", "otherGallery"), encoding="utf-8")
    got = [(f["path"], f["message"]) for f in findings(tmp_path) if f["rule"] == "SIG801"]
    assert got == [(os.path.join("team", "gallery.json"),
                    f"location 'eastus' of gallery 'teamGallery' is not in policy.allowed-regions ({os.path.join('team', '.sigcheck.yaml')}:2): westeurope")]
    # --config: one policy for every file
    explicit = [f["path"] for f in findings(tmp_path, "--config", ".sigcheck.yaml") if f["rule"] == "SIG801"]
    assert explicit == []


def test_a_broken_folder_configuration_is_exit_2(tmp_path: Path) -> None:
    project(tmp_path, "policy:\n  allowed-regions: [eastus]\n")
    team = tmp_path / "team"
    team.mkdir()
    (team / ".sigcheck.yaml").write_text("policy:\n  sharing: [Privat]\n", encoding="utf-8")
    (team / "gallery.json").write_text(TEMPLATE.replace("polGallery", "teamGallery"), encoding="utf-8")
    code, _out, err = run(tmp_path, "check", ".")
    assert code == 2 and f"{os.path.join('team', '.sigcheck.yaml')}:2:13: invalid configuration: policy.sharing[0]" in err


def test_a_folder_custom_rule_unknown_to_the_run_is_exit_2(tmp_path: Path) -> None:
    project(tmp_path, "policy:\n  allowed-regions: [eastus]\n")
    team = tmp_path / "team"
    team.mkdir()
    (team / ".sigcheck.yaml").write_text(CUSTOM, encoding="utf-8")
    (team / "gallery.json").write_text(TEMPLATE.replace("polGallery", "teamGallery"), encoding="utf-8")
    code, _out, err = run(tmp_path, "check", ".")
    assert code == 2 and "custom rule CONTOSO001 is not defined in the run's configuration" in err
    assert [f["rule"] for f in findings(team) if f["rule"] == "CONTOSO001"] == ["CONTOSO001"]


def test_a_custom_rule_is_explained(tmp_path: Path) -> None:
    project(tmp_path, CUSTOM)
    code, out, _err = run(tmp_path, "rule", "contoso001")
    assert code == 0
    assert out.startswith("# CONTOSO001: no-direct-sharing\n\ngalleries are not shared directly\n")
    assert "Docs: https://contoso.example/policy/CONTOSO001" in out


def test_the_library_applies_policy_and_custom_rules(tmp_path: Path) -> None:
    import sigcheck

    project(tmp_path, "policy:\n  allowed-regions: [westeurope]\n" + CUSTOM)
    result = sigcheck.lint_paths([str(tmp_path)], today="2026-11-22", select=["SIG801", "CONTOSO001"])
    assert sorted(f.rule_id for f in result.findings) == ["CONTOSO001", "SIG801"]
    related = next(f for f in result.findings if f.rule_id == "SIG801").extra["related"]
    assert isinstance(related, list) and related[0][1] == "policy.allowed-regions is set here"
    text = (tmp_path / "gallery.json").read_text(encoding="utf-8")
    again = sigcheck.lint_text(text, str(tmp_path / "gallery.json"), select=["CONTOSO"])
    assert [f.rule_id for f in again.findings] == ["CONTOSO001"]


def test_a_condition_nested_thousands_deep_is_a_configuration_error_not_a_crash(tmp_path: Path) -> None:
    condition = "{field: name, equals: x}"
    for _ in range(3000):
        condition = "{not: " + condition + "}"
    config = CUSTOM.replace("    condition:\n      field: properties.sharingProfile.permissions\n      equals: Groups\n",
                            f"    condition: {condition}\n")
    code, _out, err = run(project(tmp_path, config), "check", ".")
    assert code == 2 and "Traceback" not in err
    # Refused while parsing, at the level that goes too deep (the YAML nesting cap of sigcheck.config).
    assert "sigcheck: error: .sigcheck.yaml:8:" in err and "invalid YAML: nested deeper than 100 levels" in err


def test_sig002_names_a_custom_rule_whose_condition_ran_out_of_steps(tmp_path: Path) -> None:
    config = """custom-rules:
  - id: CONTOSO005
    name: west-regions
    severity: warning
    message: versions replicate to a western region
    resources: [image-version]
    condition:
      count:
        field: "properties.publishingProfile.targetRegions[*]"
        where:
          field: "properties.publishingProfile.targetRegions[*].name"
          equals: westeurope
      greater: 0
"""
    regions = ", ".join('{"name": "westeurope"}' for _ in range(60_000))
    project(tmp_path, config)
    (tmp_path / "gallery.json").write_text(TEMPLATE.replace('"resources": [', f'''"resources": [
    {{ "type": "Microsoft.Compute/galleries/images/versions", "apiVersion": "2024-03-03", "name": "polGallery/img/1.0.0",
       "location": "westeurope", "properties": {{ "publishingProfile": {{ "targetRegions": [ {regions} ] }} }} }},'''), encoding="utf-8")
    got = [(f["rule"], f["line"], f["message"]) for f in findings(tmp_path, "--select", "SIG002,CONTOSO")]
    assert got == [("SIG002", 5, "custom rule CONTOSO005 (.sigcheck.yaml:2) took more than 100,000 steps on this image version and decides nothing")]
