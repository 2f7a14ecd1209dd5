"""SIG8xx: organisation policy. Each rule reads its key of the `policy:` configuration that governs
the resource's file and does nothing when the key is not set; registered as a plugin of its own.
The rule modules (replication, resources) are imported when one of their rules first runs."""

from __future__ import annotations

from sigcheck.checks.builtin import from_catalogue
from sigcheck.checks.catalogue import POLICY
from sigcheck.engine.rules import AnyRule
from sigcheck.hookimpl import hookimpl


@hookimpl
def sigcheck_rules() -> list[AnyRule]:
    return from_catalogue(POLICY)
