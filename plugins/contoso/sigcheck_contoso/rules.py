"""Contoso's house rules: gallery names carry the company prefix, and image data stays in the
geographies the policy allows."""

from __future__ import annotations

from functools import cache
from typing import Any, Iterator

from sigcheck.plugin import (
    GALLERY,
    IMAGE_DEFINITION,
    IMAGE_VERSION,
    CheckContext,
    Gallery,
    Hit,
    ImageDefinition,
    ImageVersion,
    Located,
    Resource,
    Rule,
    Severity,
    known,
    load_facts,
    rule,
    sigcheck_facts,
)


@cache
def policy() -> dict[str, Any]:
    loaded: dict[str, Any] = load_facts(__package__, "policy.yaml")
    return loaded


@rule(
    "CON001", "contoso-gallery-prefix", Severity.WARNING,
    "A gallery's name does not start with Contoso's prefix, so cost reports cannot attribute it.",
    applies_to=Gallery,
    help_uri="https://contoso.example.com/cloud/sigcheck-rules#con001",
)
def gallery_prefix(gallery: Gallery, ctx: CheckContext) -> Iterator[Hit]:
    name = gallery.names[-1]
    value = known(name)
    prefix = policy()["gallery-prefix"]
    # A name that is not known statically (a parameter without a default) is never guessed at.
    if isinstance(value, str) and not value.lower().startswith(prefix):
        yield Hit(name, f"gallery name '{value}' does not start with '{prefix}' (Contoso standard CP-12)")


def _geography(region: str) -> str | None:
    """The geography of a region written as a name or a display name; None when sigcheck does
    not know the region (its own rule SIG203 reports that)."""
    regions = sigcheck_facts("regions")["regions"]
    found = regions.get(region.replace(" ", "").lower())
    return found.get("geography") if found else None


_KIND = {GALLERY: "gallery", IMAGE_DEFINITION: "image definition", IMAGE_VERSION: "image version"}


@rule(
    "CON002", "contoso-data-residency", Severity.ERROR,
    "A gallery resource is placed or replicated outside the geographies Contoso's policy allows.",
    applies_to=(Gallery, ImageDefinition, ImageVersion),
)
def data_residency(resource: Resource, ctx: CheckContext) -> Iterator[Hit]:
    places: list[Located[Any]] = []
    if resource.location is not None:
        places.append(resource.location)
    if isinstance(resource, ImageVersion):
        places.extend(region.name for region in resource.target_regions or [])
    allowed = policy()["geographies"]
    for place in places:
        region = known(place)
        if not isinstance(region, str):
            continue
        geography = _geography(region)
        if geography is not None and geography not in allowed:
            yield Hit(place, f"{_KIND[resource.type_name]} '{resource.full_name}' is in {region} "
                             f"({geography}); Contoso keeps image data in {', '.join(allowed)}")


RULES: list[Rule[Any]] = [gallery_prefix, data_residency]
