"""Az.Compute cmdlet calls (`New-AzGallery`, `New-AzGalleryImageDefinition`,
`New-AzGalleryImageVersion`, `Update-AzGalleryImageVersion`, `New-AzGalleryApplication[Version]`)
and `Invoke-AzRestMethod` to model resources.

Parameters bind as PowerShell binds them: by name (case-insensitive, aliases, unambiguous
prefixes), `-Name:value`, splatted hashtables and by position (table: rules/cli_options.json).
What PowerShell itself would refuse is reported as SIG003. The body each cmdlet sends is
synthesised from the evaluated arguments; hashtable entries keep the spans they were written at.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from sigcheck.model import facts
from sigcheck.model.findings import Finding, Severity
from sigcheck.model import diagnostics
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Span
from sigcheck.model import resources as m
from sigcheck.inputs.rest.normalize import build_resource, parse_url, script_body
from sigcheck.inputs.scripts.binder import CommandResult, Binding, Bound, adds_default_security, default_security_feature, scalar_text
from sigcheck.syntax.words import Body, arr, obj, put, scalar

REST_CMDLET = "Invoke-AzRestMethod"
# An entry of the parameter tables (rules/cli_options.json): JSON as written there.
Spec = dict[str, Any]


@dataclass
class Element:
    kind: str  # "param" | "arg" | "splat"
    value: Any  # the parameter name, or the evaluated argument / splatted hashtable
    span: Span
    forced: Node | None = None  # the value of `-Param:value`
    ast: Any = None  # the syntax node of an argument


@cache
def _table() -> Spec:
    return facts.section("cli_options", "powershell")


@cache
def _canonical() -> dict[str, str]:
    names = {name.lower(): name for name in _table()["cmdlets"]}
    names[REST_CMDLET.lower()] = REST_CMDLET
    return names


def cmdlet_name(name: str) -> str | None:
    """The Az cmdlet a command name stands for; a retired AzureRM name (`New-AzureRmGallery`)
    stands for its Az equivalent, whose parameters it shares (see `retired_module`)."""
    found = _canonical().get(name.lower())
    if found is None and retired_module(name) is not None:
        verb, _, noun = name.partition("-")
        found = _canonical().get(f"{verb}-az{noun[len('azurerm'):]}".lower())
    return found


def retired_module(name: str) -> dict[str, str] | None:
    """The retired module a cmdlet name belongs to (AzureRM), from rules/cli_options.json."""
    noun = name.partition("-")[2].lower()
    for prefix, info in _table().get("retired_prefixes", {}).items():
        if noun.startswith(prefix.lower()):
            return dict(info)
    return None


def retired_warning(name: str, cmdlet: str, span: Span) -> Finding | None:
    """SIG003 at warning severity for an AzureRM cmdlet: read as its Az equivalent, but retired."""
    info = retired_module(name)
    if info is None:
        return None
    finding = diagnostics.usage_error(
        span, f"{name} is an {info['module']} cmdlet; {info['module']} was retired on {info['retired']} and is no longer "
              f"maintained; it is read here with the parameters of {cmdlet} ({info['replacement']} module), which replaces it")
    finding.severity = Severity.WARNING
    return finding


@cache
def _defaults() -> Spec:
    return facts.section("api_versions", "default_image_definition_security_by_tool", "powershell")


# The table's type names as PowerShell prints them in binding errors.
_DOTNET_TYPES = {"string": "System.String", "string[]": "System.String[]", "int": "System.Int32", "bool": "System.Boolean",
                 "datetime": "System.DateTime", "hashtable": "System.Collections.Hashtable",
                 "hashtable[]": "System.Collections.Hashtable[]"}


def _sibling_hint(cmdlet: str, name: str) -> str:
    """` (-X is a parameter of New-Az…, not of Update-Az…)` when a cmdlet of the same noun has it."""
    noun = cmdlet.partition("-")[2].lower()
    lowered = name.lower()
    for other, spec in _table()["cmdlets"].items():
        if other != cmdlet and other.partition("-")[2].lower() == noun:
            for param in spec["parameters"]:
                if param["name"].lower() == lowered or lowered in (a.lower() for a in param.get("aliases", [])):
                    return f" (-{param['name']} is a parameter of {other}, not of {cmdlet})"
    return ""


def _resolve(name: str, params: list[Spec], cmdlet: str | None = None) -> tuple[Spec | None, str | None]:
    """The parameter `-name` binds to (exact name or alias, else unambiguous prefix)."""
    lowered = name.lower()
    for param in params:
        if param["name"].lower() == lowered or lowered in (a.lower() for a in param.get("aliases", [])):
            return param, None
    matches = [p for p in params if p["name"].lower().startswith(lowered)
               or any(a.lower().startswith(lowered) for a in p.get("aliases", []))]
    if len(matches) == 1:
        return matches[0], None
    if len(matches) > 1:
        # PowerShell's own wording: the candidates with their dash, separated by spaces.
        shown = " ".join(f"-{name}" for name in sorted(p["name"] for p in matches))
        return None, f"Parameter cannot be processed because the parameter name '{name}' is ambiguous. Possible matches include: {shown}."
    close = difflib.get_close_matches(name, [p["name"] for p in params if not p.get("hidden")], n=1)
    hint = _sibling_hint(cmdlet, name) if cmdlet is not None else ""
    if not hint:
        hint = f" (did you mean -{close[0]}?)" if close else ""
    return None, f"A parameter cannot be found that matches parameter name '{name}'{hint}."


class _PowerShellBinder:
    """PowerShell's parameter binding (names, aliases, prefixes, `-Name:value`, splatting,
    positions, type conversion) into the shared `Binding` of the cmdlet's table entry."""

    def __init__(self, cmdlet: str, spec: dict[str, Any], items: list[Element], name_span: Span, whole: Span) -> None:
        self.cmdlet = cmdlet
        self.spec = spec
        # AutoRest-generated cmdlets have their own common set (other DefaultProfile aliases, hidden
        # runtime parameters that still bind and so take part in prefix matching).
        common = "autorest_common_parameters" if spec.get("common_parameters") == "autorest" else "common_parameters"
        self.params = spec["parameters"] + _table()[common]
        self.binding = Binding(spec, name_span, whole)
        self.bound = self.binding.bound
        self.problems = self.binding.problems
        self.unknown_splat = False
        self.name_span = name_span
        self._bind(items)

    def _set(self, param: dict[str, Any], span: Span, value: Node) -> None:
        name = param["name"]
        if name in self.bound:
            self.problems.append((span, f"Cannot bind parameter because parameter '{name}' is specified more than once."))
            return
        self.bound[name] = Bound(param, span, self._coerce(param, value))

    def _coerce(self, param: dict[str, Any], value: Node) -> Node:
        kind = param.get("type", "string")
        if value.value is UNKNOWN:
            return value
        if kind == "int" and not (value.is_object or value.is_array):
            raw = value.value
            if isinstance(raw, bool) or raw is None:
                number = None
            elif isinstance(raw, float) and not math.isfinite(raw):
                number = None  # infinity or NaN: PowerShell cannot make an Int32 of it either
            elif isinstance(raw, (int, float)):
                number = int(raw)
            else:
                try:
                    number = int(str(raw).strip())
                except ValueError:
                    number = None
            return self._converted(param, value, number, raw, "System.Int32")
        if kind == "datetime" and not (value.is_object or value.is_array):
            text = scalar_text(value)
            if text is None:
                return value
            # The cmdlet sends the DateTime it bound, in ISO 8601, whatever the string looked like.
            return self._converted(param, value, _powershell_date(text), text, "System.DateTime")
        if kind == "string" and not (value.is_object or value.is_array):
            text = scalar_text(value)
            choices = param.get("choices")
            if text is not None and choices and text.lower() not in {c.lower() for c in choices}:
                self.problems.append((value.span, f"Cannot bind parameter '{param['name']}': '{text}' is not one of {', '.join(choices)}."))
            return Node(text, value.span, None, value.origin) if text is not None else value
        if kind == "bool" and not (value.is_object or value.is_array):
            raw = value.value
            if isinstance(raw, bool):
                return value
            if isinstance(raw, (int, float)):
                return Node(raw != 0, value.span, None, value.origin)
            # PowerShell converts no string to [bool] for a parameter: only $true/$false and numbers.
            self.problems.append((value.span, f"Cannot process argument transformation on parameter '{param['name']}'. Cannot convert value "
                                              f"\"System.String\" to type \"System.Boolean\". Boolean parameters accept only Boolean values and numbers, "
                                              f"such as $True, $False, 1 or 0."))
            return Node(UNKNOWN, value.span, None, value.origin)
        if kind == "hashtable[]" and value.is_object:
            return Node([value], value.span)
        return value

    def _converted(self, param: dict[str, Any], value: Node, converted: Any, written: Any, type_name: str) -> Node:
        """`value` converted to the parameter's type, or (`converted` None) UNKNOWN and the
        binding error PowerShell gives."""
        if converted is None:
            self.problems.append((value.span, f"Cannot bind parameter '{param['name']}'. Cannot convert value '{written}' to type '{type_name}'."))
            converted = UNKNOWN
        return Node(converted, value.span, None, value.origin)

    def _bind(self, items: list[Element]) -> None:
        positional: list[Element] = []
        i = 0
        while i < len(items):
            item = items[i]
            i += 1
            if item.kind == "splat":
                node = item.value
                if not node.is_object:
                    self.unknown_splat = True
                    continue
                for key, value in node.items():
                    param, problem = _resolve(key, self.params, self.cmdlet)
                    key_span = node.key_spans[key]
                    if param is None:
                        self.problems.append((key_span, problem or ""))
                        continue
                    self._set(param, key_span, value)
                continue
            if item.kind == "arg":
                positional.append(item)
                continue
            param, problem = _resolve(item.value, self.params, self.cmdlet)
            if param is None:
                self.problems.append((item.span, problem or ""))
                if item.forced is None and i < len(items) and items[i].kind == "arg":
                    i += 1  # its value
                continue
            if item.forced is not None:
                self._set(param, item.span, item.forced)
            elif param.get("type") == "switch":
                self._set(param, item.span, Node(True, item.span))
            elif i < len(items) and items[i].kind == "arg":
                self._set(param, item.span, items[i].value)
                i += 1
            else:
                kind = param.get("type", "string")
                shown = _DOTNET_TYPES.get(kind, kind)
                self.problems.append((item.span, f"Missing an argument for parameter '{param['name']}'. Specify a parameter of type '{shown}' and try again."))
        slots = sorted((p for p in self.spec["parameters"] if "position" in p), key=lambda p: p["position"])
        free = [p for p in slots if p["name"] not in self.bound]
        for item in positional:
            if free:
                self._set(free.pop(0), item.span, item.value)
                continue
            shown = scalar_text(item.value)
            self.problems.append((item.span, f"A positional parameter cannot be found that accepts argument '{shown if shown is not None else '…'}'."))

    def check_required(self, piped: bool) -> None:
        if piped or self.unknown_splat:
            return
        if any(alt in self.bound for alt in self.spec.get("alternatives", [])):
            return
        missing = [p["name"] for p in self.spec["parameters"] if p.get("required") and p["name"] not in self.bound]
        if missing:
            self.problems.append((self.name_span, f"{self.cmdlet}: missing mandatory parameters: {', '.join(missing)}."))

    def value(self, name: str) -> Node | None:
        return self.binding.value(name)

    def key_span(self, name: str) -> Span:
        return self.binding.key_span(name)


