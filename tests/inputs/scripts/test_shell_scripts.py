"""az CLI scripts: words, variables, option grammar, synthesised bodies and SIG003."""

from __future__ import annotations

from sigcheck.inputs.scripts import shell
from sigcheck.inputs.api import LoadOptions, SourceFile
from sigcheck.inputs.scripts import ShellLoader
from sigcheck.syntax.located import UNKNOWN, Located
from sigcheck.model import resources as m

SRC = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/img"


def load(text: str, options: LoadOptions | None = None):
    return shell.load(SourceFile("s.azcli", text), options or LoadOptions())


def sig003(result) -> list[tuple[int, int, str]]:
    return [(f.span.line, f.span.column, f.message) for f in result.findings if f.rule_id == "SIG003"]


def test_target_region_parts_are_located() -> None:
    text = (
        'LOC="westus2"\n'
        "az sig image-version create \\\n"
        "  -g rg --gallery-name gal -i def --gallery-image-version=1.0.0 --managed-image " + SRC + " \\\n"
        "  --target-regions 'South Central US=2' eastus=1=Standard_ZRS --location $LOC\n"
    )
    result = load(text)
    assert not result.findings
    [version] = result.resources
    assert isinstance(version, m.ImageVersion)
    line = text.splitlines()[3]
    first, second = version.target_regions
    assert first.name.value == "South Central US" and first.name.span.column == line.index("South") + 1
    assert first.replica_count.value == 2 and first.replica_count.span.column == line.index("=2") + 2
    assert second.storage_account_type.value == "Standard_ZRS"
    assert second.storage_account_type.span.column == line.index("Standard_ZRS") + 1
    assert version.location.value == "westus2" and "$LOC" in version.location.origin
    assert version.names[2].value == "1.0.0"
    assert version.api_version.value == "2024-03-03"
    assert version.source_id.value == SRC


def test_unassigned_variables_are_unknown_and_word_splitting() -> None:
    text = (
        'REGIONS="eastus westus"\n'
        "az sig image-version create -g rg -r $GALLERY -i def -e 1.0.0 --managed-image img --target-regions $REGIONS\n"
        'az sig image-version create -g rg -r gal -i def -e 1.0.1 --managed-image img --target-regions "$REGIONS"\n'
    )
    result = load(text)
    first, second = result.resources
    assert first.names[0].value is UNKNOWN
    assert [r.name.value for r in first.target_regions] == ["eastus", "westus"]
    assert [r.name.value for r in second.target_regions] == ["eastus westus"]
    # A bare name given to --managed-image becomes an id in the command's resource group.
    assert second.source_id.value == "/subscriptions/{subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/images/img"


def test_non_ascii_columns_are_characters() -> None:
    text = "# déploiement — galerie\naz sig create -g rg -r ma-galerie --description 'Galerie é' -l eastus\n"
    [gallery] = load(text).resources
    assert gallery.names[0].span.column == text.splitlines()[1].index("ma-galerie") + 1


def test_image_definition_defaults() -> None:
    text = "az sig image-definition create -g rg -r gal -i def -p P -f O -s S --os-type Linux\n"
    [definition] = load(text).resources
    assert definition.hyper_v_generation.value == "V2" and "default" in definition.hyper_v_generation.origin
    assert [(f.name.value, f.value.value) for f in definition.features] == [("SecurityType", "TrustedLaunchSupported")]
    assert definition.os_state.value == "Generalized"
    assert definition.api_version is None  # domain.md states none for this command
    text = 'az sig image-definition create -g rg -r gal -i def -p P -f O -s S --os-type Linux --features "SecurityType=Standard A=b"\n'
    [definition] = load(text).resources
    assert [f.name.value for f in definition.features] == ["A"]
    text = "az sig image-definition create -g rg -r gal -i def -p P -f O -s S --os-type Linux --hyper-v-generation V1\n"
    [definition] = load(text).resources
    assert definition.features == []


def test_unresolved_features_are_carried_as_unknown() -> None:
    """`--features "$FEATURES"`: the CLI sends whatever the variable holds (and adds no default
    SecurityType when it holds one), so the body has features that cannot be read, not none."""
    text = 'az sig image-definition create -g rg -r gal -i def -p P -f O -s S --os-type Linux --features "$FEATURES"\n'
    [definition] = load(text).resources
    features = definition.body.value["properties"].value["features"]
    assert features.value is UNKNOWN and features.span.column == text.index('"$FEATURES"') + 1
    assert definition.features == []


