"""SIG302–SIG305: the sources of image versions, including the VHD forms of older API versions."""

from __future__ import annotations

from lint_text import messages, template

SUB = "/subscriptions/0/resourceGroups/rg/providers"
ACCOUNT = f"{SUB}/Microsoft.Storage/storageAccounts/vhds"


def version(api: str, storage: dict) -> dict:
    return {
        "type": "Microsoft.Compute/galleries/images/versions", "apiVersion": api, "name": "g/d/1.0.0",
        "location": "westeurope",
        "properties": {"publishingProfile": {"targetRegions": [{"name": "westeurope"}]}, "storageProfile": storage},
    }


def test_vhd_with_its_storage_account_id_is_one_source_before_2022_03_03() -> None:
    storage = {"source": {"id": ACCOUNT, "uri": "https://vhds.blob.core.windows.net/v/os.vhd"}}
    assert messages(template(version("2021-07-01", storage)), "SIG303", "SIG304") == []


def test_disks_may_share_the_storage_account_of_their_vhds() -> None:
    storage = {
        "osDiskImage": {"source": {"id": ACCOUNT, "uri": "https://vhds.blob.core.windows.net/v/os.vhd"}},
        "dataDiskImages": [{"lun": 0, "source": {"id": ACCOUNT, "uri": "https://vhds.blob.core.windows.net/v/data.vhd"}}],
    }
    assert messages(template(version("2020-09-30", storage)), "SIG302", "SIG304") == []


def test_the_storage_account_beside_a_vhd_must_be_a_storage_account() -> None:
    storage = {"osDiskImage": {"source": {"id": f"{SUB}/Microsoft.Compute/disks/os", "uri": "https://vhds.blob.core.windows.net/v/os.vhd"}}}
    [message] = messages(template(version("2021-07-01", storage)), "SIG304")
    assert "storage account that holds the VHD" in message


def test_a_source_inside_an_unresolved_value_is_not_missing() -> None:
    text = template(version("2024-03-03", "[parameters('storage')]"))  # type: ignore[arg-type]
    text = text.replace('"resources"', '"parameters": {"storage": {"type": "object"}}, "resources"')
    assert messages(text, "SIG303") == []


def test_an_evaluated_resource_id_counts_as_fully_qualified() -> None:
    storage = {"source": {"id": "[resourceId('Microsoft.Compute/images', 'base')]"}}
    assert messages(template(version("2024-03-03", storage)), "SIG304") == []


def test_the_storage_account_rule_starts_at_2022_03_03() -> None:
    storage = {"osDiskImage": {"source": {"uri": "https://vhds.blob.core.windows.net/v/os.vhd"}}}
    assert messages(template(version("2021-10-01", storage)), "SIG305") == []
    assert len(messages(template(version("2022-03-03", storage)), "SIG305")) == 1
