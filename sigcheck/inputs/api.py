"""What a loader is: it recognises an input kind and turns one file into model resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Protocol

from sigcheck.model.findings import Finding
from sigcheck.model.resources import DeploymentContext, Resource
from sigcheck.syntax.located import Span


@dataclass
class LoadOptions:
    context: DeploymentContext = field(default_factory=DeploymentContext)
    parameters_file: str | None = None


@dataclass
class SourceFile:
    path: str  # as shown to the user (relative to where sigcheck runs when possible)
    text: str


@dataclass
class LoadResult:
    resources: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Comments with their spans, for in-source suppressions: (Span, raw text with its marker).
    comments: list = field(default_factory=list)
    # False when the file turned out to hold no gallery resource: skipped silently.
    relevant: bool = True
    # Related locations of a resource, by id(): where it came from when it was declared elsewhere
    # (the `module` declaration a Bicep module's resources came through), outermost first.
    related: dict[int, list[tuple[Span, str]]] = field(default_factory=dict)
    # Defects of sigcheck met while loading (reported on stderr, exit 2), never the user's fault.
    internal_errors: list[str] = field(default_factory=list)


class Loader(Protocol):
    name: str
    # Lower runs first when several loaders could claim a file.
    priority: int

    def claims(self, path: str, text: str) -> bool:
        """Whether this file is this loader's kind, judged from its name and content."""

    def load(self, source: SourceFile, options: LoadOptions) -> LoadResult:
        """Read the file; never raise on bad input, report SIG001 findings instead."""


class LazyLoader:
    """A loader whose reading code is imported only when it first reads a file: recognition
    (`claims`) stays cheap for every file of a run. Subclasses name the module, which must
    define `load(source, options) -> LoadResult`."""

    name = ""
    priority = 60
    module = ""

    def claims(self, path: str, text: str) -> bool:
        raise NotImplementedError

    def load(self, source: SourceFile, options: LoadOptions) -> LoadResult:
        loaded: LoadResult = import_module(self.module).load(source, options)
        return loaded
