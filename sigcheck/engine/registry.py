"""The plugin manager: every loader, rule and formatter comes from an installed entry point."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import cache

import pluggy

from sigcheck import hookspecs
from sigcheck.engine.rules import AnyRule
from sigcheck.inputs.api import Loader
from sigcheck.engine.result import Formatter

ENTRY_POINT_GROUP = "sigcheck"


@dataclass
class Registry:
    loaders: list[Loader] = field(default_factory=list)
    rules: dict[str, AnyRule] = field(default_factory=dict)
    formatters: dict[str, Formatter] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    return pm


def load_entry_points(pm: pluggy.PluginManager, problems: list[str]) -> None:
    """Load every `sigcheck` entry point; a broken third-party plugin is reported, not fatal."""
    from importlib.metadata import entry_points

    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if pm.get_plugin(ep.name) is not None or pm.is_blocked(ep.name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # noqa: BLE001 - any failure of foreign code is reported
            problems.append(f"plugin '{ep.name}' ({ep.value}) failed to load: {type(exc).__name__}: {exc}")
            continue
        pm.register(plugin, name=ep.name)


def collect(pm: pluggy.PluginManager, problems: list[str] | None = None) -> Registry:
    registry = Registry(problems=problems if problems is not None else [])
    pm.check_pending()
    for batch in pm.hook.sigcheck_loaders():
        registry.loaders.extend(batch)
    # pluggy does not promise an order: sort so that every run sees the same registry.
    registry.loaders.sort(key=lambda loader: (loader.priority, loader.name))
    for batch in pm.hook.sigcheck_rules():
        for rule in batch:
            if rule.meta.id in registry.rules:
                registry.problems.append(f"rule {rule.meta.id} is registered twice; the first one is kept")
                continue
            registry.rules[rule.meta.id] = rule
    for batch in pm.hook.sigcheck_formatters():
        for formatter in batch:
            registry.formatters.setdefault(formatter.name, formatter)
    return registry


@cache
def default_registry() -> Registry:
    """The registry of installed plugins, built once per process."""
    pm = plugin_manager()
    problems: list[str] = []
    load_entry_points(pm, problems)
    registry = collect(pm, problems)
    for problem in problems:
        print(f"sigcheck: warning: {problem}", file=sys.stderr)
    return registry
