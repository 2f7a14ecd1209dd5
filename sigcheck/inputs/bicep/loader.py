"""Reading a .bicep or .bicepparam file into model resources.

The file is parsed (syntax.py), compiled to located ARM template values (compile.py) and evaluated
by the ARM evaluator's NodeEvaluator; each resource instance (loops expanded, false conditions
skipped, `existing` ones only named) becomes an ARM-shaped body for sigcheck.model.from_body.build,
as the ARM loader does. Local modules are read the same way with the parameters the caller passes;
their resources carry a related location: the `module` declaration they came through.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Iterator

from sigcheck.inputs import imagebuilder
from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile
from sigcheck.inputs.arm.loader import _concerns_galleries, _eval_target
from sigcheck.inputs.arm.parameters import read_values
from sigcheck.inputs.arm.nodes import MAX_COPY, NodeEvaluator, Reporter
from sigcheck.inputs.bicep import syntax as s
from sigcheck.inputs.bicep.compile import Compiler, ResInfo, quote
from sigcheck.model import diagnostics
from sigcheck.model.diagnostics import ARM_EXPRESSION_ERROR
from sigcheck.model import resources as m
from sigcheck.model.findings import Finding, Severity
from sigcheck.model.from_body import build, segment_spans
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.syntax.text import DecodeError, LineIndex, decode, unify_line_breaks

MAX_MODULE_DEPTH = 8
# Modules instantiated per file, all loops together: keeps a loop of modules calling loops bounded.
MAX_MODULE_INSTANCES = 300
MAX_READ = 4 * 1024 * 1024
_STRIPPED = {"parent", "scope", "dependson"}


@dataclass
class Run:
    """What one loaded file accumulates over its modules."""

    options: LoadOptions
    result: LoadResult = field(default_factory=LoadResult)
    seen: set[tuple[str, int, int, str]] = field(default_factory=set)
    comment_files: set[str] = field(default_factory=set)
    module_instances: int = 0
    # Where each supplied parameter value is written (a .bicepparam or parameter JSON), so that
    # values the template refuses are reported there.
    supplied_spans: dict[str, Span] = field(default_factory=dict)
    loading: list[str] = field(default_factory=list)  # absolute paths of the templates being read, outermost first

    def add(self, finding: Finding) -> None:
        if "too much work" in finding.message or "not fully evaluated" in finding.message:
            # The per-file work budget ran out: say so once, where it first happened.
            key = (finding.rule_id, 0, 0, finding.span.path + finding.message)
        else:
            key = (finding.rule_id, finding.span.line, finding.span.column, finding.span.path + finding.message)
        if key not in self.seen:
            self.seen.add(key)
            self.result.findings.append(finding)


def read_local(base_file: str, relative: str) -> str | None:
    """A local file's text, relative to the file that names it; None when missing or too large."""
    path = os.path.normpath(os.path.join(os.path.dirname(base_file), relative))
    try:
        if not os.path.isfile(path) or os.path.getsize(path) > MAX_READ:
            return None
        with open(path, "rb") as handle:
            return unify_line_breaks(decode(handle.read()))
    except (OSError, DecodeError):
        return None


def unresolved(span: Span, what: str) -> Finding:
    """SIG002 (off by default): a value sigcheck cannot know, named where it is written."""
    return Finding("SIG002", Severity.NOTE, f"{what} cannot be resolved statically, so no rule checks what it holds", span)


def load(source: SourceFile, options: LoadOptions, fragment: bool = False) -> LoadResult:
    """`fragment`: a snippet from documentation (a Markdown block), where names declared
    elsewhere are unknown rather than errors."""
    run = Run(options)
    try:
        program = s.parse(source.text)
    except s.BicepSyntaxError as exc:
        span = LineIndex(source.path, source.text, source.first_line).span(exc.start, exc.end)
        return LoadResult(findings=[diagnostics.parse_error(span, f"invalid Bicep: {exc.message}")])
    if program.errors:
        run.add(_syntax_error(source.path, source.text, program.errors[0], source.first_line))
    if source.path.lower().endswith(".bicepparam"):
        return _load_parameters_file(source, program, run)
    values = _parameter_values(source.path, options, run)
    _load_template(source.path, source.text, program, values, run, via=[], depth=0, first_line=source.first_line,
                   fragment=fragment)
    return _finish(run)


