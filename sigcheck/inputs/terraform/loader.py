"""Terraform input: a `.tf` / `.tf.json` file is read as part of its directory's module.

The loader API reads one file at a time; Terraform reads a directory. Loading a file therefore
reads its sibling configuration and variable files from disk (the file itself from the text the
engine passes, so an editor's unsaved buffer counts), evaluates the directory once — the result
is memoised for the other files of the same directory — and returns only what the loaded file
declares: its resources, its syntax errors, the notes on its values. Every finding so lands in
the file that holds the offending token, and each directory is evaluated once per run.

A folder whose files declare the same address twice is a folder of separate examples; see
`module.group_files` for how it is split. A file with a syntax error gets one SIG001 and is left
out of its module; the other files are still checked.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from dataclasses import dataclass, field

from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile
from sigcheck.model import diagnostics
from sigcheck.model.findings import Finding
from sigcheck.model.resources import DeploymentContext, Resource
from sigcheck.syntax.located import Span
from sigcheck.syntax.text import DecodeError, decode, unify_line_breaks
from sigcheck.inputs.hcl import syntax as s
from sigcheck.inputs.hcl.evaluate import DEFAULT_BUDGET, Meter
from sigcheck.inputs.terraform import azapi, azurerm
from sigcheck.inputs.terraform.module import EvaluatedBlock, Instance, Module, group_files, is_config, is_var_file

MAX_SIBLING_BYTES = 4 * 1024 * 1024


@dataclass
class FileResult:
    resources: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[tuple[Span, str]] = field(default_factory=list)


@dataclass
class DirectoryRun:
    by_file: dict[str, FileResult] = field(default_factory=dict)
    parsed: dict[str, s.HclFile] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # of the text each file was read with

    def of(self, path: str) -> FileResult:
        return self.by_file.setdefault(path, FileResult())


_RUNS: OrderedDict[tuple[object, ...], DirectoryRun] = OrderedDict()
_MAX_RUNS = 16


def _read(path: str) -> str | None:
    try:
        if os.path.getsize(path) > MAX_SIBLING_BYTES:
            return None
        with open(path, "rb") as handle:
            return unify_line_breaks(decode(handle.read()))
    except (OSError, DecodeError):
        return None


def parse_file(path: str, text: str) -> s.HclFile:
    if path.endswith(".json"):
        from sigcheck.inputs.hcl.json_syntax import parse as parse_json

        return parse_json(text, path)
    return s.parse(text, path)


def _stamp(path: str) -> tuple[str, int, int]:
    try:
        info = os.stat(path)
        return (path, info.st_size, info.st_mtime_ns)
    except OSError:
        return (path, -1, -1)


def _read_dir(folder: str) -> list[s.HclFile]:
    """The parsed, error-free configuration files of a local module's folder."""
    files = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    for name in names:
        if is_config(name):
            path = os.path.join(folder, name)
            text = _read(path)
            if text is not None:
                hcl = parse_file(path, text)
                if not hcl.broken:
                    files.append(hcl)
    return files


def _directory(path: str, text: str, options: LoadOptions, siblings: bool) -> DirectoryRun:
    folder = os.path.dirname(path)
    names = sorted(os.listdir(folder or ".")) if siblings and os.path.isdir(folder or ".") else []
    own = os.path.basename(path)
    config = sorted(set(n for n in names if is_config(n)) | {own})
    var_names = sorted((n for n in names if is_var_file(n)), key=lambda n: (not n.startswith("terraform.tfvars"), n))
    var_paths = [os.path.join(folder, n) for n in var_names] + list(options.var_files)
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
    location = options.context.location.value if options.context.location is not None else None
    # One evaluation per directory state: every file of the folder finds it under the same key,
    # as long as the text it is loaded with is the one on disk (an editor's unsaved buffer is not).
    key: tuple[object, ...] = (
        os.path.abspath(folder or "."), tuple(_stamp(os.path.join(folder, n)) for n in config),
        tuple(_stamp(p) for p in var_paths), location,
    ) if siblings else (path, digest)
    cached = _RUNS.get(key)
    if cached is not None and cached.digests.get(path) == digest:
        _RUNS.move_to_end(key)
        return cached
    if cached is not None:
        key = (*key, path, digest)  # a buffer that differs from the file on disk
        cached = _RUNS.get(key)
        if cached is not None:
            return cached
    run = DirectoryRun()
    files: list[s.HclFile] = []
    for name in config:
        file_path = path if name == own else os.path.join(folder, name)
        file_text = text if name == own else _read(file_path)
        if file_text is None:
            continue
        run.digests[file_path] = digest if name == own else hashlib.sha1(file_text.encode("utf-8", "surrogatepass")).hexdigest()
        hcl = parse_file(file_path, file_text)
        run.parsed[file_path] = hcl
        if hcl.broken:
            problem = hcl.problems[0]
            run.of(file_path).findings.append(diagnostics.parse_error(problem.span, problem.message))
            continue
        files.append(hcl)
    var_files = []
    for var_path in var_paths:
        var_text = _read(var_path)
        if var_text is None:
            continue
        hcl = parse_file(var_path, var_text)
        if not hcl.broken:
            var_files.append(hcl)
    for group in group_files(files):
        _evaluate(group, var_files, options.context, run)
    _RUNS[key] = run
    while len(_RUNS) > _MAX_RUNS:
        _RUNS.popitem(last=False)
    return run


