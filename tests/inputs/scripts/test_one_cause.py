"""One cause, one finding: what a tool refuses declares nothing; what is unset is unknown
for every parameter; retired and missing commands are read as the tools read them."""

from __future__ import annotations

from sigcheck.engine.registry import default_registry
from sigcheck.engine.run import Engine, Options
from sigcheck.inputs.api import LoadResult
from sigcheck.model import resources as m
from sigcheck.model.findings import Severity
from sigcheck.syntax.located import UNKNOWN

SRC = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/img"


def _load(path: str, text: str) -> LoadResult:
    engine = Engine(default_registry(), Options())
    loaded = engine.load_text(path, text)
    assert loaded is not None and not engine.internal_errors
    return loaded


def test_a_refused_command_declares_no_resource() -> None:
    ps = _load("a.ps1", f"New-AzGalleryImageVersion -ResourceGroupName rg -GalleryName g -GalleryImageDefinitionName d "
                        f"-Name 1.0.0 -Location eastus -SourceId '{SRC}'\n")
    az = _load("a.azcli", f"az sig image-version create -g rg -r g -i d -e 1.0.0 --source-id {SRC}\n")
    for loaded in (ps, az):
        assert loaded.resources == []
        assert [f.rule_id for f in loaded.findings] == ["SIG003"]


def test_unset_variables_are_unknown_for_every_parameter() -> None:
    loaded = _load("a.ps1", "New-AzGalleryImageVersion -ResourceGroupName rg -GalleryName g -GalleryImageDefinitionName d "
                            "-Name 1.0.0 -Location eastus -OSDiskImage $osDisk -TargetRegion $regions\n")
    (version,) = loaded.resources
    assert isinstance(version, m.ImageVersion) and version.body is not None
    storage = version.body.get_ci("properties").get_ci("storageProfile")
    assert storage.get_ci("osDiskImage").value is UNKNOWN


def test_unknown_splat_leaves_absent_parameters_unknown() -> None:
    (version,) = _load("a.ps1", "New-AzGalleryImageVersion @params -Name 1.0.0\n").resources
    assert version.partial


def test_image_definition_update_sends_no_create_defaults() -> None:
    (definition,) = _load("a.azcli", "az sig image-definition update -g rg -r g -i d --allow-update-image true\n").resources
    assert isinstance(definition, m.ImageDefinition) and definition.partial
    assert definition.feature("SecurityType") is None  # a create would add TrustedLaunchSupported


def test_image_definition_update_takes_no_property_options() -> None:
    # azure-cli 2.91.0 unregisters them (SigImageDefinitionUpdate): argparse refuses the line.
    loaded = _load("a.azcli", "az sig image-definition update -g rg -r g -i d --hyper-v-generation V2\n")
    assert loaded.resources == []
    (finding,) = loaded.findings
    assert finding.rule_id == "SIG003"
    assert "--hyper-v-generation is an option of az sig image-definition create" in finding.message


def test_azurerm_cmdlets_read_as_az_with_a_warning() -> None:
    loaded = _load("a.ps1", "New-AzureRmGallery -ResourceGroupName rg -Name myGallery -Location eastus\n")
    (gallery,) = loaded.resources
    assert isinstance(gallery, m.Gallery) and gallery.location is not None and gallery.location.value == "eastus"
    (warning,) = loaded.findings
    assert warning.rule_id == "SIG003" and warning.severity == Severity.WARNING and "retired" in warning.message
