"""SIG3xx: disks and sources of image versions."""

from __future__ import annotations

from functools import cache
from typing import Iterator

from sigcheck import facts
from sigcheck.checks.api import CheckContext, Hit, rule
from sigcheck.findings import Severity
from sigcheck.location import Located
from sigcheck.model import resources as m
from sigcheck.model.ids import reference_target


@cache
def _limits() -> tuple[int, int]:
    limits = facts.load("limits")
    return limits["data_disk_max_gb"]["value"], limits["shallow_replication"]["max_image_size_gb"]


def _number(item: Located | None) -> int | float | None:
    if item is None or not item.known or isinstance(item.value, bool) or not isinstance(item.value, (int, float)):
        return None
    return item.value


def _declared(ref: Located | None, ctx: CheckContext, types: tuple[str, ...]) -> m.Resource | None:
    """The resource of the run that a source id points at, when it is declared there."""
    if ref is None or not ref.known:
        return None
    target = reference_target(ref.value)
    if target is None or target[0].lower() not in {t.lower() for t in types}:
        return None
    found = ctx.find(*target)
    return found[0] if found else None


def _source_sizes(res: m.ImageVersion, ctx: CheckContext) -> Iterator[tuple[Located, str, int | float, bool]]:
    """(where, what, size in GB, is a data disk) for every disk whose size can be known."""
    for disk in res.data_disks:
        lun = disk.lun.value if disk.lun is not None and disk.lun.known else "?"
        size = _number(disk.size_in_gb)
        if size is not None:
            yield disk.size_in_gb, f"data disk at LUN {lun}", size, True  # type: ignore[misc]
        source = _declared(disk.source_id, ctx, (m.DISK, m.SNAPSHOT))
        if isinstance(source, m.Disk) and (size := _number(source.size_in_gb)) is not None:
            yield disk.source_id, f"data disk at LUN {lun} ({source.type_name.split('/')[-1][:-1]} '{source.full_name}')", size, True  # type: ignore[misc]
    if res.os_disk is not None:
        size = _number(res.os_disk.size_in_gb)
        if size is not None:
            yield res.os_disk.size_in_gb, "OS disk", size, False  # type: ignore[misc]
        source = _declared(res.os_disk.source_id, ctx, (m.DISK, m.SNAPSHOT))
        if isinstance(source, m.Disk) and (size := _number(source.size_in_gb)) is not None:
            yield res.os_disk.source_id, f"OS disk ({source.type_name.split('/')[-1][:-1]} '{source.full_name}')", size, False  # type: ignore[misc]
    for ref in (res.source_id, res.source_vm_id):
        source = _declared(ref, ctx, (m.VIRTUAL_MACHINE, m.MANAGED_IMAGE))
        if not isinstance(source, (m.VirtualMachine, m.ManagedImage)):
            continue
        kind = "VM" if isinstance(source, m.VirtualMachine) else "managed image"
        for disk in source.data_disk_sizes:
            if (size := _number(disk.size_in_gb)) is not None:
                lun = disk.lun.value if disk.lun is not None and disk.lun.known else "?"
                yield ref, f"data disk at LUN {lun} of source {kind} '{source.full_name}'", size, True  # type: ignore[misc]
        if (size := _number(source.os_disk_size_in_gb)) is not None:
            yield ref, f"OS disk of source {kind} '{source.full_name}'", size, False  # type: ignore[misc]


@rule(
    "SIG301", "disk-size-limit", Severity.ERROR,
    "A data disk of an image version is larger than 1 TB, or a disk of a shallow-replicated version is larger than 32 TB.",
    applies_to=(m.ImageVersion,),
)
def disk_size_limit(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    assert isinstance(res, m.ImageVersion)
    data_max, shallow_max = _limits()
    shallow = res.replication_mode is not None and res.replication_mode.known and \
        str(res.replication_mode.value).lower() == "shallow"
    for where, what, size, is_data in _source_sizes(res, ctx):
        if shallow:
            if size > shallow_max:
                yield Hit(where, f"{what} is {size:g} GB; Shallow replication supports disks up to {shallow_max} GB (32 TB)")
        elif is_data and size > data_max:
            yield Hit(where, f"{what} is {size:g} GB; image version data disks cannot exceed {data_max} GB (1 TB)")


RULES = [disk_size_limit]