def _finish(run: Run) -> LoadResult:
    result = run.result
    if not any(_concerns_galleries(res) for res in result.resources):
        # A broken file may hide gallery resources: its syntax error is still reported.
        broken = [f for f in result.findings if f.rule_id == "SIG001"]
        return LoadResult(findings=broken, comments=result.comments) if broken else LoadResult(relevant=False)
    return result


def _syntax_error(path: str, text: str, exc: s.BicepSyntaxError, first_line: int = 1) -> Finding:
    """SIG001 at the first error; the declarations that parsed are still checked, the others unknown."""
    span = LineIndex(path, text, first_line).span(exc.start, exc.end)
    return diagnostics.parse_error(span, f"invalid Bicep: {exc.message}")


def _comments(program: s.Program, lines: LineIndex) -> list[tuple[Span, str]]:
    return [(lines.span(start, end), text) for start, end, text in program.comments]


# -- parameters ---------------------------------------------------------------------------------

def _parameter_values(template_path: str, options: LoadOptions, run: Run) -> dict[str, tuple[Any, str]]:
    chosen = options.parameters_file
    if chosen is not None and not chosen.lower().endswith((".bicepparam", ".json", ".jsonc")):
        chosen = None  # another kind's (a Packer .pkrvars.hcl): the convention applies
    if chosen is None:
        stem = os.path.splitext(template_path)[0]
        candidate = stem + ".bicepparam"
        chosen = candidate if os.path.isfile(candidate) else None
    if chosen is None:
        return {}
    if chosen.lower().endswith(".bicepparam"):
        return _bicepparam_values(chosen, run)
    values, problems = read_values(chosen, run.supplied_spans)
    for problem in problems:
        run.add(problem)
    return values


def _bicepparam_values(path: str, run: Run) -> dict[str, tuple[Any, str]]:
    shown = os.path.relpath(path) if not os.path.isabs(path) or path.startswith(os.getcwd()) else path
    text = read_local(path, os.path.basename(path))
    if text is None:
        run.add(diagnostics.parse_error(Span(shown, 1, 1, 1, 1), "cannot read the .bicepparam file"))
        return {}
    try:
        program = s.parse_strict(text)
    except s.BicepSyntaxError as exc:
        run.add(diagnostics.parse_error(LineIndex(shown, text).span(exc.start, exc.end), f"invalid Bicep: {exc.message}"))
        return {}
    return _evaluate_assignments(program, text, shown, run)


def _evaluate_assignments(program: s.Program, text: str, path: str, run: Run) -> dict[str, tuple[Any, str]]:
    """`param x = …` of a .bicepparam, evaluated (its params are values, its vars helpers)."""
    compiler = Compiler(program, text, path, lambda rel: read_local(path, rel))
    reporter = Reporter(budget=run.options.budget)
    scope = NodeEvaluator.for_template(compiler.template(), path, reporter, {}, _eval_target(run.options.context))
    label = os.path.basename(path)
    values: dict[str, tuple[Any, str]] = {}
    for key, decl in compiler.params.items():
        if decl.value is None:
            continue
        node = compiler.node(decl.value, {})
        values[decl.name] = (scope.evaluate_tree(node).plain(), f"parameter '{decl.name}' from {label}")
        run.supplied_spans[decl.name] = compiler.espan(decl.value)
    for finding in compiler.findings + reporter.findings:
        run.add(finding)
    return values


def _load_parameters_file(source: SourceFile, program: s.Program, run: Run) -> LoadResult:
    using = next((d for d in program.decls if d.keyword == "using"), None)
    lines = LineIndex(source.path, source.text)
    if using is None or using.target is None or using.target.literal is None:
        if using is None:
            run.add(diagnostics.parse_error(lines.span(0, 0), "a .bicepparam file needs `using '<template>.bicep'`"))
            run.result.comments = _comments(program, lines)
            return run.result
        return LoadResult(relevant=False)  # `using none` or a registry template: nothing local to check
    target = using.target.literal
    if target.startswith(("br:", "br/", "ts:", "ts/")):
        run.add(unresolved(lines.span(using.target.start, using.target.end), f"the template '{target}'"))
        return LoadResult(relevant=False)
    template_text = read_local(source.path, target)
    if template_text is None:
        run.add(diagnostics.parse_error(lines.span(using.target.start, using.target.end), f"the template '{target}' cannot be read"))
        return run.result
    values = _evaluate_assignments(program, source.text, source.path, run)
    template_path = os.path.normpath(os.path.join(os.path.dirname(source.path), target))
    try:
        template = s.parse(template_text)
    except s.BicepSyntaxError as exc:
        span = LineIndex(template_path, template_text).span(exc.start, exc.end)
        run.add(diagnostics.parse_error(span, f"invalid Bicep: {exc.message}"))
        return run.result
    if template.errors:
        run.add(_syntax_error(template_path, template_text, template.errors[0]))
    run.result.comments.extend(_comments(program, lines))
    _load_template(template_path, template_text, template, values, run, via=[], depth=0)
    return _finish(run)


