"""The allowance of work one file may cause, shared by every evaluator that reads it.

Templates, scripts and request files come from strangers (pull requests, pre-commit, the editor):
a few hundred bytes of doubling variables, nested loops or lambdas can ask for gigabytes. Every
evaluator draws on the same per-file `Budget` — units of work, characters or elements
materialised, and wall-clock time — so no combination of them can take more than the file's
share. When it runs out, the evaluator stops, the value it was computing becomes unknown, and the
loader reports it once where it happened; the rest of the file is still read.
"""

from __future__ import annotations

import time
from typing import Callable

# Far above what any real file needs (the largest corpus template uses < 1 % of each), low
# enough that a hostile file finishes in about a second.
DEFAULT_WORK = 2_000_000
DEFAULT_SIZE = 20_000_000
DEFAULT_SECONDS = 5.0
_CLOCK_EVERY = 4096  # work units between two looks at the clock
# One evaluated text (a variable's value, a substitution): each of its characters may carry its
# own position (about 100 bytes). No name, region or id comes near this length; variables that
# double each other reach it within a few lines.
MAX_TEXT = 65_536


class BudgetExceeded(Exception):
    """The file has used up its allowance; `str()` says which and how much."""


class Budget:
    """Work units, materialised size and time left for one file."""

    __slots__ = ("work", "size", "seconds", "_spent", "_since", "_tick", "exceeded", "cancelled")

    def __init__(self, work: int = DEFAULT_WORK, size: int = DEFAULT_SIZE, seconds: float = DEFAULT_SECONDS,
                 cancelled: Callable[[], bool] | None = None) -> None:
        self.work = work
        # Asked when the clock is: the language server sets it when a newer edit supersedes the
        # text being checked, which then stops as if its time were up.
        self.cancelled = cancelled
        self.size = size
        self.seconds = seconds
        # Time is counted only while the file is being worked on: reading it, then its share of
        # the rules, which run later with every other file's.
        self._spent = 0.0
        self._since: float | None = time.monotonic()
        self._tick = 0
        # The first reason the budget ran out, kept so later spending fails the same way.
        self.exceeded: str | None = None

    def spend(self, units: int = 1) -> None:
        """Account for `units` of work; raises BudgetExceeded once the file has none left."""
        if self.exceeded is not None:
            raise BudgetExceeded(self.exceeded)
        self.work -= units
        if self.work < 0:
            self._fail("evaluation work budget exhausted")
        self._tick += units
        if self._tick >= _CLOCK_EVERY:
            self._tick = 0
            if self.elapsed() > self.seconds:
                self._fail(f"evaluation took longer than {self.seconds:g} s")
            if self.cancelled is not None and self.cancelled():
                self._fail("the check was cancelled")

    def grow(self, size: int) -> None:
        """Account for `size` characters or elements materialised; raises when over."""
        if self.exceeded is not None:
            raise BudgetExceeded(self.exceeded)
        self.size -= size
        if self.size < 0:
            self._fail("evaluated values grew past the size budget")
        self.spend(1 + size // 1024)

    def elapsed(self) -> float:
        """Seconds spent on this file so far."""
        running = time.monotonic() - self._since if self._since is not None else 0.0
        return self._spent + running

    def pause(self) -> None:
        if self._since is not None:
            self._spent += time.monotonic() - self._since
            self._since = None

    def resume(self) -> None:
        if self._since is None:
            self._since = time.monotonic()

    def out_of_time(self) -> bool:
        """Whether the file's time is up (checked between rules, which do no budgeted work)."""
        return self.elapsed() > self.seconds or (self.cancelled is not None and self.cancelled())

    def grow_text(self, size: int) -> None:
        """Account for one text whose characters each carry a position: over MAX_TEXT it is
        refused on its own (other, smaller values of the file can still be evaluated)."""
        if size > MAX_TEXT:
            raise BudgetExceeded(f"a value of {size:,} characters, over the {MAX_TEXT:,} one value may have")
        self.grow(size)

    def _fail(self, reason: str) -> None:
        self.exceeded = reason
        raise BudgetExceeded(reason)


def abbreviate(text: str, limit: int = 60) -> str:
    """`text` shortened for a message, so that a huge value cannot make a huge finding."""
    return text if len(text) <= limit else f"{text[:limit - 21]}… ({len(text):,} characters)"
