"""In-source suppressions (SPEC §6), applied by the engine after the rules ran.

Two forms, both with a reason:

- a comment `sigcheck-disable-line SIG201 -- reason` (the comment's own line) or
  `sigcheck-disable-next-line SIG201, SIG202 -- reason` (the line after the comment), in whatever
  comment syntax the loader read: `//` and `/* */` in JSON with comments, `#` in scripts and
  `.http` files. Loaders hand the comments over as `LoadResult.comments`: (span, raw text with
  its marker) pairs.
- an ARM resource's `metadata.sigcheck.ignore`: a list of `{"id": "SIG201", "reason": "…"}`
  that suppresses the rule's findings on that resource.

A suppressed finding stays in the run with `Finding.suppression` set to the reason (SARIF shows it
as suppressed; the exit code ignores it). A suppression that cannot be honoured (no reason, no or
unknown rule id, a misspelt directive) is SIG006 and suppresses nothing; one that matched no
finding of an active rule is SIG007.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Collection, Iterable, Sequence

from sigcheck.model.diagnostics import INVALID_SUPPRESSION, UNUSED_SUPPRESSION
from sigcheck.model.findings import Finding
from sigcheck.syntax.jsonc import Deferred
from sigcheck.syntax.located import Span
from sigcheck.model.resources import Resource
from sigcheck.engine.outcome import ResourceRef

# Any case: `SIGCHECK-DISABLE-LINE` is what the writer meant, and ignoring it silently would hide
# the finding's return the day the comment is reformatted.
_DIRECTIVE = re.compile(r"(?<![\w-])sigcheck-disable(?P<kind>[\w-]*)(?P<rest>.*)", re.DOTALL | re.IGNORECASE)
_RULE_ID = re.compile(r"[A-Za-z]+[0-9]+")
_OPENERS = ("//", "/*", "<#", "<!--", "#")
_CLOSERS = ("*/", "#>", "-->")
_KINDS = {"-line": 0, "-next-line": 1}  # the line offset from the comment


@dataclass
class Suppression:
    ids: tuple[str, ...]
    reason: str
    span: Span  # where it is written
    line: int | None = None  # the line a comment applies to
    resource: ResourceRef | None = None  # the resource a metadata entry applies to
    used: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str, int, int]:
        # Resources declared in a copy loop share one written entry: judge it once.
        return (self.span.path, self.span.line, self.span.column)


def _comment_body(text: str) -> str:
    body = text.strip()
    for opener in _OPENERS:
        if body.startswith(opener):
            body = body[len(opener):]
            break
    for closer in _CLOSERS:
        if body.rstrip().endswith(closer):
            body = body.rstrip()[: -len(closer)]
            break
    return body


def _invalid(span: Span, message: str, resource: Resource | ResourceRef | None = None) -> Finding:
    meta = INVALID_SUPPRESSION
    return Finding(
        meta.id, meta.severity, message, span,
        resource_type=resource.type_name if resource is not None else None,
        resource_name=resource.full_name if resource is not None else None,
    )


def parse_comment(span: Span, text: str, known: Collection[str]) -> Suppression | Finding | None:
    """The suppression a comment holds, a SIG006 finding when it is malformed, or None."""
    found = _DIRECTIVE.search(_comment_body(text))
    if found is None:
        return None
    kind = found.group("kind").lower()
    if kind not in _KINDS:
        return _invalid(span, f"unknown directive 'sigcheck-disable{kind}': use sigcheck-disable-line or "
                              "sigcheck-disable-next-line")
    ids_text, dashes, reason = found.group("rest").partition("--")
    tokens = [t for t in re.split(r"[,\s]+", ids_text) if t]
    if not tokens:
        return _invalid(span, f"sigcheck-disable{kind} names no rule: write 'sigcheck-disable{kind} SIG201 -- reason'")
    for token in tokens:
        if not _RULE_ID.fullmatch(token):
            return _invalid(span, f"'{token}' in sigcheck-disable{kind} is not a rule id")
        if token.upper() not in known:
            return _invalid(span, f"sigcheck-disable{kind} names no rule '{token}' (see 'sigcheck rules')")
    ids = tuple(t.upper() for t in tokens)
    reason = " ".join(reason.split())
    if not dashes or not reason:
        return _invalid(span, f"suppression of {', '.join(ids)} gives no reason (add '-- why' after the rule "
                              "ids); it is not applied")
    line = (span.line if kind == "-line" else span.end_line + 1)
    return Suppression(ids, reason, span, line=line)


def metadata_suppressions(resource: Resource, known: Collection[str]) -> list[Suppression | Finding]:
    """The `metadata.sigcheck.ignore` entries of an ARM resource (and SIG006 for bad ones)."""
    body = resource.body
    if isinstance(body, Deferred) and not any(name.lower() == "metadata" for name in body.names()):
        return []  # a large template's resource, not read again into nodes for nothing
    metadata = body.get_ci("metadata") if body is not None else None
    own = metadata.get_ci("sigcheck") if metadata is not None else None
    if own is None:
        return []
    ignore = own.get_ci("ignore")
    if ignore is None or not ignore.is_array:
        where = ignore.span if ignore is not None else own.span
        return [_invalid(where, 'metadata.sigcheck.ignore must be a list of {"id": "SIG201", "reason": "why"}', resource)]
    out: list[Suppression | Finding] = []
    ref: ResourceRef | None = None
    for i, entry in enumerate(ignore.value):
        label = f"metadata.sigcheck.ignore[{i}]"
        if not entry.is_object:
            out.append(_invalid(entry.span, f'{label} must be an object {{"id": "SIG201", "reason": "why"}}', resource))
            continue
        rule_node, reason_node = entry.get_ci("id"), entry.get_ci("reason")
        rule_id = rule_node.value if rule_node is not None else None
        if not isinstance(rule_id, str) or not rule_id.strip():
            out.append(_invalid(entry.span, f"{label} has no rule id", resource))
            continue
        if rule_id.strip().upper() not in known:
            out.append(_invalid(rule_node.span, f"{label} names no rule '{rule_id}' (see 'sigcheck rules')", resource))
            continue
        reason = reason_node.value if reason_node is not None else None
        if not isinstance(reason, str) or not reason.strip():
            out.append(_invalid(entry.span, f"{label} ({rule_id.strip().upper()}) gives no reason; it is not applied", resource))
            continue
        ref = ref or ResourceRef.of(resource)  # one per resource: suppressions are matched by it
        out.append(Suppression((rule_id.strip().upper(),), " ".join(reason.split()), rule_node.span, resource=ref))
    return out


def _contains(outer: Span, inner: Span) -> bool:
    return outer.path == inner.path and (outer.line, outer.column) <= (inner.line, inner.column) <= (
        outer.end_line, outer.end_column)


def _owner(finding: Finding, resources: Sequence[ResourceRef]) -> ResourceRef | None:
    """The resource a finding is about: named by the finding, else the innermost declaration
    around it (a duplicate key inside a resource's body)."""
    if finding.resource_name is not None:
        for res in resources:
            if res.type_name == finding.resource_type and res.full_name == finding.resource_name and res.path == finding.span.path:
                return res
        return None
    around = [r for r in resources if _contains(r.span, finding.span)]
    return max(around, key=lambda r: (r.span.line, r.span.column)) if around else None


def apply(
    findings: list[Finding],
    comments: Iterable[tuple[Span, str]],
    resources: Sequence[Resource],
    known: Collection[str],
    active: Callable[[str, str], bool],
) -> list[Finding]:
    """Mark suppressed findings; return them with SIG006/SIG007 findings for the suppressions.
    `active(rule_id, path)` says whether that rule reports in that file (enabled, not ignored)."""
    return mark(findings, *collect(comments, resources, known), active)


def collect(
    comments: Iterable[tuple[Span, str]], resources: Sequence[Resource], known: Collection[str]
) -> tuple[list[Suppression], list[Finding], list[ResourceRef]]:
    """The suppressions written in one file (comments, resource metadata), SIG006 findings for
    malformed ones, and the resources whose metadata holds any entry (a finding's owner is looked
    for among them); none needs the model once collected, so a worker can hand them back."""
    suppressions: list[Suppression] = []
    problems: list[Finding] = []
    for span, text in comments:
        if "sigcheck-disable" not in text.lower():
            continue
        parsed = parse_comment(span, text, known)
        if isinstance(parsed, Suppression):
            suppressions.append(parsed)
        elif parsed is not None:
            problems.append(parsed)
    owners: list[ResourceRef] = []
    for res in resources:
        entries = metadata_suppressions(res, known)
        if isinstance(res.body, Deferred):
            res.body.release()
        if entries:
            refs = [e.resource for e in entries if isinstance(e, Suppression) and e.resource is not None]
            owners.append(refs[0] if refs else ResourceRef.of(res))
        for entry in entries:
            (suppressions if isinstance(entry, Suppression) else problems).append(entry)  # type: ignore[arg-type]
    return suppressions, problems, owners


def mark(
    findings: list[Finding],
    suppressions: Sequence[Suppression],
    problems: list[Finding],
    with_metadata: Sequence[ResourceRef],
    active: Callable[[str, str], bool],
) -> list[Finding]:
    """Apply collected suppressions to the run's findings (see `apply`)."""
    if not suppressions and not problems:
        return findings
    problems = list(problems)
    by_line: dict[tuple[str, int], list[Suppression]] = {}
    by_resource: dict[int, list[Suppression]] = {}
    for s in suppressions:
        if s.resource is not None:
            by_resource.setdefault(id(s.resource), []).append(s)
        else:
            by_line.setdefault((s.span.path, s.line or 0), []).append(s)
    for finding in findings:
        matching = [s for s in by_line.get((finding.span.path, finding.span.line), ()) if finding.rule_id in s.ids]
        if by_resource:
            owner = _owner(finding, with_metadata)
            if owner is not None:
                matching += [s for s in by_resource.get(id(owner), ()) if finding.rule_id in s.ids]
        for s in matching:
            s.used.add(finding.rule_id)
        if matching and finding.suppression is None:
            finding.suppression = matching[0].reason

    used: dict[tuple[str, int, int], set[str]] = {}
    for s in suppressions:
        used.setdefault(s.key, set()).update(s.used)
    seen: set[tuple[tuple[str, int, int], str]] = set()
    for s in suppressions:
        for rule_id in s.ids:
            if (s.key, rule_id) in seen or rule_id in used[s.key] or not active(rule_id, s.span.path):
                continue
            seen.add((s.key, rule_id))
            if s.resource is not None:
                message = f"metadata.sigcheck.ignore of {rule_id} is unused: {rule_id} reports nothing on this resource"
            else:
                message = f"suppression of {rule_id} is unused: {rule_id} reports nothing on the line it applies to"
            meta = UNUSED_SUPPRESSION
            problems.append(Finding(
                meta.id, meta.severity, message, s.span,
                resource_type=s.resource.type_name if s.resource is not None else None,
                resource_name=s.resource.full_name if s.resource is not None else None,
            ))
    unique: dict[tuple[str, str, int, int, str], Finding] = {}
    for p in problems:
        unique.setdefault((p.rule_id, p.span.path, p.span.line, p.span.column, p.message), p)
    return findings + [p for p in unique.values() if active(p.rule_id, p.span.path)]
