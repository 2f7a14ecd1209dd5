"""Custom rules read Terraform through the same Azure Policy field paths as ARM: what the azurerm
provider sends (its defaults included, located at the block or resource that leaves them unset)
and what an azapi body says are the request the condition sees.

The rules are given with `--config` rather than in a fixture folder's `.sigcheck.yaml`: a custom
rule that only a folder defines is a configuration error for a run over `fixtures/` (the run
registers the rules of its own configuration, docs/policy.md), and the fixture markers name SIG
rules only. The Terraform files are the SIG8xx fixtures themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TODAY

CUSTOM = """custom-rules:
  - id: CONTOSO901
    name: zone-redundant-replicas
    severity: error
    message: every region stores its replicas zone-redundantly
    resources: [image-version, application-version]
    condition:
      count:
        field: "properties.publishingProfile.targetRegions[*]"
        where:
          field: "properties.publishingProfile.targetRegions[*].storageAccountType"
          equals: Standard_LRS
      greater: 0
  - id: CONTOSO902
    name: generation-2-only
    severity: error
    message: image definitions are Generation 2
    resources: [image-definition]
    condition:
      field: properties.hyperVGeneration
      notEquals: V2
  - id: CONTOSO903
    name: no-confidential-vm-images
    severity: warning
    message: confidential VM images are built by another team
    resources: [image-definition]
    condition:
      count:
        field: "properties.features[*]"
        where:
          allOf:
            - field: "properties.features[*].name"
              equals: SecurityType
            - field: "properties.features[*].value"
              like: "Confidential*"
      greater: 0
  - id: CONTOSO904
    name: cost-center-tag
    severity: error
    message: galleries carry a cost-center tag
    resources: [gallery]
    condition:
      allOf:
        - field: tags.owner
          exists: true
        - field: "tags['cost-center']"
          exists: false
  - id: CONTOSO905
    name: not-in-community
    severity: error
    message: galleries are not shared with the community
    resources: [gallery]
    condition:
      field: properties.sharingProfile.permissions
      equals: Community
  - id: CONTOSO906
    name: europe-only
    severity: error
    message: gallery resources stay in Europe
    resources: [gallery, image-definition, image-version]
    condition:
      field: location
      notLike: "*europe"
"""


@pytest.fixture
def custom(tmp_path: Path, run_cli):  # type: ignore[no-untyped-def]
    config = tmp_path / "custom.yaml"
    config.write_text(CUSTOM, encoding="utf-8")

    def check(*files: str) -> list[tuple[str, int, int, str, str]]:
        result = run_cli("check", *files, "--config", str(config), "--select", "CONTOSO",
                         "--format", "json", "--today", TODAY)
        assert result.code in (0, 1), result.err
        return sorted((f["path"], f["line"], f["column"], f["rule"], f["message"]) for f in json.loads(result.out))

    return check


def test_custom_rules_fire_on_terraform_where_the_request_says_so(custom) -> None:  # type: ignore[no-untyped-def]
    got = [(path, line, column, rule) for path, line, column, rule, _ in custom(
        "fixtures/SIG801/fires-terraform.tf", "fixtures/SIG804/fires-terraform.tf", "fixtures/SIG807/fires-terraform.tf",
        "fixtures/SIG808/fires-terraform.tf", "fixtures/SIG809/fires-terraform.tf")]
    assert got == [
        ("fixtures/SIG801/fires-terraform.tf", 6, 25, "CONTOSO906"),  # location = "East US"
        ("fixtures/SIG801/fires-terraform.tf", 37, 3, "CONTOSO901"),  # a target_region without storage_account_type
        ("fixtures/SIG804/fires-terraform.tf", 18, 3, "CONTOSO901"),  # the same: azurerm sends Standard_LRS
        ("fixtures/SIG807/fires-terraform.tf", 10, 1, "CONTOSO902"),  # no hyper_v_generation: azurerm sends V1
        ("fixtures/SIG807/fires-terraform.tf", 31, 31, "CONTOSO903"),  # confidential_vm_supported = true
        ("fixtures/SIG808/fires-terraform.tf", 13, 25, "CONTOSO904"),  # tags = local.tf808f_tags, no cost-center
        ("fixtures/SIG809/fires-terraform.tf", 9, 18, "CONTOSO905"),  # sharing { permission = "Community" }
    ]


def test_messages_name_the_arm_path_and_the_value_terraform_sends(custom) -> None:  # type: ignore[no-untyped-def]
    messages = {(Path(path).parent.name, rule): message for path, _l, _c, rule, message in custom(
        "fixtures/SIG804/fires-terraform.tf", "fixtures/SIG807/fires-terraform.tf", "fixtures/SIG808/fires-terraform.tf")}
    assert "properties.publishingProfile.targetRegions[0].storageAccountType is 'Standard_LRS'" in messages[("SIG804", "CONTOSO901")]
    assert "properties.hyperVGeneration is 'V1'" in messages[("SIG807", "CONTOSO902")]
    assert "properties.features[0].value is 'ConfidentialVmSupported'" in messages[("SIG807", "CONTOSO903")]
    assert "tags.cost-center is absent" in messages[("SIG808", "CONTOSO904")]


def test_the_same_rules_stay_quiet_on_the_clean_terraform(custom) -> None:  # type: ignore[no-untyped-def]
    # Every region states Standard_ZRS or Premium_LRS, definitions are V2 Trusted Launch, tags are
    # complete, sharing is Groups or none, everything is in Europe; azapi sends only what its body says.
    assert custom("fixtures/SIG801/clean-terraform.tf", "fixtures/SIG804/clean-terraform.tf",
                  "fixtures/SIG807/clean-terraform.tf", "fixtures/SIG809/clean-terraform.tf",
                  "fixtures/SIG810/clean-terraform.tf") == []


def test_one_path_decides_alike_on_arm_and_terraform(custom) -> None:  # type: ignore[no-untyped-def]
    got = {(Path(path).name, rule) for path, _l, _c, rule, _m in custom(
        "fixtures/SIG807/fires-arm.json", "fixtures/SIG807/fires-terraform.tf",
        "fixtures/SIG809/fires-arm.json", "fixtures/SIG809/fires-terraform.tf")}
    for name in ("fires-arm.json", "fires-terraform.tf"):
        assert (name, "CONTOSO903") in got and (name, "CONTOSO905") in got, got
