"""What a Bicep file means: declarations, evaluation with the ARM evaluator's semantics, parameter
files, modules — checked on the model resources and on the findings at the Bicep tokens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile
from sigcheck.inputs.bicep import loader
from sigcheck.model.resources import DeploymentContext
from sigcheck.syntax.located import UNKNOWN, Located, Span

GALLERY = "Microsoft.Compute/galleries"


def write(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def load(tmp_path: Path, main: str, files: dict[str, str] | None = None, name: str = "main.bicep",
         **options: Any) -> LoadResult:
    write(tmp_path, {name: main, **(files or {})})
    path = str(tmp_path / name)
    return loader.load(SourceFile(path, main), LoadOptions(**options))


def names(result: LoadResult, type_name: str) -> list[list[Any]]:
    return [[n.value for n in r.names] for r in result.resources if r.type_name == type_name]


def value(item: Located[Any] | None) -> Any:
    assert item is not None
    return item.value


def check_json(cli: Any, *args: str) -> list[dict[str, Any]]:
    result = cli("check", *args, "--format", "json", "--extend-select", "ALL", "--today", "2026-11-22")
    assert result.code in (0, 1), result.err
    assert "Traceback" not in result.err
    findings: list[dict[str, Any]] = result.json()
    return findings


def test_params_vars_interpolation_and_operators(tmp_path: Path) -> None:
    result = load(tmp_path, """
@allowed(['contoso', 'fabrikam'])
@minLength(3)
param prefix string = 'contoso'
param count int = 3
param missing string
param settings object = { sku: 'Standard_ZRS' }
var name = '${prefix}_gallery_${count * 2 + 1}'
var region = count > 2 && !empty(prefix) ? 'westeurope' : 'eastus'
resource g 'Microsoft.Compute/galleries@2024-03-03' = {
  name: name
  location: region
  tags: {
    a: settings.?tier ?? 'default'
    b: missing
    c: prefix =~ 'CONTOSO' ? 'yes' : 'no'
    d: settings.sku
    e: 7 % 4 - -1
  }
}
""")
    [gallery] = result.resources
    assert [n.value for n in gallery.names] == ["contoso_gallery_7"]
    assert gallery.names[0].origin == "default of parameters 'prefix', 'count'; variable 'name'"
    assert value(gallery.location) == "westeurope"
    tags = gallery.body.get("tags").plain()  # type: ignore[union-attr]
    assert tags == {"a": "default", "b": UNKNOWN, "c": "yes", "d": "Standard_ZRS", "e": 4}
    # The location is located at the Bicep token that wrote it.
    assert (gallery.location.span.line, gallery.location.span.column) == (12, 13)  # type: ignore[union-attr]


def test_resource_loops_conditions_and_nested_children(tmp_path: Path) -> None:
    result = load(tmp_path, """
param regions array = ['westeurope', 'northeurope']
param deployWindows bool = false
resource galleries 'Microsoft.Compute/galleries@2024-03-03' = [for (r, i) in regions: {
  name: 'gal${i}'
  location: r
}]
resource extra 'Microsoft.Compute/galleries@2024-03-03' = [for i in range(1, 2): if (i != 1) {
  name: 'range${i}'
  location: 'westeurope'
}]
resource filtered 'Microsoft.Compute/galleries@2024-03-03' = [for r in regions: if (r == 'northeurope') {
  name: 'only_${r}'
  location: r
}]
resource off 'Microsoft.Compute/galleries@2024-03-03' = if (deployWindows) {
  name: 'never'
  location: 'westeurope'
}
resource parent 'Microsoft.Compute/galleries@2024-03-03' = {
  name: 'parentgal'
  location: 'westeurope'
  resource def 'images@2024-03-03' = [for os in ['linux', 'windows']: {
    name: os
    location: 'westeurope'
    properties: { osType: os == 'linux' ? 'Linux' : 'Windows', osState: 'Generalized', identifier: { publisher: 'p', offer: os, sku: 's' } }
  }]
}
resource version 'Microsoft.Compute/galleries/images/versions@2024-03-03' = {
  parent: parent::def[1]
  name: '1.0.0'
  location: 'westeurope'
  properties: {
    publishingProfile: { targetRegions: [for r in regions: { name: r, regionalReplicaCount: 2 }] }
  }
}
""")
    assert names(result, GALLERY) == [["gal0"], ["gal1"], ["range2"], ["only_northeurope"], ["parentgal"]]
    assert names(result, GALLERY + "/images") == [["parentgal", "linux"], ["parentgal", "windows"]]
    [version] = [r for r in result.resources if r.type_name.endswith("versions")]
    assert [n.value for n in version.names] == ["parentgal", "windows", "1.0.0"]
    regions = [(value(t.name), value(t.replica_count)) for t in version.target_regions or []]  # type: ignore[attr-defined]
    assert regions == [("westeurope", 2), ("northeurope", 2)]


def test_existing_parents_are_named_but_not_created(tmp_path: Path) -> None:
    result = load(tmp_path, """
