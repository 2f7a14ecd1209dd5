"""SIG3xx: disks and sources of image versions."""

from __future__ import annotations

from functools import cache
from typing import Any, Iterator

from sigcheck.model import facts
from sigcheck.engine.rules import AnyRule, CheckContext, Hit, rule
from sigcheck.checks.values import api_at_least, first_repeats, integer, number, present, surely_present
from sigcheck.model.findings import Severity
from sigcheck.syntax.located import UNKNOWN, Located
from sigcheck.model import resources as m
from sigcheck.model.ids import reference_of, reference_target


@cache
def _limits() -> tuple[int, int]:
    limits = facts.load("limits")
    return int(limits["data_disk_max_gb"]["value"]), int(limits["shallow_replication"]["max_image_size_gb"])


def _declared(ref: Located[object] | None, ctx: CheckContext, types: tuple[str, ...]) -> m.Resource | None:
    """The resource of the run that a source id points at, when it is declared there."""
    target = reference_of(ref, types)
    if target is None:
        return None
    found = ctx.find(*target)
    return found[0] if found else None


def _source_sizes(res: m.ImageVersion, ctx: CheckContext) -> Iterator[tuple[Located[Any], str, int | float, bool]]:
    """(where, what, size in GB, is a data disk) for every disk whose size can be known."""
    for disk in res.data_disks:
        lun = disk.lun.value if disk.lun is not None and disk.lun.known else "?"
        size = number(disk.size_in_gb)
        if disk.size_in_gb is not None and size is not None:
            yield disk.size_in_gb, f"data disk at LUN {lun}", size, True
        source = _declared(disk.source_id, ctx, (m.DISK, m.SNAPSHOT))
        if disk.source_id is not None and isinstance(source, m.Disk) and (size := number(source.size_in_gb)) is not None:
            yield disk.source_id, f"data disk at LUN {lun} ({source.type_name.split('/')[-1][:-1]} '{source.full_name}')", size, True
    if res.os_disk is not None:
        os_disk = res.os_disk
        size = number(os_disk.size_in_gb)
        if os_disk.size_in_gb is not None and size is not None:
            yield os_disk.size_in_gb, "OS disk", size, False
        source = _declared(os_disk.source_id, ctx, (m.DISK, m.SNAPSHOT))
        if os_disk.source_id is not None and isinstance(source, m.Disk) and (size := number(source.size_in_gb)) is not None:
            yield os_disk.source_id, f"OS disk ({source.type_name.split('/')[-1][:-1]} '{source.full_name}')", size, False
    for ref in (res.source_id, res.source_vm_id):
        source = _declared(ref, ctx, (m.VIRTUAL_MACHINE, m.MANAGED_IMAGE))
        if ref is None or not isinstance(source, (m.VirtualMachine, m.ManagedImage)):
            continue
        kind = "VM" if isinstance(source, m.VirtualMachine) else "managed image"
        for sized in source.data_disk_sizes:
            if (size := number(sized.size_in_gb)) is not None:
                lun = sized.lun.value if sized.lun is not None and sized.lun.known else "?"
                yield ref, f"data disk at LUN {lun} of source {kind} '{source.full_name}'", size, True
        if (size := number(source.os_disk_size_in_gb)) is not None:
            yield ref, f"OS disk of source {kind} '{source.full_name}'", size, False


@rule(
    "SIG301", "disk-size-limit", Severity.ERROR,
    "A data disk of an image version is larger than 1 TB, or a disk of a shallow-replicated version is larger than 32 TB.",
    applies_to=m.ImageVersion,
)
def disk_size_limit(res: m.ImageVersion, ctx: CheckContext) -> Iterator[Hit]:
    data_max, shallow_max = _limits()
    shallow = res.replication_mode is not None and res.replication_mode.known and \
        str(res.replication_mode.value).lower() == "shallow"
    for where, what, size, is_data in _source_sizes(res, ctx):
        if shallow:
            if size > shallow_max:
                yield Hit(where, f"{what} is {size:g} GB; Shallow replication supports disks up to {shallow_max} GB (32 TB)")
        elif is_data and size > data_max:
            yield Hit(where, f"{what} is {size:g} GB; image version data disks cannot exceed {data_max} GB (1 TB)")


