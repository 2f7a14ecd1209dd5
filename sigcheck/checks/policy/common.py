"""What the SIG8xx policy rules share: naming resources, where findings about a whole resource go,
citing the setting; known values are read with sigcheck.checks.values."""

from __future__ import annotations

from typing import Any

from sigcheck.checks.values import KIND_WORDS
from sigcheck.engine.policy import Setting, setting
from sigcheck.engine.rules import CheckContext, Hit
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


def complete_setting(res: m.Resource, ctx: CheckContext, key: str) -> Setting | None:
    """The setting `key` when it governs the resource and the resource is declared whole: a
    partial declaration (an update command) leaves the rest as it is, so it cannot break a policy
    about what it does not state."""
    found = setting(res, ctx, key)
    return None if found is None or res.partial else found


def allows(policy: Setting, value: str) -> bool:
    """Whether a list setting names the value, ignoring case, as the service compares them."""
    return value.lower() in {str(v).lower() for v in policy.value}


def not_in(policy: Setting) -> str:
    """`not in policy.sharing (.sigcheck.yaml:4): Private, Groups`."""
    return f"not in {policy.cite()}: {', '.join(str(v) for v in policy.value)}"


def deciding(res: m.Resource, token: Located[Any] | None, fallback: Located[Any] | Span) -> Located[Any] | Span:
    """Where a finding about a derived value goes: the token that decided it when the user wrote it
    in this file, else `fallback` (a default, or a value from another file, has no token here)."""
    return token if token is not None and token.span.path == res.path else fallback
