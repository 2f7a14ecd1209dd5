"""SIG308, SIG601–SIG603: a resource body against the ARM schema of its declared API version.

The schemas under rules/api/schemas are draft-04-derived and never close an object with
`additionalProperties: false`, so unknown properties are found here by comparing each object
with the `properties` its schema lists; jsonschema checks what the schemas do say (required
properties, enums, types). Property names are matched ignoring case, as ARM matches them.
Unresolved values are never judged: they are carried into the instance as an opaque marker
and every error about one is dropped.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Iterator

from sigcheck.model import facts
from sigcheck.engine.rules import AnyRule, CheckContext, Hit, rule
from sigcheck.checks.api_versions import TEMPLATE_KEYS
from sigcheck.checks.values import GALLERY_RESOURCES, KIND_WORDS, TEMPLATE_KINDS, authored
from sigcheck.model.from_body import key_of
from sigcheck.model.findings import Severity
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.model import resources as m


class _Unresolved:
    """Stands in the instance for a value that cannot be known statically."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unresolved>"


UNRESOLVED = _Unresolved()


# A place inside an instance: property names and array indexes, from the top of the body.
IPath = tuple[str | int, ...]
Schema = dict[str, Any]


@dataclass
class _Finding:
    where: Located[str]
    path: str  # schema path: property names, arrays as `[]`
    hint: str = ""


@dataclass
class Analysis:
    """One resource body read against one schema."""

    api: str
    instance: Any = None
    nodes: dict[IPath, Node] = field(default_factory=dict)  # instance path -> node
    keys: dict[IPath, Located[str]] = field(default_factory=dict)  # instance path -> its property name
    unknown: list[_Finding] = field(default_factory=list)
    read_only: list[_Finding] = field(default_factory=list)
    errors: list[Any] | None = None  # jsonschema's, computed once for SIG601 and SIG602
    suspect: bool = False  # whether jsonschema can find anything (else it is not even imported)


@cache
def _schema_doc(api: str) -> Schema:
    doc: Schema = facts.load(f"api/schemas/{api}")
    return doc


@cache
def _matrix_paths(type_name: str) -> dict[str, list[str]]:
    """Lower-cased schema path -> the API versions that have it."""
    table = facts.load("api/matrix")["types"].get(type_name, {"paths": {}})
    return {path.lower(): versions for path, versions in table["paths"].items()}


@cache
def _canonical_paths(type_name: str) -> dict[str, str]:
    table = facts.load("api/matrix")["types"].get(type_name, {"paths": {}})
    return {path.lower(): path for path in table["paths"]}


@cache
def _matrix_enums(type_name: str) -> dict[str, dict[str, list[str]]]:
    table = facts.load("api/matrix")["types"].get(type_name, {"enums": {}})
    return {path.lower(): values for path, values in table["enums"].items()}


@cache
def _read_only(type_name: str) -> frozenset[str]:
    return frozenset(p.lower() for p in facts.load("enums")["read_only"].get(type_name, []))


@cache
def _validator(api: str, type_name: str) -> Any:
    import jsonschema  # only runs that reach a schema rule pay for it

    doc = _schema_doc(api)
    schema = dict(doc["types"][type_name], definitions=doc["definitions"])
    return jsonschema.Draft7Validator(schema)


# The property names of each `properties` table of the schemas, by lower case: the tables are
# the cached schema documents' own (so an id() stays theirs), and one is read per object walked.
_BY_LOWER: dict[int, tuple[Schema, dict[str, str]]] = {}


def _lowered_names(props: Schema) -> dict[str, str]:
    known = _BY_LOWER.get(id(props))
    if known is None or known[0] is not props:
        known = _BY_LOWER[id(props)] = (props, {name.lower(): name for name in props})
    return known[1]


def _resolve(schema: Any, definitions: Schema) -> Schema | None:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 64:
        schema = definitions.get(schema["$ref"].rsplit("/", 1)[-1])
        seen += 1
    return schema if isinstance(schema, dict) else None


def _as_node(value: Any, span: Span) -> Node:
    """Evaluated values may be plain Python data; give them the span of the expression."""
    if isinstance(value, Node):
        return value
    if isinstance(value, dict):
        return Node({str(k): _as_node(v, span) for k, v in value.items()}, span, {str(k): span for k in value})
    if isinstance(value, list):
        return Node([_as_node(v, span) for v in value], span)
    return Node(value, span)