def _evaluate(files: list[s.HclFile], var_files: list[s.HclFile], context: DeploymentContext, run: DirectoryRun) -> None:
    meter = Meter(DEFAULT_BUDGET * max(1, len(files)))
    root = Module(files, var_files, meter=meter, read_dir=_read_dir)
    gallery_types = set(azurerm.table()["resources"])
    consumer_types = {k for k in azurerm.table()["consumers"] if not k.startswith("_")}
    disk_types = azurerm.disk_types()
    stack: list[tuple[Module, str | None]] = [(root, None)]
    reported_budget = False
    # Image Builder templates wait for every resource: the version's region is its definition's.
    templates: list[tuple[Module, Instance, EvaluatedBlock, str, FileResult]] = []
    before = {file_path: len(result.resources) for file_path, result in run.by_file.items()}
    while stack:
        module, owner = stack.pop()
        for hcl in module.files:
            for block in hcl.body.blocks_of("resource"):
                if len(block.labels) != 2:
                    continue
                type_ = block.labels[0][0]
                if (type_ not in gallery_types and type_ not in consumer_types and type_ not in disk_types
                        and type_ not in azapi.AZAPI_TYPES):
                    continue
                out = run.of(owner or block.path)
                for instance in module.instances(block):
                    evaluated = module.evaluate_block(block, instance.scope)
                    if type_ in gallery_types:
                        resource, built = azurerm.build_gallery_resource(type_, evaluated, block.path, context)
                        out.resources.append(resource)
                        out.notes.extend(built.notes)
                        for span, message, property_path in built.refusals:
                            out.findings.append(diagnostics.usage_error(
                                span, message, resource.type_name, resource.full_name, property_path))
                    elif type_ in consumer_types:
                        consumer = azurerm.build_consumer(type_, evaluated, block.path, context)
                        if consumer is not None:
                            out.resources.append(consumer)
                    elif type_ in disk_types:
                        out.resources.append(azurerm.build_disk(type_, evaluated, block.path, context))
                    elif azapi.is_image_template(evaluated):
                        templates.append((module, instance, evaluated, block.path, out))
                    else:
                        made = azapi.build(module, instance, evaluated, block.path, context)
                        if made is not None:
                            out.resources.append(made)
                            refused = azapi.string_body_refused(module, instance)
                            if refused is not None:
                                out.findings.append(diagnostics.usage_error(
                                    refused[0], refused[1], made.type_name, made.full_name, "body"))
                    if meter.exhausted and not reported_budget:
                        reported_budget = True
                        out.findings.append(diagnostics.parse_error(
                            block.header_span,
                            "evaluation stopped here: the work budget for this module is spent; the values from here on are unknown"))
            for block in hcl.body.blocks_of("module"):
                if len(block.labels) == 1:
                    child = module.child(block.labels[0][0])
                    if child is not None:
                        # The called module's resources are reported with the file that calls it.
                        stack.append((child, owner or block.path))
    # Only this module's resources: the other groups of the folder are separate examples.
    known = [r for file_path, result in run.by_file.items() for r in result.resources[before.get(file_path, 0):]]
    for module, instance, evaluated, path, out in templates:
        versions, problems = azapi.image_template_versions(module, instance, evaluated, path, context, known)
        out.resources.extend(versions)
        out.findings.extend(problems)
    if meter.too_deep:
        first = files[0]
        run.of(first.path).findings.append(diagnostics.parse_error(
            Span(first.path, 1, 1, 1, 1), "references nest too deeply to evaluate; some values are unknown"))
    for problem in root.problems:
        run.of(problem.span.path).findings.append(diagnostics.parse_error(problem.span, problem.message))
    for hcl in files:
        for nesting in hcl.problems:  # only nesting-depth problems reach here (syntax errors exclude the file)
            run.of(hcl.path).findings.append(diagnostics.parse_error(nesting.span, nesting.message))


def load_text(path: str, text: str, options: LoadOptions, siblings: bool = True) -> LoadResult:
    """Load one configuration file; `siblings=False` reads it as a module on its own (a
    Markdown code block)."""
    result = LoadResult()
    name = os.path.basename(path)
    if is_var_file(name) or name.endswith((".tfvars", ".tfvars.json")):
        hcl = parse_file(path, text)
        result.comments = hcl.comments
        if hcl.broken:
            problem = hcl.problems[0]
            result.findings.append(diagnostics.parse_error(problem.span, problem.message))
        result.relevant = bool(result.findings)
        return result
    run = _directory(path, text, options, siblings)
    mine = run.by_file.get(path, FileResult())
    parsed = run.parsed.get(path)
    result.resources = list(mine.resources)
    result.findings = list(mine.findings)
    result.notes = list(mine.notes)
    result.comments = parsed.comments if parsed is not None else []
    result.relevant = bool(result.resources or result.findings)
    return result


def load(source: SourceFile, options: LoadOptions) -> LoadResult:
    return load_text(source.path, source.text, options)
