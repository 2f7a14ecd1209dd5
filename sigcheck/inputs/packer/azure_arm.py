"""A Packer `azure-arm` source (HCL2 `source "azure-arm"` block or legacy JSON builder) as the
gallery image version Packer will publish, after what Packer itself does to the configuration.

Both template forms arrive here as one located object (`Node`): attributes are members, a block
is an object member, repeated `target_region` blocks are an array. Packer's behaviour comes from
rules/packer/azure_arm.json: a Go zero value ("", 0, false, null) is unset; the version is created
in the build location; `replication_regions` gets the build location appended when it lacks it,
`target_region` blocks do not, and no regions at all means the build location alone; replica
counts are clamped to 1..100. What Packer refuses on its own is reported as SIG003 with Packer's
own words.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from sigcheck.model import diagnostics
from sigcheck.model import resources as m
from sigcheck.model import facts
from sigcheck.model.findings import Finding
from sigcheck.model.from_body import build
from sigcheck.model.regions import normalize_region
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.syntax.words import Body, arr, obj, put, scalar

SOURCE_KIND = "packer"
DESTINATION = "shared_image_gallery_destination"


@cache
def packer_facts() -> dict[str, Any]:
    data: dict[str, Any] = facts.load("packer/azure_arm")
    return data


def _message(key: str, *args: str) -> str:
    text: str = packer_facts()["messages"][key]
    return text % args if args else text


def is_set(node: Node | None) -> bool:
    """Known and not Packer's zero value."""
    return node is not None and node.value is not UNKNOWN and node.value not in (None, "", False, 0) \
        and not (node.is_array and not node.value)


def maybe_set(node: Node | None) -> bool:
    """Set, or unknown (so possibly set)."""
    return node is not None and (node.value is UNKNOWN or is_set(node))


class _Source:
    """One azure-arm source: its attributes and what Packer reports about them."""

    def __init__(self, node: Node, name: str, path: str, context: m.DeploymentContext) -> None:
        self.node = node
        self.name = name
        self.path = path
        self.context = context
        self.findings: list[Finding] = []

    def attr(self, key: str, inside: Node | None = None) -> Node | None:
        holder = self.node if inside is None else inside
        return holder.get(key) if holder.is_object else None

    def key_span(self, key: str, inside: Node | None = None) -> Span:
        holder = self.node if inside is None else inside
        spans = holder.key_spans or {}
        return spans.get(key, holder.span)

    def reject(self, span: Span, key: str, *args: str, prop: str = "") -> None:
        self.findings.append(diagnostics.usage_error(
            span, f"Packer (azure-arm) rejects this before building: {_message(key, *args)}",
            resource_type="packer azure-arm source", resource_name=self.name, property_path=prop))


def image_version(node: Node, name: str, path: str, context: m.DeploymentContext) -> tuple[list[m.Resource], list[Finding]]:
    """The image version an azure-arm source publishes (none when it publishes to no gallery),
    and what Packer itself rejects in the source."""
    src = _Source(node, name, path, context)
    _check_source_image(src)
    location = _build_location(src)
    dest = src.attr(DESTINATION)
    if dest is None or not dest.is_object or not maybe_set(src.attr("gallery_name", dest)):
        return [], src.findings
    version = _version(src, dest, location)
    return ([version] if version is not None else []), src.findings


def _build_location(src: _Source) -> Node:
    """The region the version is created in, as a located node (UNKNOWN when not static)."""
    location = src.attr("location")
    group = src.attr("build_resource_group_name")
    if is_set(location) and is_set(group):
        src.reject(src.key_span("build_resource_group_name"), "location_and_build_resource_group", prop="build_resource_group_name")
    if location is not None and maybe_set(location):
        return location
    if group is not None and maybe_set(group):
        shown = f"'{group.value}'" if group.value is not UNKNOWN else "given in build_resource_group_name"
        return scalar(UNKNOWN, group.span, f"the location of the existing resource group {shown}")
    return scalar(UNKNOWN, src.node.span, "the build location")


