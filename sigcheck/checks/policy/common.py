"""What the SIG8xx policy rules share: naming resources, where findings about a whole resource go,
citing the setting; known values are read with sigcheck.checks.values."""

from __future__ import annotations

from typing import Any

from sigcheck.checks.values import KIND_WORDS
from sigcheck.engine.policy import Setting
from sigcheck.engine.rules import Hit
from sigcheck.model import resources as m
from sigcheck.model.findings import Severity
from sigcheck.syntax.located import Located, Span

# The policy rules report at error unless the configuration's `severity` says otherwise.
POLICY_SEVERITY = Severity.ERROR


def described(res: m.Resource) -> str:
    return f"{KIND_WORDS.get(res.type_name, res.type_name)} '{res.full_name}'"


def anchor(res: m.Resource) -> Located[Any] | Span:
    """Where a finding about the resource as a whole goes: its name token, else its declaration."""
    name = res.name
    return name if name is not None and name.span.path == res.path else res.span


def hit(where: Located[Any] | Span, message: str, setting: Setting, sub: str | None = None, path: str = "") -> Hit:
    return Hit(where, message, path=path, related=setting.related(sub))
