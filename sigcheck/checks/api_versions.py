"""SIG5xx: API versions of gallery resources and what each version knows."""

from __future__ import annotations

import datetime as _dt
import re
from functools import cache
from typing import Any, Iterator

from sigcheck.model import facts
from sigcheck.engine.rules import AnyRule, CheckContext, Hit, rule
from sigcheck.checks.values import GALLERY_RESOURCES, authored
from sigcheck.model.findings import Severity
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import Located, Span
from sigcheck.model import resources as m

# Template-level keys that are not part of the resource's REST body.
TEMPLATE_KEYS = {"name", "type", "apiversion", "dependson", "condition", "copy", "comments", "scope", "resources", "metadata", "existing", "id"}


@cache
def known_versions() -> list[str]:
    return sorted(str(entry["version"]) for entry in facts.load("api_versions")["gallery_api_versions"])


@rule(
    "SIG501", "api-version-unsupported", Severity.ERROR,
    "A gallery resource uses an API version that does not exist for galleries.",
    applies_to=GALLERY_RESOURCES,
    needs=("api_version",),
)
def api_version_unsupported(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    api = res.api_version
    if api is None or not api.known or not isinstance(api.value, str):
        return
    versions = known_versions()
    value = api.value
    if value in versions:
        # Gallery applications came later than galleries: 2018-06-01 has no such resource type.
        defined = _matrix()["types"].get(res.type_name, {}).get("api_versions")
        if defined and value < defined[0]:
            yield Hit(api, f"API version {value} predates {res.type_name}; the first API version that has it is {defined[0]}")
        return
    first = facts.load("api_versions")["first_gallery_api_version"]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}(-preview)?", value) and value[:10] < first:
        yield Hit(api, f"API version {value} predates Azure Compute Gallery; the first gallery API version is {first}")
        return
    newer = [v for v in versions if v > value]
    hint = f"; the nearest known version is {newer[0]}" if newer else f"; the latest known is {versions[-1]}"
    yield Hit(api, f"API version '{value}' is not a known gallery API version for {res.type_name}{hint}")


@cache
def _matrix() -> dict[str, Any]:
    data: dict[str, Any] = facts.load("api/matrix")
    return data


@cache
def _lowered(type_name: str) -> tuple[dict[str, list[str]], dict[str, str], dict[str, dict[str, list[str]]]]:
    """The matrix of a type by lower-cased path: versions of each path, its canonical spelling,
    and the versions of each enum value (read once per run, not once per resource)."""
    table = _matrix()["types"][type_name]
    return ({k.lower(): v for k, v in table["paths"].items()}, {k.lower(): k for k in table["paths"]},
            {k.lower(): v for k, v in table["enums"].items()})


def _walk(node: Node, path: str) -> Iterator[tuple[str, Node, Span]]:
    """Every (schema path, value node, key span) below an object node, arrays written `[]`."""
    stack = [(node, path)]
    while stack:
        current, base = stack.pop()
        if current.key_spans is not None:
            for key, value in current.items():
                if not base and key.lower() in TEMPLATE_KEYS:
                    continue
                child = f"{base}.{key}" if base else key
                yield child, value, current.key_spans[key]
                stack.append((value, child))
        elif current.is_array:
            for item in current.value:
                stack.append((item, f"{base}[]"))


def _range_words(versions: list[str]) -> str:
    return f"{versions[0]}" if len(versions) == 1 else f"{versions[0]} to {versions[-1]}"


@rule(
    "SIG502", "property-needs-api-version", Severity.ERROR,
    "A property or enum value is used with an API version that does not have it yet, or no longer has it.",
    applies_to=GALLERY_RESOURCES,
    needs=("api_version", "region_storage_account_type", "storage_account_type"),
)
def property_needs_api_version(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    api = res.api_version
    if api is None or not api.known or res.body is None:
        return
    matrix = _matrix()
    declared = api.value
    if declared not in matrix["api_versions"]:
        return  # unknown versions are SIG501's; versions newer than the schemas cannot be judged
    table = matrix["types"].get(res.type_name)
    if table is None or declared not in table["api_versions"]:
        return  # the type itself does not exist at that version: SIG501's finding
    paths, canonical, enums = _lowered(res.type_name)
    missing_prefixes: list[str] = []
    for path, value, key_span in sorted(_walk(res.body, ""), key=lambda t: t[2].start()):
        lowered = path.lower()
        if any(lowered.startswith(p) for p in missing_prefixes):
            continue  # the parent was reported already
        versions = paths.get(lowered)
        if versions is None:
            continue  # unknown to every version: a schema question, not an API-version one
        if declared not in versions:
            missing_prefixes.append(lowered + ".")
            missing_prefixes.append(lowered + "[")
            shown = canonical[lowered]
            later = [v for v in versions if v > declared]
            where = Located(path, key_span, path=path)
            if later:
                yield Hit(where, f"'{shown}' needs API version {later[0]} or later; the resource declares {declared}")
            else:
                yield Hit(where, f"'{shown}' is not in API version {declared}: it exists only in {_range_words(versions)}")
            continue
        options = enums.get(lowered)
        if options is None or not isinstance(value.value, str) or value.is_object or value.is_array:
            continue
        matched = next((name for name in options if name.lower() == value.value.lower()), None)
        if matched is None or declared in options[matched]:
            continue  # unknown enum values are a schema question
        later = [v for v in options[matched] if v > declared]
        target = Located(value.value, value.span, value.origin, path)
        if later:
            yield Hit(target, f"{canonical[lowered].rsplit('.', 1)[-1]} '{value.value}' needs API version {later[0]} or later; the resource declares {declared}")
        else:
            yield Hit(target, f"{canonical[lowered].rsplit('.', 1)[-1]} '{value.value}' is not accepted by API version {declared}: only by {_range_words(options[matched])}")


# The option of SIG504 and its default: two years, as its docs page says.
STALE_AGE_OPTION = "max-age-days"
STALE_AGE_DEFAULT_DAYS = 730


@rule(
    "SIG504", "stale-api-version", Severity.NOTE,
    "A gallery resource uses an API version older than the configured maximum age.",
    applies_to=GALLERY_RESOURCES,
    enabled=False,
    needs=("api_version",),
)
def stale_api_version(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    api = res.api_version
    if not authored(res) or api is None or not api.known or api.value not in known_versions():
        return  # unknown versions are SIG501's; a script's API version is its tool's choice
    max_age = int(ctx.option("stale-api-version", STALE_AGE_OPTION, STALE_AGE_DEFAULT_DAYS))
    age = (ctx.today - _dt.date.fromisoformat(api.value[:10])).days
    if age > max_age:
        latest = facts.load("api_versions")["latest_known_gallery_api_version"]
        yield Hit(api, f"API version {api.value} is {age} days old, more than the {max_age} allowed; the newest gallery API version is {latest}")


RULES: list[AnyRule] = [api_version_unsupported, property_needs_api_version, stale_api_version]