param galleryName string = 'shared_gallery'
resource gallery 'Microsoft.Compute/galleries@2024-03-03' existing = {
  name: galleryName
}
resource image 'Microsoft.Compute/galleries/images@2024-03-03' = {
  parent: gallery
  name: 'ubuntu'
  location: 'westeurope'
  properties: {
    osType: 'Linux'
    osState: 'Generalized'
    identifier: { publisher: 'p', offer: 'o', sku: 's' }
    description: gallery.name
    eula: gallery.id
  }
}
""")
    assert names(result, GALLERY) == []
    [image] = result.resources
    assert [n.value for n in image.names] == ["shared_gallery", "ubuntu"]
    assert image.body.get("properties").get("description").value == "shared_gallery"  # type: ignore[union-attr]
    # A resource ID, as ARM's resourceId() gives it: not known text while no subscription is configured.
    eula = image.body.get("properties").get("eula").value  # type: ignore[union-attr]
    assert eula.known is False and eula.endswith("/Microsoft.Compute/galleries/shared_gallery")


def test_deployment_context_and_unknowns(tmp_path: Path) -> None:
    text = """
param built string = utcNow()
resource g 'Microsoft.Compute/galleries@2024-03-03' = {
  name: 'ctx_gallery'
  location: resourceGroup().location
  tags: {
    a: reference('x').id
    b: newGuid()
    c: built
    d: any('plain')
  }
}
"""
    [unknown] = load(tmp_path, text).resources
    assert unknown.location is not None and unknown.location.value is UNKNOWN
    context = DeploymentContext(location=Located("uksouth", unknown.span))
    [known] = load(tmp_path, text, context=context).resources
    assert value(known.location) == "uksouth"
    assert known.body.get("tags").plain() == {"a": UNKNOWN, "b": UNKNOWN, "c": UNKNOWN, "d": "plain"}  # type: ignore[union-attr]


def test_functions_imports_and_loaded_files(tmp_path: Path) -> None:
    result = load(tmp_path, """
import { region, suffix as sfx, label } from './shared.bicep'
import * as lib from './shared.bicep'
func named(base string, n int) string => '${base}_${n}'
var config = loadJsonContent('config.json')
var yaml = loadYamlContent('data/settings.yaml')
var note = loadTextContent('note.txt')
resource g 'Microsoft.Compute/galleries@2024-03-03' = {
  name: named(config.prefix, 2)
  location: region
  tags: { s: sfx, l: label('x'), y: yaml.owner, n: note, ns: lib.region, nl: lib.label('y') }
}
""", {
        "shared.bicep": "@export()\nvar region = 'northeurope'\n@export()\nvar suffix = '${region}-x'\n"
                        "@export()\nfunc label(v string) string => 'label-${v}'\n",
        "config.json": json.dumps({"prefix": "cfg"}),
        "data/settings.yaml": "owner: images-team\n",
        "note.txt": "hello",
    })
    [g] = result.resources
    assert [n.value for n in g.names] == ["cfg_2"]
    assert value(g.location) == "northeurope"
    assert g.body.get("tags").plain() == {  # type: ignore[union-attr]
        "s": "northeurope-x", "l": "label-x", "y": "images-team", "n": "hello", "ns": "northeurope", "nl": "label-y",
    }


def test_loaded_files_stay_local_and_bounded(tmp_path: Path) -> None:
    big = "x" * (loader.MAX_READ + 1)
    result = load(tmp_path, """
