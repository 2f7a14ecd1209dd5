"""SIG0xx: problems with the input itself, reported by the loaders, and the values sigcheck
could not resolve."""

from __future__ import annotations

from typing import Iterator

from sigcheck.engine.rules import CheckContext, Hit, rule
from sigcheck.checks.values import GALLERY_RESOURCES, KIND_WORDS
from sigcheck.model.findings import Severity
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.model import resources as m
from sigcheck.model.from_body import child

def _unresolved(res: m.Resource) -> Iterator[tuple[Located, str, str]]:
    """(where, what, which rules read it) for every value the rules need that is unknown."""
    own = res.names[-1] if res.names else None
    for name in res.names:
        # Parent segments written elsewhere (a nested child's parent) belong to the parent's note.
        if not name.known and own is not None and name.span == own.span:
            yield name, f"the name of this {KIND_WORDS[res.type_name]}", "the SIG1xx name rules and the rules that look resources up by name"
    if res.api_version is not None and not res.api_version.known:
        yield res.api_version, "the API version", "SIG5xx and SIG6xx"
    written = res.body is None or res.body.get_ci("location") is not None  # not just absent from a request
    if res.location is not None and not res.location.known and written:
        yield res.location, "the location", "SIG201, SIG203, SIG206, SIG208, SIG209"
    if isinstance(res, m._Replicated):
        regions = child(res.body, "properties.publishingProfile.targetRegions")
        if regions is not None and regions.value is UNKNOWN:
            yield Located(UNKNOWN, regions.span, regions.origin, "properties.publishingProfile.targetRegions"), "the list of target regions", "SIG201–SIG209"
        for region in res.target_regions or []:
            if not region.name.known:
                yield region.name, "a target region", "SIG201–SIG209"
            if region.storage_account_type is not None and not region.storage_account_type.known:
                yield region.storage_account_type, "a target region's storage account type", "SIG205 and SIG502"
        if res.storage_account_type is not None and not res.storage_account_type.known:
            yield res.storage_account_type, "the storage account type", "SIG205, SIG210 and SIG502"
    if isinstance(res, m.ImageDefinition):
        if res.hyper_v_generation is not None and not res.hyper_v_generation.known:
            yield res.hyper_v_generation, "the Hyper-V generation", "SIG401, SIG403 and SIG406"
        features = child(res.body, "properties.features")
        if features is not None and features.value is UNKNOWN:
            yield Located(UNKNOWN, features.span, features.origin, "properties.features"), "the features (and so the security type)", "SIG401, SIG402, SIG404–SIG407"
        security = res.feature("SecurityType")
        if security is not None and security.value is not None and not security.value.known:
            yield security.value, "the security type", "SIG401, SIG402 and SIG407"


@rule(
    "SIG002", "unresolved-value", Severity.NOTE,
    "A value that another rule needs could not be resolved statically, so that rule could not check it.",
    applies_to=GALLERY_RESOURCES,
    enabled=False,
)
def unresolved_value(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    seen: set[tuple[Span, str]] = set()
    for where, what, readers in _unresolved(res):
        key = (where.span, what)
        if key in seen:
            continue  # name segments of one expression share its span
        seen.add(key)
        origin = f" ({where.origin})" if where.origin else ""
        yield Hit(where, f"{what} cannot be resolved statically{origin}, so {readers} cannot check it; give it a value (a parameter default, --parameters, --location)")


RULES = [unresolved_value]
