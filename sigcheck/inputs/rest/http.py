"""REST request files (`.http`, `.rest`: the VS Code REST Client / JetBrains HTTP client format).

Several requests per file, separated by `###` lines; `@name = value` file variables and
`{{name}}` substitution; `PUT`/`PATCH` requests to gallery management URLs become model
resources, the type, names and API version taken from the URL and the rest from the JSON body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sigcheck.model import diagnostics
from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile
from sigcheck.syntax.budget import Budget, BudgetExceeded, abbreviate
from sigcheck.syntax.text import LineIndex, split_lines
from sigcheck.inputs.rest.normalize import build_resource, parse_url
from sigcheck.syntax.words import UNK, Word, parse_json_word

_SEPARATOR = re.compile(r"^\s*###")
_VARIABLE = re.compile(r"^\s*@([A-Za-z_][\w.-]*)\s*=\s*(.*?)\s*$")
_COMMENT = re.compile(r"^\s*(#|//)")
_REQUEST = re.compile(
    r"^\s*(?:(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|CONNECT|TRACE)\s+)?(\S.*?)(?:\s+HTTP/\d(?:\.\d)?)?\s*$", re.IGNORECASE
)
_REFERENCE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_HEADER = re.compile(r"^\s*[A-Za-z0-9-]+\s*:")
# A comment after the URL of a request line (a URL has no spaces; REST Client ignores nothing
# there, but sigcheck's own markers and suppressions sit at the end of the line they concern).
_TRAILING_COMMENT = re.compile(r"\s+(?:#|//).*$")


@dataclass
class _Line:
    text: str  # without the line break
    start: int  # offset of its first character in the file
    number: int  # 1-based


def _lines(text: str, first_line: int = 1) -> list[_Line]:
    out = []
    pos = 0
    for number, raw in enumerate(split_lines(text, keepends=True), start=first_line):
        body = raw.rstrip("\r\n")
        out.append(_Line(body, pos, number))
        pos += len(raw)
    return out


class _Variables:
    """File variables (`@name = value`), resolved lazily with `{{other}}` references.

    Resolution walks the reference chain with an explicit stack (a chain of thousands of
    variables is data, not a reason to recurse) and draws on the file's budget, so that
    variables doubling each other end as unknown rather than as gigabytes.
    """

    def __init__(self, definitions: dict[str, tuple[str, int]], budget: Budget) -> None:
        self.definitions = definitions
        self.budget = budget
        self._cache: dict[str, str | None] = {}
        # The first variable the budget stopped (its name and why), reported once by the reader.
        self.exhausted: tuple[str, str] | None = None

    def value(self, name: str) -> str | None:
        """The text of variable `name`, or None when it cannot be known (system, env, request
        vars, a reference cycle, or past the budget)."""
        if name in self._cache:
            return self._cache[name]
        stack = [name]
        on_stack = {name}
        while stack:
            current = stack[-1]
            definition = self.definitions.get(current)
            if definition is None or current.startswith("$"):
                self._resolved(stack, on_stack, None)
                continue
            refs = _REFERENCE.findall(definition[0])
            todo = next((r for r in refs if r not in self._cache and r not in on_stack), None)
            if todo is not None:
                stack.append(todo)
                on_stack.add(todo)
                continue
            if any(r in on_stack or self._cache[r] is None for r in refs):
                self._resolved(stack, on_stack, None)  # unknown, or part of a cycle
                continue
            text: str | None = _REFERENCE.sub(lambda m: self._cache[m.group(1)] or "", definition[0])
            try:
                self.budget.grow_text(len(text or ""))
            except BudgetExceeded as exc:
                if self.exhausted is None:
                    self.exhausted = (current, str(exc))
                text = None
            self._resolved(stack, on_stack, text)
        return self._cache[name]

    def _resolved(self, stack: list[str], on_stack: set[str], value: str | None) -> None:
        done = stack.pop()
        on_stack.discard(done)
        self._cache[done] = value

    def origin(self, name: str) -> str:
        line = self.definitions.get(name, ("", 0))[1]
        value = self.value(name)
        return f"{{{{{name}}}}} = '{abbreviate(value)}' (line {line})" if value is not None else f"{{{{{name}}}}}"


def _substituted(text: str, start: int, index: LineIndex, variables: _Variables) -> Word:
    """The word for `text` (at file offset `start`) with `{{name}}` references replaced."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    origins: list[str | None] = []

    def written(lo: int, hi: int) -> None:
        """Characters as written: each from its own place in the file."""
        for i in range(lo, hi):
            chars.append(text[i])
            starts.append(start + i)
            ends.append(start + i + 1)
            origins.append(None)

    pos = 0
    for match in _REFERENCE.finditer(text):
        written(pos, match.start())
        a, b = start + match.start(), start + match.end()
        value = variables.value(match.group(1))
        origin = variables.origin(match.group(1))
        replacement = value if value is not None else UNK
        for ch in replacement:
            chars.append(ch)
            starts.append(a)
            ends.append(b)
            origins.append(origin)
        pos = match.end()
    written(pos, len(text))
    return Word("".join(chars), starts, ends, origins, start, start + len(text), index)


