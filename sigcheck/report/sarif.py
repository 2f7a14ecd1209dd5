"""SARIF 2.1.0, built with sarif-om and serialised through its schema property names.

sarif-om has no serializer of its own (tech notes): each attrs field carries the camelCase SARIF
name in its metadata, so the object tree is walked and renamed here.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from sigcheck import INFORMATION_URI, __version__
from sigcheck.model.findings import Finding, Severity
from sigcheck.engine.result import RunResult
from sigcheck.report.escape import clean_strings, path_uri, safe_text
from sigcheck.syntax.text import split_lines

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "sigcheck/v1"
AUTOMATION_ID = "sigcheck/"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}
# Values equal to their attrs default are dropped, except these, which readers should not guess.
_ALWAYS = {"level"}
# sarif-om names a suppression's field `state`; the SARIF 2.1.0 schema calls it `status`.
_RENAMES = {"state": "status"}


def to_sarif_dict(obj: Any) -> Any:
    import attr

    if attr.has(type(obj)):
        out = {}
        for field in attr.fields(type(obj)):
            value = getattr(obj, field.name)
            if value is None:
                continue
            if field.default is not attr.NOTHING and value == field.default and field.name not in _ALWAYS:
                continue
            name = field.metadata.get("schema_property_name", field.name)
            out[_RENAMES.get(name, name)] = to_sarif_dict(value)
        return out
    if isinstance(obj, dict):
        return {k: to_sarif_dict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_sarif_dict(v) for v in obj]
    return obj


def fingerprint(finding: Finding) -> str:
    """Rule + resource + property path: stable when lines move, distinct per problem."""
    if finding.resource_name is not None:
        key = f"{finding.rule_id}|{finding.resource_type}|{finding.resource_name}|{finding.property_path}"
    else:
        key = f"{finding.rule_id}|{finding.span.path}|{finding.property_path or finding.message}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprints(findings: list[Finding]) -> list[str]:
    """The `sigcheck/v1` partial fingerprint of each finding, in order. Findings that share a
    fingerprint are numbered (`…:2`) in report order, so a baseline counts them."""
    seen: dict[str, int] = {}
    out = []
    for finding in findings:
        print_ = fingerprint(finding)
        seen[print_] = seen.get(print_, 0) + 1
        out.append(print_ if seen[print_] == 1 else f"{print_}:{seen[print_]}")
    return out


def _descriptor(rule: Any, level: str) -> Any:
    """A rule's reportingDescriptor. A built-in rule's descriptions and help are derived from its
    docs page (the page `sigcheck rule ID` prints; see scripts/build_rule_help.py), so code
    scanning shows the same text; a plugin's rule has its summary and its own help URI."""
    import sarif_om as so

    from sigcheck.report.pages import rule_help

    meta = rule.meta
    texts = rule_help(meta.id) if meta.origin == "sigcheck" else None
    if texts is not None:
        full, help_text, help_markdown = texts["fullDescription"], texts["help"], texts["helpMarkdown"]
    else:
        full, help_markdown = meta.summary, None
        help_text = f"{meta.summary} See {meta.help_uri}" if meta.help_uri else meta.summary
    return so.ReportingDescriptor(
        id=meta.id,
        name=meta.name,
        short_description=so.MultiformatMessageString(text=meta.summary),
        full_description=so.MultiformatMessageString(text=full),
        help=so.MultiformatMessageString(text=help_text, markdown=help_markdown),
        help_uri=meta.help_uri or None,
        default_configuration=so.ReportingConfiguration(level=level),
    )


CONTEXT_LINES = 2  # lines shown above and below a result in its contextRegion


def _artifact(path: str, root: str | None = None) -> tuple[str, str | None]:
    """The artifact location: relative to %SRCROOT% (the repository root when the run is inside
    one, else the working directory), or an absolute file URI for a file outside it."""
    if root is not None:
        rel = os.path.relpath(os.path.realpath(path), root)
        if not (rel == ".." or rel.startswith(".." + os.sep)):
            return path_uri(rel.replace(os.sep, "/")), SRCROOT
    if os.path.isabs(path):
        return "file://" + path_uri(os.path.realpath(path).replace(os.sep, "/")), None
    if root is not None:
        return "file://" + path_uri(os.path.realpath(path).replace(os.sep, "/")), None
    return path_uri(path.replace(os.sep, "/")), SRCROOT


class _Sources:
    """The text of the reported files, for snippets: as the run read it, else from disk."""

    def __init__(self, texts: dict[str, str]) -> None:
        self._lines: dict[str, list[str] | None] = {p: split_lines(t) for p, t in texts.items()}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._lines:
            from sigcheck.syntax.text import DecodeError, decode

            try:
                with open(path, "rb") as handle:
                    self._lines[path] = split_lines(decode(handle.read()))
            except (OSError, DecodeError):
                self._lines[path] = None
        return self._lines[path]


