"""The bridge from evaluated expressions to located JSON: spans, origins, loops, conditions,
nested deployments and parameter files, through the ARM loader as users run it."""

from __future__ import annotations

import json
from pathlib import Path

from sigcheck.engine.run import Engine, Options
from sigcheck.syntax.located import UNKNOWN
from sigcheck.model import resources as m
from sigcheck.engine.registry import default_registry

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def load(tmp_path: Path, template: dict, parameters: dict | None = None, name: str = "t.json", **options):
    path = tmp_path / name
    path.write_text(json.dumps({"$schema": SCHEMA, **template}, indent=2))
    if parameters is not None:
        (tmp_path / name.replace(".json", ".parameters.json")).write_text(json.dumps({"parameters": parameters}))
    engine = Engine(default_registry(), Options(**options))
    loaded = engine.load_file(str(path))
    assert loaded is not None
    return loaded


def version(name: str = "g/d/1.0.0", **properties) -> dict:
    return {"type": "Microsoft.Compute/galleries/images/versions", "apiVersion": "2024-03-03", "name": name,
            "location": "eastus", "properties": properties}


def test_parameter_file_beside_template_wins_over_default(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        {"parameters": {"v": {"type": "string", "defaultValue": "1.0.0"}}, "resources": [version("[concat('g/d/', parameters('v'))]")]},
        parameters={"v": {"value": "2.0.0"}},
    )
    (res,) = loaded.resources
    assert [n.value for n in res.names] == ["g", "d", "2.0.0"]
    assert res.names[2].origin == "parameter 'v' from t.parameters.json"


def test_explicit_parameters_option_replaces_convention(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"parameters": {"v": {"value": "3.0.0"}}}))
    loaded = load(
        tmp_path,
        {"parameters": {"v": {"type": "string"}}, "resources": [version("[concat('g/d/', parameters('v'))]")]},
        parameters={"v": {"value": "2.0.0"}},
        parameters_file=str(other),
    )
    assert loaded.resources[0].names[2].value == "3.0.0"


def test_key_vault_reference_is_unknown(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        {"parameters": {"v": {"type": "string"}}, "resources": [version("[concat('g/d/', parameters('v'))]")]},
        parameters={"v": {"reference": {"keyVault": {"id": "/x"}, "secretName": "s"}}},
    )
    assert loaded.resources[0].names[2].value is UNKNOWN


def test_unknown_condition_is_checked_and_unknown_copy_count_gives_one_instance(tmp_path: Path) -> None:
    res = version()
    res["condition"] = "[parameters('deploy')]"
    res["copy"] = {"name": "loop", "count": "[parameters('n')]"}
    loaded = load(tmp_path, {"parameters": {"deploy": {"type": "bool"}, "n": {"type": "int"}}, "resources": [res]})
    assert len(loaded.resources) == 1


def test_property_copy_with_unknown_count_leaves_regions_unknown(tmp_path: Path) -> None:
    profile = {"copy": [{"name": "targetRegions", "count": "[parameters('n')]", "input": {"name": "eastus"}}]}
    loaded = load(tmp_path, {"parameters": {"n": {"type": "int"}}, "resources": [version(publishingProfile=profile)]})
    (res,) = loaded.resources
    assert isinstance(res, m.ImageVersion)
    assert res.target_regions is None  # not a list: nothing about the regions is known


def test_nested_outer_scope_sees_parent_parameters(tmp_path: Path) -> None:
    nested = {
        "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inner",
        "properties": {"mode": "Incremental", "template": {"resources": [version("[parameters('name')]")]}},
    }
    loaded = load(tmp_path, {"parameters": {"name": {"type": "string", "defaultValue": "g/d/9.9.9"}}, "resources": [nested]})
    assert [n.value for n in loaded.resources[0].names] == ["g", "d", "9.9.9"]


def test_values_point_at_the_expression_that_produced_them(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        {"parameters": {"r": {"type": "array", "defaultValue": ["westus", "eastus"]}},
         "resources": [version(publishingProfile={"targetRegions": "[map(parameters('r'), lambda('x', createObject('name', lambdaVariables('x'))))]"})]},
    )
    (res,) = loaded.resources
    names = [r.name for r in res.target_regions]
    assert [n.value for n in names] == ["westus", "eastus"]
    assert names[0].span == names[1].span
    assert names[0].origin == "default of parameter 'r'"


def test_template_without_gallery_resources_is_not_relevant(tmp_path: Path) -> None:
    loaded = load(tmp_path, {"resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "[parameters('x')]"}]})
    assert not loaded.relevant and loaded.findings == []


def test_parameters_option_on_the_command_line(tmp_path: Path, capsys) -> None:
    from sigcheck.cli import main

    template = tmp_path / "main.json"
    template.write_text(json.dumps({"$schema": SCHEMA, "parameters": {"v": {"type": "string"}},
                                    "resources": [version("[concat('g/d/', parameters('v'))]")]}))
    values = tmp_path / "prod.json"
    values.write_text(json.dumps({"parameters": {"v": {"value": "1.0"}}}))
    assert main(["check", str(template), "--select", "SIG103", "--parameters", str(values)]) == 1
    assert "'1.0' (parameter 'v' from prod.json)" in capsys.readouterr().out
    assert main(["check", str(template), "--select", "SIG103"]) == 0
    assert main(["check", str(template), "--parameters", str(tmp_path / "missing.json")]) == 2
