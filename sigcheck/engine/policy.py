"""Organisation policy as the rules see it: the configured values of the SIG8xx catalogue and the
custom rules written as data, each remembering where in the configuration it was set.

The configuration layer builds these (sigcheck/config_policy.py); the rules read them through
`CheckContext.settings["policy"]["scope"]`, which answers with the policy that governs a file (the
one of the configuration nearest to it), so one run over several folders applies each folder's
own policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Protocol

from sigcheck.engine.rules import CheckContext, Hit, Rule
from sigcheck.model import resources as m
from sigcheck.model.findings import RuleMeta, Severity
from sigcheck.syntax.located import Span

# The configuration key of each gallery resource type, as custom rules' `resources` and the
# `naming` table spell them.
KIND_KEYS: dict[str, type[m.Resource]] = {
    "gallery": m.Gallery,
    "image-definition": m.ImageDefinition,
    "image-version": m.ImageVersion,
    "application": m.GalleryApplication,
    "application-version": m.ApplicationVersion,
}
GALLERY_CLASSES: tuple[type[m.Resource], ...] = tuple(KIND_KEYS.values())
if TYPE_CHECKING:  # the condition language is imported only by runs that have custom rules
    from sigcheck.engine.condition import Condition, Verdict

SETTINGS_NAME = "policy"  # CheckContext.settings[SETTINGS_NAME]["scope"]


def kind_key(res: m.Resource) -> str | None:
    """The configuration key of the resource's kind (subclasses do not count)."""
    for key, cls in KIND_KEYS.items():
        if type(res) is cls:
            return key
    return None


@dataclass(frozen=True)
class Source:
    """Where a policy value is written: the configuration file (as shown) and its line:column."""

    path: str
    line: int
    column: int

    def span(self) -> Span:
        return Span(self.path, self.line, self.column, self.line, self.column)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Setting:
    """One configured catalogue key (`allowed-regions`) with its value and where it was set."""

    key: str
    value: Any
    source: Source
    # Where each member of a table value is written (`naming.gallery`, `replicas.min`).
    members: tuple[tuple[str, Source], ...] = ()

    def where(self, sub: str | None = None) -> Source:
        return next((source for name, source in self.members if name == sub), self.source) if sub else self.source

    def cite(self, sub: str | None = None) -> str:
        """`policy.replicas.min (.sigcheck.yaml:5)`: what a message names."""
        name = f"policy.{self.key}" + (f".{sub}" if sub else "")
        return f"{name} ({self.where(sub)})"

    def related(self, sub: str | None = None) -> tuple[tuple[Span, str], ...]:
        """The configuration as a related location of a finding (SARIF relatedLocations)."""
        name = f"policy.{self.key}" + (f".{sub}" if sub else "")
        return ((self.where(sub).span(), f"{name} is set here"),)


@dataclass(frozen=True)
class CustomRule:
    """A rule written as data in the configuration's `custom-rules` list."""

    id: str
    name: str
    severity: Severity
    message: str
    help_uri: str
    resources: tuple[str, ...]  # KIND_KEYS keys
    condition: Condition
    source: Source

    def meta(self) -> RuleMeta:
        return RuleMeta(self.id, self.name, self.severity, self.message, True, GALLERY_CLASSES,
                        help_uri=self.help_uri, origin=f"configuration {self.source.path}")


@dataclass
class Policy:
    """The policy of one configuration file."""

    path: str
    settings: dict[str, Setting] = field(default_factory=dict)
    custom: dict[str, CustomRule] = field(default_factory=dict)  # by id


class Scope(Protocol):
    """Which policy governs a file: None when no configuration sets one."""

    def for_path(self, path: str) -> Policy | None: ...


def policy_of(res: m.Resource, ctx: CheckContext) -> Policy | None:
    scope = ctx.settings.get(SETTINGS_NAME, {}).get("scope")
    if scope is None:
        return None
    found: Policy | None = scope.for_path(res.path)
    return found


def setting(res: m.Resource, ctx: CheckContext, key: str) -> Setting | None:
    """The catalogue key `key` of the policy that governs the resource's file, when set."""
    policy = policy_of(res, ctx)
    return policy.settings.get(key) if policy is not None else None


def applicable(res: m.Resource, ctx: CheckContext) -> Iterator[CustomRule]:
    """The custom rules of the policy governing the resource's file that name its kind."""
    policy = policy_of(res, ctx)
    if policy is None:
        return
    key = kind_key(res)
    for definition in policy.custom.values():
        if key in definition.resources:
            yield definition


def undecided(res: m.Resource, ctx: CheckContext) -> Iterator[tuple[CustomRule, Verdict]]:
    """The custom rules whose condition an unresolved value (or the step budget) leaves
    undecided for this resource: they report nothing, so SIG002 says why."""
    from sigcheck.engine.condition import evaluate

    for definition in applicable(res, ctx):
        verdict = evaluate(definition.condition, res)
        if verdict.holds is None:
            yield definition, verdict


def custom_rule(meta: RuleMeta) -> Rule[m.Resource]:
    """The registered rule of a custom rule id. It evaluates the definition of that id in the
    policy governing each resource's file, so a folder's configuration may refine the rule."""

    def check(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
        definition = next((d for d in applicable(res, ctx) if d.id == meta.id), None)
        if definition is None:
            return
        from sigcheck.engine.condition import evaluate

        verdict = evaluate(definition.condition, res)
        if verdict.holds is not True or verdict.where is None:
            return
        shown = f": {verdict.path} is {verdict.shown}" if verdict.path else ""
        yield Hit(verdict.where, f"{definition.message}{shown} (custom rule {definition.id}, {definition.source})",
                  path=verdict.path, related=((definition.source.span(), f"custom rule {definition.id} is defined here"),))

    return Rule(meta, check=check)
