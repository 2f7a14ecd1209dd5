"""SharedImage distributions of an Image Builder template as model image versions.

The image version Image Builder publishes is an ordinary gallery image version: its names come
from `galleryImageId` (a definition id, or a version id that fixes the version name), its target
regions from `targetRegions` or the older `replicationRegions`, and it is created in the region of
its image definition (rules/imagebuilder/distribute.json, `version_location`). The body built here
has the shape of an ARM image version, with every node at the Image Builder template's own token,
so the region, replica, storage and naming rules read it as they read a template's version.
"""

from __future__ import annotations

from typing import Any, Sequence

from sigcheck.inputs.imagebuilder.constraints import IMAGE_TEMPLATES, check_distributor
from sigcheck.model import resources as m
from sigcheck.model.findings import Finding
from sigcheck.model.from_body import build
from sigcheck.model.ids import reference_target
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.syntax.words import Body, arr, obj, put, scalar

__all__ = ["IMAGE_TEMPLATES", "image_versions"]

SOURCE_KIND = "imagebuilder"


def image_versions(
    body: Node | None,
    api_version: Located[Any] | None,
    path: str,
    span: Span,
    context: m.DeploymentContext,
    known: Sequence[m.Resource] = (),
    template_name: str | None = None,
) -> tuple[list[m.Resource], list[Finding]]:
    """The image versions the SharedImage entries of an imageTemplates body will create, and the
    findings of Image Builder's own constraints for the template's API version.

    `body` is the located, evaluated resource body (`location`, `properties.distribute`); `known`
    are the resources read from the same input, where the image definitions are looked up for the
    region Image Builder creates the version in.
    """
    resources: list[m.Resource] = []
    findings: list[Finding] = []
    properties = body.get_ci("properties") if body is not None else None
    distribute = properties.get_ci("distribute") if properties is not None else None
    if distribute is None or not distribute.is_array:
        return resources, findings
    api = api_version.value if api_version is not None and api_version.known and isinstance(api_version.value, str) else None
    for index, entry in enumerate(distribute.value):
        if not entry.is_object or not _is_shared_image(entry):
            continue
        base = f"properties.distribute[{index}]"
        findings.extend(check_distributor(entry, base, api, template_name))
        version = _version(entry, base, path, span, context, known)
        if version is not None:
            resources.append(version)
    return resources, findings


def _is_shared_image(entry: Node) -> bool:
    kind = entry.get_ci("type")
    return kind is not None and isinstance(kind.value, str) and kind.value.lower() == "sharedimage"


def _version(entry: Node, base: str, path: str, span: Span, context: m.DeploymentContext,
             known: Sequence[m.Resource]) -> m.Resource | None:
    gallery_image = entry.get_ci("galleryImageId")
    if gallery_image is None or gallery_image.value is None:
        return None  # reported as missing by the constraints; there is no version to describe
    names = _names(gallery_image, base)
    if names is None:
        return None
    version = Body(entry.span)
    version.set("location", _location(gallery_image, names, known))
    profile = version.set("properties.publishingProfile", obj(entry.span))
    regions = _target_regions(entry)
    if regions is not None:
        put(profile, "targetRegions", regions, _key_span(entry, "targetRegions") or _key_span(entry, "replicationRegions"))
    for aib_key, key in (("storageAccountType", "storageAccountType"), ("excludeFromLatest", "excludeFromLatest"),
                         ("replicationMode", "replicationMode")):
        node = entry.get_ci(aib_key)
        if node is not None:
            put(profile, key, node, _key_span(entry, aib_key))
    # Image Builder publishes the image it has just built: a source that exists, but not in the file.
    source = scalar(UNKNOWN, entry.span, "the image Image Builder builds")
    version.set("properties.storageProfile.source.id", source)
    common: dict[str, Any] = {
        "source_kind": SOURCE_KIND,
        "path": path,
        "span": entry.span,
        "names": names,
        # The gallery API version Image Builder calls with is its own business, not the template's.
        "api_version": None,
        "context": context,
    }
    return build(m.ImageVersion, common, version.root)