# hashtable keys (compared case-insensitively) to REST body keys; others become lowerCamel.
_RENAMES = {
    "replicacount": "regionalReplicaCount",
    "osdiskimage": "osDiskImage",
    "datadiskimages": "dataDiskImages",
    "sizeingb": "sizeInGB",
    "cvmencryptiontype": "securityProfile.confidentialVMEncryptionType",
    "cvmdiskencryptionsetid": "securityProfile.secureVMDiskEncryptionSetId",
}
_EXTENDED_RENAMES = {"location": "name", "replicacount": "extendedLocationReplicaCount"}


def _camel(key: str) -> str:
    return key[:1].lower() + key[1:]


def to_body(node: Node, top: dict[str, str] | None = None) -> Node:
    """A PowerShell hashtable (nested) as the REST body object it stands for."""
    if node.is_array:
        return Node([to_body(item) for item in node.value], node.span)
    if not node.is_object:
        return node
    out = Node({}, node.span, {})
    key_spans = node.key_spans or {}
    for key, value in node.items():
        lowered = key.lower()
        target = (top or {}).get(lowered) or _RENAMES.get(lowered) or _camel(key)
        parts = target.split(".")
        parent = out
        for part in parts[:-1]:
            found = parent.value.get(part)
            if found is None or not found.is_object:
                found = Node({}, value.span, {})
                put(parent, part, found, key_spans[key])
            parent = found
        put(parent, parts[-1], to_body(value), key_spans[key])
    return out


