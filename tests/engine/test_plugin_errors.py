"""Plugins as the registry sees them: contributions traced to their distribution, clashes warned
about naming both sides, third-party help URIs, and broken plugins or crashing rules reported as
SIG008 findings in every output format (cfn-lint's E0002), not only on stderr."""

from __future__ import annotations

import json
import textwrap
from importlib.metadata import EntryPoint, distributions, entry_points
from pathlib import Path
from typing import Callable

import pytest

from sigcheck.engine import registry as registry_module
from sigcheck.engine.registry import Registry, build_registry
from sigcheck.model.findings import DOCS_URL

GALLERY = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Compute/galleries",
      "apiVersion": "2026-03-03",
      "name": "plugin-test-gallery",
      "location": "westeurope",
      "properties": {}
    }
  ]
}
"""

RULE_PACK = '''
from sigcheck.plugin import Gallery, Hit, Severity, hookimpl, rule


@rule("{id}", "{name}", Severity.WARNING, "A test rule.", applies_to=Gallery{help})
def check(gallery, ctx):
    {body}


@hookimpl
def sigcheck_rules():
    return [check]
'''


class Dists:
    """Distributions installed into a temporary folder on sys.path, with `sigcheck` entry points."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root = root
        monkeypatch.syspath_prepend(str(root))

    def add(self, dist: str, modules: dict[str, str], eps: dict[str, str], urls: tuple[str, ...] = ()) -> None:
        for module, source in modules.items():
            (self.root / f"{module}.py").write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
        info = self.root / f"{dist.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        meta = f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n" + "".join(f"Project-URL: {u}\n" for u in urls)
        (info / "METADATA").write_text(meta, encoding="utf-8")
        (info / "entry_points.txt").write_text(
            "[sigcheck]\n" + "".join(f"{name} = {value}\n" for name, value in eps.items()), encoding="utf-8")

    def registry(self) -> Registry:
        ours = [ep for ep in entry_points(group="sigcheck") if ep.dist is not None and ep.dist.name == "sigcheck"]
        theirs = [ep for d in distributions(path=[str(self.root)]) for ep in d.entry_points if ep.group == "sigcheck"]
        return build_registry([*ours, *theirs])


@pytest.fixture
def dists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Dists:
    (tmp_path / "site").mkdir()
    return Dists(tmp_path / "site", monkeypatch)


@pytest.fixture
def cli_with(monkeypatch: pytest.MonkeyPatch, run_cli, tmp_path: Path) -> Callable[..., object]:  # type: ignore[no-untyped-def]
    """Run the command line on a gallery template with the registry given."""
    template = tmp_path / "main.json"
    template.write_text(GALLERY, encoding="utf-8")

    def run(registry: Registry, *args: str):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(registry_module, "default_registry", lambda: registry)
        return run_cli("check", str(template), "--today", "2026-11-22", *args)

    return run


