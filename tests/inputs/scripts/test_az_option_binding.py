"""How `az` binds option names, as the argparse parser of azure-cli 2.91.0 does: unambiguous
prefixes of long options, short options with their value attached, ambiguous prefixes refused,
options of one command refused on another, IgnoreAction's `--cmd` (rules/cli_options.json
_meta.abbreviations and _meta.verified; every expectation below was measured on azure-cli 2.91.0)."""

from __future__ import annotations

from sigcheck.engine.registry import default_registry
from sigcheck.engine.run import Engine, Options
from sigcheck.inputs.api import LoadResult
from sigcheck.model import resources as m
from sigcheck.model.findings import Finding

IMG = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/img"


def _load(text: str, path: str = "a.azcli") -> LoadResult:
    engine = Engine(default_registry(), Options())
    loaded = engine.load_text(path, text)
    assert loaded is not None and not engine.internal_errors
    return loaded


def _sig003(loaded: LoadResult) -> list[Finding]:
    return [f for f in loaded.findings if f.rule_id == "SIG003"]


def test_an_unambiguous_prefix_binds_to_the_full_option_keeping_value_and_location() -> None:
    text = "az sig image-version create -g rg -r gal -i def -e 1.0.0 --managed-im " + IMG + " --replica-c 3 --storage-acc=Standard_ZRS\n"
    loaded = _load(text)
    assert _sig003(loaded) == []
    (version,) = loaded.resources
    assert isinstance(version, m.ImageVersion) and version.body is not None
    profile = version.body.get_ci("properties").get_ci("publishingProfile")
    count = profile.get_ci("replicaCount")
    assert count.value == 3 and count.span.column == text.index(" 3 ") + 2
    storage = profile.get_ci("storageAccountType")
    assert storage.value == "Standard_ZRS" and storage.span.column == text.index("Standard_ZRS") + 1
    source = version.body.get_ci("properties").get_ci("storageProfile").get_ci("source").get_ci("id")
    assert source.value == IMG


def test_a_prefix_unique_on_update_binds_where_it_is_ambiguous_on_create() -> None:
    update = _load("az sig image-version update -g rg -r gal -i def -e 1.0.0 --target-region westeurope\n")
    assert _sig003(update) == []
    (version,) = update.resources
    assert version.body is not None
    regions = version.body.get_ci("properties").get_ci("publishingProfile").get_ci("targetRegions")
    assert [r.get_ci("name").value for r in regions.value] == ["westeurope"]
    create = _load(f"az sig image-version create -g rg -r gal -i def -e 1.0.0 --managed-image {IMG} --target-region westeurope\n")
    (finding,) = _sig003(create)
    assert finding.message == ("ambiguous option: --target-region could match --target-regions, "
                               "--target-region-encryption, --target-region-cvm-encryption")
    assert create.resources == []


def test_an_ambiguous_prefix_names_every_candidate_aliases_and_globals_included() -> None:
    text = "az sig create -g rg -r gal --publ Contoso\n"
    (finding,) = _sig003(_load(text))
    assert finding.message == ("ambiguous option: --publ could match --public-name-prefix, --publisher-email, "
                               "--publisher-contact, --publisher-uri")
    assert finding.span.column == text.index("--publ") + 1
    (finding,) = _sig003(_load(f"az sig image-version create -g rg -r gal -i def -e 1.0.0 --managed-image {IMG} --c x\n"))
    assert finding.message == "ambiguous option: --c could match --cmd, --change-reference"


def test_two_names_of_one_option_are_ambiguous_as_argparse_counts_option_strings() -> None:
    (finding,) = _sig003(_load("az sig create -g rg -r gal --soft-delete-ret 7\n"))
    assert finding.message == "ambiguous option: --soft-delete-ret could match --soft-delete-retention, --soft-delete-retention-period"


def test_a_short_option_takes_an_attached_value() -> None:
    text = "az sig create -g rg -rcontosoGallery --location westeurope\n"
    loaded = _load(text)
    assert _sig003(loaded) == []
    (gallery,) = loaded.resources
    (name,) = gallery.names
    assert name.value == "contosoGallery" and name.span.column == text.index("contosoGallery") + 1


def test_an_option_of_create_is_refused_on_update_with_the_command_that_has_it() -> None:
    text = "az sig image-definition update -g rg -r gal -i def --hyper-v-generation V2\n"
    loaded = _load(text)
    (finding,) = _sig003(loaded)
    assert finding.span.column == text.index("--hyper-v-generation") + 1
    assert finding.message == ("unrecognized argument '--hyper-v-generation' for az sig image-definition update; "
                               "--hyper-v-generation is an option of az sig image-definition create, not of az sig image-definition update")
    assert loaded.resources == []