def normalize_cmdlet(
    cmdlet: str, items: list[Element], name_span: Span, whole: Span, path: str, context: m.DeploymentContext,
    piped: bool, evaluator: Any,
) -> CommandResult:
    result = CommandResult()
    if cmdlet == REST_CMDLET:
        _rest(items, whole, path, context, evaluator, result)
        return result
    spec = _table()["cmdlets"][cmdlet]
    binder = _PowerShellBinder(cmdlet, spec, items, name_span, whole)
    binder.check_required(piped)
    binding = binder.binding
    if spec.get("validate_only"):
        # Update-AzGallery, Update-AzGalleryImageDefinition: read for what PowerShell refuses; the
        # change they make is not modelled, so they declare no resource for the body rules.
        result.findings.extend(binding.findings(None))
        return result
    binding.opaque = binder.unknown_splat
    binding.fill_body(spec["parameters"], "name")
    kind = spec["resource"]
    if kind == m.IMAGE_DEFINITION:
        _image_definition(binder, binding.body, name_span)
    elif kind in (m.IMAGE_VERSION, m.APPLICATION_VERSION):
        _version(binder, binding.body)
    # domain.md records no API version for Az.Compute (rules/api_versions.json)
    resource = binding.resource("powershell", path, context, None)
    result.findings.extend(binding.findings(resource))
    if not binding.rejected:
        result.resources.append(resource)
    return result