# -- templates and modules ------------------------------------------------------------------------

def _load_template(path: str, text: str, program: s.Program, values: dict[str, tuple[Any, str]], run: Run,
                   via: list[tuple[Span, str]], depth: int, elsewhere: bool = False, first_line: int = 1,
                   fragment: bool = False) -> None:
    run.loading.append(os.path.abspath(path))
    try:
        _read_template(path, text, program, values, run, via, depth, elsewhere, first_line, fragment)
    finally:
        run.loading.pop()


def _read_template(path: str, text: str, program: s.Program, values: dict[str, tuple[Any, str]], run: Run,
                   via: list[tuple[Span, str]], depth: int, elsewhere: bool, first_line: int, fragment: bool) -> None:
    lines = LineIndex(path, text, first_line)
    if path not in run.comment_files:
        run.comment_files.add(path)
        run.result.comments.extend(_comments(program, lines))
    compiler = Compiler(program, text, path, lambda rel: read_local(path, rel), partial=fragment or bool(program.errors),
                        first_line=first_line)
    reporter = Reporter(budget=run.options.budget)  # one budget for the file and all its modules
    root = compiler.template()
    # A module deployed to another scope (`scope: resourceGroup('rg')`) knows nothing of the
    # configured resource group, subscription or location.
    context = _eval_target(m.DeploymentContext() if elsewhere else run.options.context)
    scope = NodeEvaluator.for_template(root, path, reporter, values, context)
    if depth == 0 and run.supplied_spans:
        scope.check_supplied(root, values, run.supplied_spans)
    image_templates: list[tuple[ResInfo, NodeEvaluator]] = []
    declared: list[m.Resource] = []
    for info in compiler.all_resources:
        if info.parent is not None:
            continue
        for top, res_scope in _instances(compiler, info, scope):
            for res_info, inst_scope in _with_children(compiler, top, res_scope):
                if res_info.type_name.lower() == imagebuilder.IMAGE_TEMPLATES.lower() and not res_info.decl.existing:
                    image_templates.append((res_info, inst_scope))
                    continue
                resource = _model(compiler, res_info, inst_scope, run.options.context)
                if resource is not None:
                    declared.append(resource)
    # Image Builder templates after every resource: a version takes its region from a definition
    # declared anywhere in the file (sigcheck.inputs.imagebuilder, shared with the ARM loader).
    for res_info, inst_scope in image_templates:
        if res_info.body is None or res_info.decl.target is None:
            continue
        names = _names(compiler, res_info, inst_scope)
        name = names[-1].value if names and isinstance(names[-1].value, str) else None
        versions, problems = imagebuilder.image_versions(
            _body(compiler, res_info, inst_scope), _api_version(compiler, res_info), path,
            compiler.span(res_info.decl.start, res_info.decl.end), run.options.context,
            known=run.result.resources + declared, template_name=name)
        declared.extend(versions)
        for problem in problems:
            run.add(problem)
    for resource in declared:
        run.result.resources.append(resource)
        if via:
            run.result.related[id(resource)] = list(via)
    for decl in compiler.modules.values():
        _load_module(compiler, decl, scope, run, via, depth, elsewhere)
    for finding in compiler.findings + reporter.findings:
        run.add(finding)
    for span, what in compiler.unresolved:
        run.add(unresolved(span, what))
    run.result.internal_errors.extend(reporter.internal)


def _with_children(compiler: Compiler, info: ResInfo, scope: NodeEvaluator) -> Iterator[tuple[ResInfo, NodeEvaluator]]:
    """A resource instance and, recursively, the instances of the resources nested in its body."""
    stack: list[tuple[ResInfo, NodeEvaluator]] = [(info, scope)]
    while stack:
        current, current_scope = stack.pop()
        yield current, current_scope
        children = list(current.children.values())
        for child in reversed(children):
            for inst in reversed(list(_instances(compiler, child, current_scope))):
                stack.append(inst)


