"""The built-in rules, registered as a plugin like any third-party rule pack. Their metadata comes
from the generated catalogue; a rule module is imported only when one of its rules first runs."""

from __future__ import annotations

from sigcheck.checks.catalogue import BUILTIN, Entry
from sigcheck.engine.rules import AnyRule, declared, deferred_rule
from sigcheck.hookimpl import hookimpl
from sigcheck.model import resources as m
from sigcheck.model.diagnostics import PIPELINE_DIAGNOSTICS
from sigcheck.model.findings import RuleMeta, Severity


def from_catalogue(entries: tuple[Entry, ...]) -> list[AnyRule]:
    """The rules the catalogue describes, each importing its module when it first runs."""
    rules: list[AnyRule] = []
    for module, index, kind, rule_id, name, severity, summary, enabled, applies_to, help_uri, needs, has_facts in entries:
        meta = RuleMeta(rule_id, name, Severity[severity], summary, enabled, tuple(getattr(m, cls) for cls in applies_to),
                        emitted_by_pipeline=kind == "declared", help_uri=help_uri, needs=needs)
        rules.append(declared(meta) if kind == "declared" else deferred_rule(meta, module, index, kind, has_facts))
    return rules


@hookimpl
def sigcheck_rules() -> list[AnyRule]:
    return [*(declared(meta) for meta in PIPELINE_DIAGNOSTICS), *from_catalogue(BUILTIN)]