resource g 'Microsoft.Compute/galleries@2024-03-03' = {
  name: 'files_gallery'
  location: 'westeurope'
  tags: { a: loadTextContent('missing.txt'), b: loadTextContent('big.txt') }
}
""", {"big.txt": big})
    [g] = result.resources
    assert g.body.get("tags").plain() == {"a": UNKNOWN, "b": UNKNOWN}  # type: ignore[union-attr]
    assert {f.rule_id for f in result.findings} == {"SIG002"}


def test_unknown_function_and_argument_count_are_sig005(tmp_path: Path) -> None:
    result = load(tmp_path, """
resource g 'Microsoft.Compute/galleries@2024-03-03' = {
  name: toLowerCase('A')
  location: substring('westeurope')
}
""")
    messages = sorted((f.rule_id, f.span.line, f.span.column, f.message) for f in result.findings)
    assert messages == [
        ("SIG005", 3, 9, "'toLowerCase' is not a Bicep function; did you mean 'toLower'?"),
        ("SIG005", 4, 13, "'substring' takes 2 to 3 argument(s), not 1"),
    ]


def test_work_budget_gives_one_finding(tmp_path: Path) -> None:
    result = load(tmp_path, """
var big = [for i in range(0, 3000): [for j in range(0, 3000): '${i}-${j}']]
resource g 'Microsoft.Compute/galleries@2024-03-03' = {
  name: 'g${length(big)}'
  location: 'westeurope'
}
""")
    budget = [f for f in result.findings if "too much work" in f.message]
    assert len(budget) == 1
    [g] = result.resources
    assert g.names[0].value is UNKNOWN


def test_bicepparam_supplies_values(tmp_path: Path) -> None:
    template = """
param galleryName string
param region string = 'westeurope'
resource g 'Microsoft.Compute/galleries@2024-03-03' = {
  name: galleryName
  location: region
}
"""
    params = "using 'main.bicep'\nvar base = 'from'\nparam galleryName = '${base}_params'\nparam region = readEnvironmentVariable('REGION', 'x')\n"
    write(tmp_path, {"main.bicep": template, "main.bicepparam": params})
    # Checking the template finds main.bicepparam beside it by convention.
    [g] = loader.load(SourceFile(str(tmp_path / "main.bicep"), template), LoadOptions()).resources
    assert g.names[0].value == "from_params"
    assert g.names[0].origin == "parameter 'galleryName' from main.bicepparam"
    assert g.location is not None and g.location.value is UNKNOWN
    # Checking the .bicepparam checks the template it uses, with its values.
    [via] = loader.load(SourceFile(str(tmp_path / "main.bicepparam"), params), LoadOptions()).resources
    assert via.names[0].value == "from_params" and via.path.endswith("main.bicep")


def test_parameters_option_accepts_arm_json(tmp_path: Path) -> None:
    template = "param galleryName string\nresource g 'Microsoft.Compute/galleries@2024-03-03' = {\n  name: galleryName\n  location: 'westeurope'\n}\n"
    arm = {"parameters": {"galleryName": {"value": "arm_json_gallery"}}}
    write(tmp_path, {"values.json": json.dumps(arm)})
    [g] = load(tmp_path, template, parameters_file=str(tmp_path / "values.json")).resources
    assert g.names[0].value == "arm_json_gallery"


def test_modules_pass_parameters_and_name_their_caller(tmp_path: Path, run_cli: Any) -> None:
    write(tmp_path, {
        "main.bicep": """
module images './modules/gallery.bicep' = [for i in range(0, 2): {
  name: 'deploy${i}'
  params: {
    galleryName: 'team-gallery-${i}'
  }
}]
module remote 'br/public:avm/res/compute/gallery:0.9.0' = {
  name: 'remote'
  params: { name: 'x' }
}
""",
        "modules/gallery.bicep": """
