"""One mapping from a located resource body to the typed model, shared by every input kind.

ARM templates, REST bodies and the bodies the script loaders synthesise from command lines all
arrive here as `Node` trees whose spans point into the user's file, so a rule written against the
model fires the same way on all of them.
"""

from __future__ import annotations

from typing import Any

from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.syntax.placeholders import resolved
from sigcheck.model import resources as m


def located(node: Node | None, path: str) -> Located | None:
    if node is None:
        return None
    if node.is_object or node.is_array:
        return Located(node.plain(), node.span, node.origin, path)
    value = resolved(node.value)
    origin = f"'{node.value}' is a placeholder" if value is UNKNOWN and node.value is not UNKNOWN else node.origin
    return Located(value, node.span, origin, path)


def child(node: Node | None, dotted: str) -> Node | None:
    """Follow a dotted path of object keys (case-insensitive, as ARM reads them)."""
    for key in dotted.split("."):
        if node is None:
            return None
        node = node.get_ci(key)
    return node


def value_at(node: Node | None, dotted: str, base: str) -> Located | None:
    return located(child(node, dotted), f"{base}.{dotted}" if base else dotted)


def items(node: Node | None) -> list[tuple[int, Node]]:
    if node is None or not node.is_array:
        return []
    return list(enumerate(node.value))


def build(cls: type[m.Resource], common: dict[str, Any], body: Node | None) -> m.Resource:
    """The model object of type `cls` for a resource whose located body is `body`."""
    fields = dict(common)
    fields.setdefault("body", body)
    if "location" not in fields:
        fields["location"] = value_at(body, "location", "")
    reader = _READERS.get(cls)
    if reader is not None and body is not None:
        fields.update(reader(body))
    return cls(**fields)


def _gallery(body: Node) -> dict[str, Any]:
    return {
        "sharing_permission": value_at(body, "properties.sharingProfile.permissions", ""),
        "community_info": child(body, "properties.sharingProfile.communityGalleryInfo"),
    }


def _features(body: Node) -> list[m.Feature]:
    out = []
    for i, item in items(child(body, "properties.features")):
        base = f"properties.features[{i}]"
        name = value_at(item, "name", base)
        if name is None:
            continue
        out.append(m.Feature(name=name, value=value_at(item, "value", base), span=item.span))
    return out


def _image_definition(body: Node) -> dict[str, Any]:
    p = "properties"
    return {
        "os_type": value_at(body, f"{p}.osType", ""),
        "os_state": value_at(body, f"{p}.osState", ""),
        "hyper_v_generation": value_at(body, f"{p}.hyperVGeneration", ""),
        "architecture": value_at(body, f"{p}.architecture", ""),
        "features": _features(body),
        "publisher": value_at(body, f"{p}.identifier.publisher", ""),
        "offer": value_at(body, f"{p}.identifier.offer", ""),
        "sku": value_at(body, f"{p}.identifier.sku", ""),
        "end_of_life_date": value_at(body, f"{p}.endOfLifeDate", ""),
        "vcpus_min": value_at(body, f"{p}.recommended.vCPUs.min", ""),
        "vcpus_max": value_at(body, f"{p}.recommended.vCPUs.max", ""),
        "memory_min": value_at(body, f"{p}.recommended.memory.min", ""),
        "memory_max": value_at(body, f"{p}.recommended.memory.max", ""),
    }


def _publishing(body: Node) -> dict[str, Any]:
    base = "properties.publishingProfile"
    profile = child(body, base)
    regions_node = child(profile, "targetRegions")
    regions = None
    if regions_node is not None and regions_node.is_array:
        regions = []
        for i, item in items(regions_node):
            path = f"{base}.targetRegions[{i}]"
            if not item.is_object:
                # A region given as a bare string or an unresolved expression.
                regions.append(m.TargetRegion(name=Located(item.value, item.span, item.origin, path), span=item.span))
                continue
            name = value_at(item, "name", path)
            if name is None:
                continue
            regions.append(
                m.TargetRegion(
                    name=name,
                    replica_count=value_at(item, "regionalReplicaCount", path),
                    storage_account_type=value_at(item, "storageAccountType", path),
                    exclude_from_latest=value_at(item, "excludeFromLatest", path),
                    encryption=child(item, "encryption"),
                    span=item.span,
                )
            )
    return {
        "target_regions": regions,
        "target_regions_span": regions_node.span if regions_node is not None else None,
        "replica_count": value_at(profile, "replicaCount", base),
        "storage_account_type": value_at(profile, "storageAccountType", base),
        "storage_account_strategy": value_at(profile, "storageAccountStrategy", base),
        "replication_mode": value_at(profile, "replicationMode", base),
        "exclude_from_latest": value_at(profile, "excludeFromLatest", base),
        "end_of_life_date": value_at(profile, "endOfLifeDate", base),
    }


