"""The built-in rules' documentation: the pages (docs/rules/<ID>.md), which `sigcheck rule ID`
prints as they are, and the SARIF help texts derived from them (docs/rules/help.json, made by
scripts/build_rule_help.py), so no run parses Markdown."""

from __future__ import annotations

import json
import os
from functools import cache


def _docs_dir() -> str:
    """Installed copies carry the pages as sigcheck/docs (see pyproject); a source checkout has
    them in docs/rules beside the package."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    installed = os.path.join(package, "docs")
    return installed if os.path.isdir(installed) else os.path.join(os.path.dirname(package), "docs", "rules")


def doc_page(rule_id: str) -> str | None:
    """The rule's documentation page, shipped inside the package."""
    path = os.path.join(_docs_dir(), f"{rule_id}.md")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return handle.read()


@cache
def _help() -> dict[str, dict[str, str]]:
    path = os.path.join(_docs_dir(), "help.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        loaded: dict[str, dict[str, str]] = json.load(handle)
        return loaded


def rule_help(rule_id: str) -> dict[str, str] | None:
    """fullDescription, help and helpMarkdown of a built-in rule's SARIF descriptor."""
    return _help().get(rule_id)