def _instances(compiler: Compiler, info: ResInfo, scope: NodeEvaluator) -> Iterator[tuple[ResInfo, NodeEvaluator]]:
    """One scope per instance: none when the condition is false, one per loop iteration (one with
    an unknown index when the count is unknown)."""
    for inst in _loop_scopes(compiler, info.loop, info.loop_name, info.outer_env, info.env, info.condition, scope):
        yield info, inst


def _loop_scopes(compiler: Compiler, loop: s.For | None, name: str, outer: dict[str, str], env: dict[str, str],
                 condition: s.Expr | None, scope: NodeEvaluator) -> Iterator[NodeEvaluator]:
    def kept(candidate: NodeEvaluator) -> bool:
        if condition is None:
            return True
        value = candidate.evaluate(Node("[" + compiler.arm(condition, env) + "]", compiler.espan(condition))).value
        return value is not False

    if loop is None:
        if kept(scope):
            yield scope
        return
    iterable = compiler.arm(loop.iterable, outer)
    count = scope.evaluate(Node(f"[length({iterable})]", compiler.espan(loop.iterable))).value
    if not isinstance(count, int) or isinstance(count, bool):
        candidate = scope._derived(scope.scope.with_copy_index(name, UNKNOWN))
        if kept(candidate):
            yield candidate
        return
    for i in range(min(max(count, 0), MAX_COPY)):
        candidate = scope._derived(scope.scope.with_copy_index(name, i))
        if kept(candidate):
            yield candidate


def _model(compiler: Compiler, info: ResInfo, scope: NodeEvaluator, context: m.DeploymentContext) -> m.Resource | None:
    if info.decl.existing:
        return None  # named only, so that children and references know it; never checked as created
    cls = m.MODEL_BY_TYPE.get(info.type_name.lower())
    if cls is None or info.body is None:
        return None
    body = _body(compiler, info, scope)
    names = _names(compiler, info, scope)
    api_version = _api_version(compiler, info)
    common = {
        "source_kind": "bicep",
        "path": compiler.path,
        "span": compiler.span(info.decl.start, info.decl.end),
        "names": names,
        "api_version": api_version,
        "context": context,
    }
    return build(cls, common, body)


def _api_version(compiler: Compiler, info: ResInfo) -> Located[str] | None:
    """The API version of `'Type@version'`, located at the version's own characters."""
    target = info.decl.target
    written = target.literal if target is not None else None
    if target is None or written is None or "@" not in written:
        return None
    at = written.index("@")
    return Located(info.api_version, compiler.span(target.start + 2 + at, target.end - 1))


def _body(compiler: Compiler, info: ResInfo, scope: NodeEvaluator) -> Node:
    assert info.body is not None and info.decl.target is not None
    compiled = compiler.node(info.body, info.env)
    target_span = compiler.espan(info.decl.target)
    values: dict[str, Node] = {"type": Node(info.type_name, target_span), "apiVersion": Node(info.api_version, target_span)}
    spans: dict[str, Span] = {"type": target_span, "apiVersion": target_span}
    for key, child in compiled.items():
        if key.lower() in _STRIPPED:
            continue
        values[key] = child
        spans[key] = compiled.key_spans[key] if compiled.key_spans else child.span
    return scope.evaluate_tree(Node(values, compiled.span, spans))


def _names(compiler: Compiler, info: ResInfo, scope: NodeEvaluator) -> list[Located[Any]]:
    """Every name segment (parents first), each located at the name expression that gives it."""
    chain: list[tuple[ResInfo, s.Expr | None, dict[str, str]]] = []
    current: tuple[ResInfo, s.Expr | None] | None = (info, None)
    env = info.env
    while current is not None and len(chain) < 16:
        res, index = current
        own_env = compiler.own_env(res, index, env)
        chain.append((res, index, own_env))
        current = compiler.parent_of(res)
        env = own_env
    names: list[Located[Any]] = []
    for res, index, own_env in reversed(chain):
        prop = res.body.get("name") if res.body is not None else None
        if prop is None:
            return []
        node = compiler.node(prop.value, own_env)
        value = scope.evaluate(node)
        own = max(1, res.type_name.count("/") - len(names))
        names.extend(scope.attribute(part) for part in segment_spans(value, own))
    return names


