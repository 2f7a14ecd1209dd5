"""The effective values the SIG8xx rules judge (defaults of the version, of the API version and of
the tools), and the unknown values they must leave alone."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Any

from sigcheck.cli import main

SOURCE = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/images/base"


def template(resource: str, parameters: str = "") -> str:
    return ('{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",'
            ' "contentVersion": "1.0.0.0", "parameters": {' + parameters + '}, "resources": [' + resource + "] }")


def version(profile: str, api: str = "2025-03-03") -> str:
    return ('{ "type": "Microsoft.Compute/galleries/images/versions", "apiVersion": "' + api + '",'
            ' "name": "effGallery/webTier/1.0.0", "location": "westeurope", "properties": { "publishingProfile": {'
            + profile + '}, "storageProfile": { "source": { "id": "' + SOURCE + '" } } } }')


def definition(properties: str, api: str = "2025-03-03") -> str:
    return ('{ "type": "Microsoft.Compute/galleries/images", "apiVersion": "' + api + '", "name": "effGallery/webTier",'
            ' "location": "westeurope", "properties": { "osType": "Linux", "osState": "Generalized",'
            ' "identifier": { "publisher": "Contoso", "offer": "WebTier", "sku": "s" }' + properties + " } }")


def check(tmp_path: Path, policy: str, text: str, rule: str) -> list[dict[str, Any]]:
    (tmp_path / ".sigcheck.yaml").write_text("policy:\n  " + policy + "\n", encoding="utf-8")
    (tmp_path / "t.json").write_text(text, encoding="utf-8")
    out = io.StringIO()
    here = os.getcwd()
    try:
        os.chdir(tmp_path)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["check", "t.json", "--format", "json", "--select", rule, "--today", "2026-11-22"])
    finally:
        os.chdir(here)
    assert code in (0, 1)
    found: list[dict[str, Any]] = json.loads(out.getvalue())
    return found


def test_security_type_v1_is_standard_even_where_the_api_default_is_trusted_launch(tmp_path: Path) -> None:
    got = check(tmp_path, "security-types: [TrustedLaunchSupported]",
                template(definition(', "hyperVGeneration": "V1"')), "SIG807")
    assert len(got) == 1 and "gets security type Standard (hyperVGeneration V1 has no security type)" in got[0]["message"]


def test_security_type_from_the_api_default(tmp_path: Path) -> None:
    assert not check(tmp_path, "security-types: [TrustedLaunchSupported]", template(definition("")), "SIG807")
    got = check(tmp_path, "security-types: [TrustedLaunchSupported]", template(definition("", api="2024-03-03")), "SIG807")
    assert len(got) == 1 and "(the default of API version 2024-03-03)" in got[0]["message"]


def test_security_type_unknown_is_not_reported(tmp_path: Path) -> None:
    text = template(definition(', "features": "[parameters(\'features\')]"', api="2024-03-03"), '"features": { "type": "array" }')
    assert not check(tmp_path, "security-types: [TrustedLaunch]", text, "SIG807")
    text = template(definition(', "hyperVGeneration": "[parameters(\'gen\')]"', api="2024-03-03"), '"gen": { "type": "string" }')
    assert not check(tmp_path, "security-types: [TrustedLaunch]", text, "SIG807")


def test_storage_strategy_in_a_region_sigcheck_does_not_know_is_not_reported(tmp_path: Path) -> None:
    profile = '"storageAccountStrategy": "PreferStandard_ZRS", "targetRegions": [ { "name": "westeurope" }, { "name": "madeupregion" } ]'
    assert not check(tmp_path, "storage-account-types: [Standard_ZRS]", template(version(profile)), "SIG804")
    profile = '"storageAccountStrategy": "DefaultStandard_LRS", "targetRegions": [ { "name": "westeurope" } ]'
    got = check(tmp_path, "storage-account-types: [Standard_ZRS]", template(version(profile)), "SIG804")
    assert len(got) == 1 and "Standard_LRS (storageAccountStrategy DefaultStandard_LRS)" in got[0]["message"]


def test_version_storage_type_is_inherited(tmp_path: Path) -> None:
    profile = '"storageAccountType": "Premium_LRS", "targetRegions": [ { "name": "westeurope" }, { "name": "northeurope", "storageAccountType": "Standard_ZRS" } ]'
    got = check(tmp_path, "storage-account-types: [Standard_ZRS]", template(version(profile)), "SIG804")
    assert [f["message"].split(" stores")[0] for f in got] == ["region 'westeurope' of image version 'effGallery/webTier/1.0.0'"]
    assert "Premium_LRS (the version's storageAccountType)" in got[0]["message"]


def test_unknown_region_names_may_be_distinct(tmp_path: Path) -> None:
    profile = '"targetRegions": [ { "name": "westeurope" }, { "name": "[parameters(\'second\')]" } ]'
    assert not check(tmp_path, "min-target-regions: 2", template(version(profile), '"second": { "type": "string" }'), "SIG802")
    assert check(tmp_path, "min-target-regions: 3", template(version(profile), '"second": { "type": "string" }'), "SIG802")


def test_unknown_replica_counts_are_not_reported(tmp_path: Path) -> None:
    profile = '"replicaCount": "[parameters(\'n\')]", "targetRegions": [ { "name": "westeurope" }, { "name": "northeurope", "regionalReplicaCount": 1 } ]'
    got = check(tmp_path, "replicas: {min: 2}", template(version(profile), '"n": { "type": "int" }'), "SIG803")
    assert [f["message"].split(" of ")[0] for f in got] == ["region 'northeurope'"]


def test_end_of_life_is_not_required_of_a_partial_update(tmp_path: Path) -> None:
    text = """PATCH https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/galleries/effGallery/images/webTier/versions/1.0.0?api-version=2024-03-03
Content-Type: application/json

{ "properties": { "publishingProfile": { "replicaCount": 2 } } }
"""
    (tmp_path / "t.http").write_text(text, encoding="utf-8")
    (tmp_path / ".sigcheck.yaml").write_text("policy:\n  end-of-life: {required: true}\n", encoding="utf-8")
    out = io.StringIO()
    here = os.getcwd()
    try:
        os.chdir(tmp_path)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            main(["check", "t.http", "--format", "json", "--select", "SIG805"])
    finally:
        os.chdir(here)
    assert json.loads(out.getvalue()) == []


def test_sharing_default_is_private(tmp_path: Path) -> None:
    gallery = '{ "type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": "effGallery", "location": "westeurope" }'
    got = check(tmp_path, "sharing: [Community]", template(gallery), "SIG809")
    assert len(got) == 1 and "shared as Private (no sharingProfile: the default)" in got[0]["message"]
