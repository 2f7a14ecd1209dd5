"""SIG4xx: security type, Hyper-V generation and architecture of image definitions."""

from __future__ import annotations

from functools import cache
from typing import Iterator

from sigcheck.model import facts
from sigcheck.engine.rules import AnyRule, CheckContext, Hit, rule
from sigcheck.checks.values import api_at_least, authored, related, same, text, where_words
from sigcheck.model.findings import Severity
from sigcheck.syntax.located import Located
from sigcheck.model import resources as m


@cache
def _v2_default_from() -> str:
    for entry in facts.load("api_versions")["default_image_definition_security"]:
        if entry.get("hyperVGeneration") == "V2":
            return str(entry["from"])
    raise LookupError("api_versions.json has no V2 default")


def generation(res: m.ImageDefinition) -> tuple[str, str] | None:
    """The definition's Hyper-V generation and how it was decided, or None when unknown."""
    stated = res.hyper_v_generation
    if stated is not None:
        if not stated.known or not isinstance(stated.value, str):
            return None
        return stated.value.upper(), "stated"
    api = res.api_version
    if api is None or not api.known or not isinstance(api.value, str):
        return None
    if api.value < _v2_default_from():
        return "V1", f"the default for API version {api.value} when hyperVGeneration is not set"
    return "V2", f"the default from API version {_v2_default_from()}"


def _security_type(res: m.ImageDefinition) -> Located[str] | None:
    feature = res.feature("SecurityType")
    if feature is None or feature.value is None or not feature.value.known or not isinstance(feature.value.value, str):
        return None
    return feature.value


def _generation_words(res: m.ImageDefinition, how: str) -> str:
    if how != "stated":
        return f"V1 ({how})"
    origin = res.hyper_v_generation.origin if res.hyper_v_generation is not None else None
    return f"V1 ({origin})" if origin else "V1"


@rule(
    "SIG401", "security-type-needs-gen2", Severity.ERROR,
    "An image definition declares a security type other than `Standard` while its Hyper-V generation is V1.",
    applies_to=m.ImageDefinition,
    needs=("hyper_v_generation", "features", "security_type"),
)
def security_type_needs_gen2(res: m.ImageDefinition, ctx: CheckContext) -> Iterator[Hit]:
    security = _security_type(res)
    if security is None or security.value.lower() == "standard":
        return
    gen = generation(res)
    if gen is None or gen[0] != "V1":
        return
    where = res.hyper_v_generation if gen[1] == "stated" and res.hyper_v_generation is not None else security
    yield Hit(where, f"SecurityType '{security.value}' describes a Gen2 image, but the definition is {_generation_words(res, gen[1])}; set hyperVGeneration to V2")


@rule(
    "SIG402", "security-type-sharing", Severity.ERROR,
    "An image definition with security type `TrustedLaunch` or `ConfidentialVM` is placed in a gallery that is shared to a community or directly.",
    applies_to=m.ImageDefinition,
    needs=("features", "security_type"),
)
def security_type_sharing(res: m.ImageDefinition, ctx: CheckContext) -> Iterator[Hit]:
    security = _security_type(res)
    gallery = res.parent
    if security is None or not isinstance(gallery, m.Gallery) or not related(res, gallery):
        return
    private_only = {v.lower() for v in facts.load("features")["private_only_security_types"]}
    permission = gallery.sharing_permission
    if security.value.lower() not in private_only or permission is None or not permission.known:
        return
    if str(permission.value).lower() in ("groups", "community"):
        yield Hit(security, f"SecurityType '{security.value}' is only accepted in private galleries; gallery '{gallery.full_name}' is shared as {permission.value} ({where_words(res, permission)}); use {security.value}Supported")


@rule(
    "SIG403", "arm64-needs-gen2", Severity.ERROR,
    "An image definition for the Arm64 architecture has Hyper-V generation V1.",
    applies_to=m.ImageDefinition,
    needs=("hyper_v_generation",),
)
def arm64_needs_gen2(res: m.ImageDefinition, ctx: CheckContext) -> Iterator[Hit]:
    arch = res.architecture
    if arch is None or not arch.known or not isinstance(arch.value, str) or arch.value.lower() != "arm64":
        return
    gen = generation(res)
    if gen is None or gen[0] != "V1":
        return
    yield Hit(arch, f"architecture Arm64 needs hyperVGeneration V2, but the definition is {_generation_words(res, gen[1])}")


# How the inputs that are scripts name the tool whose defaults apply (rules/api_versions.json).
def _first_version(path: str) -> str:
    return str(facts.load("api/matrix")["types"][m.IMAGE_DEFINITION]["paths"][path][0])


def _defaults_words(res: m.ImageDefinition) -> str | None:
    """What the definition gets when it states neither, for its tool or API version."""
    data = facts.load("api_versions")
    api = text(res.api_version)
    if api is None:
        return None
    for entry in data["default_image_definition_security"]:
        if ("before" in entry and api < entry["before"]) or ("from" in entry and api >= entry["from"]):
            security = entry["securityType"] or "no security type"
            change = next(e for e in data["default_image_definition_security"] if "from" in e)
            later = "" if "from" in entry else f"; from API version {change['from']} the default becomes {change['hyperVGeneration']} with {change['securityType']}"
            return f"with API version {api} the service makes it {entry['hyperVGeneration']} with {security}{later}"
    return None


@rule(
    "SIG406", "implicit-generation", Severity.WARNING,
    "An image definition leaves its Hyper-V generation or its security type unstated, so what gets created depends on the API version and the tool.",
    applies_to=m.ImageDefinition,
    needs=("hyper_v_generation", "features"),
)
def implicit_generation(res: m.ImageDefinition, ctx: CheckContext) -> Iterator[Hit]:
    if res.partial:
        return  # an update cannot change either; the definition keeps what it was created with
    if not authored(res):
        # az and Az.Compute always send a generation and a security type of their own (the loaders
        # record those defaults), except where the user asked for SecurityType=Standard, which
        # is an explicit choice: either way nothing is left to the service.
        return
    missing = []
    if res.hyper_v_generation is None and api_at_least(res, _first_version("properties.hyperVGeneration")):
        missing.append("hyperVGeneration")
    stated_v1 = res.hyper_v_generation is not None and same(res.hyper_v_generation, "V1")
    features_unreadable = m.unreadable(res.features_shape, "array")
    if res.feature("SecurityType") is None and not stated_v1 and not features_unreadable \
            and api_at_least(res, _first_version("properties.features")):
        missing.append("SecurityType (in features)")
    if not missing:
        return
    defaults = _defaults_words(res)
    if defaults is None:
        return
    where = res.properties_key or res.span
    yield Hit(where, f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not stated, so the result depends on API version and tool: {defaults}; state {'it' if len(missing) == 1 else 'both'} explicitly", path="properties")


RULES: list[AnyRule] = [security_type_needs_gen2, security_type_sharing, arm64_needs_gen2, implicit_generation]
