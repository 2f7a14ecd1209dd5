"""What a rule is: metadata beside a function of the model."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence

from sigcheck import DOCS_URL
from sigcheck.findings import Severity
from sigcheck.location import Located, Span
from sigcheck.model.resources import Resource


class Hit(NamedTuple):
    """One problem a rule found: where (a located value or a span), what, and an optional
    severity that overrides the rule's default (for rules with graded severities)."""

    where: Located | Span
    message: str
    severity: Severity | None = None
    # The property path when `where` is a bare span (a located value carries its own).
    path: str = ""


@dataclass(frozen=True)
class RuleMeta:
    id: str
    name: str
    severity: Severity
    summary: str
    enabled_by_default: bool = True
    applies_to: tuple[type[Resource], ...] = ()
    # Reported by the pipeline itself (loaders, the CLI front ends) rather than a model check.
    emitted_by_pipeline: bool = False

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URL}/{self.id}.md"


ResourceCheck = Callable[[Resource, "CheckContext"], Iterable[Hit]]
RunCheck = Callable[[Sequence[Resource], "CheckContext"], Iterable[tuple[Resource, Hit]]]


@dataclass(frozen=True)
class Rule:
    meta: RuleMeta
    check: ResourceCheck | None = None
    check_run: RunCheck | None = None


@dataclass
class CheckContext:
    """What a rule may consult besides the resource: the date and every resource of the run."""

    today: _dt.date
    resources: Sequence[Resource] = ()
    # Options of configurable rules by rule name, from the configuration file:
    # {"stale-api-version": {"max-age-days": 365}}.
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    _index: dict[tuple[str, tuple[str, ...]], list[Resource]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for res in self.resources:
            key = _key(res.type_name, [n.value for n in res.names])
            if key is not None:
                self._index.setdefault(key, []).append(res)

    def find(self, type_name: str, names: Sequence[str]) -> list[Resource]:
        """Resources of the run declared with this type and these names (case-insensitive)."""
        key = _key(type_name, names)
        return self._index.get(key, []) if key is not None else []

    def option(self, rule_name: str, key: str, default: Any) -> Any:
        """A configured option of a rule, or `default` when the configuration sets none."""
        return self.settings.get(rule_name, {}).get(key, default)


def _key(type_name: str, names: Sequence[object]) -> tuple[str, tuple[str, ...]] | None:
    if not names or not all(isinstance(n, str) for n in names):
        return None
    return (type_name.lower(), tuple(str(n).lower() for n in names))


def rule(
    id: str,
    name: str,
    severity: Severity,
    summary: str,
    applies_to: tuple[type[Resource], ...],
    enabled: bool = True,
) -> Callable[[Callable[[Resource, CheckContext], Iterator[Hit]]], Rule]:
    """Declare a rule over one resource at a time."""

    def wrap(fn: Callable[[Resource, CheckContext], Iterator[Hit]]) -> Rule:
        return Rule(RuleMeta(id, name, severity, summary, enabled, applies_to), check=fn)

    return wrap


def run_rule(
    id: str, name: str, severity: Severity, summary: str, enabled: bool = True
) -> Callable[[RunCheck], Rule]:
    """Declare a rule over every resource of the run (cross-file consistency)."""

    def wrap(fn: RunCheck) -> Rule:
        return Rule(RuleMeta(id, name, severity, summary, enabled), check_run=fn)

    return wrap


def pipeline_rule(id: str, name: str, severity: Severity, summary: str, enabled: bool = True) -> Rule:
    """Declare a rule whose findings the pipeline itself emits (parse errors, CLI usage)."""
    return Rule(RuleMeta(id, name, severity, summary, enabled, emitted_by_pipeline=True))
