"""The plugin manager: every loader, rule and formatter comes from an installed entry point.

Each contribution is traced to the distribution that made it, so that a clash names both sides
(a loud warning, never a silent drop), a third-party rule links to its own documentation, and a
plugin that cannot be loaded is reported as a SIG008 finding rather than only on stderr.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import sysconfig
import traceback
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Iterable, TypeVar

from sigcheck.engine.result import Formatter
from sigcheck.engine.rules import AnyRule, Rule
from sigcheck.inputs.api import Loader
from sigcheck.model.diagnostics import plugin_error
from sigcheck.model.findings import DOCS_URL, Finding
from sigcheck.syntax.located import Span
from sigcheck.syntax.text import split_lines

if TYPE_CHECKING:
    from importlib.metadata import Distribution, EntryPoint

    import pluggy

ENTRY_POINT_GROUP = "sigcheck"
OURS = "sigcheck"  # the distribution whose contributions are built in
# The built-in plugins: the entry points sigcheck's own distribution declares (pyproject.toml),
# registered directly when no other distribution declares any (a test holds the two lists equal).
BUILTINS = {
    "sigcheck.inputs.arm": "sigcheck.inputs.arm",
    "sigcheck.inputs.rest": "sigcheck.inputs.rest",
    "sigcheck.inputs.scripts": "sigcheck.inputs.scripts",
    "sigcheck.inputs.markdown": "sigcheck.inputs.markdown",
    "sigcheck.inputs.bicep": "sigcheck.inputs.bicep",
    "sigcheck.inputs.packer": "sigcheck.inputs.packer",
    "sigcheck.inputs.terraform": "sigcheck.inputs.terraform",
    "sigcheck.checks": "sigcheck.checks.builtin",
    "sigcheck.policy": "sigcheck.checks.policy",
    "sigcheck.report": "sigcheck.report.builtin",
}
HOOKS = ("sigcheck_loaders", "sigcheck_rules", "sigcheck_formatters")


def _machinery() -> tuple[str, ...]:
    """Frames in these places are the machinery between sigcheck and a plugin, not the
    plugin's code: where it failed is the innermost frame outside them (and the stdlib's)."""
    import pluggy

    return (os.path.dirname(os.path.abspath(pluggy.__file__)) + os.sep, os.path.abspath(__file__))


def _stdlib() -> str:
    import sysconfig

    return os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep

T = TypeVar("T")


@dataclass
class Registry:
    loaders: list[Loader] = field(default_factory=list)
    rules: dict[str, AnyRule] = field(default_factory=dict)
    formatters: dict[str, Formatter] = field(default_factory=dict)
    # Warnings about the set of plugins (clashing names), shown on stderr.
    problems: list[str] = field(default_factory=list)
    # Plugins that failed to load or to say what they provide: SIG008 findings of every run.
    plugin_errors: list[Finding] = field(default_factory=list)
    # Registered plugin name -> the distribution that installed it.
    distributions: dict[str, str] = field(default_factory=dict)


def plugin_manager() -> pluggy.PluginManager:
    import pluggy

    from sigcheck import hookspecs

    pm = pluggy.PluginManager(ENTRY_POINT_GROUP)
    pm.add_hookspecs(hookspecs)
    return pm


def distribution_name(ep: EntryPoint) -> str:
    dist = ep.dist
    return dist.name if dist is not None else "an unknown distribution"


def home_page(dist: Distribution | None) -> str:
    """Where a distribution documents itself, from its package metadata: a Project-URL labelled
    for documentation, else its home page, else its first Project-URL; "" when it names none."""
    if dist is None:
        return ""
    meta = dist.metadata
    urls: list[tuple[str, str]] = []
    for entry in meta.get_all("Project-URL") or []:
        label, _, url = str(entry).partition(",")
        if url.strip():
            urls.append((label.strip().lower().replace("-", "").replace("_", "").replace(" ", ""), url.strip()))
    for wanted in ("documentation", "docs", "homepage", "home"):
        for label, url in urls:
            if label == wanted:
                return url
    homepage = meta["Home-page"] if "Home-page" in meta else None
    if homepage and homepage.strip() and homepage.strip().upper() != "UNKNOWN":
        return str(homepage).strip()
    return urls[0][1] if urls else ""


def failure_span(exc: BaseException, ep: EntryPoint | None = None) -> Span:
    """Where foreign code failed: the syntax error's position, else the innermost frame of the
    plugin's own code, else the line of the entry point in its distribution's metadata."""
    from sigcheck.engine.run import display_path

    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        column = exc.offset or 1
        return Span(display_path(exc.filename), exc.lineno, column, exc.end_lineno or exc.lineno,
                    max(exc.end_offset or column + 1, column + 1))
    machinery, stdlib = _machinery(), _stdlib()
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        filename = os.path.abspath(frame.filename)
        parts = filename.split(os.sep)
        installed = "site-packages" in parts or "dist-packages" in parts  # under the stdlib folder, not of it
        if frame.filename.startswith("<") or filename.startswith(machinery) or (filename.startswith(stdlib) and not installed):
            continue
        line = frame.lineno or 1
        column = (frame.colno or 0) + 1
        end_column = (frame.end_colno or frame.colno or 0) + 1
        same_line = (frame.end_lineno or line) == line
        return Span(display_path(frame.filename), line, column, line if same_line else frame.end_lineno or line,
                    max(end_column, column + 1) if same_line else end_column)
    if ep is not None and ep.dist is not None:
        located = _entry_point_line(ep)
        if located is not None:
            return located
    return Span(f"<plugin {ep.name if ep is not None else '?'}>", 1, 1, 1, 1)


def _entry_point_line(ep: EntryPoint) -> Span | None:
    """The `name = value` line declaring `ep` in its distribution's entry_points.txt."""
    from sigcheck.engine.run import display_path

    dist = ep.dist
    if dist is None:
        return None
    text = dist.read_text("entry_points.txt")
    path = getattr(dist, "_path", None)
    if text is None or path is None:
        return None
    for number, line in enumerate(split_lines(text), start=1):
        if line.split("=", 1)[0].strip() == ep.name:
            return Span(display_path(os.path.join(str(path), "entry_points.txt")), number, 1, number, len(line) + 1)
    return None


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def load_entry_points(
    pm: pluggy.PluginManager, registry: Registry, found: Iterable[EntryPoint] | None = None
) -> None:
    """Load every `sigcheck` entry point (those `found`, for tests). A plugin that fails to load
    is a SIG008 finding; two entry points of one name are both loaded, with a warning."""
    if found is None:
        from importlib.metadata import entry_points

        found = entry_points(group=ENTRY_POINT_GROUP)
    # Built-ins first, then by name: every run sees the same order, and ours win clashes.
    ordered = sorted(found, key=lambda e: (distribution_name(e) != OURS, e.name, distribution_name(e)))
    declared: dict[str, str] = {}  # entry point name -> the first distribution declaring it
    seen: set[tuple[str, str]] = set()
    for ep in ordered:
        dist = distribution_name(ep)
        name = ep.name
        if (name, dist) in seen:
            continue  # the same distribution found twice on the path
        seen.add((name, dist))
        if name in declared:
            registry.problems.append(
                f"entry point '{name}' in group '{ENTRY_POINT_GROUP}' is declared by both {declared[name]} "
                f"and {dist}; both are loaded, rename one of them")
        declared.setdefault(name, dist)
        if pm.get_plugin(name) is not None:
            name = f"{name}@{dist}"
        if pm.is_blocked(name):
            continue
        try:
            plugin = ep.load()
        except Exception as exc:  # noqa: BLE001 - any failure of foreign code is reported
            registry.problems.append(f"plugin '{ep.name}' ({ep.value}) of {dist} failed to load: {_describe(exc)}")
            registry.plugin_errors.append(plugin_error(
                failure_span(exc, ep), f"plugin '{ep.name}' of {dist} failed to load: {_describe(exc)}"))
            continue
        pm.register(plugin, name=name)
        registry.distributions[name] = dist


