"""The extension points of sigcheck: the table of contents of what a plugin can contribute.

Built-ins are plugins like any other, registered through the `sigcheck` entry-point group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from sigcheck.engine.rules import AnyRule
    from sigcheck.inputs.api import Loader
    from sigcheck.engine.result import Formatter

hookspec = pluggy.HookspecMarker("sigcheck")
hookimpl = pluggy.HookimplMarker("sigcheck")


@hookspec
def sigcheck_loaders() -> list[Loader]:
    """Loaders this plugin provides: each recognises an input kind and normalizes it into the model."""
    raise NotImplementedError  # a specification: pluggy calls the implementations


@hookspec
def sigcheck_rules() -> list[AnyRule]:
    """Rules this plugin provides, with their metadata."""
    raise NotImplementedError  # a specification: pluggy calls the implementations


@hookspec
def sigcheck_formatters() -> list[Formatter]:
    """Output formats this plugin provides, by name."""
    raise NotImplementedError  # a specification: pluggy calls the implementations
