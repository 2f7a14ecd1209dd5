"""The generated rule catalogue (sigcheck/checks/catalogue.py) says exactly what the rule modules
declare, and a run imports a rule module only when one of its rules runs."""

from __future__ import annotations

import subprocess
import sys
from importlib import import_module
from pathlib import Path

from sigcheck.checks import builtin, policy
from sigcheck.engine.rules import LazyRuleCode

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import build_rule_catalogue  # noqa: E402


def test_the_catalogue_is_up_to_date() -> None:
    assert build_rule_catalogue.TARGET.read_text(encoding="utf-8") == build_rule_catalogue.render(), (
        "sigcheck/checks/catalogue.py is out of date: run `make docs` (scripts/build_rule_catalogue.py)")


def test_every_registered_rule_is_the_modules_own() -> None:
    registered = [r for r in [*builtin.sigcheck_rules(), *policy.sigcheck_rules()]
                  if r.check is not None or r.check_run is not None]
    assert len(registered) + 1 == sum(len(import_module(f"sigcheck.checks.{name}").RULES)
                                  for names in build_rule_catalogue.PACKS.values() for name in names)  # + SIG604, declared
    declared = {r.meta.id: r.meta for r in builtin.sigcheck_rules() if r.meta.emitted_by_pipeline}
    assert declared["SIG604"] == import_module("sigcheck.checks.exclusive").RULES[0].meta
    for rule in registered:
        deferred = rule.check if rule.check is not None else rule.check_run
        assert isinstance(deferred, LazyRuleCode)
        own = import_module(deferred.module).RULES[deferred.index]
        assert rule.meta == own.meta
        assert deferred.resolve() is (own.check if rule.check is not None else own.check_run)
        assert (rule.facts is None) == (own.facts is None)
        if rule.facts is not None:
            assert isinstance(rule.facts, LazyRuleCode) and rule.facts.resolve() is own.facts


def _imported_rule_modules(*argv: str, cwd: Path) -> set[str]:
    code = ("import sys, runpy\n"
            f"sys.argv = ['sigcheck', *{list(argv)!r}]\n"
            "try:\n    from sigcheck.cli import main; main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
            "sys.stderr.write(' '.join(sorted(m for m in sys.modules if m.startswith('sigcheck.checks.'))))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    return set(done.stderr.split())


def test_a_run_imports_only_the_rule_modules_it_uses(tmp_path: Path) -> None:
    (tmp_path / "gallery.json").write_text(
        '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",'
        ' "contentVersion": "1.0.0.0", "resources": [{"type": "Microsoft.Compute/galleries",'
        ' "apiVersion": "2024-03-03", "name": "catGallery", "location": "westeurope"}]}', encoding="utf-8")
    narrowed = _imported_rule_modules("check", "--no-cache", "--select", "SIG101", "gallery.json", cwd=tmp_path)
    assert "sigcheck.checks.names" in narrowed
    assert not narrowed & {"sigcheck.checks.schema", "sigcheck.checks.consumers", "sigcheck.checks.regions",
                           "sigcheck.checks.policy.replication", "sigcheck.checks.policy.resources"}
    # Every rule, but only a gallery: the version-only and consumer modules stay out.
    whole = _imported_rule_modules("check", "--no-cache", "gallery.json", cwd=tmp_path)
    assert {"sigcheck.checks.names", "sigcheck.checks.schema", "sigcheck.checks.regions"} <= whole
    assert "sigcheck.checks.consumers" not in whole
    listing = _imported_rule_modules("rules", cwd=tmp_path)
    assert not listing & {"sigcheck.checks.names", "sigcheck.checks.schema"}
