"""SIG1xx: names of galleries, definitions, versions and applications, and image identifiers."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Iterator

from sigcheck.model import facts
from sigcheck.engine.rules import AnyRule, CheckContext, Hit, rule
from sigcheck.model.findings import Severity
from sigcheck.syntax.located import Located
from sigcheck.model import resources as m


@cache
def _names() -> dict[str, Any]:
    data: dict[str, Any] = facts.load("names")
    return data


def _spec(type_name: str) -> dict[str, Any]:
    resources: dict[str, dict[str, Any]] = _names()["resources"]
    spec = resources[type_name]
    return resources[spec["same_as"]] if "same_as" in spec else spec


def _own_name(res: m.Resource) -> Located[str] | None:
    """The resource's own name, when it is a known string."""
    name = res.name
    if name is None or not name.known or not isinstance(name.value, str):
        return None
    return name


def _charset_problem(value: str, allowed: str) -> str | None:
    bad = sorted(set(re.sub(f"[{allowed}]", "", value)))
    if not bad:
        return None
    shown = ", ".join(repr(c) for c in bad)
    return f"contains {shown}"


@rule(
    "SIG101", "gallery-name", Severity.ERROR,
    "A gallery name breaks the service's naming rule: 1–80 letters, digits, `_` and `.`, starting and ending with a letter or digit, and no hyphens.",
    applies_to=m.Gallery,
)
def gallery_name(res: m.Gallery, ctx: CheckContext) -> Iterator[Hit]:
    name = _own_name(res)
    if name is None:
        return
    spec = _spec(m.GALLERY)["error"]
    value = name.value
    if re.fullmatch(spec["pattern"], value):
        return
    if "-" in value:
        reason = "contains '-': gallery names cannot contain hyphens (use '_' or '.')"
    else:
        reason = _describe_pattern_miss(value, spec, "letters, digits, '.' and '_'")
    yield Hit(name, f"gallery name {name.described()} is invalid: {reason}")


def _describe_pattern_miss(value: str, spec: dict[str, Any], charset_words: str) -> str:
    if not value:
        return "it is empty"
    if len(value) > spec["max_length"]:
        return f"it is {len(value)} characters long, over the limit of {spec['max_length']}"
    problem = _charset_problem(value, spec["allowed_chars"])
    if problem:
        return f"{problem}; only {charset_words} are allowed"
    if not value[0].isalnum():
        return "it must start with a letter or digit"
    return "it must end with a letter or digit"


@rule(
    "SIG102", "image-definition-name", Severity.ERROR,
    "An image definition name is not 1–80 letters, digits, `_`, `-` and `.`, starting with a letter or digit and not ending with `.` or `-`.",
    applies_to=m.ImageDefinition,
)
def image_definition_name(res: m.ImageDefinition, ctx: CheckContext) -> Iterator[Hit]:
    name = _own_name(res)
    if name is None:
        return
    spec = _spec(m.IMAGE_DEFINITION)
    value = name.value
    if not re.fullmatch(spec["error"]["pattern"], value):
        if value and value[-1] in spec["error"]["forbidden_last"] and len(value) <= spec["error"]["max_length"] \
                and not _charset_problem(value, spec["error"]["allowed_chars"]) and value[0].isalnum():
            reason = f"it ends with '{value[-1]}'"
        else:
            reason = _describe_pattern_miss(value, spec["error"], "letters, digits, '.', '_' and '-'")
        yield Hit(name, f"image definition name {name.described()} is invalid: {reason}")
    elif value.endswith(spec["warning"]["forbidden_last"]):
        yield Hit(
            name,
            f"image definition name '{value}' ends with '_': the service may reject it as an invalid trailing character",
            Severity.WARNING,
        )


_VERSION_TYPES: tuple[type[m.Replicated], ...] = (m.ImageVersion, m.ApplicationVersion)


def _version_parts(res: m.Resource) -> tuple[Located[str], list[str]] | None:
    name = _own_name(res)
    if name is None:
        return None
    match = re.fullmatch(_spec(m.IMAGE_VERSION)["error"]["pattern"], name.value)
    return (name, list(match.groups())) if match else None