class _Reader:
    """Reads the requests of one file."""

    def load(self, source: SourceFile, options: LoadOptions) -> LoadResult:
        result = LoadResult()
        text = source.text
        index = LineIndex(source.path, text, source.first_line)
        lines = _lines(text, source.first_line)
        definitions: dict[str, tuple[str, int]] = {}
        for line in lines:
            match = _VARIABLE.match(line.text)
            if match:
                definitions.setdefault(match.group(1), (match.group(2), line.number))
        variables = _Variables(definitions, options.budget)

        block: list[_Line] = []
        ending: list[_Line | None] = [*lines, None]  # None closes the last request
        for entry in ending:
            if entry is None or _SEPARATOR.match(entry.text):
                if block:
                    self._request(block, text, source.path, index, variables, options, result)
                block = []
                if entry is not None:
                    result.comments.append((index.span(entry.start, entry.start + len(entry.text)), entry.text.strip()))
                continue
            block.append(entry)
        if variables.exhausted is not None:
            name, why = variables.exhausted
            line = lines[definitions[name][1] - source.first_line]
            result.findings.append(diagnostics.parse_error(
                index.span(line.start, line.start + len(line.text)),
                f"file variable @{name} not resolved: {why}; the values built from it are unknown"))
        result.relevant = bool(result.resources or result.findings)
        return result

    @staticmethod
    def _strip_comment(line: _Line, index: LineIndex, result: LoadResult) -> str:
        text, at = _strip_comment_text(line.text)
        if at is not None:
            result.comments.append((index.span(line.start + at, line.start + len(line.text)), line.text[at:]))
        return text

    def _request(
        self, block: list[_Line], text: str, path: str, index: LineIndex, variables: _Variables, options: LoadOptions, result: LoadResult
    ) -> None:
        i = 0
        # Leading blank lines, comments and variable definitions.
        while i < len(block) and (not block[i].text.strip() or _COMMENT.match(block[i].text) or _VARIABLE.match(block[i].text)):
            if _COMMENT.match(block[i].text):
                line = block[i]
                result.comments.append((index.span(line.start, line.start + len(line.text)), line.text.strip()))
            i += 1
        if i >= len(block):
            return
        request_line = block[i]
        line_text = self._strip_comment(request_line, index, result)
        match = _REQUEST.match(line_text)
        if match is None:
            return
        method = (match.group(1) or "GET").upper()
        if method not in ("PUT", "PATCH"):
            return
        url_parts = [_substituted(match.group(2), request_line.start + match.start(2), index, variables)]
        i += 1
        # Query parameters continued on the following lines (`?a=b` / `&c=d`).
        while i < len(block) and block[i].text.lstrip()[:1] in ("?", "&") and block[i].text.strip():
            line = block[i]
            stripped = self._strip_comment(line, index, result).strip()
            url_parts.append(_substituted(stripped, line.start + line.text.index(stripped), index, variables))
            i += 1
        url = url_parts[0] if len(url_parts) == 1 else _join(url_parts, index)
        target = parse_url(url)
        if target is None:
            return
        # Headers up to the first blank line.
        while i < len(block) and block[i].text.strip():
            if _COMMENT.match(block[i].text) and not _HEADER.match(block[i].text):
                line = block[i]
                result.comments.append((index.span(line.start, line.start + len(line.text)), line.text.strip()))
            i += 1
        body_lines = block[i:]
        while body_lines and (not body_lines[-1].text.strip() or _trailing_comment(body_lines[-1].text)):
            body_lines.pop()
        while body_lines and not body_lines[0].text.strip():
            body_lines.pop(0)
        request_span = index.span(request_line.start, request_line.start + len(request_line.text))
        body = None
        if body_lines and not body_lines[0].text.lstrip().startswith("<"):
            start = body_lines[0].start
            end = body_lines[-1].start + len(body_lines[-1].text)
            word = _substituted(text[start:end], start, index, variables)
            root, error, comments = parse_json_word(word)
            result.comments.extend(comments)
            if error is not None:
                result.findings.append(diagnostics.parse_error(error.span, f"invalid JSON body of {method} request: {error.message}"))
                return
            body = root
        result.resources.append(
            build_resource(target.type_name, target.names, target.api_version, body, path, request_span, options.context,
                           partial=method == "PATCH")
        )


def _strip_comment_text(text: str) -> tuple[str, int | None]:
    match = _TRAILING_COMMENT.search(text)
    if match is None:
        return text, None
    at = match.start() + (len(match.group()) - len(match.group().lstrip()))
    return text[: match.start()], at


def _trailing_comment(text: str) -> bool:
    # A `# comment` line after the JSON body (JSON itself never has a line starting with '#').
    return text.lstrip().startswith("#")


def _join(parts: list[Word], index: LineIndex) -> Word:
    from sigcheck.syntax.words import concat

    return concat(parts, index)


def load(source: SourceFile, options: LoadOptions) -> LoadResult:
    """The resources and findings of one `.http` / `.rest` file."""
    return _Reader().load(source, options)