def _image_definition(binding: _PowerShellBinder, body: Body, name_span: Span) -> None:
    defaults = _defaults()
    origin = "Az.Compute 12 default"
    gen = body.get("properties.hyperVGeneration")
    if gen is None:
        gen = body.set("properties.hyperVGeneration",
                       scalar(defaults["hyperVGeneration"], name_span, f"{origin}: -HyperVGeneration not given"), name_span)
    features_node = binding.value("Feature")
    features: list[Node] = []
    security_given = False
    unknown = False
    if features_node is not None:
        listed = features_node.value if features_node.is_array else [features_node]
        if features_node.value is UNKNOWN:
            unknown = True
            listed = []
        for item in listed:
            if not item.is_object:
                unknown = True
                continue
            name = item.get_ci("Name")
            value = item.get_ci("Value")
            feature = obj(item.span)
            if name is not None:
                put(feature, "name", name, _key_span(item, "Name"))
                if isinstance(name.value, str) and name.value.lower() == "securitytype":
                    security_given = True
                elif name.value is UNKNOWN:
                    unknown = True
            if value is not None:
                put(feature, "value", value, _key_span(item, "Value"))
            features.append(feature)
    if not unknown and not security_given and adds_default_security(gen, defaults):
        features.append(default_security_feature(name_span, defaults, f"{origin}: SecurityType added for a V2 definition without one"))
    if features_node is not None and features_node.value is UNKNOWN:
        # The whole -Feature value is unresolved: carried as such, so that rules see features
        # that cannot be read rather than none at all.
        body.set("properties.features", features_node, binding.key_span("Feature"))
    elif features:
        span = features_node.span if features_node is not None else name_span
        body.set("properties.features", arr(span, features), binding.key_span("Feature") if features_node is not None else name_span)


def _key_span(node: Node, key: str) -> Span:
    for name, span in (node.key_spans or {}).items():
        if name.lower() == key.lower():
            return span
    return node.span


_VERSION_PATHS = {
    "TargetRegion": "properties.publishingProfile.targetRegions",
    "TargetExtendedLocation": "properties.publishingProfile.targetExtendedLocations",
    "OSDiskImage": "properties.storageProfile.osDiskImage",
    "DataDiskImage": "properties.storageProfile.dataDiskImages",
}


