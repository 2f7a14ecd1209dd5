"""gitignore-style globs for the configuration's `exclude` and `per-path-ignores`.

Paths are matched relative to the folder of the configuration file, with `/` separators. A pattern
without a slash matches at any depth (`*.parameters.json`), one with a slash is anchored to that
folder (`/generated/*.json`, `legacy/**`), a trailing slash matches directories only, `**` spans
folders, and `!` re-includes what an earlier pattern excluded. Written here rather than taken
from a dependency because this small subset is all sigcheck needs, and it costs no import time.
"""

from __future__ import annotations

import re
from typing import Sequence


def _translate(pattern: str) -> str:
    out = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and _class_end(pattern, i) > 0:
            close = _class_end(pattern, i)
            body = pattern[i + 1:close]
            if body[:1] in ("!", "^"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = close + 1
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _class_end(pattern: str, start: int) -> int:
    """The index of the `]` closing the character class opened at `start`, or -1."""
    j = start + 1
    if pattern[j:j + 1] in ("!", "^"):
        j += 1
    if pattern[j:j + 1] == "]":
        j += 1
    return pattern.find("]", j)


class Glob:
    """One gitignore-style pattern."""

    __slots__ = ("pattern", "negated", "dir_only", "_file", "_dir")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        text = pattern.strip()
        self.negated = text.startswith("!")
        if self.negated:
            text = text[1:]
        self.dir_only = text.endswith("/")
        text = text.rstrip("/")
        anchored = "/" in text
        body = _translate(text.lstrip("/"))
        prefix = "" if anchored else "(?:.*/)?"
        # A directory pattern also matches everything below the directory.
        self._dir = re.compile(f"{prefix}{body}(?:/.*)?")
        self._file = re.compile(f"{prefix}{body}/.*" if self.dir_only else f"{prefix}{body}(?:/.*)?")

    def matches(self, path: str, is_dir: bool = False) -> bool:
        """Whether `path` (relative, `/`-separated) is matched by this pattern itself."""
        return (self._dir if is_dir else self._file).fullmatch(path) is not None


class GlobSet:
    """An ordered list of patterns; the last one that matches decides, as in .gitignore."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.globs = [Glob(p) for p in patterns if p.strip() and not p.strip().startswith("#")]

    def __bool__(self) -> bool:
        return bool(self.globs)

    def matches(self, path: str, is_dir: bool = False) -> bool:
        verdict = False
        for glob in self.globs:
            if glob.negated == verdict and glob.matches(path, is_dir):
                verdict = not glob.negated
        return verdict