def analyse(res: m.Resource, ctx: CheckContext) -> Analysis | None:
    """The body of `res` read against the schema of its declared API version, or None when
    there is nothing to read it against (no body, an API version without a schema). Read once
    per run for the four rules that use it."""
    return ctx.memo(_analyse, res)


def _analyse(res: m.Resource) -> Analysis | None:
    api = res.api_version.value if res.api_version is not None and res.api_version.known else None
    if res.body is None or not isinstance(api, str) or not authored(res):
        return None
    if api not in facts.load("api/matrix")["api_versions"]:
        return None  # unknown versions are SIG501's; newer ones have no schema yet
    doc = _schema_doc(api)
    if res.type_name not in doc["types"]:
        return None
    out = Analysis(api)
    walker = _Walker(res.type_name, api, doc["definitions"], out)
    out.instance = walker.walk(res.body, doc["types"][res.type_name], (), "", top=True)
    return out


class _Walker:
    def __init__(self, type_name: str, api: str, definitions: Schema, out: Analysis) -> None:
        self.type_name = type_name
        self.api = api
        self.definitions = definitions
        self.out = out
        self.read_only = _read_only(type_name)
        self.other_versions = _matrix_paths(type_name)

    def walk(self, node: Node, schema: Any, ipath: IPath, spath: str | None, top: bool = False) -> Any:
        """The instance for jsonschema; `spath` is None inside maps, where paths mean nothing."""
        if node.value is UNKNOWN:
            return UNRESOLVED
        if isinstance(node.value, (dict, list)) and not node.is_object and not node.is_array:
            node = _as_node(node.value, node.span)
        self.out.nodes[ipath] = node
        schema = _resolve(schema, self.definitions)
        if node.is_object:
            instance: Any = self._object(node, schema, ipath, spath, top)
        elif node.is_array:
            items = schema.get("items") if schema is not None else None
            instance = [
                self.walk(_as_node(item, node.span), items, ipath + (i,), f"{spath}[]" if spath is not None else None)
                for i, item in enumerate(node.value)
            ]
        else:
            instance = node.value
        if schema is not None and not self.out.suspect:
            self.out.suspect = _doubtful(instance, schema)
        return instance

    def _object(self, node: Node, schema: Schema | None, ipath: IPath, spath: str | None, top: bool) -> dict[str, Any]:
        props = schema.get("properties") if schema is not None else None
        additional = schema.get("additionalProperties") if schema is not None else None
        is_map = isinstance(additional, dict) or additional is True
        by_lower = _lowered_names(props) if props else {}
        result: dict[str, Any] = {}
        for key, value in node.items():
            lower = key.lower()
            if top and lower in TEMPLATE_KEYS:
                continue
            value = _as_node(value, node.span)
            if value.value is None:
                continue  # JSON null: not set
            canonical = by_lower.get(lower)
            name = canonical or key
            child_spath = (f"{spath}.{name}" if spath else name) if spath is not None and not is_map else None
            located_key = Located(key, node.key_spans[key] if node.key_spans else node.span, path=child_spath or key)
            if lower == "copy" and not top and value.is_array and canonical is None:
                for generated in self._copy_names(value, by_lower):
                    result[generated] = UNRESOLVED  # an ARM property loop makes these
                continue
            lowered_spath = child_spath.lower() if child_spath is not None else None
            if child_spath is not None and lowered_spath in self.read_only:
                self.out.read_only.append(_Finding(located_key, child_spath))
                continue
            if canonical is None and props is not None and not is_map:
                if lowered_spath is not None and lowered_spath in self.other_versions:
                    continue  # another API version has it: SIG502's
                self.out.unknown.append(_Finding(located_key, child_spath or key, self._suggest(key, props, spath)))
                continue
            child_schema = props[canonical] if canonical is not None and props is not None else (additional if isinstance(additional, dict) else None)
            self.out.keys[ipath + (name,)] = located_key
            result[name] = self.walk(value, child_schema, ipath + (name,), child_spath)
        return result

    def _copy_names(self, loops: Node, by_lower: dict[str, str]) -> Iterator[str]:
        for loop in loops.value:
            named = loop.get_ci("name") if isinstance(loop, Node) and loop.is_object else None
            if named is not None and isinstance(named.value, str):
                yield by_lower.get(named.value.lower(), named.value)

    def _suggest(self, key: str, props: Schema, spath: str | None) -> str:
        here = {name.lower(): name for name in props}
        later: dict[str, str] = {}
        if spath is not None:
            prefix = f"{spath.lower()}." if spath else ""
            for path in self.other_versions:
                rest = path[len(prefix):] if path.startswith(prefix) else None
                if rest and "." not in rest and "[" not in rest and rest not in here:
                    later[rest] = _canonical_paths(self.type_name)[path].rsplit(".", 1)[-1]
        match = difflib.get_close_matches(key.lower(), list(here) + list(later), n=1, cutoff=0.6)
        if match:
            if match[0] in here:
                return f"; did you mean '{here[match[0]]}'?"
            return f"; did you mean '{later[match[0]]}' (in other API versions than {self.api})?"
        elsewhere = sorted(
            (_canonical_paths(self.type_name)[p] for p, versions in self.other_versions.items()
             if self.api in versions and re.sub(r"\[\]$", "", p.rsplit(".", 1)[-1]) == key.lower()),
            key=len,
        )
        return f"; it belongs at {elsewhere[0]}" if elsewhere else ""


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list,), "object": (dict,), "null": (type(None),),
}


