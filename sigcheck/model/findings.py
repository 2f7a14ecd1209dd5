"""Findings and the metadata of the rules that report them: what every stage after the model
shares (inputs emit pipeline diagnostics, rules emit hits, formatters render both)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from enum import IntEnum

from sigcheck.syntax.located import Span


class Severity(IntEnum):
    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]


@dataclass(slots=True)
class Finding:
    rule_id: str
    severity: Severity
    message: str
    span: Span
    # Logical location: the resource concerned, when there is one.
    resource_type: str | None = None
    resource_name: str | None = None
    # Property path inside the resource ("properties.publishingProfile.targetRegions[1].name"):
    # with the rule and resource, a fingerprint that survives line shifts.
    property_path: str = ""
    suppression: str | None = None  # the justification, when suppressed in source
    extra: dict[str, object] = field(default_factory=dict)

    def sort_key(self) -> tuple:
        return (self.span.path, self.span.line, self.span.column, self.rule_id, self.message)


# Where each built-in rule's documentation page lives (docs/rules/<ID>.md in the repository).
DOCS_URL = "https://github.com/sigcheck/sigcheck/blob/main/docs/rules"


@dataclass(frozen=True)
class RuleMeta:
    """What a rule is, independent of how it checks: one entry of the catalogue.

    `applies_to` is the tuple of model classes a resource rule receives; `help_uri` defaults to
    the built-in docs page only for sigcheck's own rules (a plugin passes its own).
    """

    id: str
    name: str
    severity: Severity
    summary: str
    enabled_by_default: bool = True
    applies_to: tuple[type, ...] = ()
    # Reported by the pipeline itself (loaders, the CLI front ends) rather than a model check.
    emitted_by_pipeline: bool = False
    help_uri: str = ""
    # The distribution that registered the rule, for messages about plugins ("sigcheck" for ours).
    origin: str = "sigcheck"

    def __post_init__(self) -> None:
        if not self.help_uri and self.origin == "sigcheck":
            object.__setattr__(self, "help_uri", f"{DOCS_URL}/{self.id}.md")

    def at(self, span: Span, message: str, **where: Any) -> Finding:
        """A finding of this rule at `span` (keywords: resource_type, resource_name, property_path)."""
        return Finding(self.id, self.severity, message, span, **where)
