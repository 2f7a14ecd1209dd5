"""SIG8xx: organisation policy. Each rule reads its key of the `policy:` configuration that governs
the resource's file and does nothing when the key is not set; registered as a plugin of its own."""

from __future__ import annotations

from typing import Any

from sigcheck.checks.policy import replication, resources
from sigcheck.engine.rules import Rule
from sigcheck.hookspecs import hookimpl

RULES: list[Rule[Any]] = [*replication.RULES, *resources.RULES]


@hookimpl
def sigcheck_rules() -> list[Rule[Any]]:
    return list(RULES)