def _doubtful(instance: Any, schema: Schema) -> bool:
    """Whether jsonschema might find fault with this value itself (its type, enum, required
    members; what is below it is looked at on its own). The keywords checked are all those the
    generated schemas use, so a body with no doubtful value needs no jsonschema at all."""
    wanted = schema.get("type")
    if wanted is not None:
        kinds = wanted if isinstance(wanted, list) else [wanted]
        if not any(isinstance(instance, _TYPES.get(k, ())) and not (isinstance(instance, bool) and k in ("integer", "number"))
                   for k in kinds):
            return True
    if "enum" in schema and instance not in schema["enum"]:
        return True
    return isinstance(instance, dict) and any(name not in instance for name in schema.get("required", ()))


def _path_words(ipath: IPath) -> str:
    out = ""
    for step in ipath:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _schema_path(ipath: IPath) -> str:
    out = ""
    for step in ipath:
        out += "[]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _object_where(res: m.Resource, analysis: Analysis, ipath: IPath) -> Located[Any] | Span:
    """Where a property missing from the object at `ipath` is reported: the object's name, the
    array item, or, for the resource itself, its `type`."""
    if ipath in analysis.keys:
        return analysis.keys[ipath]
    node = analysis.nodes.get(ipath)
    if ipath and node is not None:
        return Located(node.plain(), node.span, path=_path_words(ipath))
    return key_of(res.body, "type", "type") or (res.body.span if res.body is not None else res.span)


