"""PowerShell scripts: evaluation of literals, parameter binding, bodies and SIG003."""

from __future__ import annotations

from sigcheck.inputs.scripts import powershell
from sigcheck.inputs.api import LoadOptions, SourceFile
from sigcheck.inputs.scripts import PowerShellLoader
from sigcheck.syntax.located import UNKNOWN

SRC = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/img"


def load(text: str):
    return powershell.load(SourceFile("s.ps1", text), LoadOptions())


def sig003(result) -> list[str]:
    return [f.message for f in result.findings if f.rule_id == "SIG003"]


def test_hashtables_splatting_and_positions() -> None:
    text = (
        "$rg = 'myRG'\n"
        "$region1 = @{Name='South Central US';ReplicaCount=1}\n"
        "$region2 = @{Name='East US';ReplicaCount=2; StorageAccountType='Standard_ZRS'}\n"
        "$params = @{ GalleryName = 'gal'; GalleryImageDefinitionName = 'def' }\n"
        "New-AzGalleryImageVersion -ResourceGroupName $rg @params -Name 1.0.0 `\n"
        "   -Location \"West US\" -TargetRegion @($region1, $region2) -PublishingProfileExcludeFromLatest:$true `\n"
        f"   -SourceImageId '{SRC}' -DataDiskImage @(@{{Source=@{{Id='x'}}; Lun=0; SizeInGB=2048}})\n"
    )
    result = load(text)
    assert not result.findings
    [version] = result.resources
    assert [n.value for n in version.names] == ["gal", "def", "1.0.0"]
    assert version.names[0].span.line == 4
    first, second = version.target_regions
    assert first.name.value == "South Central US" and first.name.span.line == 2
    assert first.name.span.column == text.splitlines()[1].index("'South") + 1
    assert second.replica_count.value == 2 and second.storage_account_type.value == "Standard_ZRS"
    assert version.location.value == "West US" and version.location.span.line == 6
    assert version.exclude_from_latest.value is True
    assert version.data_disks[0].size_in_gb.value == 2048 and version.data_disks[0].lun.value == 0
    assert version.source_id.value == SRC
    assert version.api_version is None


def test_positional_parameters_and_prefixes() -> None:
    text = "New-AzGalleryImageVersion myRG myGallery myDef 1.0.0 -Loc eastus -ReplicaC 2 -SourceImageId x\n"
    result = load(text)
    assert not result.findings
    [version] = result.resources
    assert [n.value for n in version.names] == ["myGallery", "myDef", "1.0.0"]
    assert version.location.value == "eastus" and version.replica_count.value == 2


def test_definition_defaults_of_az_12() -> None:
    text = ("New-AzGalleryImageDefinition -ResourceGroupName rg -GalleryName gal -Name def -Location eastus "
            "-Publisher P -Offer O -Sku S -OsState Generalized -OsType Linux\n")
    [definition] = load(text).resources
    assert definition.hyper_v_generation.value == "V2"
    assert [(f.name.value, f.value.value) for f in definition.features] == [("SecurityType", "TrustedLaunchSupported")]
    text = text.replace("-OsType Linux", "-OsType Linux -HyperVGeneration V1 -Feature @(@{Name='SecurityType'; Value='TrustedLaunch'})")
    [definition] = load(text).resources
    assert definition.hyper_v_generation.value == "V1"
    assert [(f.name.value, f.value.value) for f in definition.features] == [("SecurityType", "TrustedLaunch")]


def test_unresolved_features_are_carried_as_unknown() -> None:
    """`-Feature $features` with a value not known here: features that cannot be read, not none
    (and no default SecurityType added on top of them)."""
    text = ("New-AzGalleryImageDefinition -ResourceGroupName rg -GalleryName gal -Name def -Location eastus "
            "-Publisher P -Offer O -Sku S -OsState Generalized -OsType Linux -Feature $features\n")
    [definition] = load(text).resources
    features = definition.body.value["properties"].value["features"]
    assert features.value is UNKNOWN and features.span.column == text.index("$features") + 1
    assert definition.features == []


def test_parameter_errors() -> None:
    text = (
        "New-AzGallery -ResourceGroupName rg -Name gal -Location eastus -Bogus 1\n"
        "New-AzGallery -ResourceGroupName rg -Name gal2\n"
        "New-AzGalleryImageVersion -ResourceGroupName rg -GalleryName g -GalleryImageDefinitionName d -Name 1.0.0 -Location eastus -Replica 2\n"
        "New-AzGalleryImageVersion rg g d 1.0.1 extra -Location eastus -ReplicaCount many\n"
        "$v | Update-AzGalleryImageVersion -ReplicaCount 2\n"
        "New-AzGalleryImageDefinition @unknownSplat -Publisher P\n"
    )
    messages = " | ".join(sig003(load(text)))
    assert "'Bogus'" in messages
    assert "missing mandatory parameters: Location" in messages
    assert "'Replica' is ambiguous. Possible matches include: -ReplicaCount -ReplicationMode." in messages
    assert "accepts argument 'extra'" in messages
    assert "Cannot convert value 'many'" in messages
    assert messages.count("missing mandatory") == 1


