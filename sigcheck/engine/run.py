"""The pipeline: discover → load (and normalize) → check → a sorted list of findings."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import gc
import os
import stat
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from sigcheck.engine.rules import AnyRule, CheckContext, Hit, Rule, _key, identity
from sigcheck.engine.outcome import FileOutcome, Key, ResourceRef
from sigcheck.engine import suppress
from sigcheck.model.findings import Finding, Severity
from sigcheck.engine.globs import GlobSet
from sigcheck.model import diagnostics
from sigcheck.inputs.api import Loader, LoadOptions, LoadResult, SourceFile
from sigcheck.inputs.recognize import suffix_for
from sigcheck.syntax.text import DecodeError, decode, unify_line_breaks
from sigcheck.syntax.budget import Budget, abbreviate
from sigcheck.syntax.located import Located, Span
from sigcheck.syntax.jsonc import Deferred
from sigcheck.model.resources import DeploymentContext, Resource
from sigcheck.engine.registry import Registry, failure_span
from sigcheck.engine.result import RunResult

if TYPE_CHECKING:  # git (and subprocess) are imported only by runs with --base
    from sigcheck.engine.git import BaseRevision

# ARM itself refuses templates over 4 MB; anything far beyond that is not a template a person
# wrote, and reading it would only make a pre-commit hook hang.
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_MESSAGE = 1000
MAX_PER_RULE = 500  # findings of one rule in one file before the rest are counted, not listed
_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"}


@dataclass
class RuleSelection:
    """One layer of rule selection: ids or prefixes, as in the configuration file."""

    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)


@dataclass
class Options:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    today: _dt.date = field(default_factory=_dt.date.today)
    context: DeploymentContext = field(default_factory=DeploymentContext)
    parameters_file: str | None = None
    var_files: list[str] = field(default_factory=list)  # Terraform -var-file, in order
    # From the configuration file; the command line's select/ignore/extend-select apply on top.
    configured: RuleSelection = field(default_factory=RuleSelection)
    severity: dict[str, Severity] = field(default_factory=dict)  # rule id or prefix -> severity
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)  # glob -> rule ids or prefixes
    exclude: list[str] = field(default_factory=list)  # gitignore-style globs
    root: str = "."  # the folder the globs are relative to (the configuration file's)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule name -> its options
    # Rules the configuration defines (custom policy rules), registered for this run only.
    extra_rules: list[AnyRule] = field(default_factory=list)
    # `--base REV`: each checked file is also read at that revision, and its resources are paired
    # with their earlier declarations for the rules that compare revisions (SIG706).
    base: BaseRevision | None = None
    # Worker processes for a run over many files (1: in this process); output is the same.
    jobs: int = 1
    # The folder of the content cache (sigcheck.engine.cache), None for no cache.
    cache_dir: str | None = None
    # The configuration files above a path (sigcheck.config.configurations_above): part of the
    # cache's key, as each folder may have its own policy.
    configurations_above: Callable[[str], list[str]] | None = None
    file_timeout: float | None = None  # seconds one file may take; None: the budget's default
    # Asked while a file is checked: True stops it as a timeout would (a superseded editor check).
    cancelled: Callable[[], bool] | None = None


def _matches(rule_id: str, patterns: Iterable[str]) -> bool:
    return any(p.upper() == "ALL" or rule_id.startswith(p.upper()) for p in patterns)


ALWAYS_ON = "SIG001"


def enabled_rules(registry: Registry, options: Options) -> list[AnyRule]:
    """Rules selected by select/extend-select/ignore (ids or prefixes), in id order: the
    configuration's layer first, then the command line's, so a flag overrides the file."""
    layers = [options.configured, RuleSelection(options.select, options.ignore, options.extend_select)]
    chosen = []
    for rule_id, rule in sorted(registry.rules.items()):
        on = rule.meta.enabled_by_default
        for layer in layers:
            if layer.select:
                on = _matches(rule_id, layer.select)
            if _matches(rule_id, layer.extend_select):
                on = True
            if _matches(rule_id, layer.ignore):
                on = False
        if rule_id == ALWAYS_ON and not any(_matches(rule_id, layer.ignore) for layer in layers):
            on = True  # a file that cannot be read hides every other problem in it
        if on:
            chosen.append(rule)
    return chosen


def _is_regular(path: str) -> bool:
    """Only regular files are read: a named pipe would block the run, a broken link is no file."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _is_stream(path: str) -> bool:
    """A named pipe or character device (/dev/stdin, a FIFO): read when named on purpose, never
    while walking a folder, where opening one would block the run."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def not_found(path: str) -> str:
    """Why a named path is not checked, for the run's errors."""
    if os.path.lexists(path) and not os.path.exists(path):
        return f"{path}: a broken symbolic link"
    if os.path.exists(path):
        return f"{path}: not a file sigcheck can read (a socket or block device)"
    return f"{path}: no such file or directory"


