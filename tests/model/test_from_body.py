"""The typed model built from a located body: every field a rule reads, at the token it came from."""

from __future__ import annotations

import datetime as _dt
import subprocess
import sys
import textwrap
from dataclasses import fields, is_dataclass
from typing import Any

from sigcheck.engine.rules import CheckContext
from sigcheck.model import resources as m
from sigcheck.model.from_body import build
from sigcheck.syntax.jsonc import Node, parse
from sigcheck.syntax.located import UNKNOWN, Located, Span


def _body(text: str) -> Node:
    root = parse(textwrap.dedent(text), "body.json").root
    assert root is not None
    return root


def _build(cls: type[m.Resource], text: str) -> Any:
    common = {"source_kind": "rest", "path": "body.json", "span": Span("body.json", 1, 1, 1, 1), "names": []}
    return build(cls, common, _body(text))


def test_model_classes_are_slotted_dataclasses() -> None:
    for cls in (*m.MODEL_BY_TYPE.values(), m.TargetRegion, m.RegionEncryption, m.DiskEncryption, m.DiskImage,
                m.Feature, m.CommunityGalleryInfo, m.TargetExtendedLocation, m.DeploymentContext):
        assert is_dataclass(cls), cls
        assert "__slots__" in cls.__dict__, cls
        assert not hasattr(cls, "model_fields"), cls