def _names(gallery_image: Node, base: str) -> list[Located[Any]] | None:
    """Gallery, definition and version name from `galleryImageId`, each at its own characters when
    the id is written as one literal string. None when the id names no gallery image."""
    where = f"{base}.galleryImageId"
    value = gallery_image.value
    if value is UNKNOWN:
        unknown = Located(UNKNOWN, gallery_image.span, gallery_image.origin, where)
        return [unknown, unknown, Located(UNKNOWN, gallery_image.span, gallery_image.origin, where)]
    target = reference_target(value)
    if target is None:
        return None
    type_name, parts = target
    lowered = type_name.lower()
    if lowered == m.IMAGE_DEFINITION.lower() and len(parts) == 2:
        located = _segment_spans(gallery_image, parts, where)
        numbered = Located(UNKNOWN, gallery_image.span, "Image Builder numbers the version it creates", where)
        return [*located, numbered]
    if lowered == m.IMAGE_VERSION.lower() and len(parts) == 3:
        return _segment_spans(gallery_image, parts, where)
    return None


def _segment_spans(node: Node, parts: list[str], where: str) -> list[Located[Any]]:
    text = node.value if type(node.value) is str else ""
    span = node.span
    exact = span.line == span.end_line and span.end_column - span.column == len(text) + 2 and node.origin is None
    offsets: dict[str, int] = {}
    position = 0
    segments = text.split("/")
    for i, segment in enumerate(segments[:-1]):
        position += len(segment) + 1
        if segment.lower() in ("galleries", "images", "versions"):
            offsets[segment.lower()] = position  # the last occurrence: the id's own, not a scope's
    out = []
    for part, collection in zip(parts, ("galleries", "images", "versions")):
        at = offsets.get(collection)
        if exact and at is not None and text[at:at + len(part)] == part:
            start = span.column + 1 + at
            out.append(Located(part, Span(span.path, span.line, start, span.line, start + len(part)), None, where))
        else:
            out.append(Located(part, span, node.origin, where))
    return out


def _location(gallery_image: Node, names: list[Located[Any]], known: Sequence[m.Resource]) -> Node:
    """The version's region: its image definition's, when the definition is declared beside it."""
    gallery, image = names[0].value, names[1].value
    if isinstance(gallery, str) and isinstance(image, str):
        for res in known:
            if not isinstance(res, m.ImageDefinition) or len(res.names) != 2:
                continue
            found = [n.value.lower() if isinstance(n.value, str) else None for n in res.names]
            if found != [gallery.lower(), image.lower()]:
                continue
            location = res.effective_location
            if location is not None and location.known:
                origin = f"the region of image definition {gallery}/{image}, line {location.span.line}"
                return scalar(location.value, gallery_image.span, origin)
    return scalar(UNKNOWN, gallery_image.span, "Image Builder creates the version in its image definition's region")


def _target_regions(entry: Node) -> Node | None:
    targets = entry.get_ci("targetRegions")
    if targets is not None:
        if not targets.is_array:
            return targets  # an unresolved list: unknown, never guessed
        items = []
        for item in targets.value:
            if not item.is_object:
                items.append(item)
                continue
            region = obj(item.span, item.origin)
            for aib_key, key in (("name", "name"), ("replicaCount", "regionalReplicaCount"),
                                 ("storageAccountType", "storageAccountType")):
                node = item.get_ci(aib_key)
                if node is not None:
                    put(region, key, node, _key_span(item, aib_key))
            items.append(region)
        return arr(targets.span, items)
    replication = entry.get_ci("replicationRegions")
    if replication is None:
        return None
    if not replication.is_array:
        return replication
    items = []
    for item in replication.value:
        region = obj(item.span, item.origin)
        put(region, "name", item)
        items.append(region)
    return arr(replication.span, items)


def _key_span(node: Node, key: str) -> Span | None:
    for name, span in (node.key_spans or {}).items():
        if name.lower() == key.lower():
            return span
    return None
