"""What checking one file leaves for the rest of the run: findings, suppressions and the compact
facts the cross-file rules need — never the model itself. It is what a worker process hands back
(`--jobs`) and what the content cache stores, so both paths merge the same things the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sigcheck.syntax.located import Span

if TYPE_CHECKING:
    from sigcheck.engine.suppress import Suppression
    from sigcheck.model.findings import Finding
    from sigcheck.model.resources import Resource

# A declaration's address as CheckContext.find compares it: lower-cased type and names.
Key = tuple[str, tuple[str, ...]]


class ResourceRef:
    """A resource as findings and suppressions name it, without its model."""

    __slots__ = ("type_name", "full_name", "path", "span")

    def __init__(self, type_name: str, full_name: str, path: str, span: Span) -> None:
        self.type_name = type_name
        self.full_name = full_name
        self.path = path
        self.span = span

    @classmethod
    def of(cls, res: Resource) -> ResourceRef:
        return cls(res.type_name, res.full_name, res.path, res.span)

    def __getstate__(self) -> tuple[str, str, str, Span]:
        return (self.type_name, self.full_name, self.path, self.span)

    def __setstate__(self, state: tuple[str, str, str, Span]) -> None:
        self.type_name, self.full_name, self.path, self.span = state


@dataclass
class FileOutcome:
    """One file checked on its own: its load and per-resource findings, its suppressions
    (collected, not yet applied: a cross-file finding may still land on it), the facts of each
    cross-file rule, and what it declares and looked up elsewhere (to tell when a per-resource
    rule's answer depends on another file)."""

    path: str
    relevant: bool = True
    findings: list[Finding] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)  # SIG006 of malformed suppressions
    owners: list[ResourceRef] = field(default_factory=list)  # resources with metadata suppressions
    notes: list[tuple[Span, str]] = field(default_factory=list)  # LoadResult.notes
    # LoadResult.related (the module a resource came through), keyed as a ResourceRef names it.
    related: dict[tuple[str, str, str, tuple[str, int, int]], list[tuple[Span, str]]] = field(default_factory=dict)
    # Problems met reading the configurations of the file's folders (the policy scope's).
    scope_problems: list[str] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    resources: int = 0
    facts: dict[str, list[Any]] = field(default_factory=dict)  # run rule id -> facts in resource order
    declares: set[Key] = field(default_factory=set)
    looks_up: set[Key] = field(default_factory=set)
    # A rule read every resource of the run from a per-file context: only a whole run is exact.
    needs_whole_run: bool = False
    # Read by a loader whose result depends on the file alone (Loader.cacheable).
    cacheable: bool = False
