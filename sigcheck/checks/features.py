"""SIG404–SIG405: the `features` of image definitions, free strings in every schema."""

from __future__ import annotations

import difflib
from functools import cache
from typing import Any, Iterator

from sigcheck.model import facts
from sigcheck.engine.rules import AnyRule, CheckContext, Hit, rule
from sigcheck.checks.values import first_repeats, folded, text
from sigcheck.model.findings import Severity
from sigcheck.syntax.located import Located
from sigcheck.model import resources as m


@cache
def _features() -> dict[str, Any]:
    data: dict[str, Any] = facts.load("features")
    return data


def _closest(word: str, options: list[str]) -> str | None:
    by_lower = {o.lower(): o for o in options}
    match = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.75)
    return by_lower[match[0]] if match else None


def _spellings(spec: dict[str, Any]) -> tuple[set[str], dict[str, str]]:
    """The exact spellings of a feature's values that the sources use (canonical ones and
    `also_seen`), and lower-cased value -> canonical spelling."""
    exact: set[str] = set(spec.get("also_seen", []))
    canonical: dict[str, str] = {}
    for value, info in spec.get("values", {}).items():
        exact.add(value)
        exact.update(info.get("also_seen", []))
        canonical[value.lower()] = value
    return exact, canonical


def _check_value(name: str, spec: dict[str, Any], value: Located[str]) -> Iterator[Hit]:
    written = value.value
    if spec.get("kind") == "list":
        yield from _check_list(name, spec, value)
        return
    exact, by_lower = _spellings(spec)
    if written in exact:
        return
    canonical = by_lower.get(written.lower())
    if canonical is not None:
        yield Hit(value, f"feature {name} value '{written}' is written '{canonical}' in the documentation", Severity.NOTE)
        return
    close = _closest(written, list(spec.get("values", {})))
    hint = f"; did you mean '{close}'?" if close else f"; known values: {', '.join(spec.get('values', {}))}"
    yield Hit(value, f"feature {name} value '{written}' is not a known value{hint}")


def _check_list(name: str, spec: dict[str, Any], value: Located[str]) -> Iterator[Hit]:
    """A comma-separated list such as DiskControllerTypes `SCSI, NVMe`."""
    allowed = {item.lower(): item for item in spec["list_items"]}
    parts = [p.strip() for p in value.value.split(",")]
    unknown = [p for p in parts if p.lower() not in allowed]
    if unknown or not parts:
        hint = f"; each item must be one of {', '.join(spec['list_items'])}"
        yield Hit(value, f"feature {name} value '{value.value}' has {'an unknown item ' + repr(unknown[0]) if unknown else 'no items'}{hint}")
        return
    if len({p.lower() for p in parts}) != len(parts):
        yield Hit(value, f"feature {name} value '{value.value}' lists an item twice")
        return
    miscased = [p for p in parts if p not in allowed.values()]
    if miscased:
        yield Hit(value, f"feature {name} item '{miscased[0]}' is written '{allowed[miscased[0].lower()]}' in the documentation", Severity.NOTE)


@rule(
    "SIG404", "unknown-feature", Severity.WARNING,
    "An image definition feature has a name or value that is not known, or is spelled with non-canonical casing.",
    applies_to=m.ImageDefinition,
    needs=("features",),
)
def unknown_feature(res: m.ImageDefinition, ctx: CheckContext) -> Iterator[Hit]:
    data = _features()
    known = data["features"]
    by_lower = {n.lower(): n for n in known}
    for feature in res.features:
        name = text(feature.name)
        if name is None:
            continue
        canonical = by_lower.get(name.lower())
        if canonical is None:
            yield _unknown_name(feature.name, name, data)
            continue
        if name != canonical:
            yield Hit(feature.name, f"feature name '{name}' is written '{canonical}' in the documentation", Severity.NOTE)
        value = feature.value
        if value is not None and text(value) is not None:
            yield from _check_value(canonical, known[canonical], value)


def _unknown_name(where: Located[str], name: str, data: dict[str, Any]) -> Hit:
    misspelt = {k.lower(): v for k, v in data["misspellings"].items()}.get(name.lower())
    if misspelt is not None:
        return Hit(where, f"feature name '{name}' is not known: the feature is '{misspelt}'")
    seen = {k.lower(): (k, v) for k, v in data["unknown_but_seen"].items()}.get(name.lower())
    if seen is not None:
        return Hit(where, f"feature name '{name}' appears only in an az CLI help example, not in any documentation of image definition features")
    close = _closest(name, list(data["features"]))
    hint = f"; did you mean '{close}'?" if close else f"; known features: {', '.join(data['features'])}"
    return Hit(where, f"feature name '{name}' is not a known image definition feature{hint}")


@rule(
    "SIG405", "duplicate-feature", Severity.ERROR,
    "A feature name appears more than once in an image definition's features.",
    applies_to=m.ImageDefinition,
    needs=("features",),
)
def duplicate_feature(res: m.ImageDefinition, ctx: CheckContext) -> Iterator[Hit]:
    for repeat, first in first_repeats((feature.name for feature in res.features), key=folded):
        yield Hit(repeat, f"feature '{repeat.value}' is already given at line {first.span.line}; each feature may appear once")


RULES: list[AnyRule] = [unknown_feature, duplicate_feature]
