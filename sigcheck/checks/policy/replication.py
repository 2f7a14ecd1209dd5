"""SIG801–SIG804: where versions replicate, how many replicas, on which storage, by policy."""

from __future__ import annotations

from typing import Any, Iterator, NamedTuple

from sigcheck.checks.policy.common import POLICY_SEVERITY, allows, anchor, complete_setting, deciding, described, hit, not_in
from sigcheck.checks.values import integer, text
from sigcheck.engine.policy import GALLERY_CLASSES, setting
from sigcheck.engine.rules import CheckContext, Hit, Rule, rule
from sigcheck.model import facts
from sigcheck.model import resources as m
from sigcheck.model.regions import normalize_region
from sigcheck.syntax.located import Located

REPLICATED = (m.ImageVersion, m.ApplicationVersion)
DEFAULT_REPLICA_COUNT = 1  # domain.md §4.1 V05: "default replica count is 1"
DEFAULT_STORAGE = "Standard_LRS"  # domain.md §3: "The default storage account type is Standard LRS"


def _regions_unknown(res: m.Replicated) -> bool:
    return m.unresolved(res.target_regions_shape)


class Region(NamedTuple):
    """A region a version replicates to, with what it states for itself."""

    name: Located[Any]
    replica_count: Located[Any] | None = None
    storage_account_type: Located[Any] | None = None


def effective_regions(res: m.Replicated) -> list[Region] | None:
    """The target regions the version replicates to, None when unknown. Omitted, the service
    (and az, which sends it) replicates to the version's own location only (domain §4.1 V03)."""
    if _regions_unknown(res):
        return None
    if res.target_regions is not None:
        return [Region(r.name, r.replica_count, r.storage_account_type) for r in res.target_regions]
    location = res.location
    if location is None:
        return None
    return [Region(location)]


