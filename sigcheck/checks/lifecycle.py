"""SIG701–SIG703: consistency of image definitions across a run, end-of-life dates, and
recommended machine configurations."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Iterator, NamedTuple, Sequence

from sigcheck.engine.outcome import ResourceRef
from sigcheck.engine.rules import AnyRule, CheckContext, Hit, rule, run_rule
from sigcheck.checks.values import text
from sigcheck.model.findings import Severity
from sigcheck.syntax.located import Located
from sigcheck.model import resources as m


def _identity(res: m.ImageDefinition) -> tuple[str, str, str] | None:
    publisher, offer, sku = text(res.publisher), text(res.offer), text(res.sku)
    if publisher is None or offer is None or sku is None:
        return None
    return publisher.lower(), offer.lower(), sku.lower()


def _identifier(res: m.ImageDefinition) -> Located[Any]:
    """Where a finding about the whole identifier points: the `identifier` object."""
    if res.identifier is not None:
        return res.identifier
    return res.publisher if res.publisher is not None else Located(None, res.span)


class _Definition(NamedTuple):
    """What SIG701 needs of one image definition: compact, so that a worker process or the
    cache can hand it over instead of the model."""

    order: tuple[str, int, int]
    ref: ResourceRef
    gallery: str
    name: str
    key: tuple[str, tuple[str, str, str], str | None]
    identity_text: str
    identifier: Located[None]


def _definition(res: m.Resource) -> _Definition | None:
    if res.is_response or not isinstance(res, m.ImageDefinition) or len(res.names) != 2:
        return None
    gallery, name = (text(n) for n in res.names)
    identity = _identity(res)
    if gallery is None or name is None or identity is None:
        return None
    where = _identifier(res)
    # A REST API example stands alone; templates and scripts checked together may share galleries.
    key = (gallery.lower(), identity, res.path if res.source_kind == "rest-example" else None)
    return _Definition(res.span.sort_key(), ResourceRef.of(res), gallery, name, key,
                       f"{_shown(res.publisher)}/{_shown(res.offer)}/{_shown(res.sku)}",
                       Located(None, where.span, path=where.path))


@run_rule(
    "SIG701", "duplicate-image-identity", Severity.ERROR,
    "Two image definitions in the same gallery have the same publisher, offer and SKU.",
    facts=_definition,
)
def duplicate_image_identity(definitions: Sequence[_Definition], ctx: CheckContext) -> Iterator[tuple[ResourceRef, Hit]]:
    first_of: dict[tuple[str, tuple[str, str, str], str | None], _Definition] = {}
    for res in sorted(definitions, key=lambda d: d.order):
        first = first_of.get(res.key)
        if first is None:
            first_of[res.key] = res
            continue
        if first.name.lower() == res.name.lower():
            continue  # the same definition declared again (an update), not a second one
        span = first.identifier.span
        where = f"line {span.line}" if span.path == res.ref.path else f"{span.path}:{span.line}"
        yield res.ref, Hit(
            res.identifier,
            f"image definition '{res.name}' has the same publisher/offer/sku ({res.identity_text}) "
            f"as '{first.name}' ({where}) in gallery '{res.gallery}'; each definition of a gallery needs its own combination",
        )


def _shown(item: Located[str] | None) -> str:
    return str(item.value) if item is not None else "None"


_EOL_TYPES: tuple[type[m.Resource], ...] = (m.ImageDefinition, m.ImageVersion, m.GalleryApplication, m.ApplicationVersion)
# An ISO 8601 calendar date, optionally followed by a time (what docs-TS asks for).
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[Tt ].+)?$")


def parse_end_of_life(value: str) -> _dt.date | None:
    """The calendar date (UTC) of an ISO 8601 date or date-time, or None when it is not one."""
    if not _ISO_DATE.match(value):
        return None
    try:
        moment = _dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(_dt.timezone.utc)
    return moment.date()


@rule(
    "SIG702", "end-of-life", Severity.WARNING,
    "An end-of-life date is already in the past, or is not a valid ISO 8601 date.",
    applies_to=_EOL_TYPES,
)
def end_of_life(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    item = res.end_of_life_date if isinstance(res, (m.ImageDefinition, m.Replicated, m.GalleryApplication)) else None
    value = text(item)
    if item is None or value is None or not value.strip():
        # An empty string is how templates say "no date" (ResourceModules' modules default to ''
        # and deploy): an unset date, not a malformed one.
        return
    date = parse_end_of_life(value)
    if date is None:
        yield Hit(item, f"endOfLifeDate '{value}' is not an ISO 8601 date (yyyy-MM-dd or yyyy-MM-ddTHH:mm:ssZ)", Severity.ERROR)
    elif date < ctx.today:
        yield Hit(item, f"endOfLifeDate {value} is in the past (the check's date is {ctx.today.isoformat()}); the service refuses a past date when the resource is created or updated")


def _count(item: Located[object] | None) -> int | float | None:
    """A known number; integers written as strings count too (the range is wrong either way)."""
    if item is None or not item.known or isinstance(item.value, bool):
        return None
    if isinstance(item.value, (int, float)):
        return item.value
    if isinstance(item.value, str) and re.fullmatch(r"\s*\d+\s*", item.value):
        return int(item.value)
    return None


@rule(
    "SIG703", "recommended-range", Severity.ERROR,
    "An image definition recommends a minimum number of vCPUs or amount of memory that is greater than its maximum.",
    applies_to=m.ImageDefinition,
)
def recommended_range(res: m.ImageDefinition, ctx: CheckContext) -> Iterator[Hit]:
    for what, low, high in (("vCPUs", res.vcpus_min, res.vcpus_max), ("memory", res.memory_min, res.memory_max)):
        lo, hi = _count(low), _count(high)
        if low is not None and high is not None and lo is not None and hi is not None and lo > hi:
            yield Hit(low, f"recommended {what} min {lo:g} is greater than max {hi:g} (line {high.span.line}); the service rejects the definition")


RULES: list[AnyRule] = [duplicate_image_identity, end_of_life, recommended_range]