def _disk_image(node: Node, path: str) -> m.DiskImage:
    return m.DiskImage(
        lun=value_at(node, "lun", path),
        source_id=value_at(node, "source.id", path),
        source_uri=value_at(node, "source.uri", path),
        storage_account_id=value_at(node, "source.storageAccountId", path),
        size_in_gb=value_at(node, "sizeInGB", path),
        span=node.span,
    )


def _image_version(body: Node) -> dict[str, Any]:
    fields = _publishing(body)
    sp = "properties.storageProfile"
    storage = child(body, sp)
    os_disk = child(storage, "osDiskImage")
    fields.update(
        source_id=value_at(storage, "source.id", sp),
        source_vm_id=value_at(storage, "source.virtualMachineId", sp),
        source_uri=value_at(storage, "source.uri", sp),
        community_image_id=value_at(storage, "source.communityGalleryImageId", sp),
        legacy_managed_image_id=value_at(body, "properties.publishingProfile.source.managedImage.id", ""),
        os_disk=_disk_image(os_disk, f"{sp}.osDiskImage") if os_disk is not None and os_disk.is_object else None,
        data_disks=[
            _disk_image(item, f"{sp}.dataDiskImages[{i}]")
            for i, item in items(child(storage, "dataDiskImages"))
            if item.is_object
        ],
    )
    return fields


def _application(body: Node) -> dict[str, Any]:
    return {
        "supported_os_type": value_at(body, "properties.supportedOSType", ""),
        "end_of_life_date": value_at(body, "properties.endOfLifeDate", ""),
    }


def _application_version(body: Node) -> dict[str, Any]:
    fields = _publishing(body)
    fields["media_link"] = value_at(body, "properties.publishingProfile.source.mediaLink", "")
    return fields


def _disk(body: Node) -> dict[str, Any]:
    return {"size_in_gb": value_at(body, "properties.diskSizeGB", "")}


def _sized_disks(storage: Node | None, key: str, base: str) -> list[m.DiskImage]:
    out = []
    for i, item in items(child(storage, key)):
        if item.is_object:
            path = f"{base}.{key}[{i}]"
            out.append(
                m.DiskImage(lun=value_at(item, "lun", path), size_in_gb=value_at(item, "diskSizeGB", path), span=item.span)
            )
    return out


def _virtual_machine(body: Node) -> dict[str, Any]:
    profile = "properties.virtualMachineProfile" if child(body, "properties.virtualMachineProfile") else "properties"
    storage = child(body, f"{profile}.storageProfile")
    return {
        "image_id": value_at(body, f"{profile}.storageProfile.imageReference.id", ""),
        "security_type": value_at(body, f"{profile}.securityProfile.securityType", ""),
        "has_os_profile": child(body, f"{profile}.osProfile") is not None,
        "os_profile": value_at(body, f"{profile}.osProfile", ""),
        "os_disk_size_in_gb": value_at(storage, "osDisk.diskSizeGB", f"{profile}.storageProfile"),
        "data_disk_sizes": _sized_disks(storage, "dataDisks", f"{profile}.storageProfile"),
    }


def _managed_image(body: Node) -> dict[str, Any]:
    base = "properties.storageProfile"
    storage = child(body, base)
    return {
        "os_disk_size_in_gb": value_at(storage, "osDisk.diskSizeGB", base),
        "data_disk_sizes": _sized_disks(storage, "dataDisks", base),
    }


_READERS = {
    m.Gallery: _gallery,
    m.ImageDefinition: _image_definition,
    m.ImageVersion: _image_version,
    m.GalleryApplication: _application,
    m.ApplicationVersion: _application_version,
    m.Disk: _disk,
    m.Snapshot: _disk,
    m.VirtualMachine: _virtual_machine,
    m.VirtualMachineScaleSet: _virtual_machine,
    m.ManagedImage: _managed_image,
}


def segment_spans(name: Located, count: int) -> list[Located]:
    """Split a name like `gallery/def/1.0.0` into located segments.

    When the name was a plain JSON string on one line, each segment points at its own columns;
    otherwise (escapes, expressions) every segment shares the span of the whole value.
    """
    if not name.known or not isinstance(name.value, str):
        return [Located(UNKNOWN, name.span, name.origin, name.path) for _ in range(count)]
    parts = name.value.split("/")
    span = name.span
    exact = span.line == span.end_line and span.end_column - span.column == len(name.value) + 2 and not name.origin
    out = []
    offset = 0
    for part in parts:
        if exact:
            start = span.column + 1 + offset
            part_span = Span(span.path, span.line, start, span.line, start + len(part))
        else:
            part_span = span
        out.append(Located(part, part_span, name.origin, name.path))
        offset += len(part) + 1
    return out
