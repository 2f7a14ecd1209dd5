"""The command line: a thin shell over the library (`sigcheck.library.Linter`). Exit codes: 0 clean,
1 findings at or above --fail-on, 2 usage or internal error. A loader or rule that crashed is an
internal error (exit 2) and also a SIG008 finding in the report; a plugin that could not be loaded
is only a SIG008 finding (an error: exit 1 under the default --fail-on)."""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

from sigcheck import __version__

if TYPE_CHECKING:
    from sigcheck.engine.result import Formatter
    from sigcheck.library import Linter

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_LEVELS = ("error", "warning", "note", "never")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 too; keep the message short
        self.print_usage(sys.stderr)
        print(f"sigcheck: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def _ids(text: str) -> list[str]:
    return [part.strip().upper() for part in text.split(",") if part.strip()]


def _date(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in the form YYYY-MM-DD") from None


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of processes (1 or more)")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds between 0 and 3600")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sigcheck", description="Lint Azure Compute Gallery resources in templates and scripts.")
    parser.add_argument("--version", action="version", version=f"sigcheck {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser("check", help="check files and directories")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories ('-' reads standard input)")
    check.add_argument("--format", default="text", help="text, json, github, sarif or gitlab (default: text)")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--fail-on", default="error", choices=FAIL_LEVELS, help="lowest severity that fails the run (default: error)")
    check.add_argument("--select", type=_ids, default=[], metavar="IDS", help="only these rule ids or prefixes (comma-separated)")
    check.add_argument("--ignore", type=_ids, default=[], metavar="IDS", help="skip these rule ids or prefixes")
    check.add_argument("--extend-select", type=_ids, default=[], metavar="IDS", help="enable these in addition to the defaults")
    check.add_argument("--parameters", metavar="FILE", help="parameter file for the templates checked: ARM parameter JSON, or a .bicepparam for Bicep "
                       "(default: x.parameters.json beside x.json, main.bicepparam beside main.bicep)")
    check.add_argument("--var-file", action="append", default=[], dest="var_files", metavar="FILE",
                       help="Terraform variables file for the configurations checked, as 'terraform plan -var-file' (repeatable)")
    check.add_argument("--location", metavar="REGION", help="the resource group's location, for resources that set none")
    check.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="the date the date rules compare with")
    check.add_argument("--stdin-filename", metavar="NAME", help="the file name to report (and detect the kind of) for '-'")
    check.add_argument("--config", metavar="FILE", help="the configuration file (default: .sigcheck.yaml or pyproject.toml [tool.sigcheck], found upward from the first PATH)")
    check.add_argument("--baseline", metavar="SARIF", help="report only findings that are not in this earlier SARIF report")
    check.add_argument("--jobs", "-j", type=_jobs, metavar="N", help="check files in N processes (default: the number of cores; 1: in this process)")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the cache of results (default folder: $SIGCHECK_CACHE_DIR, else $XDG_CACHE_HOME/sigcheck or ~/.cache/sigcheck)")
    check.add_argument("--file-timeout", type=_seconds, metavar="SECONDS", help="time one file may take before it is a SIG001 finding and the run goes on (default: 5)")
    check.add_argument("--base", metavar="REV", help="compare with git revision REV: report properties the service refuses to change (SIG706)")
    check.add_argument("--changed-only", action="store_true", help="with --base: report only findings in files that differ from REV")

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rules.add_argument("--config", metavar="FILE", help="the configuration whose custom rules are listed too (default: found upward from here)")

    rule = commands.add_parser("rule", help="explain one rule")
    rule.add_argument("rule_id", metavar="ID")
    rule.add_argument("--config", metavar="FILE", help="the configuration whose custom rules are known too (default: found upward from here)")

    commands.add_parser("lsp", help="run the language server on standard input and output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            from sigcheck.explain import list_rules

            custom, problem = _custom_rules(args)
            if problem is not None:
                print(f"sigcheck: error: {problem}", file=sys.stderr)
                return EXIT_ERROR
            print(list_rules(args.format, custom), end="")
            return EXIT_CLEAN
        if args.command == "rule":
            from sigcheck.explain import explain

            text = explain(args.rule_id)
            if text is None:
                text = _explain_custom(args)
            if text is None:
                print(f"sigcheck: error: no rule '{args.rule_id}' (see 'sigcheck rules')", file=sys.stderr)
                return EXIT_ERROR
            print(text, end="")
            return EXIT_CLEAN
        if args.command == "lsp":
            from sigcheck.lsp import serve  # imports pygls: only this command pays for it

            return serve()
    except BrokenPipeError:
        return EXIT_CLEAN
    parser.print_help(sys.stderr)
    return EXIT_ERROR


def console() -> NoReturn:
    """The `sigcheck` command: `main`, then the process ends at once, its output flushed. A run
    leaves thousands of objects behind, and freeing them one by one at exit costs a one-file run
    a good part of its time; nothing is left to do with them (no files open for writing: the
    report is written and closed by then)."""
    import os

    try:
        code = main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:
        code = 130
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        pass  # the reader went away, or a command (the language server) closed the stream itself
    except OSError:
        code = code or EXIT_ERROR  # the report could not be written (a full disk)
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(code)
def _custom_rules(args: argparse.Namespace) -> tuple[list[Any], str | None]:
    """The custom rules of the configuration (--config, else found upward from here), for
    `sigcheck rules` and `sigcheck rule ID`; or the problem with the configuration."""
    from sigcheck.config import ConfigError, discover, load
    from sigcheck.engine.policy import custom_rule
    from sigcheck.engine.registry import default_registry

    known = default_registry().rules
    try:
        config = load(args.config, known) if args.config else discover(".", known)
    except ConfigError as exc:
        return [], str(exc)
    if config.policy is None:
        return [], None
    return [custom_rule(d.meta()) for d in config.policy.custom.values()], None


def _explain_custom(args: argparse.Namespace) -> str | None:
    """`sigcheck rule CONTOSO001`: a custom rule of the configuration, as written there."""
    custom, _problem = _custom_rules(args)
    for found in custom:
        meta = found.meta
        if meta.id == args.rule_id.upper():
            more = f"Docs: {meta.help_uri}\n" if meta.help_uri else ""
            return (f"# {meta.id}: {meta.name}\n\n{meta.summary}\n\nSeverity: {meta.severity.label}\n"
                    f"Defined in: {meta.origin}\n{more}")
    return None


def _check(args: argparse.Namespace) -> int:
    from sigcheck.engine.cache import default_dir
    from sigcheck.engine.registry import default_registry
    from sigcheck.engine.workers import cores
    from sigcheck.library import Linter, LintError
    from sigcheck.model.findings import Severity

    registry = default_registry()
    formatter = registry.formatters.get(args.format)
    if formatter is None:
        print(f"sigcheck: error: unknown format '{args.format}' (one of: {', '.join(sorted(registry.formatters))})", file=sys.stderr)
        return EXIT_ERROR
    paths: list[str] = args.paths or ["."]
    try:
        linter = Linter(
            select=args.select,
            ignore=args.ignore,
            extend_select=args.extend_select,
            today=args.today,
            location=args.location,
            parameters=args.parameters,
            var_files=args.var_files,
            config=args.config,
            discover_from=(args.stdin_filename or ".") if paths == ["-"] else paths[0],
            registry=registry,
            jobs=args.jobs or cores(),
            cache_dir=None if args.no_cache else default_dir(),
            file_timeout=args.file_timeout,
            base=args.base,
        )
    except LintError as exc:
        print(f"sigcheck: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.changed_only and not args.base:
        linter.close()
        print("sigcheck: error: --changed-only needs --base REV (the revision the files are compared with)", file=sys.stderr)
        return EXIT_ERROR
    try:
        return _run(args, linter, formatter, paths)
    finally:
        linter.close()


def _run(args: argparse.Namespace, linter: Linter, formatter: Formatter, paths: list[str]) -> int:
    from sigcheck.model.findings import Severity

    known_prints = None
    if args.baseline:
        from sigcheck.baseline import BaselineError, load

        try:
            known_prints = load(args.baseline)
        except BaselineError as exc:
            print(f"sigcheck: error: {exc}", file=sys.stderr)
            return EXIT_ERROR
    if "-" in paths:
        if paths != ["-"]:
            print("sigcheck: error: '-' (standard input) cannot be mixed with other paths", file=sys.stderr)
            return EXIT_ERROR
        data = sys.stdin.buffer.read()
        result = linter.lint_text(data, args.stdin_filename or _stdin_name(data))
    else:
        result = linter.lint_paths(paths)
    if known_prints is not None:
        from sigcheck.baseline import new_findings

        result.findings = result.run.findings = new_findings(result.findings, known_prints)
    for warning in linter.warnings:
        print(f"sigcheck: warning: {warning}", file=sys.stderr)
    base = linter.options.base
    if args.changed_only and base is not None:
        # Both filters apply: a finding is reported when it is in a changed file and (with
        # --baseline) not in the baseline either.
        result.findings = result.run.findings = [f for f in result.findings if base.differs(f.span.path)]
    report = formatter.render(result.run)
    problem = _write(report, args.output)
    if problem is not None:
        print(f"sigcheck: error: {problem}", file=sys.stderr)
        return EXIT_ERROR
    from sigcheck.report.escape import safe_text

    for problem in result.internal_errors:
        print(f"sigcheck: error: {safe_text(problem)}", file=sys.stderr)
    if result.internal_errors:
        return EXIT_ERROR
    if args.fail_on == "never":
        return EXIT_CLEAN
    threshold = Severity.parse(args.fail_on)
    failing = any(f.severity >= threshold and f.suppression is None for f in result.findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _stdin_name(data: bytes) -> str:
    """The name standard input is reported under without --stdin-filename: its kind by content."""
    from sigcheck.inputs.recognize import suffix_for

    return "stdin" + suffix_for(data[:65536].decode("utf-8", "replace"))


def _write(report: str, output: str | None) -> str | None:
    """Write the report; on failure, the one line that says why (a report that was not written
    is an error, exit 2, never read by CI as findings)."""
    import os

    if output:
        try:
            with open(output, "w", encoding="utf-8", errors="surrogateescape") as handle:
                handle.write(report)
        except OSError as exc:
            return f"cannot write the report to '{output}': {exc.strerror or exc}"
        return None
    try:
        sys.stdout.write(report)
        sys.stdout.flush()
    except BrokenPipeError:
        # Nothing more can reach the reader; stop the interpreter from failing again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return "cannot write the report: standard output was closed"
    except OSError as exc:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return f"cannot write the report to standard output: {exc.strerror or exc}"
    return None