def _disks(res: m.ImageVersion) -> list[tuple[m.DiskImage, str]]:
    disks = [(res.os_disk, "the OS disk")] if res.os_disk is not None else []
    for disk in res.data_disks:
        lun = integer(disk.lun)
        disks.append((disk, f"the data disk at LUN {lun}" if lun is not None else "a data disk"))
    return disks


def _disk_source(disk: m.DiskImage) -> Located[object] | None:
    """What a disk is made from: with a VHD, `id` names the storage account that holds it,
    which disks may share, so the `uri` is the source."""
    return disk.source_uri if present(disk.source_uri) else disk.source_id


def _comparable_source(item: Located[object] | None) -> str | None:
    """A disk source (id or uri) in a form two sources can be compared in, when it is known.

    Ids are compared ignoring case, as ARM compares them; an evaluated resourceId() whose
    subscription or resource group is an unresolved value is not comparable.
    """
    if item is None or not item.known or not isinstance(item.value, str):
        return None
    if any(getattr(item.value, attr, None) is UNKNOWN for attr in ("subscription_id", "resource_group")):
        return None
    return item.value.lower() if item.path.endswith(".id") else item.value


@rule(
    "SIG302", "duplicate-lun", Severity.ERROR,
    "Two data disks of an image version share a LUN, or two disks of the version share a source.",
    applies_to=m.ImageVersion,
)
def duplicate_lun(res: m.ImageVersion, ctx: CheckContext) -> Iterator[Hit]:
    luns = [disk.lun for disk in res.data_disks if disk.lun is not None]
    for lun, first_lun in first_repeats(luns, key=integer):
        yield Hit(lun, f"LUN {lun.value} is already used by the data disk at line {first_lun.span.line}; each data disk needs its own LUN")
    sources = [(item, what) for disk, what in _disks(res) if (item := _disk_source(disk)) is not None]
    for (source, what), (first, first_what) in first_repeats(sources, key=lambda pair: _comparable_source(pair[0])):
        yield Hit(source, f"{what} uses the same source as {first_what} (line {first.span.line}); every disk needs its own source")


def _version_sources(res: m.ImageVersion) -> list[tuple[Located[object], str]]:
    """The sources given directly under storageProfile.source, with their property names."""
    given = (
        (res.source_id, "storageProfile.source.id"),
        (res.source_vm_id, "storageProfile.source.virtualMachineId"),
        (res.source_uri, "storageProfile.source.uri"),
        (res.community_image_id, "storageProfile.source.communityGalleryImageId"),
    )
    return [(item, label) for item, label in given if item is not None and present(item)]


def _disk_sources(res: m.ImageVersion) -> list[Located[object]]:
    return [item for disk, _ in _disks(res) if (item := _disk_source(disk)) is not None and present(item)]


@rule(
    "SIG303", "source-kind", Severity.ERROR,
    "An image version has no source, or more than one kind of source.",
    applies_to=m.ImageVersion,
)
def source_kind(res: m.ImageVersion, ctx: CheckContext) -> Iterator[Hit]:
    version_sources = _version_sources(res)
    if present(res.source_uri):
        # 2020-09-30 to 2022-01-03: a VHD is `uri`, and `id` the storage account that holds it.
        version_sources = [(item, label) for item, label in version_sources if item is not res.source_id]
    disk_sources = _disk_sources(res)
    if not version_sources and not disk_sources and not present(res.legacy_managed_image_id):
        if res.partial:
            return  # an update keeps the source the version was created from
        if res.source_hidden:
            return  # the source may be inside an unresolved value
        yield from _no_source(res)
        return
    surely = [(item, label) for item, label in version_sources if item.known]
    for item, label in surely[1:]:
        yield Hit(item, f"{label} and {surely[0][1]} (line {surely[0][0].span.line}) are both set; an image version has exactly one source: a managed image, a VM or another image version")
    if version_sources and disk_sources:
        first_item, first_label = version_sources[0]
        for item in disk_sources:
            if item.known and first_item.known:
                yield Hit(item, f"{item.path.removeprefix('properties.')} is set together with {first_label} (line {first_item.span.line}); give the source either directly under storageProfile or per disk, not both")


