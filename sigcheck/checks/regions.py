"""SIG2xx: source region, target regions and replication."""

from __future__ import annotations

from functools import cache
from typing import Iterator

from sigcheck import facts
from sigcheck.checks.api import CheckContext, Hit, rule
from sigcheck.findings import Severity
from sigcheck.location import Located
from sigcheck.model import resources as m
from sigcheck.model.regions import normalize_region

_REPLICATED = (m.ImageVersion, m.ApplicationVersion)


@cache
def region_table() -> dict[str, dict]:
    return facts.load("regions")["regions"]


def region_info(name: str) -> dict | None:
    return region_table().get(normalize_region(name))


def _text(item: Located | None) -> str | None:
    if item is None or not item.known or not isinstance(item.value, str):
        return None
    return item.value


def _all_region_names(res: m._Replicated) -> list[tuple[m.TargetRegion, str]] | None:
    """Target regions with their names, or None when any name is unknown (then nothing is sure)."""
    if res.target_regions is None:
        return None
    out = []
    for region in res.target_regions:
        text = _text(region.name)
        if text is None:
            return None
        out.append((region, text))
    return out


@rule(
    "SIG201", "source-region-not-targeted", Severity.ERROR,
    "The source region of an image or application version is not one of its target regions.",
    applies_to=_REPLICATED,
)
def source_region_not_targeted(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    assert isinstance(res, m._Replicated)
    location = res.effective_location
    source = _text(location)
    regions = _all_region_names(res)
    if source is None or location is None or not regions:
        return
    targets = {normalize_region(name) for _, name in regions}
    if normalize_region(source) in targets:
        return
    listed = ", ".join(name for _, name in regions)
    if res.location is None:
        # The location comes from the deployment context, not the file: point at the list.
        where = Located(source, res.target_regions_span or res.span, path="properties.publishingProfile.targetRegions")
        yield Hit(where, f"the resource group location '{source}' (the version's source region) is not among the target regions {listed}")
        return
    yield Hit(location, f"location {location.described()} is not among the target regions {listed}; the source region must be replicated to")


@rule(
    "SIG202", "duplicate-target-region", Severity.ERROR,
    "A region appears more than once in a version's target regions.",
    applies_to=_REPLICATED,
)
def duplicate_target_region(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    assert isinstance(res, m._Replicated)
    seen: dict[str, Located] = {}
    for region in res.target_regions or []:
        name = _text(region.name)
        if name is None:
            continue
        key = normalize_region(name)
        if key in seen:
            first = seen[key]
            yield Hit(
                region.name,
                f"target region '{name}' repeats '{first.value}' (line {first.span.line}); each region may appear once",
            )
        else:
            seen[key] = region.name


def _is(item: Located | None, expected: str) -> bool:
    text = _text(item)
    return text is not None and text.lower() == expected.lower()


@rule(
    "SIG205", "zrs-without-zones", Severity.ERROR,
    "Zone-redundant storage (`Standard_ZRS`) is requested for a target region that has no availability zones.",
    applies_to=_REPLICATED,
)
def zrs_without_zones(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    assert isinstance(res, m._Replicated)
    default = res.storage_account_type
    for region in res.target_regions or []:
        name = _text(region.name)
        info = region_info(name) if name else None
        if info is None or info.get("zones") is not False:
            continue  # unknown regions and unverified zone support are not judged
        if region.storage_account_type is not None:
            if _is(region.storage_account_type, "Standard_ZRS"):
                yield Hit(region.storage_account_type, f"Standard_ZRS in target region '{name}', which has no availability zones; use Standard_LRS or Premium_LRS there")
        elif _is(default, "Standard_ZRS"):
            yield Hit(
                region.name,
                f"target region '{name}' has no availability zones but inherits Standard_ZRS from "
                f"publishingProfile.storageAccountType (line {default.span.line}); set storageAccountType for this region",  # type: ignore[union-attr]
            )


@rule(
    "SIG207", "shallow-replication", Severity.ERROR,
    "A version with `replicationMode: Shallow` targets more than its source region, or asks for more than one replica.",
    applies_to=_REPLICATED,
)
def shallow_replication(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    assert isinstance(res, m._Replicated)
    if not _is(res.replication_mode, "Shallow"):
        return
    regions = res.target_regions or []
    if len(regions) > 1:
        yield Hit(regions[1].name, f"replicationMode Shallow allows a single target region; {len(regions)} are listed")
    source = _text(res.effective_location)
    for region in regions:
        name = _text(region.name)
        if source is not None and name is not None and normalize_region(name) != normalize_region(source):
            yield Hit(region.name, f"replicationMode Shallow replicates only to the source region '{source}', not '{name}'")
        count = region.replica_count
        if count is not None and count.known and isinstance(count.value, int) and count.value > 1:
            yield Hit(count, f"replicationMode Shallow allows one replica; regionalReplicaCount is {count.value}")
    count = res.replica_count
    if count is not None and count.known and isinstance(count.value, int) and count.value > 1:
        yield Hit(count, f"replicationMode Shallow allows one replica; replicaCount is {count.value}")


RULES = [source_region_not_targeted, duplicate_target_region, zrs_without_zones, shallow_replication]
