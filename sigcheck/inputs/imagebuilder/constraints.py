"""What Image Builder itself refuses in a SharedImage distribution, per the template's API version
(rules/imagebuilder/distribute.json): properties the version does not have, required ones that are
missing, values outside their enums or patterns, properties that exclude each other, and from
2024-02-01 field names in the wrong case.

These are the schema rules of the imageTemplates resource, so they report under the catalogue's
schema ids (SIG502, SIG601, SIG602, SIG603, SIG604); the template is not a gallery resource, so
the model rules never see it.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any

from sigcheck.model import facts
from sigcheck.model import resources as m
from sigcheck.model.findings import Finding, Severity
from sigcheck.model.ids import reference_target
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Span

IMAGE_TEMPLATES = "Microsoft.VirtualMachineImages/imageTemplates"

PROPERTY_NEEDS_API_VERSION = "SIG502"
MISSING_REQUIRED = "SIG601"
INVALID_VALUE = "SIG602"
UNKNOWN_PROPERTY = "SIG603"
EXCLUSIVE_PROPERTIES = "SIG604"

_KINDS: dict[str, tuple[type, ...]] = {"string": (str,), "boolean": (bool,), "integer": (int,)}


@cache
def _facts() -> dict[str, Any]:
    data: dict[str, Any] = facts.load("imagebuilder/distribute")
    return data


def _order(api: str) -> int:
    versions: list[str] = _facts()["api_versions"]
    return versions.index(api)


def _at_least(api: str, version: str) -> bool:
    return _order(api) >= _order(version)


class _Report:
    def __init__(self, api: str, base: str, template_name: str | None) -> None:
        self.api = api
        self.base = base
        self.template_name = template_name
        self.findings: list[Finding] = []
        self.case_sensitive = _at_least(api, _facts()["case_sensitive_since"]["version"])

    def add(self, rule_id: str, severity: Severity, span: Span, message: str, prop: str = "") -> None:
        self.findings.append(Finding(
            rule_id, severity, message, span, resource_type=IMAGE_TEMPLATES, resource_name=self.template_name,
            property_path=f"{self.base}.{prop}" if prop else self.base,
        ))


def check_distributor(entry: Node, base: str, api: str | None, template_name: str | None) -> list[Finding]:
    """Findings for one `distribute[]` element of type SharedImage at `base`; none when the API
    version is unknown or not an Image Builder version (nothing to read it against)."""
    if api is None or api not in _facts()["api_versions"]:
        return []
    report = _Report(api, base, template_name)
    specs: dict[str, dict[str, Any]] = _facts()["properties"]
    present: dict[str, tuple[str, Span, Node]] = {}
    for key, node in entry.items():
        key_span = (entry.key_spans or {})[key]
        canonical = _canonical(key, specs)
        if canonical is None:
            _unknown_property(report, key, key_span, [p for p, s in specs.items() if _at_least(api, s["since"])], "a SharedImage distribution")
            continue
        if canonical != key and report.case_sensitive:
            report.add(UNKNOWN_PROPERTY, Severity.ERROR, key_span,
                       f"'{key}' must be spelled '{canonical}': from API version 2024-02-01 Image Builder compares field "
                       f"names case-sensitively and rejects the template (declared API version {api})", key)
        spec = specs[canonical]
        if not _at_least(api, spec["since"]):
            report.add(PROPERTY_NEEDS_API_VERSION, Severity.ERROR, key_span,
                       f"'{canonical}' needs Image Builder API version {spec['since']} or later; the template declares {api}", canonical)
            continue
        present[canonical] = (key, key_span, node)
        _kind(report, canonical, spec["kind"], node)
    _required(report, entry, specs, present)
    _discriminator(report, present)
    _run_output_name(report, present)
    _gallery_image_id(report, present)
    _storage_type(report, present.get("storageAccountType"), "storageAccountType", _distributor_storage_values())
    _enum(report, present.get("replicationMode"), "replicationMode", [v["value"] for v in specs["replicationMode"]["values"]])
    _target_regions(report, present.get("targetRegions"))
    _versioning(report, present.get("versioning"))
    _exclusive(report, present)
    return report.findings


def _canonical(key: str, specs: dict[str, Any]) -> str | None:
    if key in specs:
        return key
    return next((name for name in specs if name.lower() == key.lower()), None)


def _unknown_property(report: _Report, key: str, span: Span, known: list[str], where: str) -> None:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    if report.case_sensitive:
        report.add(UNKNOWN_PROPERTY, Severity.ERROR, span,
                   f"'{key}' is not a property of {where} in Image Builder API version {report.api}{hint} "
                   "From 2024-02-01 the service rejects unrecognized fields", key)
    else:
        report.add(UNKNOWN_PROPERTY, Severity.WARNING, span,
                   f"'{key}' is not a property of {where} in Image Builder API version {report.api}{hint}", key)


def _kind(report: _Report, name: str, kind: str, node: Node) -> None:
    if node.value is UNKNOWN or node.value is None:
        return
    if kind == "array":
        wrong = not node.is_array
    elif kind == "object":
        wrong = not node.is_object
    else:
        value = node.value
        wrong = node.is_object or node.is_array or not isinstance(value, _KINDS[kind]) or (kind == "integer" and isinstance(value, bool))
    if wrong:
        report.add(INVALID_VALUE, Severity.ERROR, node.span, f"'{name}' must be {_article(kind)}, not {_describe(node)}", name)


def _article(kind: str) -> str:
    return {"array": "an array", "object": "an object", "integer": "an integer"}.get(kind, f"a {kind}")


def _describe(node: Node) -> str:
    if node.is_object:
        return "an object"
    if node.is_array:
        return "an array"
    value = node.value
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return f"the string '{value}'"


def _required(report: _Report, entry: Node, specs: dict[str, Any], present: dict[str, tuple[str, Span, Node]]) -> None:
    anchor = present["type"][2].span if "type" in present else entry.span
    for name, spec in specs.items():
        until = spec.get("required_until")
        if until is None or not _at_least(report.api, spec["since"]) or _order(report.api) > _order(until):
            continue
        if name in present:
            continue
        if any(key.lower() == name.lower() for key in entry.value):
            continue  # given, though misspelled or in a version that lacks it: reported as such
        extra = " (targetRegions arrived in 2022-07-01)" if name == "replicationRegions" else ""
        report.add(MISSING_REQUIRED, Severity.ERROR, anchor,
                   f"'{name}' is required in a SharedImage distribution by Image Builder API version {report.api}{extra}", name)


def _discriminator(report: _Report, present: dict[str, tuple[str, Span, Node]]) -> None:
    if "type" not in present:
        return
    node = present["type"][2]
    if not isinstance(node.value, str) or not _at_least(report.api, _facts()["discriminator"]["checked_since"]):
        return
    allowed = [v["value"] for v in _facts()["discriminator"]["values"]
               if _at_least(report.api, v["since"]) and ("until" not in v or _order(report.api) <= _order(v["until"]))]
    if node.value not in allowed and allowed:
        report.add(INVALID_VALUE, Severity.ERROR, node.span,
                   f"type '{node.value}' must be written '{allowed[0]}' in Image Builder API version {report.api}; "
                   "the service rejects other spellings with \"Field 'distribute[…].type' has a bad value\"", "type")


def _run_output_name(report: _Report, present: dict[str, tuple[str, Span, Node]]) -> None:
    if "runOutputName" not in present:
        return
    node = present["runOutputName"][2]
    if not isinstance(node.value, str) or node.value is UNKNOWN:
        return
    pattern = None
    for entry in _facts()["properties"]["runOutputName"]["patterns"]:
        if _at_least(report.api, entry["since"]) and ("until" not in entry or _order(report.api) <= _order(entry["until"])):
            pattern = entry["pattern"]
    if pattern is not None and re.fullmatch(pattern, node.value) is None:
        dot = ", '.'" if "." in pattern else ""
        report.add(INVALID_VALUE, Severity.ERROR, node.span,
                   f"runOutputName '{node.value}' does not match {pattern} (1 to 64 letters, digits, '-', '_'{dot}) "
                   f"required by Image Builder API version {report.api}", "runOutputName")


def _gallery_image_id(report: _Report, present: dict[str, tuple[str, Span, Node]]) -> None:
    if "galleryImageId" not in present:
        return
    node = present["galleryImageId"][2]
    if not isinstance(node.value, str) or not node.value:
        return
    target = reference_target(node.value)
    kinds = (m.IMAGE_DEFINITION.lower(), m.IMAGE_VERSION.lower())
    if target is None or target[0].lower() not in kinds:
        report.add(INVALID_VALUE, Severity.ERROR, node.span,
                   f"galleryImageId '{node.value}' is not the id of a gallery image definition "
                   "(…/galleries/<gallery>/images/<definition>) or of an image version (…/images/<definition>/versions/<1.0.0>)",
                   "galleryImageId")


def _distributor_storage_values() -> list[tuple[str, str]]:
    return [(v["value"], v["since"]) for v in _facts()["properties"]["storageAccountType"]["values"]]


def _storage_type(report: _Report, given: tuple[str, Span, Node] | None, prop: str, values: list[tuple[str, str]]) -> None:
    if given is None:
        return
    node = given[2]
    if not isinstance(node.value, str) or node.value is UNKNOWN:
        return
    for value, since in values:
        if node.value.lower() != value.lower():
            continue
        if not _at_least(report.api, since):
            report.add(PROPERTY_NEEDS_API_VERSION, Severity.ERROR, node.span,
                       f"storage account type {value} needs Image Builder API version {since} or later; the template declares {report.api}", prop)
        elif node.value != value:
            report.add(INVALID_VALUE, Severity.WARNING, node.span, f"'{node.value}' is spelled '{value}'", prop)
        return
    allowed = ", ".join(v for v, since in values if _at_least(report.api, since))
    report.add(INVALID_VALUE, Severity.ERROR, node.span,
               f"storage account type '{node.value}' is not one of {allowed} in Image Builder API version {report.api}", prop)


def _enum(report: _Report, given: tuple[str, Span, Node] | None, prop: str, values: list[str]) -> None:
    if given is None or not isinstance(given[2].value, str) or given[2].value is UNKNOWN:
        return
    node = given[2]
    exact = [v for v in values if v.lower() == node.value.lower()]
    if not exact:
        report.add(INVALID_VALUE, Severity.ERROR, node.span, f"{prop} '{node.value}' is not one of {', '.join(values)}", prop)
    elif exact[0] != node.value:
        report.add(INVALID_VALUE, Severity.WARNING, node.span, f"'{node.value}' is spelled '{exact[0]}'", prop)


def _target_regions(report: _Report, given: tuple[str, Span, Node] | None) -> None:
    if given is None or not given[2].is_array:
        return
    spec = _facts()["target_region_properties"]
    names = [name for name in spec if name != "source"]
    for i, item in enumerate(given[2].value):
        if not item.is_object:
            if item.value is not UNKNOWN:
                report.add(INVALID_VALUE, Severity.ERROR, item.span,
                           f"targetRegions[{i}] must be an object with 'name' (and optionally 'replicaCount', 'storageAccountType'), not {_describe(item)}",
                           f"targetRegions[{i}]")
            continue
        present: dict[str, tuple[str, Span, Node]] = {}
        for key, node in item.items():
            key_span = (item.key_spans or {})[key]
            canonical = next((n for n in names if n.lower() == key.lower()), None)
            if canonical is None:
                _unknown_property(report, key, key_span, names, f"a target region (targetRegions[{i}])")
                continue
            if canonical != key and report.case_sensitive:
                report.add(UNKNOWN_PROPERTY, Severity.ERROR, key_span,
                           f"'{key}' must be spelled '{canonical}': from API version 2024-02-01 Image Builder compares field "
                           f"names case-sensitively and rejects the template (declared API version {report.api})", f"targetRegions[{i}].{key}")
            present[canonical] = (key, key_span, node)
            _kind(report, f"targetRegions[{i}].{canonical}", spec[canonical]["kind"], node)
        if "name" not in present:
            report.add(MISSING_REQUIRED, Severity.ERROR, item.span,
                       f"'name' is required in targetRegions[{i}] by Image Builder API version {report.api}", f"targetRegions[{i}].name")
        _storage_type(report, present.get("storageAccountType"), f"targetRegions[{i}].storageAccountType",
                      [(v, "2022-07-01") for v in spec["storageAccountType"]["values"]])


def _versioning(report: _Report, given: tuple[str, Span, Node] | None) -> None:
    if given is None or not given[2].is_object:
        return
    node = given[2]
    schemes: list[str] = _facts()["versioning_schemes"]["values"]
    scheme = node.get_ci("scheme")
    if scheme is None:
        report.add(MISSING_REQUIRED, Severity.ERROR, node.span,
                   f"'scheme' ({' or '.join(schemes)}) is required in versioning by Image Builder API version {report.api}", "versioning.scheme")
    else:
        _enum(report, ("scheme", node.span, scheme), "versioning.scheme", schemes)
    major = node.get_ci("major")
    minimum: int = _facts()["versioning_schemes"]["major_minimum"]
    if major is not None and type(major.value) is int and major.value < minimum:
        report.add(INVALID_VALUE, Severity.ERROR, major.span,
                   f"versioning.major {major.value} is below {minimum} (-1 means: take the newest major version)", "versioning.major")


def _exclusive(report: _Report, present: dict[str, tuple[str, Span, Node]]) -> None:
    for pair in _facts()["exclusive"]:
        first, second = pair["properties"]
        if first not in present or second not in present:
            continue
        if present[first][2].value is None or present[second][2].value is None:
            continue
        later, earlier = sorted((present[first], present[second]), key=lambda p: (p[1].line, p[1].column), reverse=True)
        advice = f"; {pair['advice']}" if "advice" in pair else ""
        report.add(EXCLUSIVE_PROPERTIES, Severity.ERROR, later[1],
                   f"'{later[0]}' and '{earlier[0]}' (line {earlier[1].line}) cannot both be given in a SharedImage "
                   f"distribution: \"{pair['quote']}\"{advice}", later[0])