def discover(
    paths: Sequence[str], excluded: Callable[[str, bool], bool] | None = None
) -> tuple[list[str], list[str]]:
    """Files under `paths` (directories walked, sorted) and the paths that do not exist.
    `excluded(path, is_dir)` prunes folders while walking and drops files, named ones included."""
    files: list[str] = []
    missing: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS
                                 and not (excluded and excluded(os.path.join(root, d), True)))
                files.extend(os.path.join(root, n) for n in sorted(names)
                             if _is_regular(os.path.join(root, n))
                             and not (excluded and excluded(os.path.join(root, n), False)))
        elif _is_regular(path) or _is_stream(path):
            if not (excluded and excluded(path, False)):
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
        if options.extra_rules:
            registry = dataclasses.replace(registry, rules={**registry.rules, **{r.meta.id: r for r in options.extra_rules}})
        self.registry = registry
        self.options = options
        # Rules carry their configured severity, so reports describe the rules as they ran.
        self.rules = [self._configured(r) for r in enabled_rules(registry, options)]
        self.enabled_ids = {r.meta.id for r in self.rules}
        # The per-resource rules of each model class (see _check_resources), for these rules.
        self._by_class: tuple[list[AnyRule], dict[type, list[AnyRule]]] = (self.rules, {})
        self.internal_errors: list[str] = []
        # The loader that read the last file (None: none claimed it).
        self.claimed_by: Loader | None = None
        # The text of every file read, by the path findings show: reports quote it (SARIF snippets).
        self.sources: dict[str, str] = {}
        self._budgets: dict[str, Budget] = {}
        self._named: set[str] = set()
        # id(resource) -> related locations (LoadResult.related) of the resources being checked.
        self._related: dict[int, list[tuple[Span, str]]] = {}
        # The same, by what a ResourceRef names, for the findings of cross-file rules on facts.
        self._related_refs: dict[tuple[str, str, str, tuple[str, int, int]], list[tuple[Span, str]]] = {}
        self._exclude = GlobSet(options.exclude)
        self._per_path = [(GlobSet([glob]), ids) for glob, ids in options.per_path_ignores.items()]

    # -- configuration ------------------------------------------------------------
    def _configured(self, rule: AnyRule) -> AnyRule:
        severity = self.severity_override(rule.meta.id)
        if severity is None or severity == rule.meta.severity:
            return rule
        return dataclasses.replace(rule, meta=dataclasses.replace(rule.meta, severity=severity))

    def severity_override(self, rule_id: str) -> Severity | None:
        """The configured severity of a rule: the longest matching id or prefix wins."""
        best = max((p for p in self.options.severity if rule_id.startswith(p)), key=len, default=None)
        return self.options.severity[best] if best is not None else None

    def _relative(self, path: str) -> str | None:
        """`path` relative to the configuration's folder, `/`-separated; None when outside it."""
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.options.root))
        if rel == ".." or rel.startswith(".." + os.sep):
            return None
        return rel.replace(os.sep, "/")

    def excluded(self, path: str, is_dir: bool = False) -> bool:
        if not self._exclude:
            return False
        rel = self._relative(path)
        return rel is not None and self._exclude.matches(rel, is_dir)

    def active(self, rule_id: str, path: str) -> bool:
        """Whether findings of `rule_id` in `path` are reported: enabled and not ignored there."""
        if rule_id not in self.enabled_ids:
            return False
        if self._per_path:
            rel = self._relative(path)
            if rel is not None:
                for globs, ids in self._per_path:
                    if _matches(rule_id, ids) and globs.matches(rel):
                        return False
        return True

    # -- load ---------------------------------------------------------------
    def load_text(self, path: str, text: str, nameless: bool = True) -> LoadResult | None:
        """Load one decoded file with the first loader that claims it; None when none does."""
        text = unify_line_breaks(text)
        self.claimed_by = None
        # A buffer or stream without an extension (a pipe, /dev/stdin, an editor's untitled file)
        # says nothing of its kind: the content does. Regular files keep the rules of discovery.
        claimed_as = path if not nameless or os.path.splitext(path)[1] else path + suffix_for(text)
        for loader in self.registry.loaders:
            if not loader.claims(claimed_as, text):
                continue
            self.claimed_by = loader
            options = self._load_options(path)
            try:
                return loader.load(SourceFile(path, text), options)
            except Exception as exc:  # noqa: BLE001 - a loader bug must not stop the other files
                problem = f"loader '{loader.name}' failed: {type(exc).__name__}: {exc}"
                self.internal_errors.append(f"{path}: {problem}")
                return LoadResult(findings=[diagnostics.plugin_error(
                    Span(path, 1, 1, 1, 1), f"{problem} ({_where(exc)}); the file was not checked")])
            finally:
                options.budget.pause()  # until the rules run on this file's resources
        return None

    def load_file(self, path: str, named: bool | None = None) -> LoadResult | None:
        """Load a file from disk; `named` when the user gave it by name (not met while walking a
        folder; by default, whether the current run was given it by name): then a name without
        an extension is no reason to skip it."""
        if named is None:
            named = path in self._named
        shown = display_path(path)
        try:
            size = os.path.getsize(path)
            if size > MAX_FILE_BYTES:
                if not self._wanted_by_name(shown):
                    return None
                return LoadResult(findings=[diagnostics.parse_error(
                    Span.at(shown),
                    f"file is {size // (1024 * 1024)} MB, over the {MAX_FILE_BYTES // (1024 * 1024)} MB sigcheck reads; not checked",
                )])
            with open(path, "rb") as handle:
                # A pipe or device has no size to look at first: read one byte past the limit.
                data = handle.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                return LoadResult(findings=[diagnostics.parse_error(
                    Span.at(shown), f"more than {MAX_FILE_BYTES // (1024 * 1024)} MB to read; not checked")])
        except OSError as exc:
            return LoadResult(findings=[diagnostics.parse_error(Span.at(shown), f"cannot read file: {exc.strerror}")])
        if not data.strip():
            return None
        try:
            text = decode(data)
        except DecodeError as exc:
            if not self._wanted_by_name(shown):
                return None
            return LoadResult(findings=[diagnostics.parse_error(Span.at(shown, exc.line, exc.column), exc.message)])
        self.sources[shown] = text
        return self.load_text(shown, text, nameless=named or not _is_regular(path))

    def _wanted_by_name(self, path: str) -> bool:
        """Whether some loader would read a file of this name (for files that are not text)."""
        return any(loader.claims(path, "") for loader in self.registry.loaders) or path.lower().endswith(".json")

    def _load_options(self, path: str) -> LoadOptions:
        # Each file gets its own budget; the rules run on its resources within the same deadline.
        seconds = self.options.file_timeout
        budget = self._budgets[path] = Budget(cancelled=self.options.cancelled) if seconds is None \
            else Budget(seconds=seconds, cancelled=self.options.cancelled)
        return LoadOptions(context=self.options.context, parameters_file=self.options.parameters_file, budget=budget,
                           var_files=list(self.options.var_files))

    # -- check --------------------------------------------------------------
    def load_base(self, path: str, resources: Sequence[Resource]) -> dict[int, Resource]:
        """With `--base`: the declarations at the base revision of the resources loaded from
        `path`, read from the same file there (or the one git says it was renamed from) with the
        same loaders and configuration, paired by type and names (case-insensitive). A resource
        with an unknown name, or new in this revision, has no pair."""
        base = self.options.base
        if base is None or not resources:
            return {}
        old_path = base.old_path(path)
        scratch = base.materialize(old_path) if old_path is not None else None
        if scratch is None:
            return {}
        with open(scratch, "rb") as handle:
            data = handle.read()
        try:
            text = decode(data)
        except DecodeError:
            return {}
        errors = len(self.internal_errors)
        loaded = self.load_text(scratch, text)
        del self.internal_errors[errors:]  # trouble on the old side is not this run's to report
        if loaded is None:
            return {}
        earlier: dict[tuple[str, tuple[str, ...]], Resource] = {}
        for old in loaded.resources:
            key = identity(old)
            if key is not None and not old.is_response:
                earlier.setdefault(key, old)
        pairs = {}
        for res in resources:
            key = identity(res)
            if key is not None and key in earlier and not res.is_response:
                pairs[id(res)] = earlier[key]
        return pairs

    def _place(self, span: Span) -> str:
        label = self.options.base.label(span.path) if self.options.base is not None else span.path
        return f"{label}:{span.line}"

    def _context(self, resources: Sequence[Resource], earlier: dict[int, Resource] | None = None,
                 recording: bool = False) -> CheckContext:
        kind = _Recording if recording else CheckContext
        return kind(today=self.options.today, resources=resources, settings=self.options.settings,
                    catalogue=[rule.meta for rule in self.registry.rules.values()],
                    earlier=earlier or {}, earlier_place=self._place)

    def check(self, resources: Sequence[Resource], earlier: dict[int, Resource] | None = None) -> list[Finding]:
        """Every enabled rule over `resources`, read as one run (their models at hand)."""
        ctx = self._context(resources, earlier)
        _link_parents(resources, ctx)
        findings = self._check_resources(resources, ctx)
        facts = {rule.meta.id: self._facts(rule, resources) for rule in self._run_rules if rule.facts is not None}
        return findings + self._check_run(facts, resources)

    @property
    def _run_rules(self) -> list[Rule[Any]]:
        return [rule for rule in self.rules if rule.check_run is not None]

    @property
    def distributable(self) -> bool:
        """Whether files can be checked apart (in workers, or taken from the cache): every
        cross-file rule says which compact facts it needs instead of reading the models."""
        return all(rule.facts is not None for rule in self._run_rules)

    def _check_resources(self, resources: Sequence[Resource], ctx: CheckContext) -> list[Finding]:
        """The per-resource rules over `resources`, each file within its time.

        Resource by resource (every rule over one resource, then the next), so that what the
        rules share about a resource (CheckContext.memo: the schema analysis of its body) is
        dropped as soon as they are done with it; a large file then never holds every
        resource's analysis at once. The findings are the same in any order (the report sorts
        them, and one rule still meets the resources in declaration order)."""
        findings: list[Finding] = []
        late: dict[str, Resource] = {}  # files whose time ran out, with the first resource not checked
        # The rules that apply to each model class, in id order: one isinstance() per rule and
        # class in a run rather than per rule and resource.
        if self._by_class[0] is not self.rules:
            self._by_class = (self.rules, {})
        by_class = self._by_class[1]
        for res in resources:
            if res.is_response:
                continue
            rules = by_class.get(type(res))
            if rules is None:
                rules = by_class[type(res)] = [rule for rule in self.rules
                                               if rule.check is not None and isinstance(res, rule.meta.applies_to)]
            if not rules:
                continue
            budget = self._budgets.get(res.path)
            if res.path in late:
                continue
            if budget is not None:
                budget.resume()  # the file's clock runs while its resource's rules do
            try:
                for rule in rules:
                    assert rule.check is not None
                    if budget is not None and budget.out_of_time():
                        late.setdefault(res.path, res)
                        break
                    try:
                        findings.extend(self._finding(rule, res, hit) for hit in rule.check(res, ctx))
                    except Exception as exc:  # noqa: BLE001
                        problem = f"rule {rule.meta.id} failed on {res.full_name}: {type(exc).__name__}: {exc}"
                        self.internal_errors.append(f"{res.path}: {problem}")
                        findings.append(diagnostics.plugin_error(
                            res.span, f"{problem} ({_where(exc)}); {_owner(rule)}",
                            resource_type=res.type_name, resource_name=res.full_name))
            finally:
                if budget is not None:
                    budget.pause()
            ctx.forget(res)
            if isinstance(res.body, Deferred):
                res.body.release()  # read again if anything looks later (a large template's resource)
        for res in late.values():
            seconds = self._budgets[res.path].seconds
            findings.append(diagnostics.parse_error(
                res.span, f"checking stopped: the file took longer than its {seconds:g} s; rules were not run on "
                          "this resource and the ones after it"))
        return findings

    def _facts(self, rule: Rule[Any], resources: Sequence[Resource]) -> list[Any]:
        assert rule.facts is not None
        out = []
        for res in resources:
            try:
                fact = rule.facts(res)
            except Exception as exc:  # noqa: BLE001
                problem = f"rule {rule.meta.id} failed on {res.full_name}: {type(exc).__name__}: {exc}"
                self.internal_errors.append(f"{res.path}: {problem}")
                continue
            if fact is not None:
                out.append(fact)
        return out

    def _check_run(self, facts: dict[str, list[Any]], resources: Sequence[Resource] = ()) -> list[Finding]:
        """The cross-file rules: over the facts of every file (or, for a rule without facts, the models)."""
        findings: list[Finding] = []
        ctx = CheckContext(today=self.options.today, resources=resources, settings=self.options.settings)
        for rule in self._run_rules:
            assert rule.check_run is not None
            items = facts.get(rule.meta.id, []) if rule.facts is not None else resources
            try:
                findings.extend(self._finding(rule, res, hit) for res, hit in rule.check_run(items, ctx))
            except Exception as exc:  # noqa: BLE001
                problem = f"rule {rule.meta.id} failed: {type(exc).__name__}: {exc}"
                self.internal_errors.append(problem)
                findings.append(diagnostics.plugin_error(failure_span(exc), f"{problem}; {_owner(rule)}"))
        return findings

    # -- one file at a time ---------------------------------------------------
    def outcome(self, path: str) -> FileOutcome | None:
        """Load and check one file on its own (in a worker process, or before caching)."""
        with collector_paused():
            return self._outcome_of(path)

    def _outcome_of(self, path: str) -> FileOutcome | None:
        scope_problems = getattr(self.options.settings.get("policy", {}).get("scope"), "problems", None)
        seen = len(scope_problems) if scope_problems is not None else 0
        result = self._outcome_alone(path)
        if result is not None and scope_problems is not None:
            result.scope_problems = list(scope_problems[seen:])
        return result

    def _outcome_alone(self, path: str) -> FileOutcome | None:
        errors = len(self.internal_errors)
        self.claimed_by = None
        loaded = self.load_file(path)
        if loaded is None:
            del self.internal_errors[errors:]
            return None
        cacheable = bool(getattr(self.claimed_by, "cacheable", False))
        result = self._outcome(path, loaded, loaded.resources)
        result.cacheable = cacheable
        result.internal_errors[:0] = self.internal_errors[errors:]
        del self.internal_errors[errors:]
        return result

    def _outcome(self, path: str, loaded: LoadResult, context: Sequence[Resource]) -> FileOutcome:
        """The outcome of a loaded file, its rules consulting the resources of `context`."""
        errors = len(self.internal_errors)
        out = FileOutcome(display_path(path), relevant=loaded.relevant, internal_errors=list(loaded.internal_errors))
        if not loaded.relevant:
            return out
        resources = loaded.resources
        out.notes = list(loaded.notes)
        self._related = dict(loaded.related)
        out.related = {_ref_key(res): loaded.related[id(res)] for res in resources if id(res) in loaded.related}
        ctx = self._context(context, self.load_base(path, resources), recording=True)
        assert isinstance(ctx, _Recording)
        ctx.watch()
        _link_parents(resources, ctx, missing=out.looks_up)
        out.findings = loaded.findings + self._check_resources(resources, ctx)
        out.looks_up |= ctx.lookups
        out.needs_whole_run = ctx.read_all
        ctx.resources = ()  # the watched list refers back to the context: no cycle left for the collector
        out.resources = len(resources)
        out.suppressions, out.problems, out.owners = suppress.collect(loaded.comments, resources, self.registry.rules.keys())
        out.facts = {rule.meta.id: self._facts(rule, resources) for rule in self._run_rules if rule.facts is not None}
        if context is resources:
            out.declares.update(ctx.declared())  # the same keys, not made again
        else:
            for res in resources:
                key = _key(res.type_name, [n.value for n in res.names])
                if key is not None:
                    out.declares.add(key)
        out.internal_errors.extend(self.internal_errors[errors:])
        del self.internal_errors[errors:]
        return out

    def _outcomes(self, files: Sequence[str]) -> list[FileOutcome | None]:
        """Each file's outcome: from the cache, else computed (in worker processes for many)."""
        store = None
        if self.options.cache_dir:
            from sigcheck.engine import cache as content_cache

            store = content_cache.open_for(self)
        results: list[FileOutcome | None] = [None] * len(files)
        pending: list[int] = []
        keys: dict[int, str] = {}
        for i, path in enumerate(files):
            if store is not None:
                key = store.key(path, display_path(path))
                if key is not None:
                    keys[i] = key
                    hit = store.get(key)
                    if hit is not content_cache.MISS:
                        results[i] = hit
                        continue
            pending.append(i)
        from sigcheck.engine.workers import compute

        for i, outcome in zip(pending, compute(self, [files[i] for i in pending])):
            results[i] = outcome
            if store is not None and i in keys and (outcome is None or outcome.cacheable):
                store.put(keys[i], outcome)
        return results

    def _recheck(self, files: Sequence[str], outcomes: list[FileOutcome | None]) -> None:
        """Files whose per-resource rules looked up a declaration another file also makes were
        checked without it: check them again here, with the models of every file declaring
        what they look up (loaded again: outcomes carry no models)."""
        if sum(1 for o in outcomes if o is not None and o.relevant and o.looks_up) == 0 or \
                sum(1 for o in outcomes if o is not None and o.relevant) < 2:
            return  # nothing looked up, or no other file to declare it
        declarers: dict[Key, list[int]] = {}
        for i, outcome in enumerate(outcomes):
            if outcome is not None and outcome.relevant:
                for key in outcome.declares:
                    declarers.setdefault(key, []).append(i)
        dependent = [i for i, o in enumerate(outcomes) if o is not None and o.relevant
                     and any(j != i for key in o.looks_up for j in declarers.get(key, ()))]
        if not dependent:
            return
        needed = set(dependent) | {j for i in dependent for key in outcomes[i].looks_up  # type: ignore[union-attr]
                                   for j in declarers.get(key, ())}
        loaded: dict[int, LoadResult] = {}
        while True:
            for i in sorted(needed - loaded.keys()):
                again = self.load_file(files[i])
                loaded[i] = again if again is not None and again.relevant else LoadResult(relevant=False)
            context = [res for i in sorted(loaded) for res in loaded[i].resources]
            redone = {i: self._outcome(files[i], loaded[i], context) for i in dependent}
            more = {j for o in redone.values() for key in o.looks_up for j in declarers.get(key, ())} - loaded.keys()
            if not more:
                break
            needed |= more
        for i, outcome in redone.items():
            outcomes[i] = outcome

    def _plugin_errors(self) -> list[Finding]:
        """The plugins that failed to load, reported by every run: copies, because a run marks
        suppressions and configured severities on its findings."""
        return [dataclasses.replace(f) for f in self.registry.plugin_errors]

    def _finding(self, rule: AnyRule, res: Resource | ResourceRef, hit: Hit) -> Finding:
        where = hit.where
        span = where.span if isinstance(where, Located) else where
        path = where.path if isinstance(where, Located) else hit.path
        message = hit.message
        places = list(hit.related)
        through = (self._related_refs.get(_ref_key(res)) if isinstance(res, ResourceRef)
                   else self._related.get(id(res)))
        if through:
            # Declared in a module: say which caller it came through, and where (SARIF relatedLocations).
            innermost_span, innermost = through[-1]
            message = f"{message} (through {innermost}, line {innermost_span.line})"
            places += [(rel_span, f"through {label}") for rel_span, label in through]
        return Finding(
            rule.meta.id,
            hit.severity or rule.meta.severity,
            message,
            span,
            resource_type=res.type_name,
            resource_name=res.full_name,
            property_path=path,
            extra={"related": places} if places else {},
        )

    # -- whole runs -----------------------------------------------------------
    def run(self, paths: Sequence[str]) -> RunResult:
        files, missing = discover(paths, self.excluded if self._exclude else None)
        self._named = set(paths)  # given by name: a pipe or device among them is read
        self._related = {}  # an engine may serve several runs (the language server): ids are per run
        self._related_refs = {}
        outcomes = self._outcomes(files) if self.distributable else None
        if outcomes is None or any(o is not None and o.needs_whole_run for o in outcomes):
            return self._run_whole(files, missing)
        self._recheck(files, outcomes)
        findings: list[Finding] = []
        suppressions: list[suppress.Suppression] = []
        problems: list[Finding] = []
        owners: list[ResourceRef] = []
        notes: list[tuple[Span, str]] = []
        facts: dict[str, list[Any]] = {}
        checked = resources = 0
        scope_problems = getattr(self.options.settings.get("policy", {}).get("scope"), "problems", None)
        for outcome in outcomes:
            if outcome is None:
                continue
            if scope_problems is not None:
                # Met in a worker or an earlier run: told once, in the order of the files.
                scope_problems.extend(p for p in outcome.scope_problems if p not in scope_problems)
            self.internal_errors.extend(outcome.internal_errors)
            if not outcome.relevant:
                continue
            checked += 1
            resources += outcome.resources
            findings.extend(outcome.findings)
            suppressions.extend(outcome.suppressions)
            problems.extend(outcome.problems)
            owners.extend(outcome.owners)
            notes.extend(outcome.notes)
            self._related_refs.update(outcome.related)
            for rule_id, items in outcome.facts.items():
                facts.setdefault(rule_id, []).extend(items)
        findings.extend(self._check_run(facts))
        _annotate(findings, notes)
        self._read_sources(files, findings)
        findings.extend(self._plugin_errors())
        for path in missing:
            self.internal_errors.append(not_found(path))
        return self._finish(findings, checked, resources, suppressions, problems, owners)

    def _read_sources(self, files: Sequence[str], findings: Sequence[Finding]) -> None:
        """The text of the checked files that findings point into (reports quote it), read here:
        files checked in workers or taken from the cache were not read by this process."""
        shown = {display_path(path): path for path in files}
        for path in {f.span.path for f in findings} - self.sources.keys():
            real = shown.get(path)
            if real is None:
                continue
            try:
                with open(real, "rb") as handle:
                    self.sources[path] = decode(handle.read())
            except (OSError, DecodeError):
                continue

    def _run_whole(self, files: Sequence[str], missing: Sequence[str]) -> RunResult:
        """Every file loaded in this process and checked as one run, models at hand: for a
        cross-file rule that reads the models rather than compact facts (a plugin's)."""
        self._related = {}  # an engine may serve several runs (the language server): ids are per run
        findings: list[Finding] = []
        resources: list[Resource] = []
        comments: list[tuple[Span, str]] = []
        notes: list[tuple[Span, str]] = []
        earlier: dict[int, Resource] = {}
        checked = 0
        for path in files:
            loaded = self.load_file(path)
            if loaded is None:
                continue
            self.internal_errors.extend(loaded.internal_errors)
            if not loaded.relevant:
                continue
            checked += 1
            findings.extend(loaded.findings)
            resources.extend(loaded.resources)
            self._related.update(loaded.related)
            comments.extend(loaded.comments)
            notes.extend(loaded.notes)
            earlier.update(self.load_base(path, loaded.resources))
        findings.extend(self.check(resources, earlier))
        _annotate(findings, notes)
        findings.extend(self._plugin_errors())
        for path in missing:
            self.internal_errors.append(not_found(path))
        return self.result(findings, checked, len(resources), comments, resources)

    def run_text(self, path: str, data: bytes | str) -> RunResult:
        """Check one file's content that is not (or not yet) on disk: stdin, an editor buffer."""
        if self.excluded(path):
            return self.result([], 0, 0)
        if isinstance(data, bytes):
            try:
                text = decode(data)
            except DecodeError as exc:
                finding = diagnostics.parse_error(Span.at(path, exc.line, exc.column), exc.message)
                return self.result([finding], 1, 0)
        else:
            text = data
        self.sources[path] = text
        with collector_paused():
            return self._run_text(path, text)

    def _run_text(self, path: str, text: str) -> RunResult:
        loaded = self.load_text(path, text)
        if loaded is None or not loaded.relevant:
            return self.result([], 0, 0)
        self.internal_errors.extend(loaded.internal_errors)
        self._related = dict(loaded.related)
        earlier = self.load_base(path, loaded.resources)
        findings = loaded.findings + self.check(loaded.resources, earlier) + self._plugin_errors()
        _annotate(findings, loaded.notes)
        return self.result(findings, 1, len(loaded.resources),
                           loaded.comments, loaded.resources)

    def result(
        self,
        findings: list[Finding],
        files: int,
        resources: int,
        comments: Sequence[tuple[Span, str]] = (),
        models: Sequence[Resource] = (),
    ) -> RunResult:
        """The run's report: findings of enabled rules not ignored for their path, in-source
        suppressions applied (and checked: SIG006, SIG007), configured severities, sorted."""
        return self._finish(findings, files, resources, *suppress.collect(comments, models, self.registry.rules.keys()))

    def _finish(
        self,
        findings: list[Finding],
        files: int,
        resources: int,
        suppressions: Sequence[suppress.Suppression],
        problems: list[Finding],
        owners: Sequence[ResourceRef],
    ) -> RunResult:
        kept = []
        seen = set()
        for finding in findings:
            # Instances of a copy loop share their template lines: one report per place and text.
            key = (finding.rule_id, finding.span.sort_key(), finding.message)
            if key not in seen and self.active(finding.rule_id, finding.span.path):
                seen.add(key)
                kept.append(finding)
        kept = suppress.mark(kept, suppressions, problems, owners, self.active)
        for finding in kept:
            if len(finding.message) > MAX_MESSAGE:
                # A value quoted in a message can be as long as the file allows; a report line cannot.
                finding.message = abbreviate(finding.message, MAX_MESSAGE)
            override = self.severity_override(finding.rule_id)
            if override is not None:
                finding.severity = override
        kept.sort(key=Finding.sort_key)
        kept = _capped(kept)
        return RunResult(findings=kept, rules=self.rules, files_checked=files, resources_checked=resources,
                         extra={"internal_errors": list(self.internal_errors), "sources": self.sources})


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while one file is read and checked. Parsing a file
    makes an object per token, all alive until the file is done: each collection would walk
    them all again, up to a third of a large file's time, to find nothing (they are freed by
    reference counting once the file is done; the collector runs again after it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ref_key(res: Resource | ResourceRef) -> tuple[str, str, str, tuple[str, int, int]]:
    return (res.type_name, res.full_name, res.path, res.span.sort_key())