def test_a_misspelt_option_gets_did_you_mean() -> None:
    (finding,) = _sig003(_load("az sig image-definition create -g rg -r gal -i def -p P -f O -s S --os-type Linux --hyperv-generation V2\n"))
    assert finding.message.endswith("did you mean '--hyper-v-generation'?")


def test_ids_is_not_an_option_of_image_version_update() -> None:
    (finding,) = _sig003(_load("az sig image-version update -g rg -r gal -i def -e 1.0.0 --ids x --replica-count 2\n"))
    assert finding.message.startswith("unrecognized argument '--ids' for az sig image-version update")


def test_cmd_is_known_to_argparse_and_refused_when_used() -> None:
    (finding,) = _sig003(_load(f"az sig image-version create -g rg -r gal -i def -e 1.0.0 --managed-image {IMG} --cmd x\n"))
    assert finding.message == "unrecognized argument: --cmd x"


def test_flags_take_no_value_and_three_state_flags_take_true_or_false() -> None:
    found = _sig003(_load(f"az sig image-version create -g rg -r gal -i def -e 1.0.0 --managed-image {IMG} --no-wait true\n"))
    assert [f.message for f in found] == ["unrecognized argument 'true' (az sig image-version create takes no positional arguments)"]
    (finding,) = _sig003(_load(f"az sig image-version create -g rg -r gal -i def -e 1.0.0 --managed-image {IMG} --exclude-from-latest yes\n"))
    assert finding.message == ("az sig image-version create: 'yes' is not a valid value for '--exclude-from-latest'. "
                               "Allowed values: true, false.")
    assert _sig003(_load(f"az sig image-version create -g rg -r gal -i def -e 1.0.0 --managed-image {IMG} --exclude-from-latest True\n")) == []
    (finding,) = _sig003(_load("az sig create -g rg -r gal --soft-delete on\n"))
    assert finding.message.endswith("Allowed values: true, t, yes, y, 1, false, f, no, n, 0.")
    assert _sig003(_load("az sig create -g rg -r gal --soft-delete Yes\n")) == []


def test_validate_only_commands_report_and_declare_nothing() -> None:
    loaded = _load("az sig update -g rg -r gal --permissions Public\naz sig share add -g rg -r gal --tenant 72f988bf\n")
    assert loaded.resources == []
    (finding,) = _sig003(loaded)
    assert "'Public' is not a valid value for '--permissions'" in finding.message


def test_powershell_bool_parameters_take_a_value_and_autorest_cmdlets_their_own_common_set() -> None:
    base = "Update-AzGalleryImageVersion -ResourceGroupName rg -GalleryName gal -GalleryImageDefinitionName def -Name 1.0.0"
    assert _sig003(_load(f"{base} -TargetExtendedLocation @() -AllowDeletionOfReplicatedLocation $True\n", "a.ps1")) == []
    (finding,) = _sig003(_load(f"{base} -BlockDeletionBeforeEndOfLife\n", "a.ps1"))
    assert finding.message.startswith("Missing an argument for parameter 'BlockDeletionBeforeEndOfLife'")
    app = "New-AzGalleryApplication -ResourceGroupName rg -GalleryName gal -Name app -Location eastus -SupportedOSType Linux"
    (finding,) = _sig003(_load(f"{app} -AzContext $ctx\n", "a.ps1"))
    assert "'AzContext'" in finding.message
    assert _sig003(_load(f"{app} -AzureRMContext $ctx\n", "a.ps1")) == []
    (finding,) = _sig003(_load("Update-AzGalleryImageDefinition -ResourceGroupName rg -GalleryName gal -Name def -HyperVGeneration V2\n", "a.ps1"))
    assert finding.message.endswith("(-HyperVGeneration is a parameter of New-AzGalleryImageDefinition, not of Update-AzGalleryImageDefinition).")


def test_a_required_option_written_without_its_value_is_one_finding() -> None:
    """argparse stops at "expected one argument"; the option is on the line, so it is not also
    reported as missing. Options not written at all still are."""
    loaded = _load("az sig create --resource-group rg --gallery-name\naz sig create --location\n")
    got = sorted((f.span.line, f.span.column, f.message) for f in _sig003(loaded))
    assert got == [
        (1, 35, "argument -r/--gallery-name: expected one argument"),
        (2, 1, "the following arguments are required: -r/--gallery-name, --resource-group/-g"),
        (2, 15, "argument --location/-l: expected one argument"),
    ]
