"""The built-in rules' documentation pages (docs/rules/<ID>.md), which SARIF embeds as help and
`sigcheck rule ID` prints."""

from __future__ import annotations

import os


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
