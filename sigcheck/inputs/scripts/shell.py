"""az CLI scripts (`.sh`, `.bash`, `.zsh`, `.azcli`, or a `#!…sh` first line) parsed with
tree-sitter's bash grammar.

Each `az …` command becomes a list of resolved words — quotes and escapes removed, `$VAR` and
`${VAR}` replaced by literal assignments made earlier in the file (else unknown), unquoted
expansions split on whitespace as the shell does — each character remembering where it was
written. `sigcheck.inputs.scripts.az` turns the words into model resources and SIG003 findings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sigcheck.inputs.recognize import az_gallery_command
from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile
from sigcheck.syntax import treesitter
from sigcheck.syntax.budget import MAX_TEXT, Budget, BudgetExceeded, abbreviate
from sigcheck.syntax.text import LineIndex
from sigcheck.syntax.words import UNK, Word

if TYPE_CHECKING:
    from sigcheck.inputs.scripts.frontend import ScriptSource

_MARKER = az_gallery_command()
# What a backslash escapes inside double quotes (elsewhere it escapes any character).
_IN_DOUBLE_QUOTES = '"\\$`\n'
_EXPANSIONS = {"simple_expansion", "expansion", "command_substitution", "arithmetic_expansion", "process_substitution"}


def load(source: SourceFile, options: LoadOptions) -> LoadResult:
    """The resources and findings of the az commands of one bash script."""
    from sigcheck.inputs.scripts.frontend import load_with

    return load_with(load_script, source, options)


class _Char:
    __slots__ = ("ch", "start", "end", "origin", "split")

    def __init__(self, ch: str, start: int, end: int, origin: str | None = None, split: bool = False) -> None:
        self.ch = ch
        self.start = start
        self.end = end
        self.origin = origin
        self.split = split


class _Reader:
    """Resolves the words of one bash file in document order."""

    def __init__(self, text: str, index: LineIndex, offsets: Any, budget: Budget) -> None:
        self.text = text
        self.index = index
        self.offsets = offsets
        self.budget = budget
        self.variables: dict[str, tuple[str, int]] = {}
        # `<placeholder>` arguments read as unset variables: offset -> the placeholder as written.
        self.placeholders: dict[int, str] = {}
        # Where the file's evaluation budget ran out (start, end, why), reported once.
        self.exhausted: tuple[int, int, str] | None = None

    # -- characters of a node ------------------------------------------------------------
    def chars(self, node: Any, quoted: bool = False) -> list[_Char]:
        t = node.type
        s, e = self.offsets.start(node), self.offsets.end(node)
        if t in ("word", "number"):
            return self._unescaped(s, e, None)
        if t == "raw_string":
            return [_Char(self.text[i], i, i + 1) for i in range(s + 1, max(s + 1, e - 1))]
        if t == "string":
            return self._string(node, s, e)
        if t == "translated_string":
            inner = next((c for c in node.children if c.type == "string"), None)
            return self._string(inner, *self._range(inner)) if inner is not None else self._unknown(s, e)
        if t == "ansi_c_string":
            return self._ansi(s + 2, e - 1)
        if t == "concatenation":
            out: list[_Char] = []
            for child in node.children:
                out.extend(self.chars(child, quoted))
            return out
        if t == "simple_expansion":
            return self._expand(self.text[s + 1:e], s, e, quoted)
        if t == "expansion":
            named = [c for c in node.children if c.is_named]
            if len(named) == 1 and named[0].type == "variable_name" and len(node.children) == 3:
                return self._expand(self.offsets.node_text(named[0]), s, e, quoted)
            return self._unknown(s, e)
        return self._unknown(s, e)

    def _range(self, node: Any) -> tuple[int, int]:
        return self.offsets.start(node), self.offsets.end(node)

    def _unknown(self, s: int, e: int, origin: str | None = None) -> list[_Char]:
        return [_Char(UNK, s, e, origin)]

    def _string(self, node: Any, s: int, e: int) -> list[_Char]:
        out: list[_Char] = []
        pos = s + 1
        end = e - 1 if e - 1 > s else e
        for child in node.children:
            if child.type not in _EXPANSIONS:
                continue
            cs, ce = self._range(child)
            out.extend(self._unescaped(pos, cs, _IN_DOUBLE_QUOTES))
            out.extend(self.chars(child, quoted=True))
            pos = ce
        out.extend(self._unescaped(pos, end, _IN_DOUBLE_QUOTES))
        return out

    def _unescaped(self, s: int, e: int, escapable: str | None) -> list[_Char]:
        """The characters of [s, e) with backslash escapes resolved: a backslash escapes any
        character outside quotes (`escapable` None), only those of `escapable` inside double
        quotes; a backslash before a line break joins the lines either way."""
        out = []
        i = s
        text = self.text
        while i < e:
            ch = text[i]
            if ch == "\\" and i + 1 < e and (escapable is None or text[i + 1] in escapable):
                if text[i + 1] != "\n":
                    out.append(_Char(text[i + 1], i, i + 2))
                i += 2
                continue
            out.append(_Char(ch, i, i + 1))
            i += 1
        return out

    def _ansi(self, s: int, e: int) -> list[_Char]:
        escapes = {"n": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"', "r": "\r"}
        out = []
        i = s
        while i < e:
            ch = self.text[i]
            if ch == "\\" and i + 1 < e:
                nxt = self.text[i + 1]
                if nxt in escapes:
                    out.append(_Char(escapes[nxt], i, i + 2))
                    i += 2
                    continue
                return self._unknown(s, e)
            out.append(_Char(ch, i, i + 1))
            i += 1
        return out

    def _expand(self, name: str, s: int, e: int, quoted: bool) -> list[_Char]:
        found = self.variables.get(name)
        if found is None:
            if s in self.placeholders:
                return self._unknown(s, e, f"{self.placeholders[s]} is a placeholder")
            return self._unknown(s, e, f"${name} is not assigned in this file")
        value, line = found
        if UNK in value:
            return self._unknown(s, e, f"${name} (line {line}) is not a literal")
        try:
            if len(value) > MAX_TEXT:
                raise BudgetExceeded(f"${name} (line {line}) is longer than {MAX_TEXT:,} characters")
            self.budget.grow(len(value))
        except BudgetExceeded as exc:
            if self.exhausted is None:
                self.exhausted = (s, e, str(exc))
            return self._unknown(s, e, f"${name} (line {line}) is too large to expand")
        origin = f"${name} = '{abbreviate(value)}' (line {line})"
        return [_Char(ch, s, e, origin, not quoted) for ch in value]

    # -- words -----------------------------------------------------------------------------
    def words(self, node: Any) -> list[Word]:
        """The shell words an argument node expands to (unquoted expansions split)."""
        chars = self.chars(node)
        s, e = self._range(node)
        word = Word(
            "".join(c.ch for c in chars), [c.start for c in chars], [c.end for c in chars], [c.origin for c in chars],
            s, e, self.index, [c.split for c in chars],
        )
        if not any(c.split for c in chars):
            return [word]
        parts = word.split_whitespace(only_expanded=True)
        return parts

    def assign(self, node: Any) -> None:
        name_node = node.child_by_field_name("name")
        value_node = node.child_by_field_name("value")
        if name_node is None or name_node.type != "variable_name":
            return
        name = self.offsets.node_text(name_node)
        line = self.index.position(self.offsets.start(node))[0]
        operator = next((c for c in node.children if c.type in ("=", "+=")), None)
        if operator is not None and operator.type == "+=":
            self.variables[name] = (UNK, line)
            return
        if value_node is None:
            self.variables[name] = ("", line)
            return
        if value_node.type == "array":
            self.variables[name] = (UNK, line)
            return
        chars = self.chars(value_node, quoted=True)
        self.variables[name] = ("".join(c.ch for c in chars), line)

    def forget(self, name: str, line: int) -> None:
        self.variables[name] = (UNK, line)


def load_script(text: str, path: str, options: LoadOptions, result: LoadResult, first_line: int = 1) -> None:
    """Read every az command of a bash script into `result`."""
    from sigcheck.inputs.scripts.az import AzEnv, normalize_az
    from sigcheck.inputs.scripts.frontend import parse_script
    from sigcheck.syntax.placeholders import mask_script_placeholders, script_placeholders

    placeholders = script_placeholders(text)
    text = mask_script_placeholders(text)  # `<your-gallery>` is a value to fill in, not a redirection
    source = parse_script("bash", text, path, result, "shell scripts", first_line)
    if source is None:
        return
    offsets, index = source.offsets, source.index
    reader = _Reader(text, index, offsets, options.budget)
    reader.placeholders = placeholders
    env = AzEnv()
    for node in source.nodes():
        kind = node.type
        if kind == "variable_assignment":
            reader.assign(node)
        elif kind in ("for_statement", "c_style_for_statement", "select_statement"):
            variable = node.child_by_field_name("variable")
            if variable is not None:
                reader.forget(offsets.node_text(variable), index.position(offsets.start(node))[0])
        elif kind == "ERROR":
            _error_region(node, source)
        elif kind == "command":
            name = node.child_by_field_name("name")
            if name is None or offsets.node_text(name) != "az":
                continue
            s, e = offsets.start(node), offsets.end(node)
            if node.has_error:
                bad = treesitter.first_error(node)
                if bad is not None and _MARKER.search(text[s:e]):
                    source.syntax_error(bad, "shell syntax error in an az command")
                continue
            following = node.next_sibling
            if following is not None and following.type == "ERROR" and following.start_point.row == node.end_point.row:
                # The command runs into a syntax error (an unterminated quote, typically).
                if _MARKER.search(text[s:e]):
                    source.syntax_error(treesitter.first_error(following) or following, "shell syntax error in an az command")
                continue
            args: list[Word] = []
            for argument in node.children_by_field_name("argument"):
                args.extend(reader.words(argument))
            az_word = Word.literal("az", offsets.start(name), index)
            outcome = normalize_az(args, az_word, index.span(s, e), path, options.context, env, "cli")
            result.resources.extend(outcome.resources)
            result.findings.extend(outcome.findings)
    if reader.exhausted is not None:
        s, e, why = reader.exhausted
        source.error_at(s, e, f"shell variables not expanded: {why}; the values built from here on are unknown")


def _error_region(node: Any, source: ScriptSource) -> None:
    """A syntax error the parser could not attach to a command: reported when an az gallery
    command starts in it (elsewhere in a script it is none of sigcheck's business)."""
    text = source.text
    s, e = source.offsets.start(node), source.offsets.end(node)
    first_line_end = text.find("\n", s)
    head = text[s:first_line_end if 0 <= first_line_end < e else e]
    if _MARKER.search(head):
        source.error_at(s, s + len(head.rstrip()), "shell syntax error in an az command (unterminated quote or bracket?)")