def _capped(findings: list[Finding]) -> list[Finding]:
    """At most MAX_PER_RULE findings of one rule in one file, then one that counts the rest: a
    file with 100,000 repeated keys needs fixing once, not reading 100,000 times. Suppressed
    findings are kept (they are not shown as problems, and SARIF lists them)."""
    counts: dict[tuple[str, str], int] = {}
    out: list[Finding] = []
    last: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        if finding.suppression is not None:
            out.append(finding)
            continue
        key = (finding.span.path, finding.rule_id)
        seen = counts[key] = counts.get(key, 0) + 1
        if seen <= MAX_PER_RULE:
            out.append(finding)
            last[key] = finding
    for key, count in counts.items():
        if count > MAX_PER_RULE:
            shown = last[key]
            out.append(Finding(
                shown.rule_id, shown.severity,
                f"{count - MAX_PER_RULE:,} more {shown.rule_id} findings in this file are not listed "
                f"(only the first {MAX_PER_RULE} are)", shown.span, property_path="summary"))
    out.sort(key=Finding.sort_key)
    return out


def _where(exc: BaseException) -> str:
    """Where foreign code raised, for the message of a SIG008 finding placed in the user's file."""
    span = failure_span(exc)
    return f"raised at {span.path}:{span.line}"


def _owner(rule: AnyRule) -> str:
    if rule.meta.origin == "sigcheck":
        return "a defect of sigcheck: please report it"
    return f"a defect of the plugin {rule.meta.origin}: please report it to its authors"
