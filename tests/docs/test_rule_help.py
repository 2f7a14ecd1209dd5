"""One source of rule text: the pages under docs/rules. `sigcheck rule ID` prints a page as it is,
SARIF carries the texts scripts/build_rule_help.py derives from it (docs/rules/help.json), and no
run-time module parses Markdown headings."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from sigcheck.engine.registry import default_registry
from sigcheck.engine.result import RunResult
from sigcheck.explain import explain
from sigcheck.report.sarif import build_log, to_sarif_dict

REPO = Path(__file__).resolve().parents[2]
RULES = sorted((r for r in default_registry().rules.values() if r.meta.origin == "sigcheck"), key=lambda r: r.meta.id)


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_rule_help", REPO / "scripts" / "build_rule_help.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_help_json_is_derived_from_the_pages() -> None:
    pinned = (REPO / "docs" / "rules" / "help.json").read_text(encoding="utf-8")
    assert pinned == _script().build(), (
        "docs/rules/help.json is not what the pages say: run `.venv/bin/python scripts/build_rule_help.py`")


@pytest.fixture(scope="module")
def descriptors() -> dict[str, dict]:
    log = to_sarif_dict(build_log(RunResult(findings=[], rules=list(RULES))))
    return {d["id"]: d for d in log["runs"][0]["tool"]["driver"]["rules"]}


@pytest.mark.parametrize("rule", RULES, ids=[r.meta.id for r in RULES])
def test_sarif_help_and_rule_command_show_the_page(rule, descriptors: dict[str, dict]) -> None:
    page = (REPO / "docs" / "rules" / f"{rule.meta.id}.md").read_text(encoding="utf-8")
    assert explain(rule.meta.id) == page
    descriptor = descriptors[rule.meta.id]
    body = page.split("\n", 1)[1].strip()
    # The page's text, its relative links to other pages made absolute.
    relative = re.sub(r"\]\([A-Za-z0-9]+\.md\)", "]()", body)
    absolute = re.sub(r"\]\([^)]*/[A-Za-z0-9]+\.md\)", "]()", descriptor["help"]["markdown"])
    assert absolute.startswith(relative)
    assert descriptor["shortDescription"]["text"] == rule.meta.summary
    assert descriptor["help"]["text"].startswith(rule.meta.summary)
    assert descriptor["helpUri"] == rule.meta.help_uri


def test_no_runtime_module_parses_markdown_headings() -> None:
    """The modules that show rule text (the Markdown input reads code fences, not rule pages)."""
    offenders = []
    shown = [*(REPO / "sigcheck" / "report").glob("*.py"), *(REPO / "sigcheck").glob("*.py")]
    for path in shown:
        text = path.read_text(encoding="utf-8")
        if re.search(r"""startswith\(\s*["']#""", text) or re.search(r"""["']## ["']""", text):
            offenders.append(str(path.relative_to(REPO)))
    assert not offenders, f"modules that read Markdown structure at run time: {offenders}"
