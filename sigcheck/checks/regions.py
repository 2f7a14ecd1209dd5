"""SIG2xx: source region, target regions and replication."""

from __future__ import annotations

import datetime as _dt
import difflib
from functools import cache
from typing import Any, Iterator

from sigcheck.model import facts
from sigcheck.engine.rules import AnyRule, CheckContext, Hit, rule
from sigcheck.checks.values import GALLERY_RESOURCES, first_repeats, integer, same, surely_present, text
from sigcheck.model.findings import Severity
from sigcheck.syntax.located import Located
from sigcheck.model import resources as m
from sigcheck.model.regions import normalize_region

_REPLICATED: tuple[type[m.Replicated], ...] = (m.ImageVersion, m.ApplicationVersion)


@cache
def region_table() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = facts.load("regions")["regions"]
    return table


def region_info(name: str) -> dict[str, Any] | None:
    return region_table().get(normalize_region(name))


def _all_region_names(res: m.Replicated) -> list[tuple[m.TargetRegion, str]] | None:
    """Target regions with their names, or None when any name is unknown (then nothing is sure)."""
    if res.target_regions is None:
        return None
    out = []
    for region in res.target_regions:
        name = text(region.name)
        if name is None:
            return None
        out.append((region, name))
    return out


@rule(
    "SIG201", "source-region-not-targeted", Severity.ERROR,
    "The source region of an image or application version is not one of its target regions.",
    applies_to=_REPLICATED,
    needs=("location", "target_regions"),
)
def source_region_not_targeted(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    location = res.effective_location
    source = text(location)
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
    needs=("target_regions",),
)
def duplicate_target_region(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    for repeat, first in first_repeats((region.name for region in res.target_regions or []), key=_region_key):
        yield Hit(
            repeat,
            f"target region '{repeat.value}' repeats '{first.value}' (line {first.span.line}); each region may appear once",
        )


@rule(
    "SIG205", "zrs-without-zones", Severity.ERROR,
    "Zone-redundant storage (`Standard_ZRS`) is requested for a target region that has no availability zones.",
    applies_to=_REPLICATED,
    needs=("target_regions", "region_storage_account_type", "storage_account_type"),
)
def zrs_without_zones(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    default = res.storage_account_type
    for region in res.target_regions or []:
        name = text(region.name)
        info = region_info(name) if name else None
        if info is None or info.get("zones") is not False:
            continue  # unknown regions and unverified zone support are not judged
        if region.storage_account_type is not None:
            if same(region.storage_account_type, "Standard_ZRS"):
                yield Hit(region.storage_account_type, f"Standard_ZRS in target region '{name}', which has no availability zones; use Standard_LRS or Premium_LRS there")
        elif default is not None and same(default, "Standard_ZRS"):
            yield Hit(
                region.name,
                f"target region '{name}' has no availability zones but inherits Standard_ZRS from "
                f"publishingProfile.storageAccountType (line {default.span.line}); set storageAccountType for this region",
            )


@rule(
    "SIG207", "shallow-replication", Severity.ERROR,
    "A version with `replicationMode: Shallow` targets more than its source region, or asks for more than one replica.",
    applies_to=_REPLICATED,
    needs=("target_regions",),
)
def shallow_replication(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    if not same(res.replication_mode, "Shallow"):
        return
    regions = res.target_regions or []
    if len(regions) > 1:
        yield Hit(regions[1].name, f"replicationMode Shallow allows a single target region; {len(regions)} are listed")
    source = text(res.effective_location)
    for region in regions:
        name = text(region.name)
        if source is not None and name is not None and normalize_region(name) != normalize_region(source):
            yield Hit(region.name, f"replicationMode Shallow replicates only to the source region '{source}', not '{name}'")
        count = region.replica_count
        if count is not None and count.known and isinstance(count.value, int) and count.value > 1:
            yield Hit(count, f"replicationMode Shallow allows one replica; regionalReplicaCount is {count.value}")
    count = res.replica_count
    if count is not None and count.known and isinstance(count.value, int) and count.value > 1:
        yield Hit(count, f"replicationMode Shallow allows one replica; replicaCount is {count.value}")


def _region_key(item: Located[Any]) -> str | None:
    """A region name as the service compares it ("West US 2" is westus2), when known."""
    name = text(item)
    return normalize_region(name) if name is not None else None


def _region_values(res: m.Resource) -> Iterator[tuple[Located[Any], str, str]]:
    """(where, region as written, what it is) for the location and every target region."""
    location = text(res.location)
    if res.location is not None and location is not None:
        yield res.location, location, "location"
    if isinstance(res, m.Replicated):
        for region in res.target_regions or []:
            name = text(region.name)
            if name is not None:
                yield region.name, name, "target region"


@cache
def _logical_names() -> frozenset[str]:
    return frozenset(facts.load("regions")["logical_names"])


@rule(
    "SIG203", "unknown-region", Severity.WARNING,
    "A location or target region is not a known deployable Azure region.",
    applies_to=GALLERY_RESOURCES,
    needs=("location", "target_regions"),
)
def unknown_region(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    data = facts.load("regions")
    for where, name, what in _region_values(res):
        key = normalize_region(name)
        if key in region_table():
            continue
        if key in _logical_names():
            yield Hit(where, f"{what} '{name}' is a logical name from the locations list, not a region a resource can be deployed to; name a physical region", Severity.ERROR)
            continue
        if key in data["referenced_elsewhere"]:
            yield Hit(where, f"{what} '{name}' is not a region sigcheck knows: it is not in the public locations list (restricted or announced); suppress this finding if your subscription can deploy there")
            continue
        close = difflib.get_close_matches(key, list(region_table()), n=1, cutoff=0.75)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        yield Hit(where, f"{what} '{name}' is not a known Azure region{hint}")


@rule(
    "SIG206", "restricted-region", Severity.NOTE,
    "A location or target region is one that most subscriptions cannot use without access being granted first.",
    applies_to=GALLERY_RESOURCES,
    needs=("location", "target_regions"),
)
def restricted_region(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    for where, name, what in _region_values(res):
        info = region_info(name)
        if info is None:
            continue
        shown = f" ({info['display_name']})" if info["display_name"] != name else ""
        if info.get("restricted"):
            yield Hit(where, f"{what} '{name}'{shown} is only available to subscriptions that have been allow-listed through an access request")
        elif info.get("test"):
            yield Hit(where, f"{what} '{name}'{shown} is a {info['test']} region for testing Azure's own rollouts, not a production region")


def _cloud(name: str) -> str | None:
    info = region_info(name)
    cloud = info.get("cloud") if info is not None else None
    return cloud if isinstance(cloud, str) else None


@rule(
    "SIG208", "cross-cloud-replication", Severity.ERROR,
    "A version's target regions include a region of another Azure cloud than its source region.",
    applies_to=_REPLICATED,
    needs=("location", "target_regions"),
)
def cross_cloud_replication(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    clouds = facts.load("regions")["clouds"]
    targets = [(region, name, _cloud(name)) for region in res.target_regions or [] if (name := text(region.name)) is not None]
    source = text(res.effective_location)
    source_cloud = _cloud(source) if source is not None else None
    if source_cloud is not None:
        for region, name, cloud in targets:
            if cloud is not None and cloud != source_cloud:
                yield Hit(region.name, f"target region '{name}' is in {clouds[cloud]}, but the source region '{source}' is in {clouds[source_cloud]}; images cannot be replicated across clouds")
        return
    # Without a known source region, a list that spans clouds is still wrong for all but one cloud.
    known = [(region, name, cloud) for region, name, cloud in targets if cloud is not None]
    if len({cloud for _, _, cloud in known}) > 1:
        _, first_name, first_cloud = known[0]
        for region, name, cloud in known[1:]:
            if cloud != first_cloud:
                yield Hit(region.name, f"target region '{name}' is in {clouds[cloud]}, but target region '{first_name}' is in {clouds[first_cloud]}; images cannot be replicated across clouds")


@rule(
    "SIG209", "retired-region", Severity.ERROR,
    "A location or target region names an Azure region that was retired before the date of the check.",
    applies_to=GALLERY_RESOURCES,
    needs=("location", "target_regions"),
)
def retired_region(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    for where, name, what in _region_values(res):
        info = region_info(name)
        retired = info.get("retired") if info is not None else None
        if info is None or retired is None or _dt.date.fromisoformat(retired) > ctx.today:
            continue
        note = f"; {info['retired_note']}" if info.get("retired_note") else ""
        shown = f" ({info['display_name']})" if info["display_name"] != name else ""
        yield Hit(where, f"{what} '{name}'{shown} was retired on {retired}{note}")


@rule(
    "SIG204", "replica-count-range", Severity.ERROR,
    "A replica count is outside the range the service accepts for an image or application version.",
    applies_to=_REPLICATED,
    needs=("target_regions",),
)
def replica_count_range(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    limits = facts.load("limits")
    image = isinstance(res, m.ImageVersion)
    spec = limits["image_version_replicas" if image else "application_version_replicas"]
    kind = "an image version" if image else "an application version"
    high = spec["max"] if image else spec["error_above"]
    counts: list[tuple[Located[object] | None, str]] = [(res.replica_count, "replicaCount")]
    counts += [(region.replica_count, f"regionalReplicaCount of '{region.name.value}'" if region.name.known else "regionalReplicaCount") for region in res.target_regions or []]
    for item, what in counts:
        value = integer(item)
        if item is None or value is None:
            continue
        if value < spec["min"]:
            yield Hit(item, f"{what} is {value}; {kind} needs at least {spec['min']} replica")
        elif value > high:
            yield Hit(item, f"{what} is {value}; {kind} accepts at most {high} replicas")
        elif value > spec["warn_above"]:
            limit = f"above the {spec['warn_above']} per region that the gallery best practices (docs-ACG) give as the maximum" if image else \
                f"the service's own message allows at most {spec['warn_above']} replicas for application versions (docs-APPS)"
            yield Hit(item, f"{what} is {value}; {limit}", Severity.WARNING)


@rule(
    "SIG210", "storage-strategy-conflict", Severity.ERROR,
    "A version sets both `storageAccountStrategy` and `storageAccountType` in its publishing profile.",
    applies_to=_REPLICATED,
    needs=("storage_account_type",),
)
def storage_strategy_conflict(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    strategy, kind = res.storage_account_strategy, res.storage_account_type
    if strategy is None or kind is None or not surely_present(strategy) or not surely_present(kind):
        return  # an unresolved value may be null, which is the same as not set
    yield Hit(strategy, f"storageAccountStrategy '{strategy.value}' cannot be combined with storageAccountType '{kind.value}' (line {kind.span.line}); keep one of them")


RULES: list[AnyRule] = [
    source_region_not_targeted,
    duplicate_target_region,
    unknown_region,
    replica_count_range,
    zrs_without_zones,
    restricted_region,
    shallow_replication,
    cross_cloud_replication,
    retired_region,
    storage_strategy_conflict,
]
