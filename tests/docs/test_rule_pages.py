"""Every registered rule has a docs page whose header agrees with the rule's metadata, so code and
documentation cannot drift (the pages are also what `sigcheck rule ID` prints)."""

from __future__ import annotations

import os
import re

import pytest

from sigcheck.engine.registry import default_registry

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = os.path.join(ROOT, "docs", "rules")
RULES = sorted(default_registry().rules.values(), key=lambda r: r.meta.id)
SECTIONS = ["## What it checks", "## Why it matters", "## Example", "## Use instead", "## References"]


def page(rule_id: str) -> list[str]:
    with open(os.path.join(DOCS, f"{rule_id}.md"), encoding="utf-8") as handle:
        return handle.read().splitlines()


@pytest.mark.parametrize("rule", RULES, ids=[r.meta.id for r in RULES])
def test_page_matches_metadata(rule) -> None:
    lines = page(rule.meta.id)
    assert lines[0] == f"# {rule.meta.id}: {rule.meta.name}"
    header = lines[2]
    assert f"**Severity:** {rule.meta.severity.label}" in header
    assert f"**Default:** {'on' if rule.meta.enabled_by_default else 'off'}" in header
    assert lines[4] == rule.meta.summary
    for section in SECTIONS:
        assert section in lines, f"{rule.meta.id}.md lacks '{section}'"


@pytest.mark.parametrize("rule", RULES, ids=[r.meta.id for r in RULES])
def test_help_uri_names_the_page(rule) -> None:
    assert rule.meta.help_uri.endswith(f"/docs/rules/{rule.meta.id}.md")


def test_index_lists_every_page() -> None:
    with open(os.path.join(DOCS, "README.md"), encoding="utf-8") as handle:
        index = handle.read()
    for name in os.listdir(DOCS):
        if re.fullmatch(r"SIG\d{3}\.md", name):
            assert f"({name})" in index, f"docs/rules/README.md does not link {name}"