@rule(
    "SIG103", "version-name-format", Severity.ERROR,
    "An image or application version name is not three dot-separated decimal integers, `Major.Minor.Patch`.",
    applies_to=_VERSION_TYPES,
)
def version_name_format(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    name = _own_name(res)
    if name is None or _version_parts(res) is not None:
        return
    kind = "image" if isinstance(res, m.ImageVersion) else "application"
    value = name.value
    hint = ""
    if value.lower() in _spec(m.IMAGE_VERSION)["not_names"]:
        hint = f": '{value}' is a way to refer to a version, not a name one can create"
    elif value[:1] in "vV" and re.fullmatch(r"[0-9]+\.[0-9]+\.[0-9]+", value[1:]):
        hint = f": drop the leading '{value[0]}'"
    yield Hit(name, f"{kind} version name {name.described()} is not MAJOR.MINOR.PATCH (three dot-separated integers){hint}")


@rule(
    "SIG104", "version-component-range", Severity.ERROR,
    "A component of an image or application version name is larger than 2147483647, the largest 32-bit signed integer.",
    applies_to=_VERSION_TYPES,
)
def version_component_range(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    parsed = _version_parts(res)
    if parsed is None:
        return
    name, parts = parsed
    limit = _names()["int32_max"]
    for label, part in zip(("major", "minor", "patch"), parts):
        # Compared by length first: Python will not convert thousands of digits.
        if len(part.lstrip("0")) > len(str(limit)) or int(part) > limit:
            yield Hit(name, f"version name {name.described()}: the {label} component {part} exceeds {limit} (int32)")


@rule(
    "SIG107", "version-leading-zero", Severity.WARNING,
    "A component of a version name has a leading zero, so the name reads differently from the number the service uses.",
    applies_to=_VERSION_TYPES,
)
def version_leading_zero(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    parsed = _version_parts(res)
    if parsed is None:
        return
    name, parts = parsed
    padded = [p for p in parts if len(p) > 1 and p.startswith("0")]
    if padded:
        canonical = ".".join(p.lstrip("0") or "0" for p in parts)
        yield Hit(name, f"version name {name.described()} has a leading zero; write '{canonical}'")


@rule(
    "SIG105", "application-name", Severity.ERROR,
    "A gallery application name is not 1–117 letters, digits, `-`, `.` and `_`, or it ends with a period.",
    applies_to=m.GalleryApplication,
)
def application_name(res: m.GalleryApplication, ctx: CheckContext) -> Iterator[Hit]:
    name = _own_name(res)
    if name is None:
        return
    spec = _spec(m.APPLICATION)
    value = name.value
    if not re.fullmatch(spec["error"]["pattern"], value):
        if value.endswith("."):
            reason = "it ends with '.'"
        else:
            reason = _describe_pattern_miss(value, spec["error"], "letters, digits, '.', '_' and '-'")
        yield Hit(name, f"application name {name.described()} is invalid: {reason}")
    elif len(value) > spec["warning"]["max_length"]:
        yield Hit(
            name,
            f"application name '{value}' is {len(value)} characters long; several sources limit it to "
            f"{spec['warning']['max_length']}",
            Severity.WARNING,
        )


@rule(
    "SIG106", "image-identifier", Severity.ERROR,
    "An image definition's publisher, offer or SKU is empty, too long, uses characters other than letters, digits, `-`, `.` and `_`, or ends with a period.",
    applies_to=m.ImageDefinition,
)
def image_identifier(res: m.ImageDefinition, ctx: CheckContext) -> Iterator[Hit]:
    specs = _names()["image_identifier"]
    for field, item in (("publisher", res.publisher), ("offer", res.offer), ("sku", res.sku)):
        if item is None or not item.known or not isinstance(item.value, str):
            continue
        spec = specs[field]
        value = item.value
        if re.fullmatch(spec["pattern"], value):
            continue
        if not value:
            reason = "it is empty"
        elif len(value) > spec["max_length"]:
            reason = f"it is {len(value)} characters long, over the limit of {spec['max_length']}"
        elif (problem := _charset_problem(value, spec["allowed_chars"])) is not None:
            reason = f"{problem}; only letters, digits, '.', '_' and '-' are allowed"
        else:
            reason = "it ends with '.'"
        yield Hit(item, f"identifier {field} {item.described()} is invalid: {reason}")


RULES: list[AnyRule] = [
    gallery_name,
    image_definition_name,
    version_name_format,
    version_component_range,
    application_name,
    image_identifier,
    version_leading_zero,
]
