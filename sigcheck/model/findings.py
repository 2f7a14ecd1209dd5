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

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.path, self.span.line, self.span.column, self.rule_id, self.message)


# Where each built-in rule's documentation page lives (docs/rules/<ID>.md in the repository).
DOCS_URL = "https://github.com/sigcheck/sigcheck/blob/main/docs/rules"


# What a rule may declare in `RuleMeta.needs`: a model field whose unresolved value keeps the rule
# from checking. SIG002 names, for each unresolved value it reports, the rules that declared it;
# tests/checks/test_needs.py holds every declaration to what the rule's code reads.
NEEDS: dict[str, str] = {
    "api_version": "Resource.api_version",
    "location": "Resource.location (or the deployment's location)",
    "target_regions": "the target regions of a version and their names",
    "region_storage_account_type": "TargetRegion.storage_account_type",
    "storage_account_type": "the publishing profile's storage_account_type",
    "hyper_v_generation": "ImageDefinition.hyper_v_generation",
    "features": "ImageDefinition.features",
    "security_type": "the SecurityType feature of an image definition",
}


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
    applies_to: tuple[type[Any], ...] = ()
    # Reported by the pipeline itself (loaders, the CLI front ends) rather than a model check.
    emitted_by_pipeline: bool = False
    help_uri: str = ""
    # The distribution that registered the rule, for messages about plugins ("sigcheck" for ours).
    origin: str = "sigcheck"
    # The model fields (keys of NEEDS) the rule cannot judge while their value is unresolved.
    needs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [need for need in self.needs if need not in NEEDS]
        if unknown:
            raise ValueError(f"rule {self.id} needs unknown model fields {unknown}; known: {sorted(NEEDS)}")
        if not self.help_uri and self.origin == "sigcheck":
            object.__setattr__(self, "help_uri", f"{DOCS_URL}/{self.id}.md")

    def at(self, span: Span, message: str, **where: Any) -> Finding:
        """A finding of this rule at `span` (keywords: resource_type, resource_name, property_path)."""
        return Finding(self.id, self.severity, message, span, **where)
