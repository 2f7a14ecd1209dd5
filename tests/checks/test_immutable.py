"""SIG706 through `sigcheck check --base REV` on temporary two-commit repositories: pairing,
renames, what is not a finding, the usage errors, and --changed-only."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from gitrepo import git, two_commits

DEFINITION = """{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{ "galleryName": {{ "type": "string"{default} }} }},
  "resources": [
    {{
      "type": "Microsoft.Compute/galleries/images",
      "apiVersion": "{api}",
      "name": "[concat(parameters('galleryName'), '/server2022')]",
      "location": "westeurope",
      "properties": {{
        "osType": "{os}",
        "osState": "Generalized",
        "hyperVGeneration": "V2",
        "identifier": {{ "publisher": "Contoso", "offer": "WindowsServer", "sku": "2022" }},
        {extra}"features": [ {{ "name": "SecurityType", "value": "{security}" }} ]
      }}
    }}
  ]
}}
"""


def template(os: str = "Windows", security: str = "TrustedLaunchSupported", default: str = "imggallery",
             api: str = "2024-03-03", extra: str = "") -> str:
    shown = f', "defaultValue": "{default}"' if default else ""
    return DEFINITION.format(os=os, security=security, default=shown, api=api, extra=extra)


def check(run_cli, monkeypatch, repo: Path, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(repo)
    return run_cli("check", "--format", "json", *args)


def sig706(result) -> list[dict]:  # type: ignore[no-untyped-def]
    assert result.code in (0, 1), result.err
    return [f for f in result.json() if f["rule"] == "SIG706"]


def test_changed_os_type_reports_at_the_new_token_with_the_old_place(run_cli, monkeypatch, tmp_path: Path) -> None:
    two_commits(tmp_path, {"templates/img.json": template()}, {"templates/img.json": template(os="Linux")})
    found = sig706(check(run_cli, monkeypatch, tmp_path, "--base", "main", "templates"))
    assert [(f["path"], f["line"], f["column"]) for f in found] == [("templates/img.json", 12, 19)]
    assert found[0]["message"] == (
        "osType changed from 'Windows' (main:templates/img.json:12) to 'Linux'; the service refuses changes to "
        "osType of an existing image definition — create a new definition")
    assert found[0]["property_path"] == "properties.osType"
    assert found[0]["resource_name"] == "imggallery/server2022"


def test_without_base_sig706_stays_off_and_ignore_wins(run_cli, monkeypatch, tmp_path: Path) -> None:
    two_commits(tmp_path, {"img.json": template()}, {"img.json": template(os="Linux")})
    assert sig706(check(run_cli, monkeypatch, tmp_path, ".")) == []
    assert sig706(check(run_cli, monkeypatch, tmp_path, "--extend-select", "SIG706", ".")) == []
    assert sig706(check(run_cli, monkeypatch, tmp_path, "--base", "main", "--ignore", "SIG706", ".")) == []


def test_a_rename_git_detects_is_followed(run_cli, monkeypatch, tmp_path: Path) -> None:
    two_commits(tmp_path, {"old/img.json": template()}, {"new/img.json": template(os="Linux")},
                renames={"old/img.json": "new/img.json"})
    found = sig706(check(run_cli, monkeypatch, tmp_path, "--base", "main", "new"))
    assert len(found) == 1 and "(main:old/img.json:12)" in found[0]["message"]


def test_new_files_unknown_names_and_case_are_no_finding(run_cli, monkeypatch, tmp_path: Path) -> None:
    # (A deleted resource is in fixtures/SIG706/clean-*; a deleted file is not checked at all.)
    two_commits(
        tmp_path,
        {"unknown.json": template(default=""), "same.json": template()},
        {"added.json": template(os="Linux"), "unknown.json": template(os="Linux", default=""),
         "same.json": template(os="windows")},
    )
    assert sig706(check(run_cli, monkeypatch, tmp_path, "--base", "main", ".")) == []


def test_uncommitted_edits_compare_with_the_base_too(run_cli, monkeypatch, tmp_path: Path) -> None:
    two_commits(tmp_path, {"img.json": template()}, {"img.json": template()})
    (tmp_path / "img.json").write_text(template(security="Standard"), encoding="utf-8")
    found = sig706(check(run_cli, monkeypatch, tmp_path, "--base", "HEAD", "img.json"))
    assert len(found) == 1 and found[0]["message"].startswith("feature 'SecurityType' changed from 'TrustedLaunchSupported'")


def test_features_may_change_with_allow_update_image_from_2024_03_03(run_cli, monkeypatch, tmp_path: Path) -> None:
    allowed = '"allowUpdateImage": true, '
    two_commits(tmp_path, {"new.json": template(), "old.json": template(api="2023-07-03")},
                {"new.json": template(security="TrustedLaunch", extra=allowed),
                 "old.json": template(security="TrustedLaunch", api="2023-07-03", extra=allowed)})
    found = sig706(check(run_cli, monkeypatch, tmp_path, "--base", "main", "."))
    assert [f["path"] for f in found] == ["old.json"]  # allowUpdateImage does not exist before 2024-03-03
    assert "or set allowUpdateImage to true" in found[0]["message"]


def test_a_partial_cli_update_changes_only_what_it_names(run_cli, monkeypatch, tmp_path: Path) -> None:
    create = ("az sig image-version create -g rg -r sig706Partial -i server -e 1.0.0 -l westeurope "
              "--managed-image /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
              "Microsoft.Compute/images/a --storage-account-type Standard_LRS\n")
    update = "az sig image-version update -g rg -r sig706Partial -i server -e 1.0.0 --replica-count 2\n"
    two_commits(tmp_path, {"publish.azcli": create}, {"publish.azcli": update})
    assert sig706(check(run_cli, monkeypatch, tmp_path, "--base", "main", ".")) == []


@pytest.mark.parametrize("args, message", [
    (["--base=no-such-branch"], "unknown revision 'no-such-branch'"),
    (["--base=--output=x"], "unknown revision"),  # never passed to git as an option
    (["--changed-only"], "--changed-only needs --base"),
])
def test_usage_errors(run_cli, monkeypatch, tmp_path: Path, args: list[str], message: str) -> None:
    two_commits(tmp_path, {"img.json": template()}, {"img.json": template()})
    result = check(run_cli, monkeypatch, tmp_path, *args, ".")
    assert result.code == 2 and message in result.err, result.err
    assert "Traceback" not in result.err


def test_base_outside_a_repository_is_a_usage_error(run_cli, monkeypatch, tmp_path: Path) -> None:
    (tmp_path / "img.json").write_text(template(), encoding="utf-8")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = check(run_cli, monkeypatch, tmp_path, "--base", "main", "img.json")
    assert result.code == 2 and "is not inside a git repository" in result.err


def test_changed_only_keeps_findings_in_changed_files_and_combines_with_baseline(run_cli, monkeypatch, tmp_path: Path) -> None:
    bad_name = template(extra='"endOfLifeDate": "2020-01-01T00:00:00Z", ')  # SIG702: in the past
    two_commits(tmp_path, {"untouched.json": bad_name, "edited.json": bad_name},
                {"edited.json": bad_name.replace('"Generalized"', '"Specialized"')})
    every = check(run_cli, monkeypatch, tmp_path, "--base", "main", ".")
    assert {f["path"] for f in every.json()} >= {"untouched.json", "edited.json"}
    changed = check(run_cli, monkeypatch, tmp_path, "--base", "main", "--changed-only", ".")
    assert {f["path"] for f in changed.json()} == {"edited.json"}
    assert any(f["rule"] == "SIG706" for f in changed.json())
    # The baseline has edited.json's SIG702; --changed-only then leaves only what is new there.
    baseline = tmp_path.parent / "baseline.sarif"
    monkeypatch.chdir(tmp_path)
    run_cli("check", "--format", "sarif", "-o", str(baseline), "edited.json")
    both = check(run_cli, monkeypatch, tmp_path, "--base", "main", "--changed-only", "--baseline", str(baseline), ".")
    assert {(f["path"], f["rule"]) for f in both.json()} == {("edited.json", "SIG706")}
    assert both.code == 1


def test_stdin_with_base_compares_the_named_file(run_cli, monkeypatch, tmp_path: Path) -> None:
    two_commits(tmp_path, {"img.json": template()}, {"img.json": template()})
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", "--format", "json", "--base", "main", "--stdin-filename", "img.json", "-",
                     stdin=template(os="Linux").encode())
    assert [f["rule"] for f in result.json() if f["rule"] == "SIG706"] == ["SIG706"]


def test_sarif_of_a_base_run(run_cli, monkeypatch, tmp_path: Path) -> None:
    two_commits(tmp_path, {"templates/img.json": template()}, {"templates/img.json": template(os="Linux")})
    git(tmp_path, "remote", "add", "origin", "https://token:secret@github.com/contoso/images.git")
    monkeypatch.chdir(tmp_path / "templates")
    result = run_cli("check", "--format", "sarif", "--base", "main", "img.json")
    run = json.loads(result.out)["runs"][0]
    [res] = [r for r in run["results"] if r["ruleId"] == "SIG706"]
    location = res["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "templates/img.json", "uriBaseId": "%SRCROOT%"}
    assert location["region"]["snippet"]["text"] == '"Linux"'
    assert '"osType": "Linux"' in location["contextRegion"]["snippet"]["text"]
    [vcs] = run["versionControlProvenance"]
    assert vcs["repositoryUri"] == "https://github.com/contoso/images.git"  # credentials dropped
    assert vcs["branch"] == "change" and vcs["revisionId"] == git(tmp_path, "rev-parse", "HEAD")
    assert vcs["mappedTo"] == {"uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "SIG706"
KEYS = re.compile(r"(?:\[[^\]]*\])*")
FORMS = {".json": "ARM", ".bicep": "Bicep", ".azcli": "az CLI", ".ps1": "PowerShell", ".tf": "Terraform"}


def test_fixtures_cover_every_immutable_property_in_every_form(run_cli, monkeypatch, tmp_path: Path) -> None:
    """Each row of rules/immutable.json fires in some fires-* pair of each input form (Terraform:
    azurerm, or azapi where azurerm cannot express the property)."""
    table = json.loads((FIXTURES.parents[1] / "rules" / "immutable.json").read_text(encoding="utf-8"))
    wanted = {entry["path"] for key, spec in table.items() if not key.startswith("_") for entry in spec["properties"]}
    covered: dict[str, set[str]] = {form: set() for form in FORMS.values()}
    for n, base in enumerate(sorted(FIXTURES.glob("fires-*.base"))):
        fixture = base.with_suffix("")
        repo = tmp_path / str(n)
        two_commits(repo, {fixture.name: base.read_bytes()}, {fixture.name: fixture.read_bytes()})
        for finding in sig706(check(run_cli, monkeypatch, repo, "--base", "main", fixture.name)):
            path = finding["property_path"]  # the row's path, then the keys of the elements it passed
            covered[FORMS[fixture.suffix]] |= {p for p in wanted if path.startswith(p) and KEYS.fullmatch(path[len(p):])}
    assert {form: sorted(wanted - seen) for form, seen in covered.items()} == {form: [] for form in FORMS.values()}


def _terraform_pair(run_cli, monkeypatch, tmp_path: Path, old: str, new: str) -> list[dict]:  # type: ignore[no-untyped-def]
    two_commits(tmp_path, {"main.tf": old}, {"main.tf": new})
    return sig706(check(run_cli, monkeypatch, tmp_path, "--base", "main", "main.tf"))


AZURERM_IMAGE = """resource "azurerm_shared_image" "img" {{
  name                = "server2022"
  gallery_name        = "sig706Gallery"
  resource_group_name = "rg"
  location            = "westeurope"
  os_type             = "{os}"
  hyper_v_generation  = "V2"
  {flag} = true
  identifier {{
    publisher = "Contoso"
    offer     = "WindowsServer"
    sku       = "2022"
  }}
}}
"""


def test_azurerm_force_new_says_terraform_replaces_the_resource(run_cli, monkeypatch, tmp_path: Path) -> None:
    found = _terraform_pair(run_cli, monkeypatch, tmp_path,
                            AZURERM_IMAGE.format(os="Windows", flag="trusted_launch_supported"),
                            AZURERM_IMAGE.format(os="Linux", flag="trusted_launch_enabled"))
    assert [f["line"] for f in found] == [6, 8]
    assert found[0]["message"] == (
        "osType changed from 'Windows' (main:main.tf:6) to 'Linux'; azurerm marks it ForceNew, so terraform plans to "
        "replace the image definition (destroy, then create), and the destroy fails while the definition has versions "
        "('Can not delete resource before nested resources are deleted') — create a new definition")
    assert "the service refuses" not in found[1]["message"]
    assert "allowUpdateImage" not in found[1]["message"]  # azurerm cannot send it


AZURERM_VERSION = """resource "azurerm_shared_image_version" "v" {{
  name                = "1.0.0"
  gallery_name        = "sig706Gallery"
  image_name          = "server2022"
  resource_group_name = "rg"
  location            = "westeurope"
  managed_image_id    = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/images/a"
  target_region {{
    name                   = "westeurope"
    regional_replica_count = {replicas}
    storage_account_type   = "{storage}"
  }}
}}
"""


def test_azurerm_in_place_storage_type_and_allowed_changes(run_cli, monkeypatch, tmp_path: Path) -> None:
    found = _terraform_pair(run_cli, monkeypatch, tmp_path,
                            AZURERM_VERSION.format(replicas=1, storage="Standard_LRS"),
                            AZURERM_VERSION.format(replicas=3, storage="Standard_ZRS"))
    assert [(f["line"], f["property_path"]) for f in found] == [
        (11, "properties.publishingProfile.targetRegions[name].storageAccountType[westeurope]")]
    assert "the service refuses changes to the storage account type of region westeurope" in found[0]["message"]


def test_azapi_changes_get_the_service_refusal(run_cli, monkeypatch, tmp_path: Path) -> None:
    body = """resource "azapi_resource" "img" {{
  type      = "Microsoft.Compute/galleries/images@2023-07-03"
  name      = "server2022"
  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/galleries/sig706Gallery"
  location  = "westeurope"
  body = {{
    properties = {{
      osType     = "{os}"
      osState    = "Generalized"
      identifier = {{ publisher = "Contoso", offer = "WindowsServer", sku = "2022" }}
    }}
  }}
}}
"""
    found = _terraform_pair(run_cli, monkeypatch, tmp_path, body.format(os="Windows"), body.format(os="Linux"))
    assert len(found) == 1 and "the service refuses changes to osType" in found[0]["message"]
    assert "ForceNew" not in found[0]["message"]


def test_terraform_names_from_sibling_files_pair_across_revisions(run_cli, monkeypatch, tmp_path: Path) -> None:
    # The module is the folder: the old side reads variables.tf and terraform.tfvars as they were too.
    image = AZURERM_IMAGE.replace('"sig706Gallery"', "var.gallery_name")
    variables = 'variable "gallery_name" { type = string }\n'
    two_commits(tmp_path,
                {"infra/main.tf": image.format(os="Windows", flag="trusted_launch_supported"),
                 "infra/variables.tf": variables, "infra/terraform.tfvars": 'gallery_name = "sig706Split"\n'},
                {"infra/main.tf": image.format(os="Linux", flag="trusted_launch_supported")})
    found = sig706(check(run_cli, monkeypatch, tmp_path, "--base", "main", "infra/main.tf"))
    assert [(f["line"], f["resource_name"]) for f in found] == [(6, "sig706Split/server2022")]
    assert "(main:infra/main.tf:6)" in found[0]["message"]
