"""A large template's resources are read, released and read again (sigcheck.inputs.arm.loader
RELEASE_FROM): the findings must be exactly those of a template read once and kept. Every ARM
fixture and corpus template is checked both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED

import sigcheck.inputs.arm.loader as arm_loader
from sigcheck.library import Linter
from sigcheck.syntax.jsonc import RELEASABLE, Deferred, parse


def _templates() -> list[Path]:
    found = sorted(p for p in FIXTURES.rglob("*.json") if "deploymentTemplate" in p.read_text(encoding="utf-8", errors="replace")[:4096])
    corpus = SHARED / "corpus" / "arm"
    if corpus.is_dir():
        found += sorted(corpus.rglob("*.json"))
    return found


def _report(paths: list[str]) -> list[tuple[object, ...]]:
    result = Linter(config=False, today="2026-01-15").lint_paths(paths)
    return [(f.rule_id, f.severity, f.message, f.span.path, f.span.line, f.span.column, f.span.end_line,
             f.span.end_column, f.resource_type, f.resource_name, f.property_path, f.suppression is not None)
            for f in result.findings]


def test_released_resources_give_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [str(p) for p in _templates()]
    assert paths
    kept = _report(paths)
    monkeypatch.setattr(arm_loader, "RELEASE_FROM", 0)
    released = _report(paths)
    assert released == kept


def test_a_released_container_reads_the_same_nodes_again() -> None:
    text = '{"resources": [ {"type": "a/b", "name": "x", // not deferred: a comment\n "p": 1},\n' \
           '  {"type": "a/b", "name": "y", "properties": {"k": [1, "two", null], "m": {}}} ]}'

    def defer(keys: tuple[str | int, ...], around: object) -> int:
        return RELEASABLE if len(keys) == 2 else 0

    root = parse(text, "t.json", defer=defer).root
    assert root is not None
    first, second = root.get("resources").value  # type: ignore[union-attr]
    assert not isinstance(first, Deferred)  # a comment: parsed with the file
    assert isinstance(second, Deferred)
    before = (second.plain(), repr(second.get("properties").key_spans["k"]), repr(second.get("properties").get("k").value[1].span))  # type: ignore[union-attr]
    second.release()
    assert second.names() == ["type", "name", "properties"]
    after = (second.plain(), repr(second.get("properties").key_spans["k"]), repr(second.get("properties").get("k").value[1].span))  # type: ignore[union-attr]
    assert before == after
    assert after[2] == "t.json:3:56-3:61"  # as a parse of the whole file places it
