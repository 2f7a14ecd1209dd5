"""What the SIG8xx policy rules share: reading known values, naming resources, citing settings."""

from __future__ import annotations

from typing import Any

from sigcheck.engine.policy import Setting
from sigcheck.engine.rules import Hit
from sigcheck.model import resources as m
from sigcheck.model.findings import Severity
from sigcheck.syntax.located import Located, Span

KIND_WORDS = {
    m.GALLERY: "gallery",
    m.IMAGE_DEFINITION: "image definition",
    m.IMAGE_VERSION: "image version",
    m.APPLICATION: "gallery application",
    m.APPLICATION_VERSION: "application version",
}
# The policy rules report at error unless the configuration's `severity` says otherwise.
POLICY_SEVERITY = Severity.ERROR


def text(item: Located[Any] | None) -> str | None:
    """The value when it is a known string."""
    if item is None or not item.known or not isinstance(item.value, str):
        return None
    return item.value


def integer(item: Located[Any] | None) -> int | None:
    """The value when it is a known integer (booleans are not numbers here)."""
    if item is None or not item.known or isinstance(item.value, bool) or not isinstance(item.value, int):
        return None
    return item.value


def described(res: m.Resource) -> str:
    return f"{KIND_WORDS.get(res.type_name, res.type_name)} '{res.full_name}'"


def anchor(res: m.Resource) -> Located[Any] | Span:
    """Where a finding about the resource as a whole goes: its name token, else its declaration."""
    name = res.name
    return name if name is not None and name.span.path == res.path else res.span


def hit(where: Located[Any] | Span, message: str, setting: Setting, sub: str | None = None, path: str = "") -> Hit:
    return Hit(where, message, path=path, related=setting.related(sub))