def test_the_model_and_a_one_file_run_do_not_import_pydantic() -> None:
    code = (
        "import sys\n"
        "from sigcheck.cli import main\n"
        "try:\n    main(['check', 'examples/image-pipeline.json'])\nexcept SystemExit:\n    pass\n"
        "print('pydantic' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                         cwd=__file__.rsplit("/tests/", 1)[0])
    assert out.stdout.strip().endswith("False"), out.stdout + out.stderr


def test_encryption_per_target_region() -> None:
    version = _build(m.ImageVersion, """\
        {"properties": {"publishingProfile": {"targetRegions": [
          {"name": "westeurope", "encryption": {
            "osDiskImage": {"diskEncryptionSetId": "/des/os",
                            "securityProfile": {"confidentialVMEncryptionType": "EncryptedWithCmk",
                                                "secureVMDiskEncryptionSetId": "/des/cvm"}},
            "dataDiskImages": [{"lun": 1, "diskEncryptionSetId": "/des/data1"}, {"lun": 2}]}},
          {"name": "northeurope"}
        ]}}}""")
    first, second = version.target_regions
    enc = first.encryption
    assert isinstance(enc, m.RegionEncryption)
    assert (enc.key.value, enc.key.span.line) == ("encryption", 2)
    assert enc.shape.value == "object"
    os_disk = enc.os_disk_image
    assert os_disk is not None and os_disk.disk_encryption_set_id is not None
    assert os_disk.disk_encryption_set_id.value == "/des/os"
    assert os_disk.confidential_vm_encryption_type is not None
    assert os_disk.confidential_vm_encryption_type.value == "EncryptedWithCmk"
    assert os_disk.secure_vm_disk_encryption_set_id is not None
    assert os_disk.secure_vm_disk_encryption_set_id.value == "/des/cvm"
    luns = [(d.lun.value if d.lun else None, d.disk_encryption_set_id.value if d.disk_encryption_set_id else None)
            for d in enc.data_disk_images]
    assert luns == [(1, "/des/data1"), (2, None)]
    assert enc.data_disk_images[0].lun is not None
    assert enc.data_disk_images[0].lun.path == "properties.publishingProfile.targetRegions[0].encryption.dataDiskImages[0].lun"
    assert second.encryption is None
    assert version.encryptions == [enc]


def test_unresolved_encryption_and_extended_locations() -> None:
    version = _build(m.ImageVersion, """\
        {"properties": {"publishingProfile": {
          "targetRegions": [{"name": "westeurope", "encryption": null}, {"encryption": {}}],
          "targetExtendedLocations": [{"extendedLocation": {"name": "microsoftlosangeles1", "type": "EdgeZone"},
                                       "encryption": {"osDiskImage": {"diskEncryptionSetId": "/des"}}}]}}}""")
    assert [r.name.value for r in version.target_regions] == ["westeurope"]  # an entry without a name is no region
    assert version.target_regions[0].encryption is None  # null is not set
    zone = version.target_extended_locations[0]
    assert zone.name is not None and zone.name.value == "microsoftlosangeles1"
    assert zone.encryption is not None
    # The nameless region's encryption is kept too, for the rules about where encryption is allowed.
    assert [e.key.path for e in version.encryptions] == [
        "properties.publishingProfile.targetRegions[1].encryption",
        "properties.publishingProfile.targetExtendedLocations[0].encryption",
    ]


def test_shapes_say_how_a_list_was_written() -> None:
    root = _body('{"properties": {"features": "[parameters(\'f\')]", "publishingProfile": {"targetRegions": null}}}')
    features = root.get_ci("properties").get_ci("features")  # type: ignore[union-attr]
    features.value = UNKNOWN  # what the ARM evaluator leaves for an unresolved expression
    common = {"source_kind": "arm", "path": "t.json", "span": root.span, "names": []}
    definition = build(m.ImageDefinition, common, root)
    assert isinstance(definition, m.ImageDefinition)
    assert definition.features == []
    assert m.unresolved(definition.features_shape)
    assert m.unreadable(definition.features_shape, "array")
    version = build(m.ImageVersion, common, root)
    assert isinstance(version, m.ImageVersion)
    assert version.target_regions is None
    assert m.shape_is(version.target_regions_shape, "null")
    assert not m.unreadable(version.target_regions_shape, "array")


def test_string_fields_hold_strings_or_unknown_only() -> None:
    definition = _build(m.ImageDefinition, """\
        {"properties": {"osType": 5, "osState": null, "hyperVGeneration": "V2",
                        "identifier": {"publisher": "p", "offer": "o", "sku": "s"}}}""")
    assert definition.os_type is None  # a number where a string belongs: SIG602's, not a value
    assert definition.os_state is None  # null is not set
    assert definition.hyper_v_generation.value == "V2"
    assert definition.identifier.value == {"publisher": "p", "offer": "o", "sku": "s"}
    assert definition.properties_key.span.line == 1


def test_community_gallery_info_is_typed() -> None:
    gallery = _build(m.Gallery, """\
        {"properties": {"sharingProfile": {"permissions": "Community", "communityGalleryInfo": {
          "publisherUri": "https://example.com", "publisherContact": "a@example.com",
          "eula": "https://example.com/eula", "publicNamePrefix": "contoso"}}}}""")
    info = gallery.community_info
    assert isinstance(info, m.CommunityGalleryInfo)
    assert gallery.sharing_permission.value == "Community"
    assert info.public_name_prefix is not None and info.public_name_prefix.value == "contoso"
    assert info.public_name_prefix.path == "properties.sharingProfile.communityGalleryInfo.publicNamePrefix"
    assert info.eula is not None and info.publisher_contact is not None and info.publisher_uri is not None


def test_image_version_sources_and_disks() -> None:
    version = _build(m.ImageVersion, """\
        {"properties": {"storageProfile": {
          "source": {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/images/i"},
          "osDiskImage": {"source": {"uri": "https://a.blob.core.windows.net/v/os.vhd", "storageAccountId": "/sa"}},
          "dataDiskImages": [{"lun": 0, "sizeInGB": 10}, "x"]}}}""")
    assert version.source_id.value.endswith("/images/i")
    assert version.os_disk.source_uri.value.endswith("os.vhd")
    assert version.os_disk.storage_account_id.value == "/sa"
    assert [d.lun.value for d in version.data_disks] == [0]
    assert version.data_disks_shape.value == "array"
    assert version.storage_profile_key.value == "storageProfile"
    assert not version.source_hidden


def test_consumer_fields() -> None:
    vmss = _build(m.VirtualMachineScaleSet, """\
        {"location": "westeurope", "properties": {"virtualMachineProfile": {
          "storageProfile": {"imageReference": {"id": "/img"}, "osDisk": {"diskSizeGB": 64},
                             "dataDisks": [{"lun": 3, "diskSizeGB": 128}]},
          "securityProfile": {"securityType": "TrustedLaunch"},
          "osProfile": {"computerNamePrefix": "vm"}}}}""")
    assert vmss.image_id.value == "/img"
    assert vmss.security_type.value == "TrustedLaunch"
    assert vmss.has_os_profile and vmss.os_profile.value == {"computerNamePrefix": "vm"}
    assert vmss.os_disk_size_in_gb.value == 64
    assert [(d.lun.value, d.size_in_gb.value) for d in vmss.data_disk_sizes] == [(3, 128)]
    assert vmss.location.value == "westeurope"


def test_memo_is_per_run() -> None:
    calls: list[object] = []

    def analysis(res: m.Resource) -> int:
        calls.append(res)
        return len(calls)

    res = _build(m.Gallery, "{}")
    first = CheckContext(today=_dt.date(2026, 1, 1), resources=[res])
    assert first.memo(analysis, res) == 1
    assert first.memo(analysis, res) == 1  # once per run
    second = CheckContext(today=_dt.date(2026, 1, 1), resources=[res])
    assert second.memo(analysis, res) == 2  # a new run reads again: nothing outlives a run
    assert not [f for f in fields(CheckContext) if f.name == "_cache"]


def test_located_generic_narrowing() -> None:
    item: Located[str] = Located("westeurope", Span("a", 1, 1, 1, 11))
    assert item.value.upper() == "WESTEUROPE"


def test_null_and_mistyped_values_stay_where_the_rules_tell_them_from_absent() -> None:
    """A null hyperVGeneration is stated (not defaulted by the API version); a target region's null
    storageAccountType does not inherit the profile's; a source id of the wrong type is still a
    source given. Those fields keep whatever was written."""
    definition = _build(m.ImageDefinition, '{"properties": {"hyperVGeneration": null}}')
    assert definition.hyper_v_generation is not None and definition.hyper_v_generation.value is None
    version = _build(m.ImageVersion, """\
        {"location": null, "properties": {"publishingProfile": {"targetRegions": [{"name": "westeurope", "storageAccountType": null}]},
         "storageProfile": {"source": {"id": 7}}}}""")
    assert version.location is not None and version.location.value is None
    assert version.target_regions[0].storage_account_type.value is None
    assert version.source_id is not None and version.source_id.value == 7