param galleryName string
param location string = 'westeurope'
resource g 'Microsoft.Compute/galleries@2024-03-03' = {
  name: galleryName
  location: location
}
""",
    })
    main = str(tmp_path / "main.bicep")
    findings = check_json(run_cli, main)
    sig101 = [f for f in findings if f["rule"] == "SIG101"]
    assert len(sig101) == 2
    for f in sig101:
        assert f["path"].endswith("modules/gallery.bicep") and (f["line"], f["column"]) == (5, 9)
        assert "passed by module 'images'" in f["message"] and "through module 'images'" in f["message"]
    assert any(f["rule"] == "SIG002" and "registry" in f["message"] for f in findings)


def test_sarif_related_location_for_module_findings(tmp_path: Path, run_cli: Any) -> None:
    write(tmp_path, {
        "main.bicep": "module m './g.bicep' = {\n  name: 'm'\n  params: { galleryName: 'bad-name' }\n}\n",
        "g.bicep": "param galleryName string\nresource g 'Microsoft.Compute/galleries@2024-03-03' = {\n  name: galleryName\n  location: 'westeurope'\n}\n",
    })
    result = run_cli("check", str(tmp_path / "main.bicep"), "--format", "sarif")
    log = json.loads(result.out)
    [finding] = [r for r in log["runs"][0]["results"] if r["ruleId"] == "SIG101"]
    [related] = finding["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == 1
    assert related["physicalLocation"]["artifactLocation"]["uri"].endswith("main.bicep")
    assert "module 'm'" in related["message"]["text"]
    schema = Path(__file__).resolve().parents[3].parent / "shared" / "sarif" / "sarif-schema-2.1.0.json"
    if schema.exists():  # the official SARIF 2.1.0 schema, when ../shared is beside the checkout
        from jsonschema import Draft4Validator

        assert list(Draft4Validator(json.loads(schema.read_text())).iter_errors(log)) == []


def test_module_checked_on_its_own_reports_where_it_is(tmp_path: Path, run_cli: Any) -> None:
    write(tmp_path, {"g.bicep": "param galleryName string = 'own-default'\nresource g 'Microsoft.Compute/galleries@2024-03-03' = {\n  name: galleryName\n  location: 'westeurope'\n}\n"})
    [f] = [f for f in check_json(run_cli, str(tmp_path / "g.bicep")) if f["rule"] == "SIG101"]
    assert "default of parameter 'galleryName'" in f["message"] and "through" not in f["message"]


def test_consumer_rules_see_vms_declared_in_bicep(tmp_path: Path, run_cli: Any) -> None:
    write(tmp_path, {"main.bicep": """
