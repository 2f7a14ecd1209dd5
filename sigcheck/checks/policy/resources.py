"""SIG805–SIG810: end of life, names, security types, tags, sharing and API versions, by policy."""

from __future__ import annotations

import datetime as _dt
import re
from functools import cache
from typing import Any, Iterator

from sigcheck.checks.policy.common import POLICY_SEVERITY, allows, anchor, complete_setting, deciding, described, hit, not_in
from sigcheck.checks.values import text
from sigcheck.engine.policy import GALLERY_CLASSES, kind_key, setting
from sigcheck.engine.rules import CheckContext, Hit, Rule, rule
from sigcheck.model import facts
from sigcheck.model import resources as m
from sigcheck.syntax.located import Located

WITH_END_OF_LIFE = (m.ImageDefinition, m.ImageVersion, m.GalleryApplication, m.ApplicationVersion)
DEFAULT_SHARING = "Private"  # a gallery without sharingProfile is shared through RBAC only


def _date(value: str) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(value[:10])
    except ValueError:
        return None  # not a date: the schema rules report it


@rule(
    "SIG805", "policy-end-of-life", POLICY_SEVERITY,
    "A version or definition has no end-of-life date although `policy.end-of-life` requires one, or a date further away than its `max-days`.",
    applies_to=WITH_END_OF_LIFE,
)
def end_of_life(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    policy = setting(res, ctx, "end-of-life")
    if policy is None or not isinstance(res, WITH_END_OF_LIFE):
        return
    stated: Located[Any] | None = res.end_of_life_date
    if stated is None:
        if policy.value.get("required") and not res.partial:
            yield hit(anchor(res), f"{described(res)} has no endOfLifeDate; {policy.cite('required')} requires one",
                      policy, "required")
        return
    max_days = policy.value.get("max-days")
    value = text(stated)
    if max_days is None or value is None:
        return
    date = _date(value)
    if date is None:
        return
    days = (date - ctx.today).days
    if days > max_days:
        yield hit(stated, f"endOfLifeDate {value[:10]} of {described(res)} is {days} days after {ctx.today.isoformat()}; "
                          f"{policy.cite('max-days')} allows {max_days}", policy, "max-days")


@cache
def _pattern(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


@rule(
    "SIG806", "policy-naming", POLICY_SEVERITY,
    "A gallery resource's name does not fully match the regular expression `policy.naming` sets for its kind.",
    applies_to=GALLERY_CLASSES,
)
def naming(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    policy = setting(res, ctx, "naming")
    kind = kind_key(res)
    if policy is None or kind is None or kind not in policy.value:
        return
    name = res.name
    value = text(name)
    if name is None or value is None or name.span.path != res.path:
        return
    regex = str(policy.value[kind])
    if _pattern(regex).fullmatch(value) is None:
        yield hit(name, f"name '{value}' of {described(res)} does not match {policy.cite(kind)}: {regex}", policy, kind)


@cache
def _security_defaults() -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = facts.load("api_versions")["default_image_definition_security"]
    return entries


def effective_security_type(res: m.ImageDefinition) -> tuple[str, Located[Any] | None, str] | None:
    """The security type a definition gets (`Standard` for none), the token that decides it and
    how; None when unknown. A stated SecurityType feature wins; else a stated V1 generation means
    none; else the API version's default (domain §2.2, §3: TrustedLaunchSupported from 2025-03-03).
    az and Az.Compute send their own defaults, which their loaders write into the body as features."""
    feature = res.feature("SecurityType")
    if feature is not None:
        value = feature.value
        if value is None or not value.known or not isinstance(value.value, str):
            return None
        return value.value, value, "stated"
    if m.unresolved(res.features_shape):
        return None
    generation = res.hyper_v_generation
    if generation is not None:
        if text(generation) is None:
            return None
        if str(generation.value).upper() == "V1":
            return "Standard", generation, "hyperVGeneration V1 has no security type"
    api = text(res.api_version)
    if api is None:
        return None
    for entry in _security_defaults():
        if ("before" in entry and api[:10] < entry["before"]) or ("from" in entry and api[:10] >= entry["from"]):
            security = entry["securityType"] or "Standard"
            return security, res.api_version, f"the default of API version {api[:10]}"
    return None


@rule(
    "SIG807", "policy-security-types", POLICY_SEVERITY,
    "An image definition's effective security type (after the API version's and the tool's defaults) is not among `policy.security-types`.",
    applies_to=(m.ImageDefinition,),
)
def security_types(res: m.ImageDefinition, ctx: CheckContext) -> Iterator[Hit]:
    policy = complete_setting(res, ctx, "security-types")
    if policy is None:
        return
    found = effective_security_type(res)
    if found is None:
        return
    security, token, how = found
    if allows(policy, security):
        return
    origin = f"; {token.origin}" if token is not None and token.origin else ""
    yield hit(deciding(res, token, anchor(res)),
              f"{described(res)} gets security type {security} ({how}{origin}); {not_in(policy)}", policy)


@rule(
    "SIG808", "policy-required-tags", POLICY_SEVERITY,
    "A gallery resource lacks a tag that `policy.required-tags` requires (tag names compared ignoring case).",
    applies_to=GALLERY_CLASSES,
)
def required_tags(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    policy = complete_setting(res, ctx, "required-tags")
    if policy is None:
        return
    if m.unreadable(res.tags_shape, "object"):
        return  # tags that cannot be read may hold the required ones
    present = {tag.value.lower() for tag in res.tags}
    missing = [str(t) for t in policy.value if str(t).lower() not in present]
    if not missing:
        return
    where: Any = res.tags_key if res.tags_key is not None else anchor(res)
    plural = "s" if len(missing) > 1 else ""
    yield hit(where, f"{described(res)} lacks the tag{plural} {', '.join(missing)} that {policy.cite()} requires", policy)


@rule(
    "SIG809", "policy-sharing", POLICY_SEVERITY,
    "A gallery's sharing permission is not among those `policy.sharing` allows.",
    applies_to=(m.Gallery,),
)
def sharing(res: m.Gallery, ctx: CheckContext) -> Iterator[Hit]:
    policy = complete_setting(res, ctx, "sharing")
    if policy is None:
        return
    stated = res.sharing_permission
    if stated is None:
        value, how = DEFAULT_SHARING, " (no sharingProfile: the default)"
    else:
        found = text(stated)
        if found is None:
            return
        value, how = found, ""
    if allows(policy, value):
        return
    yield hit(deciding(res, stated, anchor(res)), f"{described(res)} is shared as {value}{how}; {not_in(policy)}", policy)


@rule(
    "SIG810", "policy-min-api-version", POLICY_SEVERITY,
    "A gallery resource uses an API version older than `policy.min-api-version`.",
    applies_to=GALLERY_CLASSES,
)
def min_api_version(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    policy = setting(res, ctx, "min-api-version")
    api = res.api_version
    value = text(api)
    if policy is None or api is None or value is None:
        return
    if value[:10] < str(policy.value):
        origin = f"; it is {api.origin}" if api.origin else ""
        yield hit(api, f"API version {value} of {described(res)} is older than {policy.cite()}: {policy.value}{origin}", policy)


RULES: list[Rule[Any]] = [end_of_life, naming, security_types, required_tags, sharing, min_api_version]
