"""What a loader is: it recognises an input kind and turns one file into model resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from typing import Protocol

from sigcheck.model import diagnostics
from sigcheck.model.findings import Finding
from sigcheck.syntax.budget import Budget
from sigcheck.syntax.located import Span
from sigcheck.model.resources import DeploymentContext, Resource
from sigcheck.syntax.jsonc import JsonDocument, JsonSyntaxError, parse


@dataclass
class LoadOptions:
    context: DeploymentContext = field(default_factory=DeploymentContext)
    parameters_file: str | None = None
    # One per file: every evaluator reading the file draws on it (sigcheck.syntax.budget).
    budget: Budget = field(default_factory=Budget)
    # Terraform `-var-file`s, in the order given (after the directory's own tfvars files).
    var_files: list[str] = field(default_factory=list)


@dataclass
class SourceFile:
    path: str  # as shown to the user (relative to where sigcheck runs when possible)
    text: str
    # The line of the file `text` starts at: 1, except for a part of a file read on its own
    # (a Markdown code block), whose positions are still those of the file.
    first_line: int = 1


@dataclass
class LoadResult:
    resources: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # Comments with their spans, for in-source suppressions: (Span, raw text with its marker).
    comments: list[tuple[Span, str]] = field(default_factory=list)
    # Words appended to the message of every finding at a span: (span, note). A loader that
    # knows its tool would also reject a value there says so ("terraform plan would also stop this").
    notes: list[tuple[Span, str]] = field(default_factory=list)
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


def parse_json(source: SourceFile) -> JsonDocument | LoadResult:
    """The file as located JSON (comments allowed), or, when it is not JSON, the result that says
    so: one SIG001 at the fault. A broken file may hide gallery resources, and ARM would refuse
    it anyway, so the fault is reported rather than the file skipped."""
    try:
        return parse(source.text, source.path, source.first_line)
    except JsonSyntaxError as exc:
        return LoadResult(findings=[diagnostics.parse_error(exc.span, f"invalid JSON: {exc.message}")])


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