@rule(
    "SIG801", "policy-allowed-regions", POLICY_SEVERITY,
    "A gallery resource's location or a version's target region is not among the regions `policy.allowed-regions` allows.",
    applies_to=GALLERY_CLASSES,
)
def allowed_regions(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    policy = setting(res, ctx, "allowed-regions")
    if policy is None:
        return
    allowed = {normalize_region(str(r)) for r in policy.value}
    places: list[tuple[Located[Any], str]] = []
    if res.location is not None and res.location.span.path == res.path:
        places.append((res.location, "location"))
    if isinstance(res, REPLICATED) and res.target_regions is not None:
        places.extend((region.name, "target region") for region in res.target_regions)
    seen: set[str] = set()
    for item, what in places:
        name = text(item)
        if name is None or normalize_region(name) in allowed:
            continue
        key = f"{what}:{normalize_region(name)}:{item.span.line}:{item.span.column}"
        if key in seen:
            continue
        seen.add(key)
        yield hit(item, f"{what} '{name}' of {described(res)} is {not_in(policy)}", policy)


@rule(
    "SIG802", "policy-min-target-regions", POLICY_SEVERITY,
    "An image or application version replicates to fewer regions than `policy.min-target-regions` asks for.",
    applies_to=REPLICATED,
)
def min_target_regions(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    policy = complete_setting(res, ctx, "min-target-regions")
    if policy is None:
        return
    regions = effective_regions(res)
    if regions is None:
        return
    names = {normalize_region(n) for n in (text(r.name) for r in regions) if n is not None}
    unknown = sum(1 for r in regions if text(r.name) is None)
    needed = int(policy.value)
    if len(names) + unknown >= needed:
        return  # enough, or enough once the unknown names are known
    shape = res.target_regions_shape
    located: Any = Located(None, shape.span, path="properties.publishingProfile.targetRegions") if shape is not None else anchor(res)
    if res.target_regions is None:
        how = "its own location only (targetRegions is not set)"
    else:
        how = f"{len(names)} region{'s' if len(names) != 1 else ''} ({', '.join(sorted(names)) or 'none'})"
    yield hit(located, f"{described(res)} replicates to {how}; {policy.cite()} asks for at least {needed}", policy)


def _replicas(res: m.Replicated, region: Region) -> tuple[int | None, Located[Any] | None, str]:
    """A region's effective replica count, the token that decides it, and how it was decided."""
    if region.replica_count is not None:
        return integer(region.replica_count), region.replica_count, "regionalReplicaCount"
    if res.replica_count is not None:
        return integer(res.replica_count), res.replica_count, "the version's replicaCount"
    return DEFAULT_REPLICA_COUNT, None, "the default"


@rule(
    "SIG803", "policy-replicas", POLICY_SEVERITY,
    "A region's effective replica count (after the version's default) is outside `policy.replicas` min and max.",
    applies_to=REPLICATED,
)
def replicas(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    policy = complete_setting(res, ctx, "replicas")
    if policy is None:
        return
    low, high = policy.value.get("min"), policy.value.get("max")
    regions = effective_regions(res)
    for region in regions or []:
        count, token, how = _replicas(res, region)
        if count is None:
            continue
        name = text(region.name) or "?"
        where = deciding(res, token, region.name)
        if low is not None and count < low:
            yield hit(where, f"region '{name}' of {described(res)} gets {count} replica{'s' if count != 1 else ''} ({how}); "
                             f"{policy.cite('min')} is {low}", policy, "min")
        elif high is not None and count > high:
            yield hit(where, f"region '{name}' of {described(res)} gets {count} replicas ({how}); "
                             f"{policy.cite('max')} is {high}", policy, "max")


def _zonal(region: str) -> bool | None:
    info = facts.load("regions")["regions"].get(normalize_region(region))
    if info is None or not isinstance(info.get("zones"), bool):
        return None
    zones: bool = info["zones"]
    return zones


def _storage(res: m.Replicated, region: Region) -> tuple[set[str] | None, Located[Any] | None, str]:
    """What storage a region's replicas get (a set: more than one when the service chooses),
    the token that decides it, and how."""
    for item, how in ((region.storage_account_type, "its storageAccountType"),
                      (res.storage_account_type, "the version's storageAccountType")):
        if item is not None:
            value = text(item)
            # A tool's own default (azurerm sends Standard_LRS for an unset block) says so.
            if item.origin and "default" in item.origin:
                how = item.origin
            return ({value} if value is not None else None), item, how
    strategy = res.storage_account_strategy
    if strategy is not None:
        value = text(strategy)
        if value is None:
            return None, strategy, "storageAccountStrategy"
        if value.lower() == "preferstandard_zrs":
            zonal = _zonal(text(region.name) or "")
            choice = {"Standard_ZRS", DEFAULT_STORAGE} if zonal is None else {"Standard_ZRS" if zonal else DEFAULT_STORAGE}
            return choice, strategy, "storageAccountStrategy PreferStandard_ZRS"
        return {DEFAULT_STORAGE}, strategy, f"storageAccountStrategy {value}"
    return {DEFAULT_STORAGE}, None, "the default"


@rule(
    "SIG804", "policy-storage-account-types", POLICY_SEVERITY,
    "A region's effective storage account type (after defaults) is not among `policy.storage-account-types`.",
    applies_to=REPLICATED,
)
def storage_account_types(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    policy = complete_setting(res, ctx, "storage-account-types")
    if policy is None:
        return
    for region in effective_regions(res) or []:
        choices, token, how = _storage(res, region)
        if choices is None or any(allows(policy, c) for c in choices):
            continue  # unknown, or the service may choose an allowed one
        name = text(region.name) or "?"
        got = " or ".join(sorted(choices))
        yield hit(deciding(res, token, region.name),
                  f"region '{name}' of {described(res)} stores its replicas on {got} ({how}); {not_in(policy)}", policy)


RULES: list[Rule[Any]] = [allowed_regions, min_target_regions, replicas, storage_account_types]
