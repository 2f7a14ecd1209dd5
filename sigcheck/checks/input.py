"""SIG0xx: problems with the input itself, reported by the loaders, and the values sigcheck
could not resolve."""

from __future__ import annotations

import re
from typing import Any, Iterator, Sequence

from sigcheck.engine.policy import undecided
from sigcheck.engine.rules import AnyRule, CheckContext, Hit, rule
from sigcheck.checks.values import GALLERY_RESOURCES, KIND_WORDS
from sigcheck.model.findings import RuleMeta, Severity
from sigcheck.syntax.located import Located, Span
from sigcheck.model import resources as m

# Not a list of rules: every rule that looks a resource up by name (a version's gallery, a VM's
# image) relies on the names too.
_NAME_READERS = "the SIG1xx name rules and the rules that look resources up by name"


def _unresolved(res: m.Resource) -> Iterator[tuple[Located[Any], str, str]]:
    """(where, what, the model field it is, or None for names) for every value the rules need
    that is unknown."""
    own = res.names[-1] if res.names else None
    for name in res.names:
        # Parent segments written elsewhere (a nested child's parent) belong to the parent's note.
        if not name.known and own is not None and name.span == own.span:
            yield name, f"the name of this {KIND_WORDS[res.type_name]}", ""
    if res.api_version is not None and not res.api_version.known:
        yield res.api_version, "the API version", "api_version"
    if res.location is not None and not res.location.known and res.location_in_body:
        yield res.location, "the location", "location"
    if isinstance(res, m.Replicated):
        regions = res.target_regions_shape
        if regions is not None and m.unresolved(regions):
            yield regions, "the list of target regions", "target_regions"
        for region in res.target_regions or []:
            if not region.name.known:
                yield region.name, "a target region", "target_regions"
            if region.storage_account_type is not None and not region.storage_account_type.known:
                yield region.storage_account_type, "a target region's storage account type", "region_storage_account_type"
        if res.storage_account_type is not None and not res.storage_account_type.known:
            yield res.storage_account_type, "the storage account type", "storage_account_type"
    if isinstance(res, m.ImageDefinition):
        if res.hyper_v_generation is not None and not res.hyper_v_generation.known:
            yield res.hyper_v_generation, "the Hyper-V generation", "hyper_v_generation"
        if res.features_shape is not None and m.unresolved(res.features_shape):
            yield res.features_shape, "the features (and so the security type)", "features"
        security = res.feature("SecurityType")
        if security is not None and security.value is not None and not security.value.known:
            yield security.value, "the security type", "security_type"


def readers(need: str, catalogue: Sequence[RuleMeta]) -> str:
    """The rules of the catalogue that declare `need` (a key of NEEDS), in words: a whole family
    as `SIG5xx`, three or more neighbours in the catalogue as `SIG201–SIG209`; a short list reads
    as prose ("SIG401, SIG403 and SIG406"), a long one or one with ranges as a list."""
    ids = sorted(meta.id for meta in catalogue if not meta.emitted_by_pipeline)
    wanted = {meta.id for meta in catalogue if need in meta.needs}
    words: list[str] = []
    families = _families(ids)
    done: set[str] = set()
    for family, members in families.items():
        if len(members) > 1 and set(members) <= wanted:
            words.append(f"{family}xx")
            done.update(members)
    run: list[str] = []
    for rule_id in ids + [""]:  # "" closes the last run
        if rule_id in wanted and rule_id not in done:
            run.append(rule_id)
            continue
        if run:
            words.extend([f"{run[0]}–{run[-1]}"] if len(run) >= 3 else run)
            run = []
    words.sort(key=lambda word: word[:6])
    if not words:
        return "other rules"
    if len(words) <= 3 and not any("–" in word for word in words):
        return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return ", ".join(words)


def _families(ids: list[str]) -> dict[str, list[str]]:
    """Rule ids by family: `SIG5` for SIG501–SIG599."""
    out: dict[str, list[str]] = {}
    for rule_id in ids:
        match = re.fullmatch(r"([A-Z]+\d)\d\d", rule_id)
        if match:
            out.setdefault(match.group(1), []).append(rule_id)
    return out


@rule(
    "SIG002", "unresolved-value", Severity.NOTE,
    "A value that another rule needs could not be resolved statically, so that rule could not check it.",
    applies_to=GALLERY_RESOURCES,
    enabled=False,
)
def unresolved_value(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    # Custom rules left undecided, by the value that left them so: a value the built-in rules
    # need as well gets one finding that names both.
    custom: dict[Span, list[str]] = {}
    exhausted: list[str] = []
    paths: dict[Span, str] = {}
    origins: dict[Span, str] = {}
    for definition, verdict in undecided(res, ctx):
        name = f"custom rule {definition.id} ({definition.source})"
        if verdict.where is None:
            exhausted.append(name)
            continue
        custom.setdefault(verdict.where, []).append(name)
        paths.setdefault(verdict.where, verdict.path)
        if verdict.origin:
            origins.setdefault(verdict.where, verdict.origin)
    seen: set[tuple[Span, str]] = set()
    for where, what, need in _unresolved(res):
        key = (where.span, what)
        if key in seen:
            continue  # name segments of one expression share its span
        seen.add(key)
        origin = f" ({where.origin})" if where.origin else ""
        who = readers(need, ctx.catalogue) if need else _NAME_READERS
        who = _and(who, custom.pop(where.span, []))
        yield Hit(where, f"{what} cannot be resolved statically{origin}, so {who} cannot check it; give it a value (a parameter default, --parameters, --location)")
    for span, names in custom.items():
        origin = f" ({origins[span]})" if span in origins else ""
        what = f"{paths[span] or 'a value'} cannot be resolved statically{origin}"
        yield Hit(span, f"{what}, so {_and('', names)} decides nothing for this {KIND_WORDS[res.type_name]}; give it a value (a parameter default, --parameters, --location)",
                  path=paths[span])
    if exhausted:
        from sigcheck.engine.condition import MAX_STEPS

        yield Hit(res.span, f"{_and('', exhausted)} took more than {MAX_STEPS:,} steps on this {KIND_WORDS[res.type_name]} and decides nothing")


def _and(first: str, more: list[str]) -> str:
    """`SIG201 and custom rule X (file:3)`: a list in prose."""
    words = ([first] if first else []) + more
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


RULES: list[AnyRule] = [unresolved_value]