def _version(binding: _PowerShellBinder, body: Body) -> None:
    for parameter, path in _VERSION_PATHS.items():
        given = binding.value(parameter)
        if given is not None and given.value is UNKNOWN:
            # An unset `$variable`: unknown here as for every other parameter, never "absent".
            body.set(path, given, binding.key_span(parameter))
    regions = binding.value("TargetRegion")
    if regions is not None:
        listed = regions.value if regions.is_array else [regions]
        if regions.value is not UNKNOWN:
            converted = []
            for item in listed:
                if item.is_object:
                    converted.append(to_body(item))
                else:
                    converted.append(Node(UNKNOWN, item.span, None, item.origin))
            body.set("properties.publishingProfile.targetRegions", arr(regions.span, converted), binding.key_span("TargetRegion"))
    extended = binding.value("TargetExtendedLocation")
    if extended is not None and extended.is_array:
        body.set("properties.publishingProfile.targetExtendedLocations",
                 arr(extended.span, [to_body(i, _EXTENDED_RENAMES) for i in extended.value if i.is_object]),
                 binding.key_span("TargetExtendedLocation"))
    os_disk = binding.value("OSDiskImage")
    if os_disk is not None and os_disk.is_object:
        body.set("properties.storageProfile.osDiskImage", to_body(os_disk), binding.key_span("OSDiskImage"))
    data = binding.value("DataDiskImage")
    if data is not None and data.is_array:
        body.set("properties.storageProfile.dataDiskImages",
                 arr(data.span, [to_body(i) for i in data.value if i.is_object]), binding.key_span("DataDiskImage"))


def _rest(items: list[Element], whole: Span, path: str, context: m.DeploymentContext, ev: Any, result: CommandResult) -> None:
    """`Invoke-AzRestMethod -Path …/galleries/…?api-version=… -Method PUT -Payload …`."""
    named: dict[str, Element] = {}
    i = 0
    while i < len(items):
        item = items[i]
        i += 1
        if item.kind != "param":
            continue
        if item.forced is not None:
            named[item.value.lower()] = Element("arg", item.forced, item.forced.span)
        elif i < len(items) and items[i].kind == "arg":
            named[item.value.lower()] = items[i]
            i += 1
    method = named.get("method")
    where = named.get("path") or named.get("uri")
    verb = scalar_text(method.value) if method is not None else None
    if verb is None or where is None or verb.upper() not in ("PUT", "PATCH"):
        return
    if where.ast is None:
        return
    target = parse_url(ev.word(_literal(ev, where.ast)))
    if target is None:
        return
    body = None
    payload = named.get("payload")
    if payload is not None and payload.ast is not None:
        inner = ev.unwrap(payload.ast)
        variable = ev.lookup(inner) if inner.type == "variable" else None
        if variable is not None and variable.json:
            body = variable.node if variable.node.is_object else None
        else:
            word = ev.word(_literal(ev, inner))
            body, readable = script_body(word, "the -Payload of Invoke-AzRestMethod", result.findings)
            if not readable:
                return
    # The payload is sent as written: a request like those of a `.http` file, not a body the cmdlets build.
    result.resources.append(build_resource(target.type_name, target.names, target.api_version, body, path, where.span, context,
                                           "rest", partial=verb.upper() == "PATCH"))


def _literal(ev: Any, node: Any) -> Any:
    """The string literal a `$variable` argument was assigned (so that positions point at the
    text that was written), or the argument itself."""
    inner = ev.unwrap(node)
    if inner.type == "variable":
        variable = ev.lookup(inner)
        if variable is not None and variable.ast is not None and variable.ast.type in (
                "string_literal", "expandable_string_literal", "verbatim_string_characters",
                "expandable_here_string_literal", "verbatim_here_string_characters"):
            return variable.ast
    return inner


_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%Y-%m-%d %H:%M:%S")


def _powershell_date(text: str) -> str | None:
    """A string as a [DateTime] parameter binds it (invariant culture: ISO 8601, or month/day/year),
    written back as ISO 8601; None when PowerShell could not convert it."""
    import datetime as _dt

    stripped = text.strip()
    try:
        return _dt.datetime.fromisoformat(stripped.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            return _dt.datetime.strptime(stripped, pattern).isoformat()
        except ValueError:
            continue
    return None