def test_unknown_values_stay_unknown() -> None:
    text = ("$loc = (Get-AzResourceGroup -Name rg).Location\n"
            "New-AzGalleryImageVersion rg g d 1.0.0 -Location $loc -TargetRegion $regions -SourceImageId x\n")
    [version] = load(text).resources
    assert version.location.value is UNKNOWN
    assert version.target_regions is None


def test_here_string_payload_and_json_hashtables() -> None:
    text = (
        "$body = @'\n{\n  \"location\": \"eastus\",\n  \"properties\": {\"sharingProfile\": {\"permissions\": \"Groups\"}}\n}\n'@\n"
        "Invoke-AzRestMethod -Path '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g1?api-version=2019-03-01' -Method PUT -Payload $body\n"
        "$p = @{ location = 'westus' } | ConvertTo-Json\n"
        "Invoke-AzRestMethod -Path '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g2?api-version=2024-03-03' -Method PUT -Payload $p\n"
    )
    first, second = load(text).resources
    assert first.sharing_permission.value == "Groups" and first.sharing_permission.span.line == 4
    assert first.api_version.value == "2019-03-01"
    assert second.location.value == "westus" and second.location.span.line == 8


def test_rest_payload_is_a_request_not_a_cmdlet_body() -> None:
    """Invoke-AzRestMethod sends the payload as written: it is read like a `.http` request."""
    text = (
        "$payload = '{\"location\": \"eastus\", \"properties\": {\"osType\": \"Linux\", \"osState\": \"Generalized\"}}'\n"
        "Invoke-AzRestMethod -Method PUT -Payload $payload "
        "-Path '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d?api-version=2024-03-03'\n"
        "New-AzGallery -ResourceGroupName rg -Name g2 -Location eastus\n"
    )
    definition, gallery = load(text).resources
    assert definition.source_kind == "rest" and definition.api_version.value == "2024-03-03"
    assert definition.hyper_v_generation is None  # no Az.Compute default filled in
    assert gallery.source_kind == "powershell"


def test_az_commands_inside_powershell() -> None:
    text = (
        "$rg = 'myRG'\n"
        "az sig image-version create --resource-group $rg --gallery-name gal --gallery-image-definition def `\n"
        "   --gallery-image-version 1.0.0 --managed-image img --target-regions westus=2 eastus --location centralus\n"
    )
    [version] = load(text).resources
    assert [r.name.value for r in version.target_regions] == ["westus", "eastus"]
    assert version.target_regions[0].replica_count.span.column == text.splitlines()[2].index("=2") + 2


def test_syntax_error_is_sig001() -> None:
    result = load("New-AzGallery -ResourceGroupName rg -Name 'gal -Location eastus\n")
    assert [f.rule_id for f in result.findings] == ["SIG001"]


def test_claims_and_odd_input() -> None:
    loader = PowerShellLoader()
    assert loader.claims("a.ps1", "New-AzGalleryImageVersion @p")
    assert loader.claims("a.psm1", "new-azgallery -Name x")
    assert not loader.claims("a.ps1", "Get-AzVM")
    for text in ("New-AzGallery", "New-AzGallery -", "New-AzGallery -Name:", "@{", "New-AzGallery @(", "New-AzGalleryImageVersion -TargetRegion @(,,)",
                 "Invoke-AzRestMethod -Method PUT -Path $x -Payload '{'", "$a = $a\nNew-AzGallery -Name $a"):
        load(text)


def test_datetime_parameters_bind_as_powershell_does() -> None:
    line = ("New-AzGalleryImageDefinition -ResourceGroupName rg -GalleryName g -Name d{n} -Location westus2 "
            "-Publisher p -Offer o -Sku s{n} -OsState Generalized -OsType Linux -EndOfLifeDate '{date}'\n")
    result = load(line.format(n=1, date="12/31/2030") + line.format(n=2, date="2030-06-30") + line.format(n=3, date="someday"))
    # The third is refused by PowerShell's binder: never sent, so it declares no resource.
    first, second = result.resources
    assert first.end_of_life_date.value == "2030-12-31T00:00:00"  # month/day/year, invariant culture
    assert second.end_of_life_date.value == "2030-06-30T00:00:00"
    assert sig003(result) == ["Cannot bind parameter 'EndOfLifeDate'. Cannot convert value 'someday' to type 'System.DateTime'."]


def test_a_method_call_argument_is_one_unknown_argument() -> None:
    result = load(
        "New-AzGalleryImageVersion -ResourceGroupName rg -GalleryName g -GalleryImageDefinitionName d -Name 1.0.0 "
        f"-Location westus2 -SourceImageId '{SRC}' -PublishingProfileEndOfLifeDate (Get-Date).AddMonths(6)\n"
    )
    assert sig003(result) == []
    assert result.resources[0].end_of_life_date.value is UNKNOWN
