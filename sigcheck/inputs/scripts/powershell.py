"""PowerShell scripts (`.ps1`, `.psm1`) parsed with tree-sitter's PowerShell grammar.

Literal values are evaluated statically into located nodes: strings (verbatim, expandable,
here-strings, with backtick escapes), numbers, `$true`/`$false`, hashtables `@{…}`, arrays
`@(…)`/`a, b`, and `$variables` assigned such literals earlier in the file. Anything else is
unknown. `New-AzGallery*` calls go to `sigcheck.inputs.scripts.azps`; `az …` calls inside a
PowerShell script to `sigcheck.inputs.scripts.az`, like those of a bash script.
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from sigcheck.inputs.recognize import gallery_cmdlet
from sigcheck.model import diagnostics
from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile
from sigcheck.syntax.jsonc import Node
from sigcheck.inputs.scripts.frontend import MAX_NESTING
from sigcheck.syntax import treesitter
from sigcheck.syntax.budget import MAX_TEXT, Budget, BudgetExceeded, abbreviate
from sigcheck.syntax.text import LineIndex
from sigcheck.syntax.located import UNKNOWN
from sigcheck.syntax.words import UNK, Word, put
from sigcheck.inputs.scripts.azps import Element

_GALLERY_CMDLET = gallery_cmdlet()
# A character of a resolved string: itself, its start and end offsets in the file, where it came from.
_Char = tuple[str, int, int, str | None]
_WRAPPERS = {
    "pipeline", "pipeline_chain", "logical_expression", "bitwise_expression", "comparison_expression",
    "additive_expression", "multiplicative_expression", "format_expression", "range_expression",
    "array_literal_expression", "unary_expression", "left_assignment_expression", "statement_list",
}
_MULTIPLIERS = {"kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3, "tb": 1024 ** 4, "pb": 1024 ** 5}
_TYPOGRAPHIC_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                                    "\u201c": '"', "\u201d": '"', "\u201e": '"'})
_BACKTICK = {"0": "\0", "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "e": "\x1b"}


def load(source: SourceFile, options: LoadOptions) -> LoadResult:
    """The resources and findings of the gallery calls of one PowerShell script."""
    from sigcheck.inputs.scripts.frontend import load_with

    return load_with(load_script, source, options)


class Variable:
    __slots__ = ("node", "ast", "line", "json")

    def __init__(self, node: Node, ast: Any, line: int, json: bool = False) -> None:
        self.node = node  # the evaluated value
        self.ast = ast  # the literal it was assigned (for re-reading a string with positions)
        self.line = line
        self.json = json  # assigned `@{…} | ConvertTo-Json`


class Evaluator:
    """Static values of PowerShell expressions, located in the file."""

    def __init__(self, text: str, index: LineIndex, offsets: Any, budget: Budget) -> None:
        self.text = text
        self.index = index
        self.offsets = offsets
        self.budget = budget
        self.variables: dict[str, Variable] = {}
        # `<placeholder>` arguments read as unset variables: offset -> the placeholder as written.
        self.placeholders: dict[int, str] = {}
        self._depth = 0
        # Bare words in hashtable values that PowerShell runs as commands: (start, end, word).
        self.bare_words: dict[int, tuple[int, str]] = {}
        # Where the file's evaluation budget or nesting limit was hit first (start, end, why).
        self.exhausted: tuple[int, int, str] | None = None

    def _exhausted(self, node: Any, why: str) -> Node:
        if self.exhausted is None:
            self.exhausted = (self.offsets.start(node), self.offsets.end(node), why)
        return self.unknown(node, why)

    def span(self, node: Any) -> Any:
        return self.index.span(self.offsets.start(node), self.offsets.end(node))

    def unknown(self, node: Any, origin: str | None = None) -> Node:
        return Node(UNKNOWN, self.span(node), None, origin)

    @staticmethod
    def unwrap(node: Any) -> Any:
        while node.type in _WRAPPERS:
            named = [c for c in node.named_children if c.type != "comment"]
            if len(named) != 1:
                break
            node = named[0]
        return node

    # -- variables -----------------------------------------------------------------------
    def variable_name(self, node: Any) -> str:
        raw = self.offsets.node_text(node)
        name = raw[1:]
        if name.startswith("{") and name.endswith("}"):
            name = name[1:-1]
        for scope in ("script:", "global:", "local:", "private:", "using:"):
            if name.lower().startswith(scope):
                name = name[len(scope):]
        return str(name).lower()

    def lookup(self, node: Any) -> Variable | None:
        return self.variables.get(self.variable_name(node))

    def assign(self, node: Any) -> None:
        left = None
        operator = None
        value = None
        for child in node.children:
            if child.type == "left_assignment_expression":
                left = child
            elif child.type == "assignement_operator":
                operator = self.offsets.node_text(child).strip()
            elif child.type == "pipeline" and left is not None:
                value = child
        if left is None:
            return
        target = self.unwrap(left)
        if target.type == "expression_with_unary_operator":
            casts = [c for c in target.named_children if c.type == "cast_expression"]
            if casts:
                inner = [c for c in casts[0].named_children if c.type != "type_literal"]
                target = self.unwrap(inner[0]) if inner else target
        if target.type != "variable":
            return
        name = self.variable_name(target)
        line = self.index.position(self.offsets.start(node))[0]
        if operator != "=" or value is None:
            self.variables[name] = Variable(self.unknown(node), None, line)
            return
        json = False
        inner = self.unwrap(value)
        if inner.type == "pipeline_chain" or value.type == "pipeline":
            commands = [c for c in self._pipeline_parts(value)]
            if len(commands) == 2 and commands[1].type == "command" and \
                    self.offsets.node_text(commands[1]).split()[0].lower() == "convertto-json":
                inner = self.unwrap(commands[0])
                json = True
        evaluated = self.evaluate(inner)
        self.variables[name] = Variable(evaluated, inner, line, json)

    def _pipeline_parts(self, pipeline: Any) -> list[Any]:
        node = pipeline
        while node.type in ("pipeline", "pipeline_chain") and len([c for c in node.named_children if c.type != "comment"]) == 1:
            node = [c for c in node.named_children if c.type != "comment"][0]
        if node.type in ("pipeline", "pipeline_chain"):
            return [c for c in node.named_children if c.type != "comment"]
        return [node]

    # -- values --------------------------------------------------------------------------
    def evaluate(self, node: Any) -> Node:
        """The static value of an expression; unknown past MAX_NESTING levels of literals."""
        if self._depth >= MAX_NESTING:
            return self._exhausted(node, f"literals nested more than {MAX_NESTING} levels deep")
        self._depth += 1
        try:
            self.budget.spend()
            return self._evaluate(node)
        except BudgetExceeded as exc:
            return self._exhausted(node, str(exc))
        finally:
            self._depth -= 1

    def _evaluate(self, node: Any) -> Node:
        node = self.unwrap(node)
        t = node.type
        if t in ("string_literal", "generic_token", "expandable_string_literal", "verbatim_string_characters",
                 "expandable_here_string_literal", "verbatim_here_string_characters"):
            word = self.word(node)
            return Node(word.value, self.span(node), None, word.origin)
        if t == "integer_literal":
            return Node(self._integer(self.offsets.node_text(node)), self.span(node))
        if t == "real_literal":
            try:
                number = float(self.offsets.node_text(node))
            except ValueError:
                return self.unknown(node)
            # 1e400 is past the double range: not a value sigcheck can hold (nor convert to int).
            return Node(number, self.span(node)) if math.isfinite(number) else self.unknown(node)
        if t == "expression_with_unary_operator":
            text = self.offsets.node_text(node)
            named = [c for c in node.named_children]
            if text.startswith("-") and len(named) == 1:
                inner = self.evaluate(named[0])
                if isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
                    return Node(-inner.value, self.span(node))
            casts = [c for c in named if c.type == "cast_expression"]
            if casts:
                return self._cast(casts[0])
            return self.unknown(node)
        if t == "cast_expression":
            return self._cast(node)
        if t == "variable":
            return self._variable(node)
        if t == "hash_literal_expression":
            return self._hashtable(node)
        if t == "array_literal_expression":
            elements = [self.evaluate(c) for c in node.named_children if c.type != "comment"]
            return Node(elements, self.span(node))
        if t == "array_expression":
            items: list[Node] = []
            body = node.child_by_field_name("statements")
            if body is not None:
                for statement in body.named_children:
                    if statement.type == "comment":
                        continue
                    value = self.evaluate(statement)
                    if value.is_array:
                        items.extend(value.value)
                    else:
                        items.append(value)
            return Node(items, self.span(node))
        if t == "parenthesized_expression":
            named = [c for c in node.named_children if c.type != "comment"]
            return self.evaluate(named[0]) if len(named) == 1 else self.unknown(node)
        return self.unknown(node)

    def _integer(self, text: str) -> Any:
        lowered = text.lower()
        multiplier = 1
        for suffix, factor in _MULTIPLIERS.items():
            if lowered.endswith(suffix):
                lowered, multiplier = lowered[: -len(suffix)], factor
                break
        lowered = lowered.rstrip("lund")  # type suffixes (l, u, ul, n, d…)
        try:
            return int(lowered, 16) * multiplier if lowered.startswith("0x") else int(lowered) * multiplier
        except ValueError:
            return UNKNOWN

    def _cast(self, node: Any) -> Node:
        kinds = [c for c in node.named_children if c.type == "type_literal"]
        inner = [c for c in node.named_children if c.type != "type_literal"]
        if not inner:
            return self.unknown(node)
        value = self.evaluate(inner[0])
        kind = self.offsets.node_text(kinds[0]).strip("[] ").lower() if kinds else ""
        if not value.value is UNKNOWN and kind in ("int", "int32", "int64", "long"):
            try:
                return Node(int(value.value), value.span, None, value.origin)
            except (TypeError, ValueError, OverflowError):
                return self.unknown(node)
        if kind == "string" and value.value is not UNKNOWN and not (value.is_array or value.is_object):
            return Node(str(value.value), value.span, None, value.origin)
        if kind in ("hashtable", "ordered", "array", "object[]", "string[]", "pscustomobject"):
            return value
        return value

    def _variable(self, node: Any) -> Node:
        raw = self.offsets.node_text(node)
        name = self.variable_name(node)
        if name == "true":
            return Node(True, self.span(node))
        if name == "false":
            return Node(False, self.span(node))
        if name == "null":
            return Node(None, self.span(node))
        found = self.variables.get(name)
        if found is None:
            placeholder = self.placeholders.get(self.offsets.start(node))
            if placeholder is not None:
                return self.unknown(node, f"{placeholder} is a placeholder")
            return self.unknown(node, f"{raw} is not assigned in this file")
        value = found.node
        if value.is_object or value.is_array:
            return value  # entries keep the spans of the literal they were written in
        if value.value is UNKNOWN:
            return self.unknown(node, f"{raw} (line {found.line}) is not a literal")
        shown = value.value if not isinstance(value.value, bool) else str(value.value).lower()
        if isinstance(shown, str) and len(shown) > MAX_TEXT:
            return self._exhausted(node, f"{raw} (line {found.line}) is longer than {MAX_TEXT:,} characters")
        return Node(value.value, self.span(node), None, f"{raw} = '{abbreviate(str(shown))}' (line {found.line})")

    def _hashtable(self, node: Any) -> Node:
        out = Node({}, self.span(node), {})
        body = next((c for c in node.named_children if c.type == "hash_literal_body"), None)
        if body is None:
            return out
        for entry in body.named_children:
            if entry.type != "hash_entry":
                continue
            key_node = next((c for c in entry.named_children if c.type == "key_expression"), None)
            value_node = next((c for c in entry.named_children if c.type not in ("key_expression", "comment")), None)
            if key_node is None:
                continue
            key_inner = self.unwrap(key_node.named_children[0]) if key_node.named_children else key_node
            if key_inner.type == "simple_name" or key_inner.type == "key_expression":
                key = self.offsets.node_text(key_inner)
            else:
                key_value = self.evaluate(key_inner)
                if not isinstance(key_value.value, (str, int)) or isinstance(key_value.value, bool):
                    continue
                key = str(key_value.value)
            value = self.evaluate(value_node) if value_node is not None else Node(None, self.span(entry))
            bare = self._bare_value(value_node) if value_node is not None else None
            if bare is not None:
                value = self.unknown(bare, f"{self.offsets.node_text(bare)} is run as a command, not read as a string")
            put(out, key, value, self.span(key_node))
        return out

    def _bare_value(self, value_node: Any) -> Any:
        """The hashtable value when it is a bare word PowerShell would run as a command
        (`StorageAccountType=Standard_LRS`): a value the service knows, which is no command."""
        inner = self.unwrap(value_node)
        if inner.type != "command" or inner.child_by_field_name("command_elements") is not None:
            return None
        name = inner.child_by_field_name("command_name")
        if name is None:
            return None
        word = self.offsets.node_text(name)
        if word.lower() not in known_bare_values():
            return None
        self.bare_words[self.offsets.start(name)] = (self.offsets.end(name), word)
        return name

    # -- words (strings with per-character positions) -----------------------------------
    def word(self, node: Any) -> Word:
        """The text of a string-like node with the file offsets of each character."""
        node = self.unwrap(node)
        t = node.type
        s, e = self.offsets.start(node), self.offsets.end(node)
        if t == "string_literal":
            inner = node.named_children[0] if node.named_children else None
            return self.word(inner) if inner is not None else self._chars_word([], s, e)
        if t == "verbatim_string_characters":
            chars: list[_Char] = []
            i = s + 1
            while i < e - 1:
                if self.text[i] == "'" and i + 1 < e - 1 and self.text[i + 1] == "'":
                    chars.append(("'", i, i + 2, None))
                    i += 2
                    continue
                chars.append((self.text[i], i, i + 1, None))
                i += 1
            return self._chars_word(chars, s, e)
        if t == "verbatim_here_string_characters":
            a, b = self._here_bounds(s, e)
            return self._chars_word([(self.text[i], i, i + 1, None) for i in range(a, b)], s, e)
        if t == "expandable_string_literal":
            return self._expandable(node, s + 1, e - 1, s, e)
        if t == "expandable_here_string_literal":
            a, b = self._here_bounds(s, e)
            return self._expandable(node, a, b, s, e)
        if t == "generic_token":
            return self._expandable(node, s, e, s, e, bare=True)
        if t == "variable":
            value = self._variable(node)
            return self._value_word(value, s, e)
        if t in ("integer_literal", "real_literal", "command_parameter"):
            return Word.literal(self.text[s:e], s, self.index)
        value = self.evaluate(node)
        return self._value_word(value, s, e)

    def _value_word(self, value: Node, s: int, e: int) -> Word:
        if value.value is UNKNOWN or value.is_object or value.is_array or value.value is None:
            return Word.unknown(s, e, self.index, value.origin)
        text = str(value.value).lower() if isinstance(value.value, bool) else str(value.value)
        try:
            self.budget.grow_text(len(text))
        except BudgetExceeded as exc:
            if self.exhausted is None:
                self.exhausted = (s, e, str(exc))
            return Word.unknown(s, e, self.index, str(exc))
        return Word(text, [s] * len(text), [e] * len(text), [value.origin] * len(text), s, e, self.index)

    def _here_bounds(self, s: int, e: int) -> tuple[int, int]:
        """The content of a here-string: after the opening line, before the closing one."""
        a = self.text.find("\n", s)
        a = a + 1 if 0 <= a < e else s + 2
        b = self.text.rfind("\n", a, e)
        if b < a:
            b = max(a, e - 2)
        if b > a and self.text[b - 1] == "\r":
            b -= 1
        return a, b

    def _expandable(self, node: Any, a: int, b: int, s: int, e: int, bare: bool = False) -> Word:
        chars: list[tuple[str, int, int, str | None]] = []
        holes = []
        for child in node.named_children:
            cs, ce = self.offsets.start(child), self.offsets.end(child)
            if child.type in ("variable", "sub_expression") and a <= cs < b:
                holes.append((cs, ce, child))
        pos = a
        for cs, ce, child in holes:
            chars.extend(self._escaped(pos, cs, bare))
            if child.type == "variable":
                value = self._variable(child)
                word = self._value_word(value, cs, ce)
                chars.extend(zip(word.text, word.starts, word.ends, word.origins))
            else:
                chars.append((UNK, cs, ce, None))
            pos = ce
        chars.extend(self._escaped(pos, b, bare))
        return self._chars_word(chars, s, e)

    def _escaped(self, a: int, b: int, bare: bool) -> list[_Char]:
        out: list[_Char] = []
        i = a
        text = self.text
        while i < b:
            ch = text[i]
            if ch == "`" and i + 1 < b:
                nxt = text[i + 1]
                if nxt == "\n":
                    i += 2
                    continue
                out.append((_BACKTICK.get(nxt, nxt), i, i + 2, None))
                i += 2
                continue
            if not bare and ch == '"' and i + 1 < b and text[i + 1] == '"':
                out.append(('"', i, i + 2, None))
                i += 2
                continue
            out.append((ch, i, i + 1, None))
            i += 1
        return out

    def _chars_word(self, chars: list[_Char], s: int, e: int) -> Word:
        return Word("".join(c[0] for c in chars), [c[1] for c in chars], [c[2] for c in chars], [c[3] for c in chars],
                    s, e, self.index)

    def native_words(self, node: Any) -> list[Word]:
        """The arguments one command element passes to a native command such as `az`."""
        inner = self.unwrap(node)
        if inner.type == "variable":
            value = self._variable(inner)
            if value.is_array:
                s, e = self.offsets.start(inner), self.offsets.end(inner)
                return [self._value_word(item, s, e) for item in value.value]
        if inner.type == "array_literal_expression":
            return [w for c in inner.named_children if c.type != "comment" for w in self.native_words(c)]
        return [self.word(inner)]


@cache
def known_bare_values() -> frozenset[str]:
    """Values of the gallery's enumerations and region names (lowercase): written bare as a
    hashtable value, each is read by PowerShell as the name of a command that does not exist."""
    from sigcheck.model import facts

    out: set[str] = set(facts.load("regions")["regions"])
    for entry in facts.load("enums")["values"].values():
        out.update(str(v).lower() for v in entry.get("values", []) if isinstance(v, str))
    return frozenset(v for v in out if "-" not in v)


def load_script(text: str, path: str, options: LoadOptions, result: LoadResult, first_line: int = 1) -> None:
    from sigcheck.inputs.scripts import azps as ps
    from sigcheck.inputs.scripts.az import AzEnv, normalize_az
    from sigcheck.inputs.scripts.frontend import parse_script
    from sigcheck.inputs.scripts.powershell_syntax import problems
    from sigcheck.syntax.placeholders import mask_script_placeholders, script_placeholders

    placeholders = script_placeholders(text)
    text = mask_script_placeholders(text)  # `<your-gallery>` is a value to fill in, not a redirection
    # PowerShell reads typographic quotes (pasted from web pages) as quotes; the grammar does not.
    text = text.translate(_TYPOGRAPHIC_QUOTES)
    source = parse_script("powershell", text, path, result, "PowerShell", first_line)
    if source is None:
        return
    offsets, index = source.offsets, source.index
    ev = Evaluator(text, index, offsets, options.budget)
    ev.placeholders = placeholders
    env = AzEnv()
    in_error: list[tuple[int, int]] = []

    def where(offset: int) -> str:
        line, column = index.position(offset)
        return f"line {line}, column {column}"

    refused = problems(text, where)
    for problem in refused:
        source.error_at(problem.start, problem.end, f"PowerShell syntax error: {problem.message}")
    for node in source.nodes():
        kind = node.type
        if refused:
            continue  # PowerShell runs no line of a script that does not parse: one cause, one finding
        if kind == "assignment_expression":
            ev.assign(node)
        elif kind == "ERROR":
            s, e = offsets.start(node), offsets.end(node)
            in_error.append((s, e))
            head = text[s:e].split("\n", 1)[0]
            match = _GALLERY_CMDLET.search(head)
            if match:
                source.error_at(s, s + len(head.rstrip()),
                                f"PowerShell syntax error in a {match.group()} call (unterminated string, bracket or brace?)")
        elif kind == "command":
            name_node = node.child_by_field_name("command_name")
            if name_node is None:
                continue
            name = offsets.node_text(name_node)
            s, e = offsets.start(node), offsets.end(node)
            inside_error = any(a <= s < b for a, b in in_error)
            if name.lower() == "az":
                if inside_error or node.has_error:
                    continue  # the grammar does not know every native-argument form; skip rather than guess
                args: list[Word] = []
                elements = node.child_by_field_name("command_elements")
                for element in (elements.named_children if elements is not None else []):
                    if element.type in ("command_argument_sep", "comment"):
                        continue
                    args.extend(ev.native_words(element))
                outcome = normalize_az(args, Word.literal("az", s, index), index.span(s, e), path, options.context, env, "cli")
                result.resources.extend(outcome.resources)
                result.findings.extend(outcome.findings)
                continue
            cmdlet = ps.cmdlet_name(name)
            if cmdlet is None:
                continue
            if node.has_error or inside_error:
                if not inside_error:
                    bad = treesitter.first_error(node)
                    source.syntax_error(bad if bad is not None else node, f"PowerShell syntax error in a {name} call")
                continue
            items = _elements(node, ev, offsets)
            piped = _is_piped(node)
            name_span = index.span(offsets.start(name_node), offsets.end(name_node))
            retired = ps.retired_warning(name, cmdlet, name_span)
            if retired is not None:
                result.findings.append(retired)
            outcome = ps.normalize_cmdlet(cmdlet, items, name_span,
                                          index.span(s, e), path, options.context, piped, ev)
            result.resources.extend(outcome.resources)
            result.findings.extend(outcome.findings)
    for s, (e, word) in sorted(ev.bare_words.items()):
        # PowerShell's own error when it runs the hashtable's value (SIG003, as any refusal of the tool).
        result.findings.append(diagnostics.usage_error(
            index.span(s, e), f"The term '{word}' is not recognized as a name of a cmdlet, function, script file, or "
            f"executable program: a bare word in a hashtable is run as a command; quote it ('{word}')"))
    if ev.exhausted is not None:
        s, e, why = ev.exhausted
        source.error_at(s, e, f"PowerShell values not evaluated: {why}; the values built from here on are unknown")


def _is_piped(command: Any) -> bool:
    """Whether the command receives pipeline input (it is not the first of its pipeline)."""
    parent = command.parent
    if parent is None or parent.type not in ("pipeline", "pipeline_chain"):
        return False
    named = [c for c in parent.named_children if c.type != "comment"]
    return bool(named) and named[0].id != command.id


def _elements(command: Any, ev: Evaluator, offsets: Any) -> list[Element]:
    """The command's elements: ("param", name, span, forced_value | None) and ("arg", node, span)
    and ("splat", node, span), in order."""
    out: list[Element] = []
    elements = command.child_by_field_name("command_elements")
    if elements is None:
        return out
    children = [c for c in elements.children if c.type != "comment"]
    i = 0
    while i < len(children):
        child = children[i]
        i += 1
        if child.type == "command_argument_sep":
            continue
        if child.type == "command_parameter":
            text = offsets.node_text(child)
            name = text[1:].rstrip(":")
            span = ev.span(child)
            colon = text.endswith(":")
            if not colon and i < len(children) and children[i].type == "command_argument_sep" and \
                    offsets.node_text(children[i]).strip() == ":":
                colon = True
                i += 1
            forced = None
            if colon:
                while i < len(children) and children[i].type == "command_argument_sep":
                    i += 1
                if i < len(children):
                    forced = ev.evaluate(children[i])
                    i += 1
            out.append(Element("param", name, span, forced))
            continue
        inner = ev.unwrap(child)
        if inner.type == "variable" and offsets.node_text(inner).startswith("@"):
            found = ev.lookup(inner)
            out.append(Element("splat", found.node if found is not None else ev.unknown(inner), ev.span(inner)))
            continue
        if i < len(children) and children[i].type != "command_argument_sep" and children[i].start_byte == child.end_byte:
            # `(Get-Date).AddMonths(6)`: the grammar splits a method call's argument list off as
            # an element of its own; PowerShell reads the whole as one (unknown) argument.
            while i < len(children) and children[i].type != "command_argument_sep" \
                    and children[i].start_byte == children[i - 1].end_byte:
                i += 1
            out.append(Element("arg", ev.unknown(child), ev.span(child), None, child))
            continue
        out.append(Element("arg", ev.evaluate(child), ev.span(child), None, child))
    return out