def _version(src: _Source, dest: Node, location: Node) -> m.Resource | None:
    required = (("resource_group", "resource_group_required"), ("image_name", "image_name_required"),
                ("image_version", "image_version_required"))
    missing = False
    for key, message in required:
        if not maybe_set(src.attr(key, dest)):
            src.reject(src.key_span(DESTINATION), message, prop=f"{DESTINATION}.{key}")
            missing = True
    if missing:
        return None  # Packer stops here: no version is published
    body = Body(dest.span)
    body.set("location", location)
    profile = body.set("properties.publishingProfile", obj(dest.span))
    regions = _target_regions(src, dest, location)
    if regions is not None:
        put(profile, "targetRegions", regions[0], regions[1])
    _storage_type(src, dest, profile)
    _publishing_extras(src, dest, profile)
    source_key = "id" if is_set(src.attr("managed_image_name")) else "virtualMachineId"
    origin = "the managed image Packer builds" if source_key == "id" else "the build VM"
    body.set(f"properties.storageProfile.source.{source_key}", scalar(UNKNOWN, src.node.span, origin))
    names = [_located(src.attr(key, dest), src.key_span(DESTINATION), key)
             for key in ("gallery_name", "image_name", "image_version")]
    common: dict[str, Any] = {
        "source_kind": SOURCE_KIND,
        "path": src.path,
        "span": dest.span,
        "names": names,
        # Packer calls the gallery with its own API version (rules/packer/azure_arm.json); the body is
        # Packer's, typed and checked by Packer, so the schema rules have nothing of the user's to read.
        "api_version": None,
        "context": src.context,
    }
    return build(m.ImageVersion, common, body.root)


def _located(node: Node | None, fallback: Span, key: str) -> Located[Any]:
    where = f"{DESTINATION}.{key}"
    if node is None:
        return Located(UNKNOWN, fallback, None, where)
    span = node.span
    if (type(node.value) is str and node.origin is None and span.line == span.end_line
            and span.end_column - span.column == len(node.value) + 2):
        # A literal string: the name itself, inside its quotes.
        span = Span(span.path, span.line, span.column + 1, span.line, span.end_column - 1)
    return Located(node.value, span, node.origin, where)


def _target_regions(src: _Source, dest: Node, location: Node) -> tuple[Node, Span] | None:
    blocks = src.attr("target_region", dest)
    listed = src.attr("replication_regions", dest)
    replica_count = src.attr("shared_image_gallery_replica_count")
    if is_set(blocks) and is_set(listed):
        src.reject(src.key_span("replication_regions", dest), "replication_with_target_region", prop=f"{DESTINATION}.replication_regions")
    if is_set(blocks) and is_set(replica_count):
        src.reject(src.key_span("shared_image_gallery_replica_count"), "replica_count_with_target_region", prop="shared_image_gallery_replica_count")
    if blocks is not None and maybe_set(blocks):
        return _from_blocks(src, dest, blocks), src.key_span("target_region", dest)
    if listed is not None and maybe_set(listed):
        return _from_list(listed, location, replica_count), src.key_span("replication_regions", dest)
    # Neither: the build location is the one target region (packer-pr-381).
    region = obj(location.span)
    put(region, "name", _with_origin(location, "the build location, Packer's only target region when none is given"))
    if replica_count is not None and maybe_set(replica_count):
        put(region, "regionalReplicaCount", _replicas(replica_count))
    return arr(location.span, [region]), location.span


def _from_blocks(src: _Source, dest: Node, blocks: Node) -> Node:
    if not blocks.is_array:
        return blocks  # unresolved: unknown, never guessed
    cvm = src.attr("confidential_vm_image_encryption_type", dest)
    cvm_values = packer_facts()["confidential_vm_image_encryption_types"]
    if is_set(cvm) and cvm is not None and cvm.value not in cvm_values["values"]:
        src.reject(cvm.span, "cvm_type_value", prop=f"{DESTINATION}.confidential_vm_image_encryption_type")
    items = []
    for block in blocks.value:
        if not block.is_object:
            items.append(block)
            continue
        region = obj(block.span, block.origin)
        name = block.get("name")
        if name is not None:
            put(region, "name", name, src.key_span("name", block))
        replicas = block.get("replicas")
        if replicas is not None and maybe_set(replicas):
            put(region, "regionalReplicaCount", _replicas(replicas), src.key_span("replicas", block))
        des = block.get("disk_encryption_set_id")
        if des is not None and maybe_set(des):
            if is_set(cvm) and cvm is not None and cvm.value != cvm_values["with_disk_encryption_set"]:
                src.reject(des.span, "cvm_type_with_disk_encryption_set", prop=f"{DESTINATION}.target_region.disk_encryption_set_id")
            encryption = obj(des.span)
            os_disk = put(encryption, "osDiskImage", obj(des.span))
            put(os_disk, "diskEncryptionSetId", des)
            put(region, "encryption", encryption, src.key_span("disk_encryption_set_id", block))
        items.append(region)
    return arr(blocks.span, items)


