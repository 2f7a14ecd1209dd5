"""The pipeline: discover → load (and normalize) → check → a sorted list of findings."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from sigcheck.checks.api import CheckContext, Hit, Rule
from sigcheck.findings import Finding
from sigcheck.load import diagnostics
from sigcheck.load.api import LoadOptions, LoadResult, SourceFile
from sigcheck.load.text import DecodeError, decode
from sigcheck.location import Located, Span
from sigcheck.model.resources import DeploymentContext, Resource
from sigcheck.plugins import Registry
from sigcheck.report.api import RunResult

# ARM itself refuses templates over 4 MB; anything far beyond that is not a template a person
# wrote, and reading it would only make a pre-commit hook hang.
MAX_FILE_BYTES = 32 * 1024 * 1024
_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"}


@dataclass
class Options:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    today: _dt.date = field(default_factory=_dt.date.today)
    context: DeploymentContext = field(default_factory=DeploymentContext)
    parameters_file: str | None = None


def _matches(rule_id: str, patterns: Iterable[str]) -> bool:
    return any(p.upper() == "ALL" or rule_id.startswith(p.upper()) for p in patterns)


def enabled_rules(registry: Registry, options: Options) -> list[Rule]:
    """Rules selected by --select/--extend-select/--ignore (ids or prefixes), in id order."""
    chosen = []
    for rule_id, rule in sorted(registry.rules.items()):
        if options.select:
            on = _matches(rule_id, options.select)
        else:
            on = rule.meta.enabled_by_default
        if _matches(rule_id, options.extend_select):
            on = True
        if _matches(rule_id, options.ignore):
            on = False
        if on:
            chosen.append(rule)
    return chosen


def discover(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """Files under `paths` (directories walked, sorted) and the paths that do not exist."""
    files: list[str] = []
    missing: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
                files.extend(os.path.join(root, n) for n in sorted(names))
        elif os.path.isfile(path):
            files.append(path)
        else:
            missing.append(path)
    return files, missing


def display_path(path: str) -> str:
    """Relative to the working directory when the file is below it, as users expect."""
    absolute = os.path.abspath(path)
    cwd = os.getcwd()
    if absolute.startswith(cwd + os.sep):
        return os.path.relpath(absolute, cwd)
    return path


class Engine:
    def __init__(self, registry: Registry, options: Options) -> None:
        self.registry = registry
        self.options = options
        self.rules = enabled_rules(registry, options)
        self.enabled_ids = {r.meta.id for r in self.rules}
        self.internal_errors: list[str] = []

    # -- load ---------------------------------------------------------------
    def load_text(self, path: str, text: str, explicit: bool = True) -> LoadResult | None:
        """Load one decoded file with the first loader that claims it; None when none does."""
        for loader in self.registry.loaders:
            if not loader.claims(path, text):
                continue
            try:
                return loader.load(SourceFile(path, text), self._load_options())
            except Exception as exc:  # noqa: BLE001 - a loader bug must not stop the other files
                self.internal_errors.append(f"{path}: loader '{loader.name}' failed: {type(exc).__name__}: {exc}")
                return None
        return None

    def load_file(self, path: str, explicit: bool) -> LoadResult | None:
        shown = display_path(path)
        try:
            size = os.path.getsize(path)
            if size > MAX_FILE_BYTES:
                if not self._wanted_by_name(shown):
                    return None
                return LoadResult(findings=[diagnostics.parse_error(
                    Span(shown, 1, 1, 1, 1),
                    f"file is {size // (1024 * 1024)} MB, over the {MAX_FILE_BYTES // (1024 * 1024)} MB sigcheck reads; not checked",
                )])
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            return LoadResult(findings=[diagnostics.parse_error(Span(shown, 1, 1, 1, 1), f"cannot read file: {exc.strerror}")])
        if not data.strip():
            return None
        try:
            text = decode(data)
        except DecodeError as exc:
            if not self._wanted_by_name(shown):
                return None
            return LoadResult(findings=[diagnostics.parse_error(
                Span(shown, exc.line, exc.column, exc.line, exc.column), exc.message)])
        return self.load_text(shown, text, explicit)

    def _wanted_by_name(self, path: str) -> bool:
        """Whether some loader would read a file of this name (for files that are not text)."""
        return any(loader.claims(path, "") for loader in self.registry.loaders) or path.lower().endswith(".json")

    def _load_options(self) -> LoadOptions:
        return LoadOptions(context=self.options.context, parameters_file=self.options.parameters_file)

    # -- check --------------------------------------------------------------
    def check(self, resources: Sequence[Resource]) -> list[Finding]:
        ctx = CheckContext(today=self.options.today, resources=resources)
        _link_parents(resources, ctx)
        findings: list[Finding] = []
        for rule in self.rules:
            if rule.check is not None:
                for res in resources:
                    if res.is_response or not isinstance(res, rule.meta.applies_to):
                        continue
                    try:
                        findings.extend(self._finding(rule, res, hit) for hit in rule.check(res, ctx))
                    except Exception as exc:  # noqa: BLE001
                        self.internal_errors.append(
                            f"{res.path}: rule {rule.meta.id} failed on {res.full_name}: {type(exc).__name__}: {exc}")
            if rule.check_run is not None:
                try:
                    findings.extend(self._finding(rule, res, hit) for res, hit in rule.check_run(resources, ctx))
                except Exception as exc:  # noqa: BLE001
                    self.internal_errors.append(f"rule {rule.meta.id} failed: {type(exc).__name__}: {exc}")
        return findings

    def _finding(self, rule: Rule, res: Resource, hit: Hit) -> Finding:
        where = hit.where
        span = where.span if isinstance(where, Located) else where
        path = where.path if isinstance(where, Located) else hit.path
        return Finding(
            rule.meta.id,
            hit.severity or rule.meta.severity,
            hit.message,
            span,
            resource_type=res.type_name,
            resource_name=res.full_name,
            property_path=path,
        )

    # -- whole runs -----------------------------------------------------------
    def run(self, paths: Sequence[str]) -> RunResult:
        files, missing = discover(paths)
        explicit = {os.path.abspath(p) for p in paths if os.path.isfile(p)}
        findings: list[Finding] = []
        resources: list[Resource] = []
        checked = 0
        for path in files:
            loaded = self.load_file(path, explicit=os.path.abspath(path) in explicit)
            if loaded is None:
                continue
            checked += 1
            findings.extend(loaded.findings)
            resources.extend(loaded.resources)
        findings.extend(self.check(resources))
        for path in missing:
            self.internal_errors.append(f"{path}: no such file or directory")
        return self.result(findings, checked, len(resources))

    def run_text(self, path: str, data: bytes | str) -> RunResult:
        """Check one file's content that is not (or not yet) on disk: stdin, an editor buffer."""
        if isinstance(data, bytes):
            try:
                text = decode(data)
            except DecodeError as exc:
                finding = diagnostics.parse_error(Span(path, exc.line, exc.column, exc.line, exc.column), exc.message)
                return self.result([finding], 1, 0)
        else:
            text = data
        loaded = self.load_text(path, text)
        if loaded is None:
            return self.result([], 0, 0)
        return self.result(loaded.findings + self.check(loaded.resources), 1, len(loaded.resources))

    def result(self, findings: list[Finding], files: int, resources: int) -> RunResult:
        kept = [f for f in findings if f.rule_id in self.enabled_ids]
        kept.sort(key=Finding.sort_key)
        return RunResult(findings=kept, rules=self.rules, files_checked=files, resources_checked=resources)


def _link_parents(resources: Sequence[Resource], ctx: CheckContext) -> None:
    for res in resources:
        if len(res.names) < 2 or "/" not in res.type_name:
            continue
        parent_type = res.type_name.rsplit("/", 1)[0]
        found = ctx.find(parent_type, [n.value for n in res.names[:-1]])
        if found:
            res.parent = found[0]