def _no_source(res: m.ImageVersion) -> Iterator[Hit]:
    legacy = api_at_least(res, facts.load("api/matrix")["types"][m.IMAGE_VERSION]["paths"]["properties.storageProfile"][0]) is False
    if legacy:
        where = res.publishing_profile_key
        wanted = "publishingProfile.source.managedImage.id"
    else:
        where = res.storage_profile_key
        wanted = "storageProfile.source (a managed image, VM or image version) or storageProfile.osDiskImage.source (a disk, snapshot or VHD)"
    if where is None:
        where = res.properties_key
    yield Hit(where or res.span, f"the image version has no source; set {wanted}", path="properties.storageProfile")


_STORAGE_ACCOUNT = "Microsoft.Storage/storageAccounts"
# Inputs whose tool accepts a resource name where a request needs an id (`--managed-image NAME|ID`).
_NAME_OR_ID_KINDS = ("cli",)
_ID_KINDS = {
    "version": ((m.MANAGED_IMAGE, m.VIRTUAL_MACHINE, m.IMAGE_VERSION), "a managed image, a virtual machine or a gallery image version"),
    "vm": ((m.VIRTUAL_MACHINE,), "a virtual machine"),
    "disk": ((m.DISK, m.SNAPSHOT), "a managed disk or a snapshot"),
    "legacy": ((m.MANAGED_IMAGE,), "a managed image"),
    "storage": ((_STORAGE_ACCOUNT,), "the storage account that holds the VHD given in uri"),
}


def _source_ids(res: m.ImageVersion) -> Iterator[tuple[Located[object], str]]:
    if res.source_id is not None:
        yield res.source_id, "storage" if present(res.source_uri) else "version"
    if res.source_vm_id is not None:
        yield res.source_vm_id, "vm"
    if res.legacy_managed_image_id is not None:
        yield res.legacy_managed_image_id, "legacy"
    for disk, _ in _disks(res):
        if disk.source_id is not None:
            yield disk.source_id, "storage" if present(disk.source_uri) else "disk"


@rule(
    "SIG304", "source-type-mismatch", Severity.ERROR,
    "A source id of an image version points at the wrong kind of resource for where it is used, or is not a fully qualified resource id.",
    applies_to=m.ImageVersion,
)
def source_type_mismatch(res: m.ImageVersion, ctx: CheckContext) -> Iterator[Hit]:
    for item, kind in _source_ids(res):
        if not item.known or not isinstance(item.value, str):
            continue
        value = item.value
        types, words = _ID_KINDS[kind]
        prop = item.path.split("properties.", 1)[-1]
        evaluated = isinstance(getattr(value, "type", None), str) or isinstance(getattr(value, "type_name", None), str)
        if not evaluated:
            lowered = value.lower()
            if not lowered.startswith(("/subscriptions/", "/providers/")):
                if res.source_kind in _NAME_OR_ID_KINDS and "/" not in value:
                    continue  # the az CLI turns a bare name into an id itself
                yield Hit(item, f"{prop} '{value}' is not a fully qualified resource id; it must start with '/subscriptions/<subscription id>/'")
                continue
            if "//" in value:
                yield Hit(item, f"{prop} '{value}' has an empty segment ('//'); it is not a valid resource id")
                continue
        target = reference_target(value)
        if target is None:
            yield Hit(item, f"{prop} '{value}' is not the id of a resource; it must be the id of {words}")
            continue
        if target[0].lower() not in {t.lower() for t in types}:
            yield Hit(item, f"{prop} points at a {target[0]} resource; it must be the id of {words}")


@rule(
    "SIG305", "vhd-needs-storage-account", Severity.ERROR,
    "A disk of an image version is created from a VHD `uri` without the `storageAccountId` of the account that holds the blob.",
    applies_to=m.ImageVersion,
)
def vhd_needs_storage_account(res: m.ImageVersion, ctx: CheckContext) -> Iterator[Hit]:
    since = facts.load("api/matrix")["types"][m.IMAGE_VERSION]["paths"]["properties.storageProfile.osDiskImage.source.storageAccountId"][0]
    if not api_at_least(res, since):
        return
    for disk, what in _disks(res):
        if disk.source_uri is not None and surely_present(disk.source_uri) and not present(disk.storage_account_id):
            yield Hit(disk.source_uri, f"{what} is a VHD (source.uri) without source.storageAccountId; from API version {since} the storage account that holds the blob must be given")


RULES: list[AnyRule] = [disk_size_limit, duplicate_lun, source_kind, source_type_mismatch, vhd_needs_storage_account]
