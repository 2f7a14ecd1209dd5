"""SIG306–SIG307: customer-managed-key encryption of versions, region by region."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from sigcheck.engine.rules import AnyRule, CheckContext, Hit, rule
from sigcheck.checks.values import declared, integer, present, related, same, text, where_words
from sigcheck.model.findings import Severity
from sigcheck.syntax.located import UNKNOWN, Located
from sigcheck.model import resources as m


@dataclass
class _RegionKeys:
    """Which disks one target region encrypts with a disk encryption set; None = cannot be known."""

    region: m.TargetRegion
    os_disk: bool | None = False
    data: dict[int, Located[object]] | None = field(default_factory=dict)  # LUN -> its lun value
    luns: list[tuple[int, Located[object]]] = field(default_factory=list)  # every known encryption LUN, in order


def _des_state(disk: m.DiskEncryption | None) -> bool | None:
    """Whether an encryption entry names a disk encryption set: True, False, or None (unknown)."""
    if disk is None or disk.shape.value == "null":
        return False
    if disk.shape.value != "object":
        return None
    des = disk.disk_encryption_set_id
    if des is None or des.value is None:
        return False
    return True if des.value is not UNKNOWN else None


def _region_keys(region: m.TargetRegion) -> _RegionKeys:
    keys = _RegionKeys(region)
    enc = region.encryption
    if enc is None:
        return keys
    if enc.shape.value != "object":
        return _RegionKeys(region, None, None)
    keys.os_disk = _des_state(enc.os_disk_image)
    if enc.data_disk_images_shape is None or enc.data_disk_images_shape.value == "null":
        return keys
    if enc.data_disk_images_shape.value != "array":
        keys.data = None
        return keys
    for item in enc.data_disk_images:
        number = integer(item.lun)
        state = _des_state(item)
        if item.lun is None or number is None or state is None:
            keys.data = None  # an entry we cannot read could be any LUN
            continue
        keys.luns.append((number, item.lun))
        if state and keys.data is not None:
            keys.data.setdefault(number, item.lun)
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
    if m.unreadable(res.data_disks_shape, "array"):
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
    applies_to=m.ImageVersion,
)
def encryption_consistency(res: m.ImageVersion, ctx: CheckContext) -> Iterator[Hit]:
    regions = [_region_keys(region) for region in res.target_regions or []]
    valid = _data_luns(res)
    for keys in regions:
        seen: dict[int, Located[object]] = {}
        for number, lun in keys.luns:
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
    encrypted_luns = sorted({n for k in regions if k.data for n in k.data if valid is None or n in valid})
    for encrypted in encrypted_luns:
        first = next(k for k in regions if k.data and encrypted in k.data)
        for keys in regions:
            if keys.data is not None and encrypted not in keys.data:
                yield Hit(keys.region.name, f"{_region_words(keys.region)} has no disk encryption set for the data disk at LUN {encrypted}, but {_region_words(first.region)} (line {first.region.span.line}) uses one; every target region needs one")


def _encryption_keys(res: m.Replicated) -> Iterator[Located[str]]:
    """The `encryption` property of every target region and extended location that sets one."""
    for enc in res.encryptions:
        if enc.shape.value is not UNKNOWN:  # an unresolved value may be null
            yield enc.key


def _gallery(res: m.Resource, ctx: CheckContext) -> m.Gallery | None:
    gallery_name = res.names[0] if res.names else None
    if gallery_name is None or not gallery_name.known:
        return None
    found = [g for g in declared(ctx.find(m.GALLERY, [gallery_name.value]), m.Gallery) if related(res, g)]
    return found[0] if found else None


@rule(
    "SIG307", "encryption-not-supported", Severity.ERROR,
    "Disk encryption settings are used where the service does not support them: on an application version, or on an image version in a community or directly shared gallery.",
    applies_to=(m.ApplicationVersion, m.ImageVersion),
)
def encryption_not_supported(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    if isinstance(res, m.ApplicationVersion):
        for key in _encryption_keys(res):
            yield Hit(key, "gallery application versions do not support encryption; remove it")
        return
    gallery = _gallery(res, ctx)
    permission = gallery.sharing_permission if gallery is not None else None
    shared = next((p for p in ("Community", "Groups") if same(permission, p)), None)
    if gallery is None or permission is None or shared is None:
        return
    kind = "to a community" if shared == "Community" else "directly (Groups)"
    for key in _encryption_keys(res):
        yield Hit(key, f"gallery '{gallery.full_name}' is shared {kind} ({where_words(res, permission)}), and such galleries cannot hold encrypted image versions; publish encrypted images from a private gallery")


RULES: list[AnyRule] = [encryption_consistency, encryption_not_supported]
