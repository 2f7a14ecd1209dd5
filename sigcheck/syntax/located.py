"""Source positions and located values: the currency every pipeline stage trades in."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

T = TypeVar("T")
# Covariant: a located string is a located value of any type (nothing assigns `value` after
# construction).
T_co = TypeVar("T_co", covariant=True)


class Span:
    """A range in a file. Lines and columns are 1-based; columns count characters.

    `Span(...)` makes a span that holds its position (_FixedSpan); a subclass may keep it another
    way (sigcheck.syntax.text.OffsetSpan keeps offsets, a parser makes one per token), without
    paying for the five slots it would not use."""

    __slots__ = ()
    path: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __new__(cls, *args: Any, **kwargs: Any) -> Span:
        return object.__new__(_FixedSpan if cls is Span else cls)

    def __init__(self, path: str, line: int, column: int, end_line: int, end_column: int) -> None:
        # Slots of _FixedSpan, the class Span() makes.
        self.path = path  # type: ignore[misc]
        self.line = line  # type: ignore[misc]
        self.column = column  # type: ignore[misc]
        self.end_line = end_line  # type: ignore[misc]
        self.end_column = end_column  # type: ignore[misc]

    def __reduce__(self) -> tuple[type[Span], tuple[str, int, int, int, int]]:
        return (Span, (self.path, self.line, self.column, self.end_line, self.end_column))

    @classmethod
    def at(cls, path: str, line: int = 1, column: int = 1) -> Span:
        """A point in a file; by default its start, where a problem of the whole file is shown."""
        return cls(path, line, column, line, column)

    def __repr__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}-{self.end_line}:{self.end_column}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Span) and (
            self.path, self.line, self.column, self.end_line, self.end_column
        ) == (other.path, other.line, other.column, other.end_line, other.end_column)

    def __hash__(self) -> int:
        return hash((self.path, self.line, self.column))

    def sort_key(self) -> tuple[str, int, int]:
        return (self.path, self.line, self.column)

    def start(self) -> tuple[int, int]:
        """(line, column) of the first character: for ordering many spans, which a lazily
        resolved span (sigcheck.syntax.text.OffsetSpan) then works out without keeping."""
        return (self.line, self.column)


class _FixedSpan(Span):
    __slots__ = ("path", "line", "column", "end_line", "end_column")


class _Unknown:
    """The value of something that cannot be resolved statically. Never equal to a real value."""

    __slots__ = ()
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value: test `is UNKNOWN` first")

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


class Located(Generic[T_co]):
    """A value (or UNKNOWN) with the span it was written at.

    `origin` says where an evaluated value came from ("default of parameter 'region'"), for
    messages; `path` is the property path inside the resource body (stable across line shifts,
    used for fingerprints).
    """

    __slots__ = ("value", "span", "origin", "path")

    def __init__(self, value: T_co, span: Span, origin: str | None = None, path: str = "") -> None:
        self.value = value
        self.span = span
        self.origin = origin
        self.path = path

    @property
    def known(self) -> bool:
        return self.value is not UNKNOWN

    def __repr__(self) -> str:
        return f"Located({self.value!r} @ {self.span!r})"

    def described(self) -> str:
        """The value quoted for a message, with where it came from when it was evaluated."""
        text = f"'{self.value}'"
        return f"{text} ({self.origin})" if self.origin else text


def known(item: Located[T] | None) -> T | None:
    """The value of `item` when it is present and known, else None."""
    if item is None or item.value is UNKNOWN:
        return None
    return item.value
