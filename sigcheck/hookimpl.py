"""The mark of a hook implementation, for the built-in plugins, without importing pluggy.

pluggy recognises an implementation by an attribute `<project>_impl` holding its options (what
`pluggy.HookimplMarker("sigcheck")` sets); the built-ins carry the same mark, so a plugin manager
registers them like any plugin, while a run with no third-party plugin calls them directly and
never imports pluggy. Plugins use `sigcheck.plugin.hookimpl` (pluggy's own marker).
"""

from __future__ import annotations

from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable[..., object])


def hookimpl(function: F) -> F:
    setattr(function, "sigcheck_impl", {
        "wrapper": False, "hookwrapper": False, "optionalhook": False,
        "tryfirst": False, "trylast": False, "specname": None,
    })
    return function
