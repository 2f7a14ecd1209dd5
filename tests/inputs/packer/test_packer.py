"""Packer templates read as Packer reads them: which loader claims what, the regions Packer adds,
its defaults, variables across a directory, and provenance in messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sigcheck.engine.registry import default_registry
from sigcheck.inputs.api import LoadOptions, SourceFile
from sigcheck.inputs.packer import hcl2, legacy_json
from sigcheck.model import resources as m

ARM = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "resources": [{ "type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": "g", "location": "westeurope" }]
}"""
PACKER_JSON = """{
  "builders": [{ "type": "azure-arm", "location": "westeurope",
    "shared_image_gallery_destination": { "resource_group": "rg", "gallery_name": "g", "image_name": "i", "image_version": "1.0.0" } }],
  "provisioners": [{ "type": "shell", "inline": ["az deployment group create --template-file x.json # \\"resources\\" \\"apiVersion\\""] }]
}"""


def first_claim(path: str, text: str) -> str | None:
    return next((loader.name for loader in default_registry().loaders if loader.claims(path, text)), None)


def check(paths: list[str], cwd: Path) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "sigcheck", "check", *paths, "--format", "json", "--today", "2026-11-22"],
                         cwd=cwd, capture_output=True, text=True, check=False)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def test_packer_json_and_arm_templates_never_claim_each_other() -> None:
    assert first_claim("build.json", PACKER_JSON) == "packer-json"
    assert first_claim("template.json", ARM) == "arm"
    assert first_claim("amazon.json", '{"builders": [{"type": "amazon-ebs"}]}') is None
    assert first_claim("build.pkr.hcl", "") == "packer-hcl"
    assert first_claim("values.pkrvars.hcl", "x = 1") is None  # read with the templates beside it
    assert first_claim("build.pkr.json", '{"source": {"azure-arm": {}}}') == "packer-hcl"  # HCL2 in JSON
    assert first_claim("legacy.pkr.json", PACKER_JSON) == "packer-json"


def _versions(text: str, path: str = "build.json") -> list[m.ImageVersion]:
    result = legacy_json.load(SourceFile(path, text), LoadOptions())
    return [r for r in result.resources if isinstance(r, m.ImageVersion)]


def test_replication_regions_get_the_build_location_appended() -> None:
    text = PACKER_JSON.replace('"image_version": "1.0.0"', '"image_version": "1.0.0", "replication_regions": ["northeurope"]')
    [version] = _versions(text)
    names = [r.name.value for r in version.target_regions or []]
    assert names == ["northeurope", "westeurope"]
    assert "Packer adds" in (version.target_regions or [])[1].name.origin  # type: ignore[operator]


def test_no_regions_means_the_build_location_alone_and_templates_are_unknown() -> None:
    [version] = _versions(PACKER_JSON)
    assert [r.name.value for r in version.target_regions or []] == ["westeurope"]
    templated = PACKER_JSON.replace('"westeurope"', '"{{user `region`}}"')
    [version] = _versions(templated)
    assert version.location is not None and not version.location.known


def test_target_region_blocks_are_sent_as_written(tmp_path: Path) -> None:
    (tmp_path / "build.pkr.hcl").write_text("""source "azure-arm" "a" {
  build_resource_group_name = "build-rg"
  shared_image_gallery_destination {
    resource_group = "rg"
    gallery_name   = "g"
    image_name     = "i"
    image_version  = "1.0.0"
    target_region {
      name = "northeurope"
    }
  }
}
source "azure-arm" "b" {
  location = "westeurope"
  shared_image_gallery_destination {
    resource_group = "rg"
    gallery_name   = "g"
    image_name     = "i"
    image_version  = "1.0.1"
    target_region {
      name = "northeurope"
    }
  }
}
""", encoding="utf-8")
    findings = check(["build.pkr.hcl"], tmp_path)
    # The build region of "a" is its resource group's, unknown: not reported. "b" is created in westeurope.
    assert [(f["rule"], f["line"]) for f in findings] == [("SIG201", 14)]


def test_variables_come_from_the_directory_with_provenance(tmp_path: Path) -> None:
    (tmp_path / "build.pkr.hcl").write_text("""locals {
  regions = concat([var.location], var.extra)
  loop_a  = local.loop_b
  loop_b  = local.loop_a
}
source "azure-arm" "a" {
  location = var.location
  shared_image_gallery_destination {
    resource_group      = "rg"
    gallery_name        = "g"
    image_name          = local.loop_a
    image_version       = var.image_version
    replication_regions = local.regions
  }
}
""", encoding="utf-8")
    (tmp_path / "variables.pkr.hcl").write_text("""variable "location" { default = "westeurope" }
variable "extra" { default = ["West Europe"] }
variable "image_version" { default = "" }
""", encoding="utf-8")
    findings = check(["."], tmp_path)
    assert [(f["rule"], f["line"], f["path"]) for f in findings] == [("SIG202", 13, "build.pkr.hcl")]
    loaded = hcl2.load(SourceFile(str(tmp_path / "build.pkr.hcl"), (tmp_path / "build.pkr.hcl").read_text()), LoadOptions())
    [version] = [r for r in loaded.resources if isinstance(r, m.ImageVersion)]
    origins = [r.name.origin or "" for r in version.target_regions or []]
    assert origins[0].startswith("from local.regions") and "default of variable location" in origins[0]
    assert not version.names[1].known  # the cycle between loop_a and loop_b is unknown, not followed forever
    (tmp_path / "prod.auto.pkrvars.hcl").write_text('image_version = "1.0"\n', encoding="utf-8")
    findings = check(["."], tmp_path)
    [named] = [f for f in findings if f["rule"] == "SIG103"]
    assert named["line"] == 12 and "variable image_version from prod.auto.pkrvars.hcl" in named["message"]


def test_broken_hcl_is_one_parse_error() -> None:
    result = hcl2.load(SourceFile("x.pkr.hcl", 'source "azure-arm" "a" {\n  location = \n}\n'), LoadOptions())
    assert [f.rule_id for f in result.findings] == ["SIG001"]
    assert result.resources == []


def test_deep_nesting_does_not_crash() -> None:
    deep = "[" * 3000 + "]" * 3000
    text = f'source "azure-arm" "a" {{\n  location = {deep}\n}}\n'
    result = hcl2.load(SourceFile("deep.pkr.hcl", text), LoadOptions())
    assert all(f.rule_id == "SIG001" for f in result.findings)


def test_build_blocks_add_settings_to_a_source(tmp_path: Path) -> None:
    (tmp_path / "build.pkr.hcl").write_text("""source "azure-arm" "base" {
  shared_image_gallery_destination {
    resource_group = "rg"
    gallery_name   = "g"
    image_name     = "i"
    image_version  = "1.0.0"
    target_region {
      name = "northeurope"
    }
  }
}
build {
  source "source.azure-arm.base" {
    location = "westeurope"
  }
}
""", encoding="utf-8")
    findings = check(["build.pkr.hcl"], tmp_path)
    assert [(f["rule"], f["line"]) for f in findings] == [("SIG201", 14)]
