"""What a formatter is, and the result of a run it renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from sigcheck.engine.rules import AnyRule
from sigcheck.model.findings import Finding


@dataclass
class RunResult:
    findings: list[Finding]
    rules: list[AnyRule]  # every enabled rule, for tool metadata
    files_checked: int = 0
    resources_checked: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class Formatter(Protocol):
    name: str

    def render(self, result: RunResult) -> str:
        """The whole report as text."""
