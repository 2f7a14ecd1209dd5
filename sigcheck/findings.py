"""Findings: what rules report and formatters render."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from sigcheck.location import Span


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
