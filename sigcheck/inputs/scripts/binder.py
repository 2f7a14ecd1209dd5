"""The one binder behind both tools' command tables (rules/cli_options.json).

Each tool's own grammar first decides which parameter a token binds to — argparse for `az`
(`az.py`), PowerShell's parameter binding for Az cmdlets (`azps.py`). From there on the two are
the same: the table says where each parameter goes in the REST body, which parameters name the
resource, what the tool sends when one is left out, and what the tool itself refuses (SIG003).
That shared half lives here, so a fact about a command is read one way whichever tool sent it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from sigcheck.model import resources as m
from sigcheck.model.diagnostics import usage_error
from sigcheck.model.findings import Finding, Severity
from sigcheck.model.from_body import build
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.syntax.placeholders import has_placeholder
from sigcheck.syntax.words import Body, obj, put, scalar


@dataclass
class CommandResult:
    """What one command line declares (at most one resource, or a REST call's) and what its
    tool refuses in it."""

    resources: list[m.Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Bound:
    """A parameter as the tool bound it: its table entry, where it was named, and its value
    (None when it was given without a value the tool could use)."""

    entry: dict[str, Any]
    key_span: Span
    value: Node | None


def scalar_text(node: Node | None) -> str | None:
    """The text a scalar argument stands for (booleans as the tools print them), else None."""
    if node is None or node.value is UNKNOWN or node.is_object or node.is_array:
        return None
    value = node.value
    if isinstance(value, bool):
        return str(value).lower()
    return None if value is None else str(value)


@dataclass
class Binding:
    """One command line bound to its table entry (`spec`), building the body it sends."""

    spec: dict[str, Any]
    command_span: Span
    whole: Span
    bound: dict[str, Bound] = field(default_factory=dict)
    problems: list[tuple[Span, str]] = field(default_factory=list)
    # What the tool warns about but still sends (a deprecated option name): SIG003 warnings.
    warnings: list[tuple[Span, str]] = field(default_factory=list)
    # Parameters may have been given that cannot be read (an unresolved splat `@params`): what the
    # body lacks is then not known to be absent, as for an update.
    opaque: bool = False
    body: Body = field(init=False)

    def __post_init__(self) -> None:
        self.body = Body(self.whole)

    def problem(self, span: Span, message: str) -> None:
        self.problems.append((span, message))

    @property
    def rejected(self) -> bool:
        """Whether the tool refuses the command (SIG003): it is never sent, so it creates no
        resource for the body rules to report on — one cause, one finding."""
        return bool(self.problems)

    def value(self, key: str) -> Node | None:
        found = self.bound.get(key)
        return found.value if found is not None else None

    def key_span(self, key: str) -> Span:
        return self.bound[key].key_span

    def fill_body(self, entries: list[dict[str, Any]], key: str,
                  absent: Callable[[dict[str, Any]], Node | None] | None = None) -> None:
        """Every bound parameter with a `body` path goes there; for one left out, `absent`
        may supply what the tool sends instead (its default), located at the command."""
        for entry in entries:
            target = entry.get("body")
            if not target:
                continue
            bound = self.bound.get(entry[key])
            if bound is None:
                default = absent(entry) if absent is not None else None
                if default is not None:
                    self.body.set(target, default)
                continue
            if bound.value is not None:
                self.body.set(target, bound.value, bound.key_span)

    def names(self) -> list[Located[Any]]:
        """The resource's names, from the parameters the table lists as its names."""
        out: list[Located[Any]] = []
        for key in self.spec["names"]:
            node = self.value(key)
            if node is None:
                out.append(Located(UNKNOWN, self.command_span, None, "name"))
                continue
            text = scalar_text(node)
            if text is not None and has_placeholder(text):
                text = None  # `<your-gallery>`, `{galleryName}`: a name still to be filled in
            out.append(Located(text if text is not None else UNKNOWN, node.span, node.origin, "name"))
        return out

    def resource(self, source_kind: str, path: str, context: m.DeploymentContext,
                 api_version: Located[Any] | None) -> m.Resource:
        """The model resource the command creates or updates."""
        common: dict[str, Any] = {
            "source_kind": source_kind, "path": path, "span": self.command_span, "names": self.names(),
            "api_version": api_version, "context": context,
        }
        if self.opaque:
            common["partial"] = True
        if self.spec.get("update"):
            # An update sends only what it changes: absent properties keep their values.
            common["partial"] = True
            if self.body.get("location") is None:
                common["location"] = Located(UNKNOWN, self.command_span, None, "location")
        kind: str = self.spec["resource"]
        return build(m.MODEL_BY_TYPE[kind.lower()], common, self.body.root)

    def findings(self, resource: m.Resource | None) -> list[Finding]:
        """What the tool itself refuses (SIG003), attributed to the resource when there is one."""
        name = resource.full_name if resource is not None else None
        found = [usage_error(span, message, self.spec["resource"], name) for span, message in self.problems]
        for span, message in self.warnings:
            warning = usage_error(span, message, self.spec["resource"], name)
            warning.severity = Severity.WARNING
            found.append(warning)
        return found


def default_security_feature(span: Span, defaults: dict[str, Any], origin: str, feature_origin: str | None = None) -> Node:
    """The SecurityType feature a tool adds to a V2 definition that states none (domain §3)."""
    feature = obj(span, feature_origin or origin)
    put(feature, "name", scalar("SecurityType", span, origin), span)
    put(feature, "value", scalar(defaults["securityType"], span, origin), span)
    return feature


def adds_default_security(generation: Node, defaults: dict[str, Any]) -> bool:
    """Whether the tool's default security type applies to a definition of this generation."""
    text = generation.value if isinstance(generation.value, str) else None
    return text is not None and text.upper() == "V2" and bool(defaults.get("securityType"))
