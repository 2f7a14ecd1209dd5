#!/usr/bin/env python3
"""Generate the API-version data that sigcheck's rules read, from the ARM JSON schemas.

Inputs (read-only): ``<shared>/azure-schemas/<api>/Microsoft.Compute.json`` for every gallery API
version, and ``<shared>/azure-schemas/MANIFEST.tsv`` for the upstream repository and commit.

Outputs (under ``--out``, default ``<repo>/rules``):

* ``api/matrix.json`` -- for every gallery resource type, the API versions in which each body path
  exists and in which each enum value is allowed (SIG502).
* ``api/schemas/<api>.json`` -- one draft-07 JSON Schema per API version describing the resource
  body (``properties``, ``identity``, ``location``, ``tags``) of each gallery resource type, with the
  ARM-expression alternatives removed (SIG601-603).

Usage::

    python scripts/gen_schema_data.py [--shared ../shared] [--out rules] [--check]

``--check`` regenerates in memory and exits 1 if any output file differs from what is on disk.
The output is deterministic (sorted keys, no timestamps), so regeneration gives a clean diff.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
GENERATED_BY = "scripts/gen_schema_data.py"

# ARM schemas offer "or an ARM template expression" on almost every value through this reference.
# It lives in another file; for a static linter it only means "a string the template engine
# evaluates", so the alternative is dropped and the real value schema kept.
EXPRESSION_REF = (
    "https://schema.management.azure.com/schemas/common/definitions.json#/definitions/expression"
)
LOCAL_REF_PREFIX = "#/definitions/"

# Key in `resourceDefinitions` -> resource type. The `<key>_childResource` definitions describe the
# same bodies (only `type` differs: the short child name), so only the top-level ones are read.
RESOURCE_DEFINITIONS: dict[str, str] = {
    "galleries": "Microsoft.Compute/galleries",
    "galleries_images": "Microsoft.Compute/galleries/images",
    "galleries_images_versions": "Microsoft.Compute/galleries/images/versions",
    "galleries_applications": "Microsoft.Compute/galleries/applications",
    "galleries_applications_versions": "Microsoft.Compute/galleries/applications/versions",
}

# Keys of an ARM template resource that are not part of the resource body. `resources` holds nested
# child resources, which are linted as resources of their own type.
TEMPLATE_ONLY_KEYS = frozenset(
    {"name", "type", "apiVersion", "dependsOn", "condition", "copy", "comments", "scope", "resources"}
)

# Keywords copied as they are; anything else found in a schema stops the generator so that a new
# upstream construct is looked at instead of being silently lost.
COPIED_KEYWORDS = frozenset(
    {
        "type", "enum", "required", "pattern", "format", "readOnly", "default",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
    }
)
DROPPED_KEYWORDS = frozenset({"description", "title"})
COMBINATORS = ("oneOf", "anyOf")


class SchemaFormatError(RuntimeError):
    """The input schema uses a construct this generator does not understand."""


@dataclass
class SourceInfo:
    repo: str
    commit: str
    license: str
    paths: dict[str, str] = field(default_factory=dict)  # api version -> path in repo


def read_manifest(schemas_dir: Path) -> SourceInfo:
    with (schemas_dir / "MANIFEST.tsv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    compute_rows = [r for r in rows if r["local_path"].endswith("/Microsoft.Compute.json")]
    if not compute_rows:
        raise SchemaFormatError("MANIFEST.tsv lists no Microsoft.Compute.json")
    repos = {r["repo"] for r in compute_rows}
    commits = {r["commit"] for r in compute_rows}
    licenses = {r["license"] for r in compute_rows}
    if len(repos) != 1 or len(commits) != 1 or len(licenses) != 1:
        raise SchemaFormatError(f"schemas come from several sources: {repos} {commits}")
    info = SourceInfo(repo=repos.pop(), commit=commits.pop(), license=licenses.pop())
    for row in compute_rows:
        info.paths[row["local_path"].split("/", 1)[0]] = row["path_in_repo"]
    return info


class Cleaner:
    """Turns raw ARM schema nodes of one file into plain JSON Schema nodes.

    Local ``$ref``s are kept and the definitions they point to are cleaned on demand into
    ``self.definitions``; expression alternatives are removed and single-branch
    ``oneOf``/``anyOf`` wrappers are merged into their parent.
    """

    def __init__(self, raw_definitions: dict[str, Any], where: str) -> None:
        self.raw_definitions = raw_definitions
        self.where = where
        self.definitions: dict[str, Any] = {}
        self.expression_only: list[str] = []  # value schemas that allowed nothing but an expression

    def clean_definition(self, name: str) -> None:
        if name in self.definitions:
            return
        if name not in self.raw_definitions:
            raise SchemaFormatError(f"{self.where}: dangling $ref to {name}")
        self.definitions[name] = {}  # placeholder: guards against reference cycles
        self.definitions[name] = self.clean(self.raw_definitions[name], f"#/definitions/{name}")

    def clean(self, node: Any, ptr: str) -> dict[str, Any] | None:
        """Return the cleaned schema, or None when ``node`` only allows an ARM expression."""
        if not isinstance(node, dict):
            raise SchemaFormatError(f"{self.where} {ptr}: schema is not an object")
        if "$ref" in node:
            return self._clean_ref(node, ptr)

        out: dict[str, Any] = {}
        branches_by_kw: dict[str, list[dict[str, Any]]] = {}
        for key, value in node.items():
            if key in DROPPED_KEYWORDS:
                continue
            if key in COPIED_KEYWORDS:
                out[key] = copy.deepcopy(value)
            elif key in COMBINATORS:
                cleaned = [self.clean(b, f"{ptr}/{key}/{i}") for i, b in enumerate(value)]
                branches_by_kw[key] = [b for b in cleaned if b is not None]
            elif key == "allOf":
                out[key] = [self._require(self.clean(b, f"{ptr}/allOf/{i}"), ptr) for i, b in enumerate(value)]
            elif key == "properties":
                out[key] = {
                    name: self._require(self.clean(sub, f"{ptr}/properties/{name}"), f"{ptr}/properties/{name}")
                    for name, sub in value.items()
                }
            elif key == "items":
                out[key] = self._require(self.clean(value, f"{ptr}/items"), f"{ptr}/items")
            elif key == "additionalProperties":
                out[key] = value if isinstance(value, bool) else self._require(
                    self.clean(value, f"{ptr}/additionalProperties"), f"{ptr}/additionalProperties"
                )
            else:
                raise SchemaFormatError(f"{self.where} {ptr}: unsupported keyword {key!r}")

        had_combinator = bool(branches_by_kw)
        for key, branches in branches_by_kw.items():
            if len(branches) == 1:
                out = self._merge(out, branches[0], ptr)
            elif len(branches) > 1:
                out = self._merge(out, {key: branches}, ptr)
        if had_combinator and not out and all(not b for b in branches_by_kw.values()):
            return None  # e.g. {"oneOf": [{"$ref": expression}]}
        return out

    def _clean_ref(self, node: dict[str, Any], ptr: str) -> dict[str, Any] | None:
        ref = node["$ref"]
        extra = set(node) - {"$ref"} - DROPPED_KEYWORDS
        if extra:
            raise SchemaFormatError(f"{self.where} {ptr}: $ref with sibling keywords {sorted(extra)}")
        if ref == EXPRESSION_REF:
            return None
        if not ref.startswith(LOCAL_REF_PREFIX):
            raise SchemaFormatError(f"{self.where} {ptr}: unsupported $ref {ref}")
        self.clean_definition(ref[len(LOCAL_REF_PREFIX):])
        return {"$ref": ref}

    def _merge(self, base: dict[str, Any], branch: dict[str, Any], ptr: str) -> dict[str, Any]:
        if not base:
            return dict(branch)
        if "$ref" in branch or set(base) & set(branch):
            # draft-07 ignores keywords beside $ref, and overlapping keywords must both hold
            return {"allOf": [base, branch]}
        return {**base, **branch}

    def _require(self, schema: dict[str, Any] | None, ptr: str) -> dict[str, Any]:
        if schema is None:
            self.expression_only.append(ptr)
            return {}
        return schema


@dataclass
class VersionData:
    api_version: str
    schema_doc: dict[str, Any]
    paths: dict[str, set[str]]  # resource type -> body paths
    enums: dict[str, dict[str, set[str]]]  # resource type -> path -> enum values


def resolve(schema: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    seen: set[str] = set()
    while "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:
            raise SchemaFormatError(f"$ref loop at {ref}")
        seen.add(ref)
        schema = definitions[ref[len(LOCAL_REF_PREFIX):]]
    return schema


def collect_paths(
    schema: dict[str, Any],
    path: str,
    definitions: dict[str, Any],
    paths: set[str],
    enums: dict[str, set[str]],
    active_refs: tuple[str, ...] = (),
) -> None:
    """Record ``path`` and everything below it. Array elements are written ``[]``; values of
    maps (``additionalProperties`` schemas, e.g. ``tags``) have no static name and are not descended."""
    ref = schema.get("$ref")
    if ref is not None:
        if ref in active_refs:  # recursive structure: the path is recorded, not expanded again
            paths.add(path)
            return
        active_refs = (*active_refs, ref)
    node = resolve(schema, definitions)
    if path:
        paths.add(path)
    for value in node.get("enum", ()):
        if not isinstance(value, str):
            raise SchemaFormatError(f"non-string enum value {value!r} at {path}")
        enums.setdefault(path, set()).add(value)
    for key in ("allOf", *COMBINATORS):
        for branch in node.get(key, ()):
            collect_paths(branch, path, definitions, paths, enums, active_refs)
    for name, sub in node.get("properties", {}).items():
        collect_paths(sub, f"{path}.{name}" if path else name, definitions, paths, enums, active_refs)
    if "items" in node:
        collect_paths(node["items"], f"{path}[]", definitions, paths, enums, active_refs)


def process_version(api: str, raw: dict[str, Any], source: SourceInfo) -> VersionData:
    resource_defs = raw.get("resourceDefinitions", {})
    cleaner = Cleaner(raw.get("definitions", {}), where=f"{api}/Microsoft.Compute.json")
    types: dict[str, Any] = {}
    for key, resource_type in RESOURCE_DEFINITIONS.items():
        if key not in resource_defs:
            continue
        rdef = resource_defs[key]
        declared = rdef.get("properties", {}).get("type", {}).get("enum", [])
        if declared != [resource_type]:
            raise SchemaFormatError(f"{api}: {key} declares type {declared}, expected {resource_type}")
        body = {k: v for k, v in rdef.items() if k != "properties"}
        body["properties"] = {k: v for k, v in rdef["properties"].items() if k not in TEMPLATE_ONLY_KEYS}
        cleaned = cleaner.clean(body, f"#/resourceDefinitions/{key}")
        assert cleaned is not None
        if "required" in cleaned:
            required = [r for r in cleaned["required"] if r not in TEMPLATE_ONLY_KEYS]
            if required:
                cleaned["required"] = required
            else:
                del cleaned["required"]
        types[resource_type] = cleaned

    if cleaner.expression_only:
        raise SchemaFormatError(f"{api}: values that only allow an expression: {cleaner.expression_only}")

    paths: dict[str, set[str]] = {}
    enums: dict[str, dict[str, set[str]]] = {}
    for resource_type, schema in types.items():
        p: set[str] = set()
        e: dict[str, set[str]] = {}
        collect_paths(schema, "", cleaner.definitions, p, e)
        paths[resource_type] = p
        enums[resource_type] = e

    schema_doc = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "_meta": {
            "source": f"{source.repo} {source.paths.get(api, f'schemas/{api}/Microsoft.Compute.json')} "
            f"(license {source.license})",
            "retrieved": source.commit,
            "generated_by": GENERATED_BY,
            "notes": (
                f"Resource-body schemas of the gallery resource types at API version {api}. "
                "Use one type as a standalone schema with "
                "dict(doc['types'][TYPE], definitions=doc['definitions']) (draft-07). "
                "ARM-expression alternatives (common/definitions.json#/definitions/expression) were "
                "removed and the oneOf wrappers around them merged into the value schema; "
                "descriptions dropped; template-only keys (name, type, apiVersion, dependsOn, "
                "condition, copy, comments, scope, resources) removed, so 'required' keeps only "
                "'properties'. The upstream files are draft-04 but use no keyword whose meaning "
                "differs in draft-07. No object in the upstream schemas says "
                "additionalProperties: false (it only appears as a schema for map values such as "
                "tags), so unknown properties are NOT rejected by these schemas: SIG603 must compare "
                "against 'properties' itself. Read-only properties are not in ARM-schemas."
            ),
        },
        "api_version": api,
        "definitions": cleaner.definitions,
        "types": types,
    }
    return VersionData(api, schema_doc, paths, enums)


def build_matrix(versions: list[VersionData], source: SourceInfo) -> dict[str, Any]:
    api_versions = sorted(v.api_version for v in versions)
    types: dict[str, Any] = {}
    for resource_type in RESOURCE_DEFINITIONS.values():
        present: list[str] = []
        path_versions: dict[str, set[str]] = defaultdict(set)
        enum_versions: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for v in versions:
            if resource_type not in v.paths:
                continue
            present.append(v.api_version)
            for p in v.paths[resource_type]:
                path_versions[p].add(v.api_version)
            for p, values in v.enums[resource_type].items():
                for value in values:
                    enum_versions[p][value].add(v.api_version)
        types[resource_type] = {
            "api_versions": sorted(present),
            "paths": {p: sorted(vs) for p, vs in path_versions.items()},
            "enums": {p: {val: sorted(vs) for val, vs in vals.items()} for p, vals in enum_versions.items()},
        }
    return {
        "_meta": {
            "source": f"{source.repo} schemas/<api>/Microsoft.Compute.json (license {source.license})",
            "retrieved": source.commit,
            "generated_by": GENERATED_BY,
            "notes": (
                "For SIG502. types[T].paths[P] = API versions whose schema has body path P; "
                "types[T].enums[P][V] = API versions whose enum at P contains V (exact casing). "
                "types[T].api_versions = versions that define T at all. Paths are relative to the "
                "resource object of an ARM template / REST body; array elements are written '[]'; "
                "values of maps (tags, identity.userAssignedIdentities) are not descended. "
                "Template-only keys (name, type, apiVersion, dependsOn, condition, copy, comments, "
                "scope, resources) are skipped. Paths and enum values can be removed again (a list that "
                "stops before the newest version, e.g. storageProfile.source.uri, or the "
                "StandardSSD_LRS storage type), so never assume contiguity. API versions newer than the "
                "last entry of api_versions (e.g. 2026-03-03, see rules/api_versions.json) are not "
                "described here."
            ),
        },
        "api_versions": api_versions,
        "types": types,
    }


def dump(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def generate(shared: Path) -> dict[str, str]:
    """Return {relative output path: file text}."""
    schemas_dir = shared / "azure-schemas"
    source = read_manifest(schemas_dir)
    versions: list[VersionData] = []
    for schema_file in sorted(schemas_dir.glob("*/Microsoft.Compute.json")):
        api = schema_file.parent.name
        raw = json.loads(schema_file.read_text(encoding="utf-8"))
        versions.append(process_version(api, raw, source))
    if not versions:
        raise SchemaFormatError(f"no schemas found under {schemas_dir}")
    outputs = {"api/matrix.json": dump(build_matrix(versions, source))}
    for v in versions:
        outputs[f"api/schemas/{v.api_version}.json"] = dump(v.schema_doc)
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared",
                        help="shared reference folder holding azure-schemas/ (default: <repo>/../shared)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "rules",
                        help="output folder (default: <repo>/rules)")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the files on disk differ from a fresh generation")
    args = parser.parse_args(argv)

    outputs = generate(args.shared)
    stale_schemas = {p.relative_to(args.out).as_posix() for p in (args.out / "api" / "schemas").glob("*.json")}
    stale_schemas -= set(outputs)
    if args.check:
        differing = [rel for rel, text in outputs.items()
                     if not (args.out / rel).is_file() or (args.out / rel).read_text(encoding="utf-8") != text]
        for rel in sorted(differing) + sorted(stale_schemas):
            print(f"out of date: {rel}", file=sys.stderr)
        return 1 if differing or stale_schemas else 0
    for rel, text in outputs.items():
        target = args.out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for rel in stale_schemas:
        (args.out / rel).unlink()
    print(f"wrote {len(outputs)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
