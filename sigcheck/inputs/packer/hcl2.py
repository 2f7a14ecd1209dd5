"""Packer HCL2 templates (native `.pkr.hcl` and the JSON flavour `.pkr.json`): `source "azure-arm"` blocks, with the variables, locals and variable files
of their directory, read with the shared HCL evaluator (sigcheck.inputs.hcl).

Packer reads a directory as one configuration: every `*.pkr.hcl` and `*.pkr.json` file, and `*.auto.pkrvars.hcl`
files for variable values. A file's own declarations come first; a variable or local it uses but
does not declare is taken from the other `*.pkr.hcl` files beside it, so a template whose
variables live in `variables.pkr.hcl` is read as Packer reads it, and several unrelated examples
kept in one folder do not collide. A variable without a default, or whose default is empty
(`""` or null), is given when Packer runs: unknown, never reported.
"""

from __future__ import annotations

import os
from functools import lru_cache
from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile
from sigcheck.inputs.hcl import syntax as s
from sigcheck.inputs.hcl.evaluate import Evaluator, reference
from sigcheck.inputs.hcl.values import lazy, object_of, relocate, tuple_of, unknown
from sigcheck.inputs.packer.azure_arm import image_version, packer_facts
from sigcheck.model import diagnostics
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import Span

# Blocks Packer's azure-arm spec declares as lists (config.hcl2spec.go BlockListSpec).
_LIST_BLOCKS = frozenset({"target_region", "azure_tag"})


def parse(text: str, path: str) -> s.HclFile:
    """Native syntax, or the JSON flavour of HCL for `.pkr.json` files."""
    if path.lower().endswith(".json"):
        from sigcheck.inputs.hcl import json_syntax

        return json_syntax.parse(text, path)
    return s.parse(text, path)


def load(source: SourceFile, options: LoadOptions) -> LoadResult:
    result = LoadResult()
    hcl = parse(source.text, source.path)
    if hcl.broken:
        problem = hcl.problems[0]
        result.findings.append(diagnostics.parse_error(problem.span, problem.message))
        return result
    sources = [b for b in hcl.body.blocks_of("source") if b.labels and b.labels[0][0] == packer_facts()["builder_type"]]
    if not sources:
        result.relevant = False
        return result
    config = _Configuration(hcl, options)
    overrides = _build_sources(hcl.body)
    for block in sources:
        name = block.labels[1][0] if len(block.labels) > 1 else block.labels[0][0]
        variants = [(config.block_node(block), f"source.azure-arm.{name}")]
        for extra in overrides.get(name, []):
            # `build { source "source.azure-arm.x" { … } }` builds the source with these settings added.
            variants.append((_merged(config.block_node(block), config.block_node(extra)), f"build source.azure-arm.{name}"))
        for node, label in variants:
            versions, findings = image_version(node, label, source.path, options.context)
            result.resources.extend(versions)
            result.findings.extend(findings)
    if config.evaluator.exhausted or config.evaluator.too_deep:
        result.findings.append(diagnostics.parse_error(
            sources[0].header_span, "the template's expressions are too large or too deeply nested to evaluate; values beyond the limit are unknown"))
    result.comments = hcl.comments
    return result


def _build_sources(body: s.Body) -> dict[str, list[s.Block]]:
    """`source` blocks inside `build` blocks, by the azure-arm source they extend."""
    out: dict[str, list[s.Block]] = {}
    for build in body.blocks_of("build"):
        for block in build.body.blocks_of("source"):
            label = block.labels[0][0] if block.labels else ""
            parts = label.removeprefix("source.").split(".")
            if len(parts) == 2 and parts[0] == packer_facts()["builder_type"]:
                out.setdefault(parts[1], []).append(block)
    return out


def _merged(base: Node, extra: Node) -> Node:
    """The source with the build block's settings added (Packer lets a build block set only what
    the source leaves unset, so the source's own settings stay)."""
    for key, value in extra.items():
        if key not in base.value:
            base.value[key] = value
            if base.key_spans is not None and extra.key_spans is not None:
                base.key_spans[key] = extra.key_spans[key]
    return base