def _batches(pm: pluggy.PluginManager, registry: Registry, hook: str) -> list[tuple[str, list[Any]]]:
    """Each plugin's answer to a hook with its distribution, built-ins first; a plugin whose hook
    raises is a SIG008 finding, and the others still answer."""
    out: list[tuple[str, str, list[Any]]] = []
    for impl in getattr(pm.hook, hook).get_hookimpls():
        dist = registry.distributions.get(impl.plugin_name, impl.plugin_name)
        try:
            batch = list(impl.function() or [])
        except Exception as exc:  # noqa: BLE001
            registry.plugin_errors.append(plugin_error(
                failure_span(exc), f"plugin '{impl.plugin_name}' of {dist} failed in {hook}(): {_describe(exc)}"))
            continue
        out.append((dist, impl.plugin_name, batch))
    out.sort(key=lambda item: (item[0] != OURS, item[1]))
    return [(dist, batch) for dist, _, batch in out]


def _add(table: dict[str, tuple[str, T]], key: str, dist: str, item: T, what: str, problems: list[str]) -> None:
    """Keep the first of two contributions with one key, and say so naming both distributions."""
    if key in table:
        first = table[key][0]
        problems.append(f"{what} is provided by both {first} and {dist}; the one of {first} is used, "
                        f"the one of {dist} is ignored")
        return
    table[key] = (dist, item)


def _third_party(rule: Rule[Any], dist: str) -> Rule[Any]:
    """A plugin's rule carries its distribution and links to the plugin's documentation: its own
    `help_uri`, else its distribution's home page, never sigcheck's pages."""
    meta = rule.meta
    help_uri = meta.help_uri
    if not help_uri or help_uri == f"{DOCS_URL}/{meta.id}.md":
        help_uri = home_page(_distribution(dist))
    return dataclasses.replace(rule, meta=dataclasses.replace(meta, origin=dist, help_uri=help_uri))


