"""The command line: a thin shell over the engine. Exit codes: 0 clean, 1 findings at or above
--fail-on, 2 usage or internal error."""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
from typing import Sequence

from sigcheck import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FAIL_LEVELS = ("error", "warning", "note", "never")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep the message short
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sigcheck", description="Lint Azure Compute Gallery resources in templates and scripts.")
    parser.add_argument("--version", action="version", version=f"sigcheck {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser("check", help="check files and directories")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or directories ('-' reads standard input)")
    check.add_argument("--format", default="text", help="text, json, github or sarif (default: text)")
    check.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--fail-on", default="error", choices=FAIL_LEVELS, help="lowest severity that fails the run (default: error)")
    check.add_argument("--select", type=_ids, default=[], metavar="IDS", help="only these rule ids or prefixes (comma-separated)")
    check.add_argument("--ignore", type=_ids, default=[], metavar="IDS", help="skip these rule ids or prefixes")
    check.add_argument("--extend-select", type=_ids, default=[], metavar="IDS", help="enable these in addition to the defaults")
    check.add_argument("--parameters", metavar="FILE", help="parameter file for the templates checked: ARM parameter JSON, or a .bicepparam for Bicep "
                       "(default: x.parameters.json beside x.json, main.bicepparam beside main.bicep)")
    check.add_argument("--location", metavar="REGION", help="the resource group's location, for resources that set none")
    check.add_argument("--today", type=_date, metavar="YYYY-MM-DD", help="the date the date rules compare with")
    check.add_argument("--stdin-filename", metavar="NAME", help="the file name to report (and detect the kind of) for '-'")
    check.add_argument("--config", metavar="FILE", help="the configuration file (default: .sigcheck.yaml or pyproject.toml [tool.sigcheck], found upward from the first PATH)")
    check.add_argument("--baseline", metavar="SARIF", help="report only findings that are not in this earlier SARIF report")

    rules = commands.add_parser("rules", help="list the rules")
    rules.add_argument("--format", choices=("text", "json"), default="text")

    rule = commands.add_parser("rule", help="explain one rule")
    rule.add_argument("rule_id", metavar="ID")

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

            print(list_rules(args.format), end="")
            return EXIT_CLEAN
        if args.command == "rule":
            from sigcheck.explain import explain

            text = explain(args.rule_id)
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


def _check(args: argparse.Namespace) -> int:
    from sigcheck.engine.run import Engine, Options
    from sigcheck.model.findings import Severity
    from sigcheck.syntax.located import Located, Span
    from sigcheck.model.resources import DeploymentContext
    from sigcheck.engine.registry import default_registry

    registry = default_registry()
    formatter = registry.formatters.get(args.format)
    if formatter is None:
        print(f"sigcheck: error: unknown format '{args.format}' (one of: {', '.join(sorted(registry.formatters))})", file=sys.stderr)
        return EXIT_ERROR
    unknown = [p for p in args.select + args.ignore + args.extend_select
               if p != "ALL" and not any(rule_id.startswith(p) for rule_id in registry.rules)]
    if unknown:
        print(f"sigcheck: error: no rule matches {', '.join(unknown)} (see 'sigcheck rules')", file=sys.stderr)
        return EXIT_ERROR
    context = DeploymentContext()
    if args.location:
        context = DeploymentContext(location=Located(args.location, Span("<--location>", 1, 1, 1, 1), origin="--location"))
    options = Options(
        select=args.select,
        ignore=args.ignore,
        extend_select=args.extend_select,
        today=args.today or _dt.date.today(),
        context=context,
        parameters_file=args.parameters,
    )
    if args.parameters and not os.path.isfile(args.parameters):
        print(f"sigcheck: error: parameter file '{args.parameters}' does not exist", file=sys.stderr)
        return EXIT_ERROR
    paths = args.paths or ["."]
    problem = _configure(args, options, registry, paths)
    if problem is not None:
        print(f"sigcheck: error: {problem}", file=sys.stderr)
        return EXIT_ERROR
    known_prints = None
    if args.baseline:
        from sigcheck.baseline import BaselineError, load

        try:
            known_prints = load(args.baseline)
        except BaselineError as exc:
            print(f"sigcheck: error: {exc}", file=sys.stderr)
            return EXIT_ERROR
    engine = Engine(registry, options)
    if "-" in paths:
        if paths != ["-"]:
            print("sigcheck: error: '-' (standard input) cannot be mixed with other paths", file=sys.stderr)
            return EXIT_ERROR
        result = engine.run_text(args.stdin_filename or "stdin.json", sys.stdin.buffer.read())
    else:
        result = engine.run(paths)
    if known_prints is not None:
        from sigcheck.baseline import new_findings

        result.findings = new_findings(result.findings, known_prints)
    report = formatter.render(result)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(report)
    else:
        sys.stdout.write(report)
    for problem in engine.internal_errors:
        print(f"sigcheck: error: {problem}", file=sys.stderr)
    if engine.internal_errors:
        return EXIT_ERROR
    if args.fail_on == "never":
        return EXIT_CLEAN
    threshold = Severity.parse(args.fail_on)
    failing = any(f.severity >= threshold and f.suppression is None for f in result.findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _configure(args: argparse.Namespace, options: object, registry: object, paths: list[str]) -> str | None:
    """Apply the configuration file (--config, else found upward from the first path) to
    `options`; the problem with it, if any, as `file:line:col: message`."""
    from sigcheck.config import ConfigError, configure, discover, load

    if paths == ["-"]:
        start = args.stdin_filename or "."
    else:
        start = paths[0]
    try:
        if args.config:
            config = load(args.config, registry.rules)  # type: ignore[attr-defined]
        else:
            config = discover(start, registry.rules)  # type: ignore[attr-defined]
    except ConfigError as exc:
        return str(exc)
    configure(options, config)
    return None