def test_usage_errors() -> None:
    text = (
        "az sig image-version create -g rg -r gal -i def -e 1.0.0 --managed-image img --target-regions westus=2=standard eastus=x\n"
        "az sig image-version create -g rg -r gal -i def -e 1.0.1 --os-snapshot s --managed-image img --bogus 1\n"
        "az sig image-version create -g rg -r gal -i def -e 1.0.2 --os-snapshot s --data-snapshots a b --data-snapshot-luns 0\n"
        "az sig image-definition create -g rg -r gal -i def --os-type Linux --features 'A=b C'\n"
        "az sig create -r gal --permissions Public\n"
        "az sig image-version create -g rg -r gal -i def -e 1.0.3 --target-regions eastus\n"
    )
    found = sig003(load(text))
    messages = " | ".join(m for _, _, m in found)
    assert "third part is not a valid storage account type" in messages
    assert "neither an integer replica count" in messages
    # --bogus stops argparse, so the command's validators never run on that line.
    assert "several OS sources" not in messages and messages.count("Please provide --managed-image") == 1
    assert "unrecognized argument '--bogus'" in messages
    assert "lengths of --data-snapshots (2), --data-snapshot-luns (1)" in messages
    assert "'C' has no '='" in messages
    assert "--publisher/-p" in messages
    assert "az sig create: 'Public' is not a valid value for '--permissions'. Allowed values: Community, Groups, Private." in messages
    assert "--resource-group/-g" in messages
    assert "Please provide --managed-image or --os-snapshot or --vhd" in messages
    lines = {line for line, _, _ in found}
    assert lines == {1, 2, 3, 4, 5, 6}


def test_configured_defaults_satisfy_required_options() -> None:
    text = "az configure --defaults group=rg location=westus\naz sig image-version create -r gal -i def -e 1.0.0 --managed-image img --target-regions eastus\n"
    result = load(text)
    assert not sig003(result)
    [version] = result.resources
    assert version.location.value == "westus" and version.location.span.line == 1


def test_location_from_the_deployment_context() -> None:
    context = m.DeploymentContext(location=Located("eastus", None))  # type: ignore[arg-type]
    text = "az sig image-version create -g rg -r gal -i def -e 1.0.0 --managed-image img --target-regions westus\n"
    [version] = load(text, LoadOptions(context=context)).resources
    assert version.location is None and version.effective_location.value == "eastus"


def test_application_version_shorthand() -> None:
    text = (
        "az sig gallery-application version create -g rg -r gal --application-name app -n 1.0.0 "
        "--package-file-link https://x/y --install-command i --remove-command r "
        "--target-regions \"[{name:eastus,regional-replica-count:2,storage-account-type:Standard_ZRS},{name:westus}]\" -l eastus\n"
    )
    result = load(text)
    assert not result.findings
    [version] = result.resources
    assert isinstance(version, m.ApplicationVersion)
    assert [r.name.value for r in version.target_regions] == ["eastus", "westus"]
    assert version.target_regions[0].replica_count.value == 2
    assert version.api_version.value == "2022-01-03"
    line = text.splitlines()[0]
    assert version.target_regions[1].name.span.column == line.index("westus") + 1


def test_az_rest_body_is_located() -> None:
    text = (
        "az rest --method put --uri '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g?api-version=2019-03-01' \\\n"
        "  --body '{\n    \"location\": \"eastus\",\n    \"properties\": {\"sharingProfile\": {\"permissions\": \"Groups\"}}\n  }'\n"
    )
    [gallery] = load(text).resources
    assert gallery.api_version.value == "2019-03-01"
    assert gallery.location.value == "eastus" and gallery.location.span.line == 3
    assert gallery.sharing_permission.value == "Groups" and gallery.sharing_permission.span.line == 4


def test_az_rest_body_is_a_request_not_a_cli_body() -> None:
    """`az rest` sends the body as written: it is read like a `.http` request (the schema rules
    judge it, and no az CLI default is assumed), while `az sig` bodies stay the CLI's."""
    text = (
        "az rest --method put --url 'https://management.azure.com/subscriptions/x/resourceGroups/rg/providers/"
        "Microsoft.Compute/galleries/g/images/d?api-version=2024-03-03' --body '{\"location\": \"eastus\", "
        "\"properties\": {\"osType\": \"Linux\", \"osState\": \"Generalized\"}}'\n"
        "az sig create -g rg -r g2 -l eastus\n"
    )
    definition, gallery = load(text).resources
    assert isinstance(definition, m.ImageDefinition) and definition.source_kind == "rest"
    assert definition.hyper_v_generation is None  # no CLI default filled in
    assert gallery.source_kind == "cli"


def test_syntax_error_in_a_gallery_command_is_sig001() -> None:
    result = load('az sig create -g rg -r "gal\necho done\n')
    assert [f.rule_id for f in result.findings] == ["SIG001"]
    assert (result.findings[0].span.line, result.findings[0].span.column) == (1, 24)
    # Errors elsewhere in a script are not sigcheck's business.
    result = load("if [ x; then\naz sig create -g rg -r gal\n")
    assert not [f for f in result.findings if f.rule_id == "SIG001"]


def test_claims() -> None:
    loader = ShellLoader()
    assert loader.claims("x.sh", "az sig create -g rg -r g")
    assert loader.claims("deploy", "#!/usr/bin/env bash\naz sig create -g rg -r g")
    assert not loader.claims("x.sh", "az vm create -g rg")
    assert not loader.claims("x.py", "az sig create")


def test_never_raises_on_odd_input() -> None:
    for text in ("az sig", "az sig image-version create --target-regions", "az sig create -g", "az $(", "az sig create \\",
                 "az sig image-version create --target-regions =2= ==", "az rest --method put --url x --body '{'",
                 "az sig image-definition create --features", 'az sig create -r "$(x)"' * 50):
        load(text)
