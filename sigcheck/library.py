"""sigcheck as a library: `lint_paths` and `lint_text` check files or a buffer and return the
findings. The command line and the language server are thin shells over `Linter`, so there is
one way from options to the engine.

    >>> import sigcheck
    >>> result = sigcheck.lint_text(open("main.json").read(), "main.json", select=["SIG1"])
    >>> [f"{f.span.line}:{f.span.column} {f.rule_id} {f.message}" for f in result.findings]
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Literal, Sequence

if TYPE_CHECKING:
    from sigcheck.engine.registry import Registry
    from sigcheck.engine.result import RunResult
    from sigcheck.engine.rules import Rule
    from sigcheck.engine.run import Engine
    from sigcheck.model.findings import Finding


class LintError(Exception):
    """The options or the configuration file are wrong: nothing was checked. The message is
    what the command line prints after `sigcheck: error: `."""


@dataclass
class LintResult:
    """The findings of a run, sorted (suppressed ones included, with their justification in
    `suppression`), the rules that ran, and sigcheck's own failures."""

    findings: list[Finding]
    rules: list[Rule[Any]]
    files_checked: int
    resources_checked: int
    # The whole report, as output formats receive it.
    run: RunResult = field(repr=False)
    # Loaders or rules that crashed and paths that do not exist (the command line exits 2).
    internal_errors: list[str] = field(default_factory=list)

    @property
    def unsuppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is None]


def _ids(values: Iterable[str] | str) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
    return [v.strip().upper() for v in values if v.strip()]


class Linter:
    """Options checked and the configuration applied once; then any number of runs.

    `config` is a configuration file's path, None to find one upward from `discover_from` (as the
    command line does from its first path), or False for none. `jobs` > 1 checks many files in
    that many worker processes; `cache_dir` keeps each file's outcome there for repeat runs
    (sigcheck.engine.cache); neither changes what is reported. Raises LintError on an unknown rule
    id, a missing parameter file or a bad configuration file.
    """

    def __init__(
        self,
        *,
        select: Iterable[str] | str = (),
        ignore: Iterable[str] | str = (),
        extend_select: Iterable[str] | str = (),
        today: _dt.date | str | None = None,
        location: str | None = None,
        parameters: str | None = None,
        var_files: Iterable[str] = (),
        config: str | Literal[False] | None = None,
        discover_from: str = ".",
        registry: Registry | None = None,
        jobs: int = 1,
        cache_dir: str | None = None,
        file_timeout: float | None = None,
        base: str | None = None,
    ) -> None:
        from sigcheck.config import Config, ConfigError, configurations_above, configure, discover, load
        from sigcheck.engine.registry import default_registry
        from sigcheck.engine.run import Engine, Options
        from sigcheck.model.resources import DeploymentContext
        from sigcheck.syntax.located import Located, Span

        self.registry = registry if registry is not None else default_registry()
        selected, ignored, extended = _ids(select), _ids(ignore), _ids(extend_select)
        if isinstance(today, str):
            try:
                today = _dt.date.fromisoformat(today)
            except ValueError:
                raise LintError(f"'{today}' is not a date in the form YYYY-MM-DD") from None
        context = DeploymentContext()
        if location:
            context = DeploymentContext(location=Located(location, Span("<--location>", 1, 1, 1, 1), origin="--location"))
        if file_timeout is not None and not 0 < file_timeout <= 3600:
            raise LintError(f"the file timeout must be more than 0 and at most 3600 seconds, not {file_timeout:g}")
        options = Options(select=selected, ignore=ignored, extend_select=extended, today=today or _dt.date.today(),
                          context=context, parameters_file=parameters, var_files=list(var_files),
                          file_timeout=file_timeout)
        if parameters:
            _check_parameter_file(parameters)
        for var_file in options.var_files:
            if not os.path.isfile(var_file):
                raise LintError(f"variables file '{var_file}' does not exist")
        # Problems that do not stop the run (an unknown --location); the command line prints them.
        self.warnings: list[str] = [] if not location else _location_warnings(location)
        try:
            if config is False:
                found = Config()
            elif config is not None:
                found = load(config, self.registry.rules, cache_dir)
                found.explicit = True  # its policy governs every file checked
            else:
                found = discover(discover_from, self.registry.rules, cache_dir)
        except ConfigError as exc:
            raise LintError(str(exc)) from None
        configure(options, found)
        options.jobs = max(1, jobs)
        options.cache_dir = cache_dir or None
        options.configurations_above = configurations_above
        # Checked once the configuration is read: its custom rules are rules too.
        known = [*self.registry.rules, *(rule.meta.id for rule in options.extra_rules)]
        unknown = [p for p in selected + ignored + extended
                   if p != "ALL" and not any(rule_id.startswith(p) for rule_id in known)]
        if unknown:
            raise LintError(f"no rule matches {', '.join(unknown)} (see 'sigcheck rules')")
        if base is not None:
            from sigcheck.engine.git import BaseRevision, GitError

            # Compare with git revision `base` (--base): SIG706 on, unless ignored explicitly.
            try:
                options.base = BaseRevision.open(base, discover_from if os.path.exists(discover_from) else ".")
            except GitError as exc:
                raise LintError(f"--base {base}: {exc}") from None
            options.extend_select = [*options.extend_select, "SIG706"]
        self.options = options
        self.engine: Engine = Engine(self.registry, options)

    def close(self) -> None:
        """Remove the scratch copies of the base revision's files (with `base`)."""
        if self.options.base is not None:
            self.options.base.close()

    def lint_paths(self, paths: Sequence[str]) -> LintResult:
        """Check files and directories (walked, honouring the configuration's `exclude`)."""
        self.engine.internal_errors.clear()
        return self._result(self.engine.run(list(paths) or ["."]))

    def lint_text(self, text: str | bytes, filename: str) -> LintResult:
        """Check one file's content that is not (or not yet) on disk; `filename` decides which
        loader reads it and is the path findings report."""
        self.engine.internal_errors.clear()
        return self._result(self.engine.run_text(filename, text))

    def _result(self, run: RunResult) -> LintResult:
        # A folder's own configuration, read for the policy of its files, may be broken too.
        scope = self.options.settings.get("policy", {}).get("scope")
        problems = list(self.engine.internal_errors) + list(getattr(scope, "problems", ()))
        return LintResult(run.findings, run.rules, run.files_checked, run.resources_checked, run, problems)


