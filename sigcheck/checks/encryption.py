"""SIG306–SIG307: customer-managed-key encryption of versions, region by region."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from sigcheck.engine.rules import CheckContext, Hit, rule
from sigcheck.checks.values import declared, integer, key_of, present, related, same, text, where_words
from sigcheck.model.findings import Severity
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located
from sigcheck.model import resources as m
from sigcheck.model.from_body import child, items, value_at


@dataclass
class _RegionKeys:
    """Which disks one target region encrypts with a disk encryption set; None = cannot be known."""

    region: m.TargetRegion
    os_disk: bool | None = False
    data: dict[int, Located] | None = field(default_factory=dict)  # LUN -> its diskEncryptionSetId
    luns: list[Located] = field(default_factory=list)  # every known encryption LUN, in order


def _des_state(node: Node | None) -> bool | None:
    """Whether an encryption entry names a disk encryption set: True, False, or None (unknown)."""
    des = node.get_ci("diskEncryptionSetId") if node is not None and node.is_object else None
    if node is not None and node.value is not None and not node.is_object:
        return None
    if des is None or des.value is None:
        return False
    return True if des.value is not UNKNOWN else None


def _region_keys(region: m.TargetRegion, index: int) -> _RegionKeys:
    keys = _RegionKeys(region)
    enc = region.encryption
    if enc is None or enc.value is None:
        return keys
    if not enc.is_object:
        return _RegionKeys(region, None, None)
    path = f"properties.publishingProfile.targetRegions[{index}].encryption"
    keys.os_disk = _des_state(enc.get_ci("osDiskImage"))
    data = enc.get_ci("dataDiskImages")
    if data is None or data.value is None:
        return keys
    if not data.is_array:
        keys.data = None
        return keys
    for i, item in items(data):
        lun = value_at(item, "lun", f"{path}.dataDiskImages[{i}]")
        number = integer(lun)
        state = _des_state(item)
        if number is None or state is None:
            keys.data = None  # an entry we cannot read could be any LUN
            continue
        keys.luns.append(lun)  # type: ignore[arg-type]
        if state and keys.data is not None:
            keys.data.setdefault(number, lun)  # type: ignore[arg-type]
    return keys


def _region_words(region: m.TargetRegion) -> str:
    name = text(region.name)
    return f"target region '{name}'" if name is not None else f"the target region at line {region.span.line}"


def _data_luns(res: m.ImageVersion) -> set[int] | None:
    """The LUNs of the version's data disks, when the version lists its disks itself (a version
    built from a managed image or VM takes its data disks from the source)."""
    if any(present(item) for item in (res.source_id, res.source_vm_id, res.source_uri, res.community_image_id)):
        return None
    if res.os_disk is None or not present(res.os_disk.source_id) and not present(res.os_disk.source_uri):
        return None
    disks = child(res.body, "properties.storageProfile.dataDiskImages")
    if disks is not None and disks.value is not None and not disks.is_array:
        return None
    luns = set()
    for disk in res.data_disks:
        lun = integer(disk.lun)
        if lun is None:
            return None
        luns.add(lun)
    return luns


@rule(
    "SIG306", "encryption-consistency", Severity.ERROR,
    "A disk of an image version is encrypted with a disk encryption set in one target region but not in another, or a region's encryption settings name a LUN that is not one of the version's data disks.",
    applies_to=(m.ImageVersion,),
)
def encryption_consistency(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    assert isinstance(res, m.ImageVersion)
    regions = [_region_keys(region, i) for i, region in enumerate(res.target_regions or [])]
    valid = _data_luns(res)
    for keys in regions:
        seen: dict[int, Located] = {}
        for lun in keys.luns:
            number = lun.value
            if number in seen:
                yield Hit(lun, f"LUN {number} is listed twice in the encryption of {_region_words(keys.region)} (first at line {seen[number].span.line})")
                continue
            seen[number] = lun
            if valid is not None and number not in valid:
                shown = ", ".join(str(n) for n in sorted(valid)) or "none: the version has no data disks"
                yield Hit(lun, f"encryption names LUN {number}, which is not a data disk of this image version (its LUNs: {shown})")
    # Consistency: a disk encrypted with a DES in one region needs one in every region.
    with_os = next((k for k in regions if k.os_disk), None)
    if with_os is not None:
        for keys in regions:
            if keys.os_disk is False:
                yield Hit(keys.region.name, f"{_region_words(keys.region)} has no disk encryption set for the OS disk, but {_region_words(with_os.region)} (line {with_os.region.span.line}) uses one; every target region needs one")
    encrypted_luns = sorted({lun for k in regions if k.data for lun in k.data if valid is None or lun in valid})
    for lun in encrypted_luns:
        first = next(k for k in regions if k.data and lun in k.data)
        for keys in regions:
            if keys.data is not None and lun not in keys.data:
                yield Hit(keys.region.name, f"{_region_words(keys.region)} has no disk encryption set for the data disk at LUN {lun}, but {_region_words(first.region)} (line {first.region.span.line}) uses one; every target region needs one")


def _encryption_keys(res: m._Replicated) -> Iterator[Located]:
    """The `encryption` property of every target region and extended location that sets one."""
    profile = child(res.body, "properties.publishingProfile")
    for list_name in ("targetRegions", "targetExtendedLocations"):
        for i, item in items(child(profile, list_name)):
            enc = item.get_ci("encryption") if item.is_object else None
            if enc is None or enc.value is None or enc.value is UNKNOWN:
                continue  # an unresolved value may be null
            key = key_of(item, "encryption", f"properties.publishingProfile.{list_name}[{i}].encryption")
            if key is not None:
                yield key


def _gallery(res: m.Resource, ctx: CheckContext) -> m.Gallery | None:
    gallery_name = res.names[0] if res.names else None
    if gallery_name is None or not gallery_name.known:
        return None
    found = [g for g in declared(ctx.find(m.GALLERY, [gallery_name.value])) if isinstance(g, m.Gallery) and related(res, g)]
    return found[0] if found else None


@rule(
    "SIG307", "encryption-not-supported", Severity.ERROR,
    "Disk encryption settings are used where the service does not support them: on an application version, or on an image version in a community or directly shared gallery.",
    applies_to=(m.ApplicationVersion, m.ImageVersion),
)
def encryption_not_supported(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    assert isinstance(res, m._Replicated)
    if isinstance(res, m.ApplicationVersion):
        for key in _encryption_keys(res):
            yield Hit(key, "gallery application versions do not support encryption; remove it")
        return
    gallery = _gallery(res, ctx)
    permission = gallery.sharing_permission if gallery is not None else None
    shared = next((p for p in ("Community", "Groups") if same(permission, p)), None)
    if shared is None:
        return
    kind = "to a community" if shared == "Community" else "directly (Groups)"
    for key in _encryption_keys(res):
        yield Hit(key, f"gallery '{gallery.full_name}' is shared {kind} ({where_words(res, permission)}), and such galleries cannot hold encrypted image versions; publish encrypted images from a private gallery")  # type: ignore[union-attr]


RULES = [encryption_consistency, encryption_not_supported]