@rule(
    "SIG308", "read-only-property", Severity.WARNING,
    "A property that only the service sets appears in a template or request body.",
    applies_to=(m.Gallery, m.ImageDefinition, m.ImageVersion, m.ApplicationVersion),
)
def read_only_property(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    analysis = analyse(res, ctx)
    if analysis is None:
        return
    for found in analysis.read_only:
        yield Hit(found.where, f"'{found.path}' is read-only: the service sets it on the {KIND_WORDS[res.type_name]}, so it has no meaning in a request; remove it (often pasted from a GET or 'show' output)")


_REQUIRED = re.compile(r"^'(.+)' is a required property$")


@rule(
    "SIG601", "missing-required", Severity.ERROR,
    "A property that the declared API version requires is missing.",
    applies_to=GALLERY_RESOURCES,
    needs=("api_version",),
)
def missing_required(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    if res.partial or res.body is None or not authored(res):
        return
    if res.source_kind in TEMPLATE_KINDS:
        yield from _template_keys(res)
    analysis = analyse(res, ctx)
    if analysis is None:
        return
    for error in _errors(res, analysis):
        if error.validator != "required" or error.instance is UNRESOLVED:
            continue
        match = _REQUIRED.match(error.message)
        missing = match.group(1) if match else str(error.validator_value)
        ipath = tuple(error.absolute_path)
        if not ipath and missing == "properties" and not _requires_something(analysis.api, res.type_name):
            continue  # see _requires_something
        inside = _path_words(ipath)
        where = _object_where(res, analysis, ipath)
        yield Hit(where, f"'{missing}' is required{' in ' + inside if inside else ''} by API version {analysis.api}", path=_path_words(ipath + (missing,)))


def _requires_something(api: str, type_name: str) -> bool:
    """Whether the resource's `properties` object has required members of its own.

    ARM-schemas list `properties` as required on every resource, but the REST API does not
    require it of a gallery, whose properties are all optional: Bicep lets a gallery be declared
    without them and such deployments succeed (Azure/avdaccelerator declares one). An absent
    `properties` is only reported where something inside it is required.
    """
    doc = _schema_doc(api)
    schema = _resolve(doc["types"][type_name].get("properties", {}).get("properties"), doc["definitions"])
    return bool(schema and schema.get("required"))


def _template_keys(res: m.Resource) -> Iterator[Hit]:
    """What every ARM template resource states: name and apiVersion, and a location for these
    tracked resources (ARM refuses a PUT without one)."""
    body = res.body
    for key in ("name", "apiVersion", "location"):
        if body is not None and body.get_ci(key) is None:
            where = key_of(body, "type", "type") or res.span
            yield Hit(where, f"the {KIND_WORDS[res.type_name]} has no '{key}'; ARM requires it for every {KIND_WORDS[res.type_name]} resource", path=key)


def _errors(res: m.Resource, analysis: Analysis) -> list[Any]:
    if analysis.errors is None and not analysis.suspect:
        analysis.errors = []
    if analysis.errors is None:
        errors = _validator(analysis.api, res.type_name).iter_errors(analysis.instance)
        analysis.errors = sorted(errors, key=lambda e: [str(step) for step in e.absolute_path])
    return analysis.errors


_JSON_TYPES = {str: "a string", bool: "a boolean", int: "an integer", float: "a number", list: "an array", dict: "an object", type(None): "null"}
_EXPECTED = {"string": "a string", "boolean": "a boolean", "integer": "an integer", "number": "a number", "array": "an array", "object": "an object"}


def _type_words(value: Any) -> str:
    for kind, words in _JSON_TYPES.items():
        if type(value) is kind or (kind is str and isinstance(value, str)):
            return words
    return type(value).__name__


@rule(
    "SIG602", "invalid-value", Severity.ERROR,
    "A property has a value outside its allowed set, or of the wrong type, for the declared API version.",
    applies_to=GALLERY_RESOURCES,
    needs=("api_version",),
)
def invalid_value(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    analysis = analyse(res, ctx)
    if analysis is None:
        return
    enums = _matrix_enums(res.type_name)
    for error in _errors(res, analysis):
        if error.instance is UNRESOLVED or error.validator == "required":
            continue
        ipath = tuple(error.absolute_path)
        node = analysis.nodes.get(ipath)
        if node is None:
            continue
        prop = _path_words(ipath).removeprefix("properties.")
        where = Located(error.instance, node.span, node.origin, _path_words(ipath))
        value = error.instance
        if error.validator == "enum":
            options = [str(o) for o in error.validator_value]
            if isinstance(value, str):
                canonical = next((o for o in options if o.lower() == value.lower()), None)
                if canonical is not None:
                    yield Hit(where, f"{prop} '{value}' is written '{canonical}' in the schema; the service may accept it, but tools that compare exactly will not", Severity.WARNING)
                    continue
                elsewhere = enums.get(_schema_path(ipath).lower(), {})
                if any(v.lower() == value.lower() for v in elsewhere):
                    continue  # a value of another API version: SIG502's
            close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            yield Hit(where, f"{prop} '{value}' is not one of {', '.join(options)} (API version {analysis.api}){hint}")
        elif error.validator == "type":
            expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
            wanted = " or ".join(_EXPECTED.get(str(e), str(e)) for e in expected)
            hint = ""
            if isinstance(value, str) and ("boolean" in expected and value.lower() in ("true", "false")
                                          or "integer" in expected and re.fullmatch(r"-?\d+", value)):
                hint = f"; write {value.lower() if 'boolean' in expected else value} without quotes"
            shown = f" ({value!r})" if not isinstance(value, (dict, list)) else ""
            yield Hit(where, f"{prop} must be {wanted}, not {_type_words(value)}{shown}{hint}")
        else:
            yield Hit(where, f"{prop}: {error.message}")


@rule(
    "SIG603", "unknown-property", Severity.WARNING,
    "A property is not defined by the declared API version, and no other gallery API version defines it either.",
    applies_to=GALLERY_RESOURCES,
    needs=("api_version",),
)
def unknown_property(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    analysis = analyse(res, ctx)
    if analysis is None:
        return
    for found in analysis.unknown:
        yield Hit(found.where, f"'{found.where.value}' is not a property of {found.path.rsplit('.', 1)[0] if '.' in found.path else 'the resource'} in any gallery API version{found.hint}")


RULES: list[AnyRule] = [read_only_property, missing_required, invalid_value, unknown_property]
