"""docs/policy.md tells the truth: its worked examples on `examples/`, checked with the policy.yaml the
page shows, are findings sigcheck gives today, word for word."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PAGE = (REPO / "docs" / "policy.md").read_text(encoding="utf-8")


def test_the_worked_examples_are_what_sigcheck_reports(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    found = re.search(r"```yaml\n# policy\.yaml\n(.*?)```", PAGE, re.S)
    assert found, "docs/policy.md shows no policy.yaml"
    (tmp_path / "policy.yaml").write_text(found.group(1), encoding="utf-8")
    shown = [line for line in re.findall(r"^examples/\S+: SIG8\d\d .*$", PAGE, re.M)]
    assert len(shown) >= 10, "the page has lost its worked examples"
    config = str(tmp_path / "policy.yaml")
    result = run_cli("check", "examples", "--config", config, "--today", "2026-11-22", "--select", "SIG8", "--no-cache")
    reported = {line.replace(config, "policy.yaml") for line in result.out.splitlines()}
    missing = [line for line in shown if line not in reported]
    assert not missing, "docs/policy.md shows findings sigcheck does not give:\n" + "\n".join(missing)