resource version 'Microsoft.Compute/galleries/images/versions@2024-03-03' = {
  name: 'consumerGal/ubuntu/1.0.0'
  location: 'westeurope'
  properties: {
    publishingProfile: { targetRegions: [{ name: 'westeurope' }] }
    storageProfile: { source: { id: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/images/base' } }
  }
}
resource vm 'Microsoft.Compute/virtualMachines@2024-03-01' = {
  name: 'consumer-vm'
  location: 'uksouth'
  properties: {
    storageProfile: {
      imageReference: { id: resourceId('Microsoft.Compute/galleries/images/versions', 'consumerGal', 'ubuntu', '1.0.0') }
    }
  }
}
"""})
    findings = check_json(run_cli, str(tmp_path / "main.bicep"))
    [f] = [f for f in findings if f["rule"] == "SIG705"]
    assert (f["line"], f["column"]) == (12, 13)


@pytest.mark.parametrize("name", ["main.bicep", "other.bicepparam"])
def test_files_without_galleries_are_not_relevant(tmp_path: Path, name: str) -> None:
    text = "resource s 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name: 'st'\n  location: 'westeurope'\n}\n"
    if name.endswith(".bicepparam"):
        write(tmp_path, {"t.bicep": text})
        text = "using 't.bicep'\n"
    assert load(tmp_path, text, name=name).relevant is False


def test_module_cycles_and_fan_out_are_bounded(tmp_path: Path) -> None:
    gallery = "resource g 'Microsoft.Compute/galleries@2024-03-03' = {\n  name: 'cycle_gallery'\n  location: 'westeurope'\n}\n"
    cycle = load(tmp_path, "module m './main.bicep' = [for i in range(0, 100): {\n  name: 'm${i}'\n}]\n" + gallery)
    assert [f.rule_id for f in cycle.findings] == ["SIG005"] and "module cycle" in cycle.findings[0].message
    assert len(cycle.resources) == 1
    fan = load(tmp_path, "module m './leaf.bicep' = [for i in range(0, 400): {\n  name: 'm${i}'\n  params: { n: i }\n}]\n", {
        "leaf.bicep": "param n int\nresource g 'Microsoft.Compute/galleries@2024-03-03' = {\n  name: 'leaf${n}'\n  location: 'westeurope'\n}\n",
    }, name="fan.bicep")
    assert len(fan.resources) == loader.MAX_MODULE_INSTANCES
    assert [f.rule_id for f in fan.findings] == ["SIG005"] and "too much work" in fan.findings[0].message


def test_loaded_files_must_be_relative(tmp_path: Path) -> None:
    result = load(tmp_path, """
resource g 'Microsoft.Compute/galleries@2024-03-03' = {
  name: 'abs_gallery'
  location: 'westeurope'
  tags: { a: loadTextContent('/etc/hostname'), b: loadTextContent('https://example.com/x.txt') }
}
""")
    assert [f.rule_id for f in result.findings] == ["SIG005", "SIG005"]
    [g] = result.resources
    assert g.body.get("tags").plain() == {"a": UNKNOWN, "b": UNKNOWN}  # type: ignore[union-attr]


def test_safe_access_chains_null_module_params_and_scopes(tmp_path: Path) -> None:
    result = load(tmp_path, """
param config object?
module m './g.bicep' = {
  name: 'm'
  scope: resourceGroup('other-rg')
  params: {
    galleryName: 'nulls_gallery'
    location: config.?region
    description: config.?subnet.name ?? 'none'
  }
}
""", {"g.bicep": """
param galleryName string
param location string = 'westeurope'
param description string
resource g 'Microsoft.Compute/galleries@2024-03-03' = {
  name: galleryName
  location: location
  properties: { description: length(description) > 3 ? description : fail('too short') }
}
"""})
    assert result.findings == []
    [g] = result.resources
    # `config.?region` is null: ARM reads a null parameter value as none given, so the default applies.
    assert value(g.location) == "westeurope"
    assert g.location.origin == "default of parameter 'location'"  # type: ignore[union-attr]
    assert g.body.get("properties").get("description").value == "none"  # type: ignore[union-attr]


def test_module_deployed_elsewhere_does_not_inherit_the_location(tmp_path: Path) -> None:
    module = "resource g 'Microsoft.Compute/galleries@2024-03-03' = {\n  name: 'where_gallery'\n  location: resourceGroup().location\n}\n"
    context = DeploymentContext(location=Located("uksouth", Span("<--location>", 1, 1, 1, 1)))
    for scope, expected in (("resourceGroup()", "uksouth"), ("resourceGroup('other-rg')", None)):
        main = f"module m './g.bicep' = {{\n  name: 'm'\n  scope: {scope}\n}}\n"
        [g] = load(tmp_path, main, {"g.bicep": module}, context=context).resources
        assert g.location is not None
        assert (g.location.value if g.location.known else None) == expected


def test_supplied_values_the_template_refuses(tmp_path: Path) -> None:
    template = """
@allowed(['westeurope', 'northeurope'])
param region string
param count int = 1
resource g 'Microsoft.Compute/galleries@2024-03-03' = {
  name: 'supplied_gallery'
  location: region
  tags: { n: string(count) }
}
"""
    params = "using 'main.bicep'\nparam region = 'eastus'\nparam count = 'two'\nparam regoin = 'x'\n"
    write(tmp_path, {"main.bicep": template, "main.bicepparam": params})
    result = loader.load(SourceFile(str(tmp_path / "main.bicepparam"), params), LoadOptions())
    found = sorted((f.span.path.endswith(".bicepparam"), f.span.line, f.message.split(",")[0]) for f in result.findings)
    assert [(p, line) for p, line, _ in found] == [(True, 2), (True, 3), (True, 4)]
    assert "allowedValues" in found[0][2] or "must be one of" in found[0][2]
    assert "did you mean 'region'" in " ".join(f.message for f in result.findings)