def collect(pm: pluggy.PluginManager, registry: Registry | None = None) -> Registry:
    registry = registry if registry is not None else Registry()
    pm.check_pending()

    loaders: dict[str, tuple[str, Loader]] = {}
    for dist, batch in _batches(pm, registry, "sigcheck_loaders"):
        for loader in batch:
            _add(loaders, loader.name, dist, loader, f"loader '{loader.name}'", registry.problems)
    # pluggy does not promise an order: sort so that every run sees the same registry.
    registry.loaders = sorted((loader for _, loader in loaders.values()), key=lambda lo: (lo.priority, lo.name))

    rules: dict[str, tuple[str, Rule[Any]]] = {}
    for dist, batch in _batches(pm, registry, "sigcheck_rules"):
        for rule in batch:
            if dist != OURS:
                rule = _third_party(rule, dist)
            _add(rules, rule.meta.id, dist, rule, f"rule {rule.meta.id}", registry.problems)
    registry.rules = {rule_id: rule for rule_id, (_, rule) in rules.items()}

    formatters: dict[str, tuple[str, Formatter]] = {}
    for dist, batch in _batches(pm, registry, "sigcheck_formatters"):
        for formatter in batch:
            _add(formatters, formatter.name, dist, formatter, f"output format '{formatter.name}'", registry.problems)
    registry.formatters = {name: formatter for name, (_, formatter) in formatters.items()}
    return registry


@cache
def _distribution(name: str) -> Distribution | None:
    """An installed distribution's metadata, looked up only when a third-party rule needs its URL."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        return distribution(name)
    except PackageNotFoundError:
        return None


def _declares_plugins(info: str) -> bool:
    """Whether a distribution's metadata folder declares `sigcheck` entry points."""
    try:
        with open(os.path.join(info, "entry_points.txt"), encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return False
    return any(line.strip() == f"[{ENTRY_POINT_GROUP}]" for line in text.splitlines())


def _others_declare_plugins() -> bool:
    """Whether any distribution on sys.path but sigcheck itself may declare `sigcheck` entry
    points: the metadata folders of every path entry, read directly (importing
    importlib.metadata alone costs a one-file run a tenth of its time). A path entry that is not
    a folder (a zip) cannot be read this way: then assume it may."""
    for entry in sys.path:
        folder = entry or os.getcwd()
        try:
            listing = os.scandir(folder)
        except NotADirectoryError:
            return True
        except OSError:
            continue
        with listing:
            for item in listing:
                name = item.name
                if not name.endswith((".dist-info", ".egg-info")):
                    continue
                project = name.rsplit(".", 1)[0].split("-", 1)[0].lower().replace("_", "-").replace(".", "-")
                if project == OURS:
                    continue
                if item.is_dir() and _declares_plugins(item.path):
                    return True
    return False


def _builtin_registry() -> Registry:
    """The built-in plugins, their hooks called directly: what the plugin manager would collect
    when no other distribution contributes."""
    from importlib import import_module

    registry = Registry()
    answers: dict[str, list[tuple[str, list[Any]]]] = {hook: [] for hook in HOOKS}
    for name in sorted(BUILTINS):
        plugin = import_module(BUILTINS[name])
        registry.distributions[name] = OURS
        for hook in HOOKS:
            function = getattr(plugin, hook, None)
            if function is not None:
                answers[hook].append((OURS, list(function() or [])))
    loaders: dict[str, tuple[str, Loader]] = {}
    for dist, batch in answers["sigcheck_loaders"]:
        for loader in batch:
            _add(loaders, loader.name, dist, loader, f"loader '{loader.name}'", registry.problems)
    registry.loaders = sorted((loader for _, loader in loaders.values()), key=lambda lo: (lo.priority, lo.name))
    rules: dict[str, tuple[str, Rule[Any]]] = {}
    for dist, batch in answers["sigcheck_rules"]:
        for rule in batch:
            _add(rules, rule.meta.id, dist, rule, f"rule {rule.meta.id}", registry.problems)
    registry.rules = {rule_id: rule for rule_id, (_, rule) in rules.items()}
    formatters: dict[str, tuple[str, Formatter]] = {}
    for dist, batch in answers["sigcheck_formatters"]:
        for formatter in batch:
            _add(formatters, formatter.name, dist, formatter, f"output format '{formatter.name}'", registry.problems)
    registry.formatters = {name: formatter for name, (_, formatter) in formatters.items()}
    return registry


def build_registry(found: Iterable[EntryPoint] | None = None) -> Registry:
    """A registry of the installed plugins (or of the entry points `found`)."""
    if found is None and not _others_declare_plugins():
        return _builtin_registry()
    pm = plugin_manager()
    registry = Registry()
    load_entry_points(pm, registry, found)
    return collect(pm, registry)


@cache
def default_registry() -> Registry:
    """The registry of installed plugins, built once per process; its warnings go to stderr."""
    registry = build_registry()
    for problem in registry.problems:
        print(f"sigcheck: warning: {problem}", file=sys.stderr)
    return registry
