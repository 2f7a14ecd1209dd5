"""`sigcheck lsp`: a language server over stdio that publishes sigcheck's findings as diagnostics.

Every open document is checked as `sigcheck check` checks a file, through the library's
`Linter.lint_text(text, path)`, with the configuration found upward from the document (as the
command line finds it). Documents that no loader claims get an empty diagnostic list.

pygls costs about 0.4 s to import, so it is imported inside `build_server` only: this module's
position helpers are cheap and usable without it.
"""

from __future__ import annotations

import datetime as _dt
import os
from typing import TYPE_CHECKING, Any

from sigcheck.model.findings import Finding, Severity
from sigcheck.syntax.located import Span

if TYPE_CHECKING:
    from sigcheck.library import Linter, LintResult

# LSP DiagnosticSeverity: 1 Error, 2 Warning, 3 Information, 4 Hint.
LSP_SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.NOTE: 3}


def utf16_character(line_text: str, column: int) -> int:
    """The LSP `character` (0-based, in UTF-16 code units) of 1-based character column `column`.
    Characters outside the Basic Multilingual Plane take two code units."""
    prefix = line_text[: max(column - 1, 0)]
    return len(prefix) + sum(1 for c in prefix if ord(c) > 0xFFFF)


def lsp_range(lines: list[str], span: Span) -> tuple[tuple[int, int], tuple[int, int]]:
    """((line, character), (line, character)) of a span, both 0-based in UTF-16 code units, the
    end exclusive (as Span's is). `lines` is the text split on "\\n", as the loaders count lines;
    positions past the text are clamped to it."""

    def position(line: int, column: int) -> tuple[int, int]:
        if not lines:
            return 0, 0
        index = min(max(line - 1, 0), len(lines) - 1)
        text = lines[index].removesuffix("\r")
        return index, utf16_character(text, min(column, len(text) + 1))

    start = position(span.line, span.column)
    end = position(span.end_line, span.end_column)
    return start, max(start, end)


class EngineCache:
    """One linter per configuration file, rebuilt when the file changes."""

    def __init__(self) -> None:
        self._linters: dict[tuple[str | None, float], tuple[Linter, str | None]] = {}

    def engine_for(self, path: str) -> tuple[Linter, str | None]:
        """The linter for a document at `path`, and a configuration error to show, if any."""
        from sigcheck.config import find_config
        from sigcheck.library import Linter, LintError

        config_path = find_config(path)
        try:
            mtime = os.path.getmtime(config_path) if config_path else 0.0
        except OSError:
            mtime = 0.0
        key = (config_path, mtime)
        cached = self._linters.get(key)
        if cached is not None:
            return cached
        problem = None
        try:
            linter = Linter(config=config_path or False, today=_dt.date.today())
        except LintError as exc:
            problem = f"sigcheck: {exc} (checking with the defaults)"
            linter = Linter(config=False, today=_dt.date.today())
        # Several projects may be open at once; only a changed configuration replaces its linter.
        self._linters = {k: v for k, v in self._linters.items() if k[0] != config_path}
        self._linters[key] = (linter, problem)
        return self._linters[key]


def findings_for(engines: EngineCache, path: str, text: str) -> tuple[list[Finding], LintResult, str | None]:
    """The unsuppressed findings in the document at `path` with content `text`, the whole result
    (its rules and sigcheck's own failures) and a configuration problem to show, if any."""
    linter, problem = engines.engine_for(path)
    result = linter.lint_text(text, path)
    findings = [f for f in result.unsuppressed if f.span.path == path]
    return findings, result, problem


def build_server() -> Any:
    from lsprotocol import types as t
    from pygls.lsp.server import LanguageServer
    from pygls.uris import to_fs_path

    from sigcheck import __version__

    server = LanguageServer("sigcheck", __version__, text_document_sync_kind=t.TextDocumentSyncKind.Full)
    engines = EngineCache()
    shown: set[str] = set()

    def diagnostic(finding: Finding, lines: list[str], help_uri: str | None) -> t.Diagnostic:
        (sl, sc), (el, ec) = lsp_range(lines, finding.span)
        return t.Diagnostic(
            range=t.Range(start=t.Position(line=sl, character=sc), end=t.Position(line=el, character=ec)),
            message=finding.message,
            severity=t.DiagnosticSeverity(LSP_SEVERITY[finding.severity]),
            code=finding.rule_id,
            code_description=t.CodeDescription(href=help_uri) if help_uri else None,
            source="sigcheck",
        )

    def publish(ls: LanguageServer, uri: str) -> None:
        document = ls.workspace.get_text_document(uri)
        path = to_fs_path(uri) or uri
        findings, result, problem = findings_for(engines, path, document.source)
        if problem and problem not in shown:
            shown.add(problem)
            ls.window_show_message(t.ShowMessageParams(type=t.MessageType.Error, message=problem))
        for error in result.internal_errors:
            ls.window_log_message(t.LogMessageParams(type=t.MessageType.Error, message=f"sigcheck: {error}"))
        lines = document.source.split("\n")
        help_uris = {rule.meta.id: rule.meta.help_uri for rule in result.rules}
        diagnostics = [diagnostic(f, lines, help_uris.get(f.rule_id) or None) for f in findings]
        ls.text_document_publish_diagnostics(
            t.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version)
        )

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: t.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: t.DidChangeTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: t.DidSaveTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: t.DidCloseTextDocumentParams) -> None:
        ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    return server


def serve() -> int:
    """Run the language server on standard input and output until the client exits."""
    build_server().start_io()
    return 0