def _check_parameter_file(path: str) -> None:
    """A parameter file that cannot be one is a usage error, said as what it is."""
    import stat

    from sigcheck.syntax.text import DecodeError, decode

    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        what = "does not exist" if not os.path.lexists(path) else f"cannot be read ({exc.strerror})"
        raise LintError(f"parameter file '{path}' {what}") from None
    if stat.S_ISDIR(mode):
        raise LintError(f"parameter file '{path}' is a directory, not a file")
    if not stat.S_ISREG(mode):
        raise LintError(f"parameter file '{path}' is not a regular file (a pipe or device)")
    try:
        with open(path, "rb") as handle:
            data = handle.read(32 * 1024 * 1024 + 1)
    except OSError as exc:
        raise LintError(f"parameter file '{path}' cannot be read ({exc.strerror})") from None
    try:
        decode(data)
    except DecodeError as exc:
        raise LintError(f"parameter file '{path}' is not text: {exc.message}") from None


def _location_warnings(location: str) -> list[str]:
    """--location names a region the region data does not know: say so, with close names."""
    import difflib

    from sigcheck.model import facts
    from sigcheck.model.regions import normalize_region

    data = facts.load("regions")
    key = normalize_region(location)
    known = list(data["regions"])
    if key in data["regions"] or key in data.get("referenced_elsewhere", ()):
        return []
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    hint = f"; close matches: {', '.join(close)}" if close else ""
    shown = location if len(location) <= 60 else location[:57] + "..."
    return [f"--location '{shown}' is not a known Azure region{hint}"]


def lint_paths(paths: Sequence[str], **options: Any) -> LintResult:
    """Check files and directories with the options of `Linter` (select, ignore, extend_select,
    today, location, parameters, config); the configuration file is found from the first path."""
    if isinstance(paths, str):
        paths = [paths]  # one path, not its characters
    options.setdefault("discover_from", paths[0] if paths else ".")
    return Linter(**options).lint_paths(paths)


def lint_text(text: str | bytes, filename: str, **options: Any) -> LintResult:
    """Check `text` as the content of `filename` with the options of `Linter`; the configuration
    file is found upward from `filename`."""
    options.setdefault("discover_from", filename)
    return Linter(**options).lint_text(text, filename)
