"""A Bicep file and the ARM JSON compiled from it give the same findings: the same rules, on the
same resources, at the same property paths (only the positions differ, each in its own file).

Pairs:
- The corpus: Azure Verified Modules (`bicep-registry-modules`, commit 9f9ea1a for both the .bicep
  and the main.json the Bicep compiler 0.43.8 generated from it), and the 2021 fork of the
  quickstarts (see FORK_PAIRS for why those are compared although not of one revision).
- The fixtures: every fixtures/<RULE>/<name>.bicep beside a <name>.json. The Bicep twins were
  written from the JSON (scripts/arm_fixture_to_bicep.py: each JSON expression as its Bicep
  operator or function), so the JSON is their compiled form up to what Bicep adds (symbolic
  names, metadata) and nothing a rule reads. Where a twin renames a resource (so that the two files
  checked together do not collide), names are not compared.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO.parent / "shared" / "corpus"
TODAY = "2026-11-22"

# The AVM modules take their names from parameters without defaults: without values nothing is
# known and both sides report nothing, which proves little. These values (wrong on purpose: a
# hyphen, a trailing '-', a past end-of-life date, TrustedLaunch on V1) make rules fire on both.
AVM_VALUES: dict[str, dict[str, Any]] = {
    "gallery": {"name": "avm-gallery", "location": "westeurope"},
    "gallery__image": {
        "name": "ubuntu-", "galleryName": "avm_gallery", "location": "westeurope", "osState": "Generalized",
        "osType": "Linux", "identifier": {"publisher": "contoso", "offer": "ubuntu", "sku": "22_04"},
        "endOfLifeDate": "2020-01-01", "hyperVGeneration": "V1", "securityType": "TrustedLaunch",
    },
    "gallery__application": {
        "name": "app-", "galleryName": "avm_gallery", "location": "westeurope", "supportedOSType": "Linux",
        "endOfLifeDate": "2020-01-01",
    },
}

# Not of one revision: the JSON is the fork's hand-written template at commit 46ff92f, the Bicep
# the decompiled form at ca049ef (anthony-c-martin's 2021 fork, where the Bicep team decompiled the
# quickstarts); the corpus does not hold the JSON of ca049ef. The Bicep keeps every resource, value
# and expression of the JSON (checked by hand for these four), so the findings are expected equal;
# if a future corpus refresh makes them differ, this test names the pair. Both are checked with
# the JSON's azuredeploy.parameters.json (the JSON finds it by convention; the Bicep file, having
# no .bicepparam, is given it with --parameters).
FORK_PAIRS = ["101-sig-create", "101-sig-image-definition-create", "101-sig-image-version-create", "101-vm-from-sig"]


def findings(run_cli: Any, path: Path, *extra: str, names: bool = True) -> Counter[tuple[str, ...]]:
    result = run_cli("check", str(path), "--format", "json", "--extend-select", "ALL", "--today", TODAY, *extra)
    assert result.code in (0, 1), result.err
    out: Counter[tuple[str, ...]] = Counter()
    for f in result.json():
        # SIG002 names what each side cannot resolve, in its own terms (a Bicep module path, an
        # ARM nested deployment): not a finding about the resources.
        if f["rule"] == "SIG002":
            continue
        key = (f["rule"], f.get("resource_type") or "", f.get("property_path") or "")
        out[key + ((f.get("resource_name") or "",) if names else ())] += 1
    return out


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside this checkout")


@needs_corpus
@pytest.mark.parametrize("module", sorted(AVM_VALUES))
def test_avm_module_and_its_compiled_json(run_cli: Any, tmp_path: Path, module: str) -> None:
    bicep = CORPUS / "bicep" / "bicep-registry-modules" / f"avm__res__compute__{module}__main.bicep"
    arm = CORPUS / "arm" / "bicep-registry-modules" / f"avm__res__compute__{module}__main.json"
    values = tmp_path / "values.json"
    values.write_text(json.dumps({"parameters": {k: {"value": v} for k, v in AVM_VALUES[module].items()}}))
    from_bicep = findings(run_cli, bicep, "--parameters", str(values))
    from_json = findings(run_cli, arm, "--parameters", str(values))
    assert from_bicep == from_json
    assert any(key[0] != "SIG504" for key in from_json), "the values should make some rule fire"
    # Without values nothing is known: both report nothing but the API version's age.
    assert findings(run_cli, bicep) == findings(run_cli, arm)


@needs_corpus
@pytest.mark.parametrize("name", FORK_PAIRS)
def test_quickstart_fork_pairs(run_cli: Any, name: str) -> None:
    bicep = CORPUS / "bicep" / "azure-quickstart-templates-2021-fork" / f"2021-04__{name}__azuredeploy.bicep"
    arm = CORPUS / "arm" / "azure-quickstart-templates-2021-fork" / f"{name}__azuredeploy.json"
    parameters = arm.with_name(f"{name}__azuredeploy.parameters.json")
    assert findings(run_cli, bicep, "--parameters", str(parameters)) == findings(run_cli, arm)


def twins() -> list[Path]:
    return sorted(p for p in (REPO / "fixtures").glob("SIG*/*.bicep") if p.with_suffix(".json").exists())


@pytest.mark.parametrize("bicep", twins(), ids=[f"{p.parent.name}/{p.name}" for p in twins()])
def test_fixture_twins(run_cli: Any, bicep: Path) -> None:
    text = bicep.read_text(encoding="utf-8")
    arm_text = bicep.with_suffix(".json").read_text(encoding="utf-8")
    renamed = any(word not in arm_text for word in ("sig705bicep", "sig701bicep", "sig307bicep") if word in text)
    assert findings(run_cli, bicep, names=not renamed) == findings(run_cli, bicep.with_suffix(".json"), names=not renamed)
