"""`sigcheck lsp`: a language server over stdio that publishes sigcheck's findings as diagnostics.

Every open document is checked as `sigcheck check` checks a file, through the library's
`Linter.lint_text(text, path)`, with the configuration found upward from the document (as the
command line finds it). Documents that no loader claims get an empty diagnostic list.

The server must outlive any client and any document: frames are read by `FrameReader`, which
refuses oversized or malformed ones without allocating what a header claims, and documents are
checked by `CheckQueue` on a worker thread, so the message loop keeps answering while a slow
file is checked; edits debounce, and a newer edit cancels the check of an older text.

pygls costs about 0.4 s to import, so it is imported inside `build_server` only: this module's
position helpers are cheap and usable without it.
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO, Callable

from sigcheck.model.findings import Finding, Severity
from sigcheck.syntax.located import Span
from sigcheck.syntax.text import split_lines

if TYPE_CHECKING:
    from sigcheck.library import Linter, LintResult

# LSP DiagnosticSeverity: 1 Error, 2 Warning, 3 Information, 4 Hint.
LSP_SEVERITY = {Severity.ERROR: 1, Severity.WARNING: 2, Severity.NOTE: 3}


def utf16_character(line_text: str, column: int) -> int:
    """The LSP `character` (0-based, in UTF-16 code units) of 1-based character column `column`.
    Characters outside the Basic Multilingual Plane take two code units."""
    prefix = line_text[: max(column - 1, 0)]
    return len(prefix) + sum(1 for c in prefix if ord(c) > 0xFFFF)


def editor_lines(text: str) -> list[str]:
    """The lines of a document as the client counts them (LF, CRLF and a lone CR end a line; a
    form feed or U+2028 does not), with the empty last line after a final line break."""
    lines = split_lines(text)
    if not text or text[-1] in "\r\n":
        lines.append("")
    return lines


def lsp_range(lines: list[str], span: Span) -> tuple[tuple[int, int], tuple[int, int]]:
    """((line, character), (line, character)) of a span, both 0-based in UTF-16 code units, the
    end exclusive (as Span's is). `lines` is the text split at its line ends (`editor_lines`), as
    the loaders count lines; positions past the text are clamped to it."""

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


# A frame's body is one JSON-RPC message: a document of the 32 MB sigcheck reads, JSON-escaped.
MAX_FRAME = 64 * 1024 * 1024
MAX_HEADER_LINE = 8192
MAX_HEADERS = 32
# Edits closer together than this are checked once, after the last (a burst of keystrokes).
DEBOUNCE = 0.15
_CHUNK = 65536
_HEADER = b"content-length:"


class FrameReader:
    """The `readline`/`read` pair pygls reads stdin with, handing it only well-formed frames.

    pygls trusts `Content-Length` and reads that many bytes at once, so `Content-Length:
    99999999999` would allocate 100 GB and end the server. Here each frame is read and checked
    first: a header line, a header block or a length over the limits, or no length at all, is
    logged and skipped, and reading resumes at the next `Content-Length` header. Memory stays
    within MAX_FRAME whatever the client sends."""

    def __init__(self, stream: BinaryIO, log: Callable[[str], None] | None = None) -> None:
        self._stream = stream
        self._log = log or (lambda message: print(f"sigcheck lsp: {message}", file=sys.stderr, flush=True))
        self._carry = b""  # bytes read past a skipped frame, the start of what follows
        self._lines: list[bytes] = []
        self._body = b""
        self.rejected = 0

    # -- the interface pygls reads with -------------------------------------------------
    def readline(self) -> bytes:
        if not self._lines:
            body = self._next_frame()
            if body is None:
                return b""
            self._body = body
            self._lines = [b"Content-Length: %d\r\n" % len(body), b"\r\n"]
        return self._lines.pop(0)

    def read(self, size: int) -> bytes:
        body, self._body = self._body, b""
        return body[:size]

    # -- framing --------------------------------------------------------------------------
    def _line(self, limit: int) -> bytes:
        if self._carry:
            end = self._carry.find(b"\n", 0, limit)
            if end >= 0:
                line, self._carry = self._carry[:end + 1], self._carry[end + 1:]
                return line
            if len(self._carry) >= limit:
                line, self._carry = self._carry[:limit], self._carry[limit:]
                return line
            head, self._carry = self._carry, b""
            return head + self._stream.readline(limit - len(head))
        return self._stream.readline(limit)

    def _exactly(self, size: int) -> bytes | None:
        parts = [self._carry[:size]]
        self._carry = self._carry[size:]
        got = len(parts[0])
        while got < size:
            chunk = self._stream.read(min(size - got, _CHUNK * 16))
            if not chunk:
                return None
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def _reject(self, why: str) -> None:
        self.rejected += 1
        self._log(f"frame rejected: {why}")

    def _next_frame(self) -> bytes | None:
        while True:
            length: int | None = None
            problem: str | None = None
            count = 0
            while True:
                line = self._line(MAX_HEADER_LINE)
                if not line:
                    return None
                if not line.strip():
                    if count == 0:
                        continue  # blank lines between frames
                    break
                count += 1
                if not line.endswith(b"\n"):
                    problem = problem or f"a header line longer than {MAX_HEADER_LINE} bytes"
                    continue
                found = line.lower().find(_HEADER)
                if found > 0:
                    # A header glued to the remains of a skipped body: start the frame there.
                    line, length, problem, count = line[found:], None, None, 1
                if count > MAX_HEADERS:
                    problem = problem or f"more than {MAX_HEADERS} header lines"
                name, colon, value = line.partition(b":")
                if not colon:
                    problem = problem or "a header line without ':'"
                elif name.strip().lower() == b"content-length":
                    text = value.strip()
                    if not text.isdigit() or len(text) > 15:
                        problem = problem or f"Content-Length is not a number: {text[:20]!r}"
                    else:
                        length = int(text)
            if problem is None and length is None:
                problem = "no Content-Length"
            if problem is None and length is not None and length > MAX_FRAME:
                self._reject(f"Content-Length {length:,} is over the {MAX_FRAME:,} bytes a frame may have")
                self._skip(length)
                continue
            if problem is not None or length is None:
                self._reject(problem or "no Content-Length")
                continue
            body = self._exactly(length)
            if body is None:
                return None
            return body

    def _skip(self, length: int) -> None:
        """Discard an oversized body in chunks, stopping early at the next frame's header (a
        client that lied about the length must not make the server swallow the session)."""
        left = length
        while left > 0:
            chunk = self._line(min(left, _CHUNK))
            if not chunk:
                return
            found = chunk.lower().find(_HEADER)
            if found >= 0:
                self._carry = chunk[found:] + self._carry
                return
            left -= len(chunk)


@dataclass
class Job:
    """One document text to check."""

    uri: str
    text: str
    version: int | None
    generation: int
    due: float = field(default=0.0)


class CheckQueue:
    """Checks documents on one worker thread, off the message loop.

    Each submit supersedes the document's earlier text: a waiting check of it is replaced, a
    running one is told to stop (`current` turns False; the engine's budget asks it), and a
    result that is no longer current is dropped. A check waits `delay` after its submit, so a
    storm of edits is checked once, after the last."""

    def __init__(self, check: Callable[[Job], None]) -> None:
        self._check = check
        self._cond = threading.Condition()
        self._pending: dict[str, Job] = {}
        self._latest: dict[str, int] = {}
        self._stopped = False
        self.checked = 0  # checks run to the end, for tests
        self._thread = threading.Thread(target=self._work, name="sigcheck-checks", daemon=True)
        self._thread.start()

    def submit(self, uri: str, text: str, version: int | None, delay: float = DEBOUNCE) -> None:
        with self._cond:
            generation = self._latest[uri] = self._latest.get(uri, 0) + 1
            self._pending[uri] = Job(uri, text, version, generation, time.monotonic() + delay)
            self._cond.notify()

    def forget(self, uri: str) -> None:
        """The document was closed: drop its waiting check and cancel a running one."""
        with self._cond:
            self._latest[uri] = self._latest.get(uri, 0) + 1
            self._pending.pop(uri, None)

    def current(self, job: Job) -> bool:
        return self._latest.get(job.uri) == job.generation

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _next(self) -> Job | None:
        with self._cond:
            while not self._stopped:
                if not self._pending:
                    self._cond.wait()
                    continue
                job = min(self._pending.values(), key=lambda j: j.due)
                wait = job.due - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                del self._pending[job.uri]
                return job
            return None

    def _work(self) -> None:
        while True:
            job = self._next()
            if job is None:
                return
            try:
                self._check(job)
                self.checked += 1
            except Exception as exc:  # noqa: BLE001 - the worker must outlive any check
                print(f"sigcheck lsp: check of {job.uri} failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)


def build_server() -> Any:
    import asyncio

    from lsprotocol import types as t
    from pygls.lsp.server import LanguageServer
    from pygls.uris import to_fs_path

    from sigcheck import __version__

    server = LanguageServer("sigcheck", __version__, text_document_sync_kind=t.TextDocumentSyncKind.Full)
    engines = EngineCache()
    shown: set[str] = set()
    loops: list[asyncio.AbstractEventLoop] = []

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

    def crashed(exc: BaseException) -> t.Diagnostic:
        # sigcheck failing on a document is said on the document, not left as silence.
        return t.Diagnostic(
            range=t.Range(start=t.Position(line=0, character=0), end=t.Position(line=0, character=0)),
            message=f"sigcheck could not check this document: {type(exc).__name__}: {exc} (a defect of sigcheck: please report it)",
            severity=t.DiagnosticSeverity.Error, code="SIG008", source="sigcheck",
        )

    def check(job: Job) -> None:
        path = to_fs_path(job.uri) or job.uri
        shows: list[str] = []  # a configuration problem: shown once, in a message box
        logs: list[str] = []  # sigcheck's own failures: to the output log
        try:
            linter, problem = engines.engine_for(path)
            if problem and problem not in shown:
                shown.add(problem)
                shows.append(problem)
            linter.engine.options.cancelled = lambda: not queue.current(job)
            try:
                result = linter.lint_text(job.text, path)
            finally:
                linter.engine.options.cancelled = None
            logs.extend(f"sigcheck: {error}" for error in result.internal_errors)
            lines = editor_lines(job.text)
            help_uris = {rule.meta.id: rule.meta.help_uri for rule in result.rules}
            found = [diagnostic(f, lines, help_uris.get(f.rule_id) or None)
                     for f in result.unsuppressed if f.span.path == path]
        except Exception as exc:  # noqa: BLE001 - reported on the document below
            found = [crashed(exc)]
            logs.append(f"sigcheck: checking {path} failed: {type(exc).__name__}: {exc}")
        if not queue.current(job):
            return  # a newer text is waiting or being checked: this result is stale

        def publish() -> None:
            if not queue.current(job):
                return
            for message in shows:
                server.window_show_message(t.ShowMessageParams(type=t.MessageType.Error, message=message))
            for message in logs:
                server.window_log_message(t.LogMessageParams(type=t.MessageType.Error, message=message))
            server.text_document_publish_diagnostics(
                t.PublishDiagnosticsParams(uri=job.uri, diagnostics=found, version=job.version))

        if loops:
            loops[0].call_soon_threadsafe(publish)
        else:
            publish()

    queue = CheckQueue(check)

    def submit(ls: LanguageServer, uri: str, delay: float) -> None:
        if not loops:
            loops.append(asyncio.get_running_loop())
        document = ls.workspace.get_text_document(uri)
        queue.submit(uri, document.source, document.version, delay)

    @server.feature(t.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: t.DidOpenTextDocumentParams) -> None:
        submit(ls, params.text_document.uri, 0.0)

    @server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: t.DidChangeTextDocumentParams) -> None:
        submit(ls, params.text_document.uri, DEBOUNCE)

    @server.feature(t.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LanguageServer, params: t.DidSaveTextDocumentParams) -> None:
        submit(ls, params.text_document.uri, 0.0)

    @server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: t.DidCloseTextDocumentParams) -> None:
        queue.forget(params.text_document.uri)
        ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))

    setattr(server, "sigcheck_queue", queue)  # for serve() to stop, and for tests
    return server


def serve(stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> int:
    """Run the language server on standard input and output until the client exits."""
    server = build_server()
    server.start_io(FrameReader(stdin or sys.stdin.buffer), stdout or sys.stdout.buffer)
    server.sigcheck_queue.stop()
    return 0
