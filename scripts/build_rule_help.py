"""Derive the SARIF help texts of the built-in rules from their pages, docs/rules/<ID>.md, into
docs/rules/help.json (shipped with the pages as sigcheck.docs).

The pages are the one source of rule text: `sigcheck rule ID` prints them as they are, and code
scanning shows the texts derived here, so the run-time code never parses Markdown.
tests/docs/test_rule_help.py fails when help.json is not what this script makes of the pages:
after editing a page, run `.venv/bin/python scripts/build_rule_help.py` (or `make docs`).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGES = REPO / "docs" / "rules"
OUTPUT = PAGES / "help.json"
sys.path.insert(0, str(REPO))

from sigcheck.model.findings import DOCS_URL  # noqa: E402 - after the path is set


def sections(page: str) -> dict[str, str]:
    """A rule page's paragraphs by heading: "" is the summary under the title."""
    found: dict[str, list[str]] = {"": []}
    current = ""
    for line in page.splitlines()[1:]:
        if line.startswith("## "):
            current = line[3:].strip()
            found[current] = []
        elif not line.startswith("**Severity:**"):
            found[current].append(line)
    return {k: "\n".join(v).strip() for k, v in found.items()}


def first_paragraph(text: str) -> str:
    return " ".join(text.split("\n\n", 1)[0].split())


def texts(rule_id: str, page: str) -> dict[str, str]:
    """fullDescription, help text and help markdown of a rule's SARIF reportingDescriptor."""
    help_uri = f"{DOCS_URL}/{rule_id}.md"
    parts = sections(page)
    summary = parts[""]
    checks = parts.get("What it checks", "")
    why = parts.get("Why it matters", "")
    help_text = "\n\n".join(p for p in (summary, first_paragraph(checks), first_paragraph(why)) if p)
    body = page.split("\n", 1)[1].strip()
    # Links between rule pages are relative; code scanning shows the text away from them.
    body = re.sub(r"\]\(([A-Za-z0-9]+\.md)\)", lambda m: f"]({DOCS_URL}/{m.group(1)})", body)
    return {
        "fullDescription": first_paragraph(checks) if checks else summary,
        "help": help_text + f"\n\nSee {help_uri}",
        "helpMarkdown": body + f"\n\n[{rule_id} documentation]({help_uri})",
    }


def build() -> str:
    """The content of help.json for the pages as they are now."""
    out = {}
    for path in sorted(PAGES.glob("SIG[0-9][0-9][0-9].md")):
        out[path.stem] = texts(path.stem, path.read_text(encoding="utf-8"))
    return json.dumps(out, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(build(), encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(REPO)}")
