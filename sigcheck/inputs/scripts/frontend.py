"""What the bash and PowerShell readers share: parsing with tree-sitter (or one SIG001 when the
grammar cannot be loaded), comments kept for suppressions, and syntax errors reported once each."""

from __future__ import annotations

from typing import Any, Callable, Iterator

from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile
from sigcheck.model.diagnostics import parse_error
from sigcheck.syntax import treesitter
from sigcheck.syntax.text import LineIndex


# Literals nested deeper than this (arrays in hashtables in arrays…) are unknown, not recursed into.
MAX_NESTING = 64


class ScriptSource:
    """A parsed script: its tree, the byte-to-character converter and the line index."""

    def __init__(self, tree: Any, offsets: treesitter.Offsets, index: LineIndex, result: LoadResult) -> None:
        self.tree = tree
        self.offsets = offsets
        self.index = index
        self.text = offsets.text
        self.result = result
        self._reported: set[int] = set()

    def nodes(self) -> Iterator[Any]:
        """Every node of the tree in document order; comments are kept on the way."""
        for node in treesitter.walk(self.tree.root_node):
            if node.type == "comment":
                s, e = self.offsets.start(node), self.offsets.end(node)
                self.result.comments.append((self.index.span(s, e), self.text[s:e]))
            yield node

    def already_reported(self, start: int) -> bool:
        """Whether a syntax error starting at `start` was reported; marks it reported."""
        if start in self._reported:
            return True
        self._reported.add(start)
        return False

    def syntax_error(self, bad: Any, what: str) -> None:
        """SIG001 for an ERROR or MISSING node, once per place."""
        start, end, message = treesitter.error_span(bad, self.offsets)
        if not self.already_reported(start):
            self.result.findings.append(parse_error(self.index.span(start, end), f"{what}: {message}"))

    def error_at(self, start: int, end: int, message: str) -> None:
        if not self.already_reported(start):
            self.result.findings.append(parse_error(self.index.span(start, end), message))


def parse_script(grammar: str, text: str, path: str, result: LoadResult, what: str,
                 first_line: int = 1) -> ScriptSource | None:
    """The parsed script, or None after reporting SIG001 when the grammar cannot be loaded."""
    index = LineIndex(path, text, first_line)
    try:
        tree, offsets = treesitter.parse(grammar, text)
    except treesitter.TreeSitterMissing as exc:  # pragma: no cover - a broken install
        result.findings.append(parse_error(index.span(0, 0), f"cannot parse {what}: {exc}"))
        return None
    return ScriptSource(tree, offsets, index, result)


ScriptReader = Callable[[str, str, LoadOptions, LoadResult, int], None]


def load_with(read: ScriptReader, source: SourceFile, options: LoadOptions) -> LoadResult:
    """A whole script file read by `read`; a script with no gallery command and no error in one
    is none of sigcheck's business (relevant=False)."""
    result = LoadResult()
    read(source.text, source.path, options, result, source.first_line)
    result.relevant = bool(result.resources or result.findings)
    return result