def _load_module(compiler: Compiler, decl: s.Decl, scope: NodeEvaluator, run: Run,
                 via: list[tuple[Span, str]], depth: int, elsewhere: bool) -> None:
    target = decl.target.literal if decl.target is not None else None
    if decl.target is None or target is None:
        return
    where = compiler.span(decl.name_start, decl.name_end)
    if target.startswith(("br:", "br/", "ts:", "ts/")):
        run.add(unresolved(compiler.espan(decl.target), f"module '{decl.name}' from the registry ('{target}')"))
        return
    if not target.lower().endswith(".bicep"):
        run.add(unresolved(compiler.espan(decl.target), f"module '{decl.name}' (an ARM template module, '{target}', is not followed)"))
        return
    path = os.path.normpath(os.path.join(os.path.dirname(compiler.path), target))
    if os.path.abspath(path) in run.loading:
        run.add(ARM_EXPRESSION_ERROR.at(compiler.espan(decl.target), f"module '{decl.name}' deploys '{target}', which is "
                                                                        "already being deployed above it (a module cycle)"))
        return
    if depth >= MAX_MODULE_DEPTH:
        run.add(unresolved(compiler.espan(decl.target), f"module '{decl.name}' (modules nested more than {MAX_MODULE_DEPTH} deep)"))
        return
    text = read_local(compiler.path, target)
    if text is None:
        run.add(unresolved(compiler.espan(decl.target), f"module '{decl.name}' ('{target}' not found)"))
        return
    try:
        program = s.parse_strict(text)
    except s.BicepSyntaxError as exc:
        run.add(diagnostics.parse_error(LineIndex(path, text).span(exc.start, exc.end), f"invalid Bicep: {exc.message}"))
        return
    body: s.Expr | None = decl.value
    loop = condition = None
    if isinstance(body, s.For):
        loop, condition, body = body, body.condition, body.body
    if isinstance(body, s.IfBody):
        condition, body = (body.condition if condition is None else condition), body.body
    if not isinstance(body, s.Object):
        return
    env: dict[str, str] = {}
    if loop is not None:
        compiler._bind_loop(env, loop, f"copyIndex({quote(decl.name)})", {})
    target_scope = body.get("scope")
    if target_scope is not None and not _is_own_resource_group(target_scope.value):
        elsewhere = True
    if compiler.target_scope.lower() != "resourcegroup":
        elsewhere = True  # deployed from a subscription or wider: the module's resource group is another
    params = body.get("params")
    params_node = compiler.node(params.value, env) if params is not None else None
    label = f"module '{decl.name}' of {compiler.path}"
    for inst in _loop_scopes(compiler, loop, decl.name, {}, env, condition, scope):
        run.module_instances += 1
        if run.module_instances > MAX_MODULE_INSTANCES or run.options.budget.exceeded is not None:
            run.add(ARM_EXPRESSION_ERROR.at(where, "modules from here on are not evaluated: the file and its modules take "
                                                   "too much work to evaluate (more module instances or expression steps "
                                                   "than sigcheck allows one file)"))
            return
        values: dict[str, tuple[Any, str]] = {}
        if params_node is not None:
            passed = inst.evaluate_tree(params_node)
            if passed.is_object:
                for name, value in passed.items():
                    if value.value is None:
                        continue  # ARM reads a null parameter value as none given: the default applies
                    values[name] = (value.plain(), f"parameter '{name}' passed by module '{decl.name}'")
            else:  # parameters given as one expression: each one unknown
                for other in program.decls:
                    if other.keyword == "param":
                        values[other.name] = (UNKNOWN, f"parameter '{other.name}' passed by module '{decl.name}'")
        _load_template(path, text, program, values, run, via + [(where, label)], depth + 1, elsewhere)


def _is_own_resource_group(expr: s.Expr) -> bool:
    """`resourceGroup()` (or `az.resourceGroup()`) without arguments: the caller's own resource group."""
    if not isinstance(expr, s.Call) or expr.args:
        return False
    callee = expr.callee
    name = callee.name if isinstance(callee, (s.Ident, s.Member)) else ""
    return name == "resourceGroup"


__all__ = ["load", "read_local"]