def _from_list(listed: Node, location: Node, replica_count: Node | None) -> Node:
    if not listed.is_array:
        return scalar(UNKNOWN, listed.span, listed.origin or "replication_regions is not a list")
    items = []
    found_build_location = False
    build = location.value if isinstance(location.value, str) else None
    for entry in listed.value:
        region = obj(entry.span, entry.origin)
        put(region, "name", entry)
        if replica_count is not None and maybe_set(replica_count):
            put(region, "regionalReplicaCount", _replicas(replica_count))
        items.append(region)
        if build is not None and isinstance(entry.value, str) and normalize_region(entry.value) == normalize_region(build):
            found_build_location = True
    if not found_build_location:
        # "SIG requires that replication regions include the region in which the created image
        # version resides" (builder.go): Packer appends the build location itself. When the build
        # location is unknown, whether it is already listed is unknown too.
        region = obj(location.span)
        put(region, "name", _with_origin(location, "the build location, which Packer adds to replication_regions"))
        if replica_count is not None and maybe_set(replica_count):
            put(region, "regionalReplicaCount", _replicas(replica_count))
        items.append(region)
    return arr(listed.span, items)


def _with_origin(node: Node, origin: str) -> Node:
    return scalar(node.value, node.span, f"{node.origin}; {origin}" if node.origin else origin)


def _replicas(node: Node) -> Node:
    """The replica count Packer sends: numbers it reads from strings, clamped to 1..100."""
    spec = packer_facts()["replicas"]
    value = node.value
    # ASCII digits only ('²' passes str.isdigit() but not int()), and no more than fit 64 bits.
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,18}", value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        return scalar(UNKNOWN, node.span, node.origin)
    clamped = min(max(value, spec["min"]), spec["max"])
    if clamped != value:
        note = f"{value} written; Packer sends {clamped}"
        return scalar(clamped, node.span, f"{node.origin}; {note}" if node.origin else note)
    return scalar(value, node.span, node.origin)


def _storage_type(src: _Source, dest: Node, profile: Node) -> None:
    spec = packer_facts()["storage_account_types"]
    given = src.attr("storage_account_type", dest)
    if given is not None and is_set(given):
        if isinstance(given.value, str) and given.value not in spec["values"]:
            src.reject(given.span, "storage_account_type", given.value, prop=f"{DESTINATION}.storage_account_type")
            return
        put(profile, "storageAccountType", given, src.key_span("storage_account_type", dest))
    elif given is not None and given.value is UNKNOWN:
        put(profile, "storageAccountType", given, src.key_span("storage_account_type", dest))


def _publishing_extras(src: _Source, dest: Node, profile: Node) -> None:
    shallow = src.attr("use_shallow_replication", dest)
    if shallow is not None and maybe_set(shallow):
        mode = "Shallow" if shallow.value is True else UNKNOWN
        put(profile, "replicationMode", scalar(mode, shallow.span, shallow.origin), src.key_span("use_shallow_replication", dest))
    count = src.attr("shared_image_gallery_replica_count")
    if count is not None and maybe_set(count):
        put(profile, "replicaCount", _replicas(count), src.key_span("shared_image_gallery_replica_count"))
    for key, target in (("shared_gallery_image_version_exclude_from_latest", "excludeFromLatest"),
                        ("shared_gallery_image_version_end_of_life_date", "endOfLifeDate")):
        node = src.attr(key)
        if node is not None and maybe_set(node):
            put(profile, target, node, src.key_span(key))
    specialized = src.attr("specialized", dest)
    if is_set(specialized) and is_set(src.attr("managed_image_name")):
        assert specialized is not None
        src.reject(specialized.span, "specialized_managed_image", prop=f"{DESTINATION}.specialized")


def _check_source_image(src: _Source) -> None:
    """Packer's own checks of `shared_image_gallery` as the build's source image (§3.4)."""
    gallery = src.attr("shared_image_gallery")
    if gallery is not None and gallery.is_object and is_set(gallery.get("id")):
        if is_set(gallery.get("gallery_name")):
            src.reject(src.key_span("id", gallery), "source_id_with_gallery_name", prop="shared_image_gallery.id")
        elif any(is_set(gallery.get(k)) for k in ("subscription", "resource_group", "image_name", "image_version")):
            src.reject(src.key_span("id", gallery), "source_id_with_fields", prop="shared_image_gallery.id")
    kinds = [
        is_set(src.attr("image_url")),
        any(is_set(src.attr(k)) for k in ("image_publisher", "image_offer", "image_sku")),
        is_set(src.attr("custom_managed_disk_image_name")),
        gallery is not None and gallery.is_object and bool(gallery.value),
    ]
    if sum(kinds) > 1 and gallery is not None:
        src.reject(src.key_span("shared_image_gallery"), "source_kinds", prop="shared_image_gallery")
