"""Check a template given as text, in process, with chosen rules: for unit tests of rule logic."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any

from sigcheck.engine.run import Engine, Options
from sigcheck.model.findings import Finding
from sigcheck.engine.registry import default_registry

TODAY = _dt.date(2026, 11, 22)


def template(*resources: dict[str, Any]) -> str:
    """An ARM template holding `resources`, one resource property per line."""
    doc = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": list(resources),
    }
    return json.dumps(doc, indent=2)


def lint(text: str, *rules: str, path: str = "unit.json", today: _dt.date = TODAY) -> list[Finding]:
    """The findings of `rules` (ids or prefixes) on a file with this text."""
    engine = Engine(default_registry(), Options(select=list(rules), today=today))
    result = engine.run_text(path, text)
    assert not engine.internal_errors, engine.internal_errors
    return result.findings


def messages(text: str, *rules: str, **kwargs: Any) -> list[str]:
    return [f"{f.rule_id} {f.message}" for f in lint(text, *rules, **kwargs)]