def _annotate(findings: list[Finding], notes: Sequence[tuple[Span, str]]) -> None:
    """Append the loaders' notes to the findings at their spans (see LoadResult.notes)."""
    if not notes:
        return
    by_place: dict[tuple[str, int, int], list[str]] = {}
    for span, note in notes:
        texts = by_place.setdefault(span.sort_key(), [])
        if note not in texts:
            texts.append(note)
    for finding in findings:
        for note in by_place.get(finding.span.sort_key(), ()):
            finding.message = f"{finding.message} ({note})"


def _link_parents(resources: Sequence[Resource], ctx: CheckContext, missing: set[Key] | None = None) -> None:
    """Each resource's parent when the run declares it. `missing` receives the parents looked
    for and not found (in a file checked on its own, another file may declare them)."""
    for res in resources:
        if len(res.names) < 2 or "/" not in res.type_name:
            continue
        parent_type = res.type_name.rsplit("/", 1)[0]
        names = [n.value for n in res.names[:-1]]
        found = ctx.find(parent_type, names)
        if not found and missing is not None:
            key = _key(parent_type, names)
            if key is not None:
                missing.add(key)
        if found:
            # The same name in several files (REST examples all say 'myGalleryName'): the
            # declaration beside the child is the one it means.
            res.parent = next((p for p in found if p.path == res.path), found[0])


class _Watched(list):  # type: ignore[type-arg]
    """The resources of a per-file context: reading them tells the context so."""

    def __init__(self, items: Sequence[Resource], owner: _Recording) -> None:
        super().__init__(items)
        self._owner = owner

    def __iter__(self):  # type: ignore[no-untyped-def]
        self._owner.read_all = True
        return super().__iter__()

    def __len__(self) -> int:
        self._owner.read_all = True
        return super().__len__()

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        self._owner.read_all = True
        return super().__getitem__(index)


@dataclass
class _Recording(CheckContext):
    """A context for one file checked apart from the others: it records the declarations rules
    look up (another file may declare them too) and whether a rule read every resource."""

    lookups: set[Key] = field(default_factory=set)
    read_all: bool = False

    def watch(self) -> None:
        self.resources = _Watched(self.resources, self)

    def find(self, type_name: str, names: Sequence[object]) -> list[Resource]:
        key = _key(type_name, names)
        if key is not None:
            self.lookups.add(key)
        return super().find(type_name, names)