def test_a_plugin_that_fails_to_load_is_a_finding_in_every_format(dists: Dists, cli_with) -> None:  # type: ignore[no-untyped-def]
    dists.add("broken-rules", {"broken_rules": "import os\n\nraise RuntimeError('no policy file')\n"},
              {"broken": "broken_rules"})
    registry = dists.registry()
    [error] = registry.plugin_errors
    assert error.rule_id == "SIG008"
    assert error.span.path.endswith("broken_rules.py") and (error.span.line, error.span.column) == (3, 1)
    assert "plugin 'broken' of broken-rules failed to load: RuntimeError: no policy file" in error.message
    assert "SIG101" in registry.rules  # the other plugins still load

    text = cli_with(registry)
    assert "SIG008 [error] plugin 'broken' of broken-rules failed to load" in text.out
    assert "SIG101" in text.out
    assert text.code == 1  # an error finding, not an internal error of this run
    findings = cli_with(registry, "--format", "json").json()
    assert [f["line"] for f in findings if f["rule"] == "SIG008"] == [3]
    log = json.loads(cli_with(registry, "--format", "sarif").out)
    [run] = log["runs"]
    [result] = [r for r in run["results"] if r["ruleId"] == "SIG008"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "SIG008"
    assert cli_with(registry, "--ignore", "SIG008").out.count("SIG008") == 0


def test_a_syntax_error_points_at_the_plugin_line(dists: Dists) -> None:
    dists.add("typo-rules", {"typo_rules": "x = 1\ndef broken(:\n    pass\n"}, {"typo": "typo_rules"})
    [error] = dists.registry().plugin_errors
    assert error.span.path.endswith("typo_rules.py") and error.span.line == 2
    assert "SyntaxError" in error.message


def test_a_missing_module_points_at_the_entry_point(dists: Dists) -> None:
    dists.add("gone-rules", {}, {"gone": "gone_rules_module"})
    [error] = dists.registry().plugin_errors
    assert error.span.path.endswith("entry_points.txt") and error.span.line == 2
    assert "ModuleNotFoundError" in error.message


def test_a_rule_that_raises_is_a_finding_at_the_resource(dists: Dists, cli_with) -> None:  # type: ignore[no-untyped-def]
    source = RULE_PACK.format(id="CRA001", name="crashing", help="", body="return [Hit(gallery.names[0], str(1 / 0))]")
    dists.add("crashing-rules", {"crashing_rules": source}, {"crashing": "crashing_rules"})
    result = cli_with(dists.registry(), "--format", "json")
    assert result.code == 2  # the check is incomplete: an internal error, as before
    [crash] = [f for f in result.json() if f["rule"] == "SIG008"]
    assert (crash["line"], crash["column"]) == (5, 5)  # the resource the rule was checking
    assert "rule CRA001 failed on plugin-test-gallery: ZeroDivisionError: division by zero" in crash["message"]
    assert "crashing_rules.py:6" in crash["message"] and "plugin crashing-rules" in crash["message"]
    assert any(f["rule"] == "SIG101" for f in result.json())  # the other rules still ran
    assert "sigcheck: error:" in result.err and "CRA001" in result.err


def test_a_hook_that_raises_is_a_finding(dists: Dists) -> None:
    source = "from sigcheck.plugin import hookimpl\n\n@hookimpl\ndef sigcheck_rules():\n    return [None][1]\n"
    dists.add("hooked", {"hooked_rules": source}, {"hooked": "hooked_rules"})
    registry = dists.registry()
    [error] = registry.plugin_errors
    assert "sigcheck_rules(): IndexError" in error.message and error.span.line == 5
    assert "SIG101" in registry.rules


def test_clashes_warn_naming_both_distributions(dists: Dists) -> None:
    one = RULE_PACK.format(id="CLA001", name="one", help="", body="return []")
    two = RULE_PACK.format(id="CLA001", name="two", help="", body="return []")
    fmt = "from sigcheck.plugin import hookimpl\n\nclass F:\n    name = 'text'\n    def render(self, result):\n        return ''\n\n@hookimpl\ndef sigcheck_formatters():\n    return [F()]\n"
    dists.add("first-pack", {"first_pack": one}, {"clash": "first_pack"})
    dists.add("second-pack", {"second_pack": two, "fmt_pack": fmt}, {"clash": "second_pack", "sigcheck.checks": "fmt_pack"})
    registry = dists.registry()
    problems = "\n".join(registry.problems)
    assert "entry point 'clash' in group 'sigcheck' is declared by both first-pack and second-pack" in problems
    assert "entry point 'sigcheck.checks' in group 'sigcheck' is declared by both sigcheck and second-pack" in problems
    assert "rule CLA001 is provided by both first-pack and second-pack" in problems
    assert "output format 'text' is provided by both sigcheck and second-pack" in problems
    assert registry.rules["CLA001"].meta.name == "one" and registry.rules["CLA001"].meta.origin == "first-pack"
    ours = registry.formatters["text"]
    assert getattr(ours, "formatter", ours).__module__ == "sigcheck.report.text"  # ours win
    assert "SIG101" in registry.rules  # the built-in rules plugin is not displaced


def test_a_plugin_rule_links_to_its_own_documentation(dists: Dists) -> None:
    own = RULE_PACK.format(id="URI001", name="own", help=', help_uri="https://rules.example.com/uri001"', body="return []")
    meta = RULE_PACK.format(id="URI002", name="meta", help="", body="return []")
    none = RULE_PACK.format(id="URI003", name="none", help="", body="return []")
    dists.add("own-uri", {"own_uri": own}, {"own": "own_uri"}, urls=("Homepage, https://own.example.com",))
    dists.add("meta-uri", {"meta_uri": meta}, {"meta": "meta_uri"},
              urls=("Source, https://git.example.com/meta", "Documentation, https://docs.example.com/meta"))
    dists.add("no-uri", {"no_uri": none}, {"none": "no_uri"})
    rules = dists.registry().rules
    assert rules["URI001"].meta.help_uri == "https://rules.example.com/uri001"
    assert rules["URI002"].meta.help_uri == "https://docs.example.com/meta"
    assert rules["URI003"].meta.help_uri == ""
    assert not any(r.meta.help_uri.startswith(DOCS_URL) for r in rules.values() if r.meta.origin != "sigcheck")
    assert rules["SIG101"].meta.help_uri == f"{DOCS_URL}/SIG101.md"


def test_the_same_distribution_seen_twice_is_loaded_once() -> None:
    ours = list(entry_points(group="sigcheck"))
    registry = build_registry([*ours, *ours])
    assert registry.problems == [] and registry.plugin_errors == []
    assert {d for d in registry.distributions.values()} == {"sigcheck"}