class _Configuration:
    """One file with what its directory contributes: variables, locals and variable files."""

    def __init__(self, hcl: s.HclFile, options: LoadOptions) -> None:
        self.hcl = hcl
        self.evaluator = Evaluator(self._resolve)
        self.variables: dict[str, s.Block] = {}
        self.locals: dict[str, s.Expr] = {}
        self.supplied: dict[str, tuple[s.Expr, str]] = {}
        self._declare(hcl.body)
        for sibling in _siblings(hcl.path, (".pkr.hcl", ".pkr.json")):
            self._declare(sibling.body, only_missing=True)
        files = _siblings(hcl.path, (".auto.pkrvars.hcl",))
        if options.parameters_file and options.parameters_file.endswith(".pkrvars.hcl"):
            files += [f for f in [_read(options.parameters_file)] if f is not None]
        for varfile in files:
            for name, attribute in varfile.body.attributes.items():
                self.supplied[name] = (attribute.expr, f"variable {name} from {os.path.basename(varfile.path)}")
        self._cache: dict[tuple[str, str], Node] = {}
        self._active: set[tuple[str, str]] = set()

    def _declare(self, body: s.Body, only_missing: bool = False) -> None:
        for block in body.blocks_of("variable"):
            if len(block.labels) == 1 and not (only_missing and block.labels[0][0] in self.variables):
                self.variables.setdefault(block.labels[0][0], block)
        for block in body.blocks_of("locals"):
            for name, attribute in block.body.attributes.items():
                if not (only_missing and name in self.locals):
                    self.locals.setdefault(name, attribute.expr)
        for block in body.blocks_of("local"):  # Packer's single `local "name" { expression = … }`
            expression = block.body.attr("expression")
            if len(block.labels) == 1 and expression is not None and not (only_missing and block.labels[0][0] in self.locals):
                self.locals.setdefault(block.labels[0][0], expression.expr)

    # -- names --------------------------------------------------------------------------------
    def _resolve(self, name: str, span: Span) -> Node | None:
        if name == "var":
            return lazy(lambda member, at: self._named("var", member, at), span, "var")
        if name == "local":
            return lazy(lambda member, at: self._named("local", member, at), span, "local")
        return unknown(span, f"{name} is known when Packer runs")

    def _named(self, kind: str, member: str, span: Span) -> Node | None:
        key = (kind, member)
        if key in self._cache:
            return reference(self._cache[key], span, self._cache[key].origin or "")
        if key in self._active:
            return unknown(span, f"{kind}.{member} refers to itself")  # a cycle between locals
        self._active.add(key)
        try:
            value = self._variable(member, span) if kind == "var" else self._local(member, span)
        finally:
            self._active.discard(key)
        if value is None:
            return None
        self._cache[key] = value
        return reference(value, span, value.origin or "")

    def _variable(self, name: str, span: Span) -> Node | None:
        if name in self.supplied:
            expr, origin = self.supplied[name]
            return relocate(self.evaluator.value(expr), expr.span, origin)
        block = self.variables.get(name)
        if block is None:
            return unknown(span, f"variable {name} is not declared")
        default = block.body.attr("default")
        if default is None:
            return unknown(span, f"variable {name} has no default; it is given when Packer runs")
        value = self.evaluator.value(default.expr)
        if value.value is None or value.value == "":
            return unknown(span, f"variable {name} defaults to empty; it is given when Packer runs")
        return relocate(value, value.span, f"default of variable {name}")

    def _local(self, name: str, span: Span) -> Node | None:
        expr = self.locals.get(name)
        if expr is None:
            return unknown(span, f"local.{name} is not declared")
        value = self.evaluator.value(expr)
        located = relocate(value, value.span, None)
        mark = f"from local.{name}"
        stack = [located]
        while stack:  # every value inside says it came through this local
            node = stack.pop()
            node.origin = f"{mark}, {node.origin}" if node.origin and not node.origin.startswith(mark) else mark
            if node.key_spans is not None:
                stack.extend(node.value.values())
            elif isinstance(node.value, list):
                stack.extend(node.value)
        return located

    # -- blocks -------------------------------------------------------------------------------
    def block_node(self, block: s.Block) -> Node:
        """A block's body as one located object: attributes evaluated, nested blocks as objects
        (lists for the block types Packer repeats). Iterative over nesting."""
        root = object_of({}, block.span, {})
        stack: list[tuple[s.Block, Node]] = [(block, root)]
        while stack:
            current, node = stack.pop()
            members: dict[str, Node] = node.value
            spans: dict[str, Span] = node.key_spans if node.key_spans is not None else {}
            nested = {child.type for child in current.body.blocks}
            for name, attribute in current.body.attributes.items():
                if name in nested:
                    continue  # the JSON flavour offers an object both ways; Packer's schema reads a block
                members[name] = self.evaluator.value(attribute.expr)
                spans[name] = attribute.name_span
            for child in current.body.blocks:
                if child.type == "dynamic":
                    # Generated blocks: how many, and with what, is not known here.
                    kind = child.labels[0][0] if child.labels else "dynamic"
                    members[kind] = unknown(child.span, f"dynamic \"{kind}\" blocks")
                    spans[kind] = child.type_span
                    continue
                child_node = object_of({}, child.span, {})
                stack.append((child, child_node))
                if child.type in _LIST_BLOCKS:
                    existing = members.get(child.type)
                    if existing is None or not isinstance(existing.value, list):
                        existing = tuple_of([], child.span)
                        members[child.type] = existing
                        spans[child.type] = child.type_span
                    existing.value.append(child_node)
                else:
                    members[child.type] = child_node
                    spans[child.type] = child.type_span
        return root


def _siblings(path: str, suffixes: tuple[str, ...]) -> list[s.HclFile]:
    """The other files of `path`'s directory with one of `suffixes`, parsed (broken ones skipped:
    they are reported when they are checked themselves)."""
    folder = os.path.dirname(path) or "."
    own = os.path.basename(path)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    out = []
    for name in names:
        if name == own or not name.endswith(suffixes) or name.endswith(".pkrvars.hcl") and ".auto.pkrvars.hcl" not in suffixes:
            continue
        parsed = _read(os.path.join(folder, name))
        if parsed is not None:
            out.append(parsed)
    return out


def _read(path: str) -> s.HclFile | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _parsed(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _parsed(path: str, mtime_ns: int, size: int) -> s.HclFile | None:
    """A sibling parsed once per run (every template of a directory reads the same siblings)."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError):
        return None
    parsed = parse(text, path)
    return None if parsed.broken else parsed
