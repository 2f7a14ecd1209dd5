"""SIG701–SIG703: consistency of image definitions across a run, end-of-life dates, and
recommended machine configurations."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Iterator, Sequence

from sigcheck.engine.rules import AnyRule, CheckContext, Hit, rule, run_rule
from sigcheck.checks.values import declared, text, where_words
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


@run_rule(
    "SIG701", "duplicate-image-identity", Severity.ERROR,
    "Two image definitions in the same gallery have the same publisher, offer and SKU.",
)
def duplicate_image_identity(resources: Sequence[m.Resource], ctx: CheckContext) -> Iterator[tuple[m.Resource, Hit]]:
    definitions = [r for r in declared(resources, m.ImageDefinition) if len(r.names) == 2]
    definitions.sort(key=lambda r: r.span.sort_key())
    first_of: dict[tuple[str, tuple[str, str, str], str | None], m.ImageDefinition] = {}
    for res in definitions:
        gallery, name = (text(n) for n in res.names)
        identity = _identity(res)
        if gallery is None or name is None or identity is None:
            continue
        # A REST API example stands alone; templates and scripts checked together may share galleries.
        key = (gallery.lower(), identity, res.path if res.source_kind == "rest-example" else None)
        first = first_of.get(key)
        if first is None:
            first_of[key] = res
            continue
        first_name = text(first.names[1])
        if first_name is not None and first_name.lower() == name.lower():
            continue  # the same definition declared again (an update), not a second one
        where = _identifier(res)
        yield res, Hit(
            where,
            f"image definition '{name}' has the same publisher/offer/sku ({_shown(res.publisher)}/{_shown(res.offer)}/{_shown(res.sku)}) "
            f"as '{text(first.names[1])}' ({where_words(res, _identifier(first))}) in gallery '{gallery}'; each definition of a gallery needs its own combination",
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
