"""One mapping from a located resource body to the typed model, shared by every input kind.

ARM templates, REST bodies and the bodies the script loaders synthesise from command lines all
arrive here as `Node` trees whose spans point into the user's file, so a rule written against the
model fires the same way on all of them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.syntax.placeholders import resolved
from sigcheck.model import resources as m


def located(node: Node | None, path: str) -> Located[object] | None:
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


@lru_cache(maxsize=4096)
def _joined(base: str, dotted: str) -> str:
    """`base.dotted`, one string per distinct path: every resource of a large template has the
    same property paths, and its model keeps one per located value."""
    return f"{base}.{dotted}" if base else dotted


def value_at(node: Node | None, dotted: str, base: str) -> Located[object] | None:
    return located(child(node, dotted), _joined(base, dotted))


def text_at(node: Node | None, dotted: str, base: str) -> Located[str] | None:
    """A string property: None when absent, null or of another JSON type (the schema rules
    report a wrong type), else the string or UNKNOWN."""
    found = child(node, dotted)
    if found is None or not (found.value is UNKNOWN or isinstance(found.value, str)):
        return None
    return Located(found.value, found.span, found.origin, _joined(base, dotted))


def as_text(item: Located[Any] | None) -> Located[str] | None:
    """A located value the loaders supplied, kept when it is a string or UNKNOWN."""
    if item is None or not (item.value is UNKNOWN or isinstance(item.value, str)):
        return None
    return item


def shape_of(node: Node | None, path: str) -> m.Shape | None:
    """How a property was written: its JSON kind, or UNKNOWN when unresolved; None when absent."""
    return _shape(node, path) if node is not None else None


def _shape(node: Node, path: str) -> m.Shape:
    value = node.value
    if value is UNKNOWN:
        kind = UNKNOWN
    elif node.is_object:
        kind = "object"
    elif node.is_array:
        kind = "array"
    elif value is None:
        kind = "null"
    elif isinstance(value, bool):
        kind = "boolean"
    elif isinstance(value, (int, float)):
        kind = "number"
    elif isinstance(value, str):
        kind = "string"
    else:
        kind = "other"  # an evaluated value that is no JSON node (a function result)
    return Located(kind, node.span, node.origin, path)


def key_of(node: Node | None, key: str, path: str) -> Located[str] | None:
    """The property name `key` of an object node as a located value (its span is the key's)."""
    if node is None or not node.is_object:
        return None
    spans = node.key_spans or {}
    lowered = key.lower()
    for name in spans:
        if name.lower() == lowered:
            return Located(name, spans[name], path=path)
    return None


def opaque_along(body: Node | None, dotted: str) -> bool:
    """Whether a container on the way to `dotted` is there but unreadable (an unresolved
    expression, or not an object), so that what lies below it cannot be known to be absent."""
    node = body
    for key in dotted.split("."):
        if node is None or node.value is None:
            return False
        if not node.is_object:
            return True
        node = node.get_ci(key)
    return node is not None and node.value is UNKNOWN


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
    fields["api_version"] = as_text(fields.get("api_version"))
    written = fields["body"]
    fields["location_in_body"] = written is None or written.get_ci("location") is not None
    if body is not None:
        fields["properties_key"] = key_of(body, "properties", "properties")
        fields.update(_tags(body))
    reader = _READERS.get(cls)
    if reader is not None and body is not None:
        fields.update(reader(body))
    return cls(**fields)


def _tags(body: Node) -> dict[str, Any]:
    tags = body.get_ci("tags")
    if tags is None:
        return {}
    names = [Located(name, span, path=f"tags.{name}") for name, span in (tags.key_spans or {}).items()] if tags.is_object else []
    return {"tags": names, "tags_shape": _shape(tags, "tags"), "tags_key": key_of(body, "tags", "tags")}


def _gallery(body: Node) -> dict[str, Any]:
    base = "properties.sharingProfile.communityGalleryInfo"
    info = child(body, base)
    return {
        "sharing_permission": text_at(body, "properties.sharingProfile.permissions", ""),
        "community_info": m.CommunityGalleryInfo(
            span=info.span,
            eula=text_at(info, "eula", base),
            public_name_prefix=text_at(info, "publicNamePrefix", base),
            publisher_contact=text_at(info, "publisherContact", base),
            publisher_uri=text_at(info, "publisherUri", base),
        ) if info is not None and info.value is not None else None,
    }


def _features(body: Node) -> list[m.Feature]:
    out = []
    for i, item in items(child(body, "properties.features")):
        base = f"properties.features[{i}]"
        name = text_at(item, "name", base)
        if name is None:
            continue
        out.append(m.Feature(name=name, value=text_at(item, "value", base), span=item.span))
    return out


def _image_definition(body: Node) -> dict[str, Any]:
    p = "properties"
    return {
        "os_type": text_at(body, f"{p}.osType", ""),
        "os_state": text_at(body, f"{p}.osState", ""),
        "hyper_v_generation": value_at(body, f"{p}.hyperVGeneration", ""),
        "architecture": text_at(body, f"{p}.architecture", ""),
        "features": _features(body),
        "features_shape": shape_of(child(body, f"{p}.features"), f"{p}.features"),
        "identifier": value_at(body, f"{p}.identifier", ""),
        "publisher": text_at(body, f"{p}.identifier.publisher", ""),
        "offer": text_at(body, f"{p}.identifier.offer", ""),
        "sku": text_at(body, f"{p}.identifier.sku", ""),
        "end_of_life_date": text_at(body, f"{p}.endOfLifeDate", ""),
        "vcpus_min": value_at(body, f"{p}.recommended.vCPUs.min", ""),
        "vcpus_max": value_at(body, f"{p}.recommended.vCPUs.max", ""),
        "memory_min": value_at(body, f"{p}.recommended.memory.min", ""),
        "memory_max": value_at(body, f"{p}.recommended.memory.max", ""),
    }


def _disk_encryption(node: Node, path: str, lun: bool) -> m.DiskEncryption:
    return m.DiskEncryption(
        span=node.span,
        shape=_shape(node, path),
        lun=value_at(node, "lun", path) if lun else None,
        disk_encryption_set_id=value_at(node, "diskEncryptionSetId", path),
        confidential_vm_encryption_type=None if lun else text_at(node, "securityProfile.confidentialVMEncryptionType", path),
        secure_vm_disk_encryption_set_id=None if lun else value_at(node, "securityProfile.secureVMDiskEncryptionSetId", path),
    )


def _encryption(item: Node, path: str) -> m.RegionEncryption | None:
    """`encryption` of a target region or extended location; None when absent or null."""
    node = item.get_ci("encryption") if item.is_object else None
    key = key_of(item, "encryption", path)
    if node is None or node.value is None or key is None:
        return None
    os_disk = node.get_ci("osDiskImage") if node.is_object else None
    data = node.get_ci("dataDiskImages") if node.is_object else None
    return m.RegionEncryption(
        key=key,
        shape=_shape(node, path),
        os_disk_image=_disk_encryption(os_disk, f"{path}.osDiskImage", lun=False)
        if os_disk is not None and os_disk.value is not None else None,
        data_disk_images=[
            _disk_encryption(disk, f"{path}.dataDiskImages[{i}]", lun=True) for i, disk in items(data)
        ],
        data_disk_images_shape=shape_of(data, f"{path}.dataDiskImages"),
    )


def _publishing(body: Node) -> dict[str, Any]:
    base = "properties.publishingProfile"
    profile = child(body, base)
    regions_node = child(profile, "targetRegions")
    regions = None
    encryptions: list[m.RegionEncryption] = []
    if regions_node is not None and regions_node.is_array:
        regions = []
        for i, item in items(regions_node):
            path = f"{base}.targetRegions[{i}]"
            if not item.is_object:
                # A region given as a bare string or an unresolved expression.
                regions.append(m.TargetRegion(name=Located(item.value, item.span, item.origin, path), span=item.span))
                continue
            encryption = _encryption(item, f"{path}.encryption")
            if encryption is not None:
                encryptions.append(encryption)
            name = value_at(item, "name", path)
            if name is None:
                continue
            regions.append(
                m.TargetRegion(
                    name=name,
                    replica_count=value_at(item, "regionalReplicaCount", path),
                    storage_account_type=value_at(item, "storageAccountType", path),
                    exclude_from_latest=value_at(item, "excludeFromLatest", path),
                    encryption=encryption,
                    span=item.span,
                )
            )
    extended = []
    for i, item in items(child(profile, "targetExtendedLocations")):
        if not item.is_object:
            continue
        path = f"{base}.targetExtendedLocations[{i}]"
        encryption = _encryption(item, f"{path}.encryption")
        if encryption is not None:
            encryptions.append(encryption)
        extended.append(m.TargetExtendedLocation(
            name=text_at(item, "extendedLocation.name", path),
            storage_account_type=text_at(item, "storageAccountType", path),
            encryption=encryption,
            span=item.span,
        ))
    return {
        "target_regions": regions,
        "target_regions_shape": shape_of(regions_node, f"{base}.targetRegions"),
        "encryptions": encryptions,
        "target_extended_locations": extended,
        "publishing_profile_key": key_of(child(body, "properties"), "publishingProfile", base),
        "replica_count": value_at(profile, "replicaCount", base),
        "storage_account_type": value_at(profile, "storageAccountType", base),
        "storage_account_strategy": value_at(profile, "storageAccountStrategy", base),
        "replication_mode": text_at(profile, "replicationMode", base),
        "exclude_from_latest": value_at(profile, "excludeFromLatest", base),
        "end_of_life_date": text_at(profile, "endOfLifeDate", base),
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


# Where an image version's source may be given; an unreadable container on the way may hide it.
_SOURCE_PATHS = (
    "properties.storageProfile.source", "properties.storageProfile.osDiskImage.source",
    "properties.storageProfile.dataDiskImages", "properties.publishingProfile.source.managedImage",
)


def _image_version(body: Node) -> dict[str, Any]:
    fields = _publishing(body)
    sp = "properties.storageProfile"
    storage = child(body, sp)
    os_disk = child(storage, "osDiskImage")
    data_disks = child(storage, "dataDiskImages")
    fields.update(
        storage_profile_key=key_of(child(body, "properties"), "storageProfile", sp),
        source_id=value_at(storage, "source.id", sp),
        source_vm_id=value_at(storage, "source.virtualMachineId", sp),
        source_uri=value_at(storage, "source.uri", sp),
        community_image_id=value_at(storage, "source.communityGalleryImageId", sp),
        legacy_managed_image_id=value_at(body, "properties.publishingProfile.source.managedImage.id", ""),
        source_hidden=any(opaque_along(body, path) for path in _SOURCE_PATHS),
        os_disk=_disk_image(os_disk, f"{sp}.osDiskImage") if os_disk is not None and os_disk.is_object else None,
        data_disks=[
            _disk_image(item, f"{sp}.dataDiskImages[{i}]")
            for i, item in items(data_disks)
            if item.is_object
        ],
        data_disks_shape=shape_of(data_disks, f"{sp}.dataDiskImages"),
    )
    return fields


def _application(body: Node) -> dict[str, Any]:
    return {
        "supported_os_type": text_at(body, "properties.supportedOSType", ""),
        "end_of_life_date": text_at(body, "properties.endOfLifeDate", ""),
    }


def _application_version(body: Node) -> dict[str, Any]:
    fields = _publishing(body)
    fields["media_link"] = text_at(body, "properties.publishingProfile.source.mediaLink", "")
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
        "image_id": text_at(body, f"{profile}.storageProfile.imageReference.id", ""),
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


_READERS: dict[type[m.Resource], Callable[[Node], dict[str, Any]]] = {
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


def segment_spans(name: Located[Any], count: int) -> list[Located[str]]:
    """Split a name like `gallery/def/1.0.0` into located segments.

    When the name was a plain JSON string on one line, each segment points at its own columns;
    otherwise (escapes, expressions) every segment shares the span of the whole value.
    """
    if not name.known or not isinstance(name.value, str):
        return [Located(UNKNOWN, name.span, name.origin, name.path) for _ in range(count)]
    parts = name.value.split("/")
    span = name.span
    exact = span.line == span.end_line and span.end_column - span.column == len(name.value) + 2 and not name.origin
    out: list[Located[str]] = []
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
