"""`sigcheck rules` and `sigcheck rule ID`: the rule catalogue in the terminal."""

from __future__ import annotations

import json
from typing import Any, Sequence

from sigcheck.engine.registry import default_registry
from sigcheck.engine.rules import Rule
from sigcheck.report.pages import doc_page


def list_rules(fmt: str, extra: Sequence[Rule[Any]] = ()) -> str:
    """The installed rules and `extra` ones (the configuration's custom rules), by id."""
    rules = sorted([*default_registry().rules.values(), *extra], key=lambda r: r.meta.id)
    if fmt == "json":
        return json.dumps([
            {
                "id": r.meta.id,
                "name": r.meta.name,
                "severity": r.meta.severity.label,
                "enabled_by_default": r.meta.enabled_by_default,
                "summary": r.meta.summary,
                "help_uri": r.meta.help_uri,
            }
            for r in rules
        ], indent=2) + "\n"
    width = max(len(r.meta.name) for r in rules)
    return "".join(
        f"{r.meta.id}  {r.meta.name:<{width}}  {r.meta.severity.label:<7}  {'' if r.meta.enabled_by_default else '(off) '}{r.meta.summary}\n"
        for r in rules
    )


def explain(rule_id: str) -> str | None:
    """A built-in rule's page as it is written (docs/rules/<ID>.md); for a plugin's rule, what
    its metadata says and where its own documentation is."""
    rule: Rule[Any] | None = default_registry().rules.get(rule_id.upper())
    if rule is None:
        return None
    meta = rule.meta
    page = doc_page(meta.id) if meta.origin == "sigcheck" else None
    if page is not None:
        return page if page.endswith("\n") else page + "\n"
    text = f"# {meta.id}: {meta.name}\n\n{meta.summary}\n\nSeverity: {meta.severity.label}\n"
    if meta.origin != "sigcheck":
        text += f"Provided by: {meta.origin}\n"
    return text + (f"Docs: {meta.help_uri}\n" if meta.help_uri else "")