def _regions(f: Finding, sources: _Sources) -> tuple[Any, Any]:
    """The result's region, with the text it covers as its snippet, and a contextRegion of the
    whole lines around it (so a viewer shows the code without the checkout)."""
    import sarif_om as so

    span = f.span
    end_column = max(span.end_column, span.column)
    lines = sources.lines(span.path)
    region = so.Region(start_line=span.line, start_column=span.column, end_line=span.end_line, end_column=end_column)
    if not lines or span.line > len(lines) or span.end_line < span.line:
        return region, None
    last = min(span.end_line, len(lines))
    if last == span.line:
        covered = lines[span.line - 1][span.column - 1:end_column - 1]
    else:
        covered = "\n".join([lines[span.line - 1][span.column - 1:], *lines[span.line:last - 1],
                             lines[last - 1][:end_column - 1]])
    region.snippet = so.ArtifactContent(text=covered)
    first, final = max(1, span.line - CONTEXT_LINES), min(len(lines), last + CONTEXT_LINES)
    context = so.Region(start_line=first, end_line=final,
                        snippet=so.ArtifactContent(text="\n".join(lines[first - 1:final]) + "\n"))
    return region, context


def build_log(result: RunResult) -> Any:
    import sarif_om as so

    rules = sorted(result.rules, key=lambda r: r.meta.id)
    index = {r.meta.id: i for i, r in enumerate(rules)}
    descriptors = [_descriptor(r, _LEVEL[r.meta.severity]) for r in rules]
    results = []
    where = result.extra.get("provenance")
    root = where.root if where is not None else None
    sources = _Sources(result.extra.get("sources", {}))
    for f, print_ in zip(result.findings, fingerprints(result.findings)):
        uri, base = _artifact(f.span.path, root)
        region, context = _regions(f, sources)
        location = so.Location(
            physical_location=so.PhysicalLocation(
                artifact_location=so.ArtifactLocation(uri=uri, uri_base_id=base),
                region=region,
                context_region=context,
            ),
            logical_locations=[
                so.LogicalLocation(name=f.resource_name, fully_qualified_name=f"{f.resource_type}/{f.resource_name}", kind="resource")
            ] if f.resource_name else None,
        )
        results.append(
            so.Result(
                rule_id=f.rule_id,
                rule_index=index.get(f.rule_id, -1),
                level=_LEVEL[f.severity],
                message=so.Message(text=safe_text(f.message)),
                locations=[location],
                related_locations=_related(f, root),
                partial_fingerprints={FINGERPRINT_KEY: print_},
                suppressions=[so.Suppression(kind="inSource", justification=f.suppression, state="accepted")]
                if f.suppression is not None else None,
            )
        )
    cwd = (root or os.getcwd()).replace(os.sep, "/").rstrip("/") + "/"
    run = so.Run(
        tool=so.Tool(driver=so.ToolComponent(
            name="sigcheck", version=__version__, semantic_version=__version__,
            information_uri=INFORMATION_URI, rules=descriptors,
        )),
        results=results,
        # One analysis per repository: code scanning matches runs of the same category.
        automation_details=so.RunAutomationDetails(id=AUTOMATION_ID),
        invocations=[_invocation(result)],
        column_kind="unicodeCodePoints",
        original_uri_base_ids={SRCROOT: so.ArtifactLocation(uri="file://" + path_uri(cwd if cwd.startswith("/") else "/" + cwd))},
        version_control_provenance=[_provenance(where)] if where is not None else None,
    )
    return so.SarifLog(version="2.1.0", schema_uri=SARIF_SCHEMA, runs=[run])


def _provenance(where: Any) -> Any:
    """The repository, commit and branch the run saw; %SRCROOT% is the repository's root."""
    import sarif_om as so

    return so.VersionControlDetails(
        repository_uri=where.repository_uri or "file://" + path_uri(where.root.replace(os.sep, "/").rstrip("/") + "/"),
        revision_id=where.revision,
        branch=where.branch,
        mapped_to=so.ArtifactLocation(uri_base_id=SRCROOT),
    )


def _related(finding: Finding, root: str | None = None) -> Any:
    """Places that explain a finding (Finding.extra["related"]: (span, text) pairs), such as
    the configuration line that set the policy it enforces."""
    import sarif_om as so

    related = finding.extra.get("related")
    if not isinstance(related, list) or not related:
        return None
    out = []
    for i, (span, text) in enumerate(related):
        uri, base = _artifact(span.path, root)
        out.append(so.Location(
            id=i,
            physical_location=so.PhysicalLocation(
                artifact_location=so.ArtifactLocation(uri=uri, uri_base_id=base),
                region=so.Region(start_line=span.line, start_column=span.column),
            ),
            message=so.Message(text=text),
        ))
    return out


def _invocation(result: RunResult) -> Any:
    """Whether the run went through, with sigcheck's own failures (a loader or rule that
    crashed, a missing path) as notifications rather than results."""
    import sarif_om as so

    problems = list(result.extra.get("internal_errors", ()))
    return so.Invocation(
        execution_successful=not problems,
        tool_execution_notifications=[
            so.Notification(level="error", message=so.Message(text=problem)) for problem in problems
        ] or None,
    )


class SarifFormatter:
    name = "sarif"

    def render(self, result: RunResult) -> str:
        if "provenance" not in result.extra:
            from sigcheck.engine.git import provenance

            # Inside a repository, paths are relative to its root and the run says which commit.
            result.extra["provenance"] = provenance(".")
        return json.dumps(clean_strings(to_sarif_dict(build_log(result))), indent=2) + "\n"
