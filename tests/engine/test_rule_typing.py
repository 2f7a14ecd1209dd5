"""`applies_to` narrows what a rule function receives, and the type checker holds rules to it."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SNIPPET = '''\
from typing import Iterator

from sigcheck.engine.rules import CheckContext, Hit, rule
from sigcheck.model import resources as m
from sigcheck.model.findings import Severity


@rule("X001", "typed", Severity.NOTE, "x", applies_to=m.ImageVersion)
def typed(res: m.ImageVersion, ctx: CheckContext) -> Iterator[Hit]:
    for region in res.target_regions or []:
        yield Hit(region.name, "x")


@rule("X002", "versions", Severity.NOTE, "x", applies_to=(m.ImageVersion, m.ApplicationVersion))
def versions(res: m.Replicated, ctx: CheckContext) -> Iterator[Hit]:
    yield from ()


@rule("X003", "mismatch", Severity.NOTE, "x", applies_to=m.Gallery)
def mismatch(res: m.ImageVersion, ctx: CheckContext) -> Iterator[Hit]:
    yield from ()
'''


def test_a_rule_typed_for_other_resources_than_it_applies_to_is_a_type_error(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    source = tmp_path / "rule_under_test.py"
    source.write_text(textwrap.dedent(SNIPPET), encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(ROOT)  # the project's mypy configuration and cache
    try:
        out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), str(source)])
    finally:
        os.chdir(cwd)
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1, out + err
    assert len(errors) == 1, out
    line = textwrap.dedent(SNIPPET).splitlines().index('@rule("X003", "mismatch", Severity.NOTE, "x", applies_to=m.Gallery)') + 1
    assert f"rule_under_test.py:{line}:" in errors[0] and "ImageVersion" in errors[0], errors[0]
