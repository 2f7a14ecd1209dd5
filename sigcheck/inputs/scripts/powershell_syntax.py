"""The PowerShell parse errors a script can be refused for, each at the character that causes it.

PowerShell parses a whole script before it runs any of it, so one of these means no command of
the script runs. The tree-sitter grammar recovers from them silently or reports a region; this
scanner follows PowerShell's tokenizer just far enough to name the cause: a stray `}` or `)`, a
bracket never closed, a string never terminated, a backtick followed by trailing whitespace (it
escapes the space, so the line does not continue and the next line's `-Parameter` is a statement
of its own). Quotes are PowerShell's: typographic quotes (‘ ’ “ ” „) delimit strings as well.
One pass over the text with an explicit stack: no recursion on the input's depth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

_SINGLE = "'\u2018\u2019\u201a\u201b"
_DOUBLE = '"\u201c\u201d\u201e'
_OPENERS = {"(": ")", "{": "}", "[": "]"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}
# Characters after which `#` starts a comment (elsewhere it is part of a word, as in `a#b`).
_COMMENT_AFTER = " \t\r\n;(){}|&,=" + _SINGLE + _DOUBLE  # after a token ends (a closing quote too)


@dataclass
class SyntaxProblem:
    start: int  # offset of the offending character
    end: int
    message: str


@dataclass
class _Frame:
    kind: str  # "(" "{" "[" for brackets, "$(" inside a double-quoted string
    start: int
    # For "$(": the quote character class of the string it sits in, resumed at its `)`.
    quote: str = ""
    quote_start: int = 0


def problems(text: str, where: Callable[[int], str] = str) -> list[SyntaxProblem]:
    """The parse errors of a PowerShell script, in order; empty when it parses. `where` names
    an offset for messages (line and column)."""
    out: list[SyntaxProblem] = []
    stack: list[_Frame] = []
    i = 0
    n = len(text)
    in_string: tuple[str, int] | None = None  # (quote class, start) of an open "..." string
    while i < n:
        ch = text[i]
        if in_string is not None:
            quotes, start = in_string
            if ch == "`" and i + 1 < n:
                i += 2
                continue
            if ch == "$" and i + 1 < n and text[i + 1] == "(":
                stack.append(_Frame("$(", i + 1, quotes, start))
                in_string = None
                i += 2
                continue
            if ch in quotes:
                if i + 1 < n and text[i + 1] in quotes:
                    i += 2  # a doubled quote is one quote character
                    continue
                in_string = None
            i += 1
            continue
        if ch == "<" and text.startswith("<#", i):
            close = text.find("#>", i + 2)
            if close < 0:
                out.append(SyntaxProblem(i, i + 2, "missing the end of a block comment: the '<#' here is never closed by '#>'"))
                return out
            i = close + 2
            continue
        if ch == "#" and (i == 0 or text[i - 1] in _COMMENT_AFTER):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if ch == "@" and i + 1 < n and text[i + 1] in _SINGLE + _DOUBLE and _line_end_after(text, i + 2):
            i = _here_string(text, i, out)
            if i < 0:
                return out
            continue
        if ch == "`":
            j = i + 1
            while j < n and text[j] in " \t":
                j += 1
            if j > i + 1 and (j == n or text[j] in "\r\n"):
                out.append(SyntaxProblem(i, j, "a backtick followed by trailing whitespace does not continue the line "
                                               "(it escapes the space): the next line is a statement of its own; "
                                               "remove the whitespace after the backtick"))
            i = i + 2 if i + 1 < n else n
            continue
        if ch in _SINGLE:
            j = i + 1
            while True:
                j = _find_any(text, _SINGLE, j)
                if j < 0:
                    out.append(SyntaxProblem(i, i + 1, "the string is missing its terminator: the quote here opens a "
                                                       "string that is never closed"))
                    return out
                if j + 1 < n and text[j + 1] in _SINGLE:
                    j += 2
                    continue
                break
            i = j + 1
            continue
        if ch in _DOUBLE:
            in_string = (_DOUBLE, i)
            i += 1
            continue
        if ch == "$" and i + 1 < n and text[i + 1] == "{":
            close = text.find("}", i + 2)
            i = n if close < 0 else close + 1
            continue
        if ch in _OPENERS:
            stack.append(_Frame(ch, i))
        elif ch in _CLOSERS:
            if not stack:
                out.append(SyntaxProblem(i, i + 1, f"unexpected token '{ch}': there is no '{_CLOSERS[ch]}' open for it to close"))
            else:
                top = stack[-1]
                wanted = _OPENERS["(" if top.kind == "$(" else top.kind]
                if ch != wanted:
                    out.append(SyntaxProblem(i, i + 1, f"unexpected token '{ch}': the '{top.kind}' at {where(top.start)} "
                                                       f"is still open and needs '{wanted}' first"))
                    return out
                stack.pop()
                if top.kind == "$(":
                    in_string = (top.quote, top.quote_start)
        i += 1
    if in_string is not None:
        out.append(SyntaxProblem(in_string[1], in_string[1] + 1,
                                 "the string is missing its terminator: the quote here opens a string that is never closed"))
    elif stack:
        top = stack[-1]
        wanted = _OPENERS["(" if top.kind == "$(" else top.kind]
        out.append(SyntaxProblem(top.start, top.start + 1, f"missing closing '{wanted}': the '{top.kind[-1]}' here is never closed"))
    return out


def _find_any(text: str, chars: str, start: int) -> int:
    found = [p for p in (text.find(c, start) for c in chars) if p >= 0]
    return min(found) if found else -1


def _line_end_after(text: str, i: int) -> bool:
    """Whether only whitespace follows position `i` on its line (a here-string's opening)."""
    while i < len(text) and text[i] in " \t":
        i += 1
    return i >= len(text) or text[i] in "\r\n"


def _here_string(text: str, i: int, out: list[SyntaxProblem]) -> int:
    """The offset after the here-string opened at `i` (`@'` or `@"`), or -1 after reporting it unterminated."""
    quotes = _SINGLE if text[i + 1] in _SINGLE else _DOUBLE
    pos = text.find("\n", i)
    while pos >= 0:
        line_start = pos + 1
        if line_start < len(text) and text[line_start] in quotes and text.startswith("@", line_start + 1):
            return line_start + 2
        pos = text.find("\n", line_start)
    out.append(SyntaxProblem(i, i + 2, f"the here-string opened here is never closed: its end ({text[i + 1]}@) must "
                                       "start a line of its own"))
    return -1
