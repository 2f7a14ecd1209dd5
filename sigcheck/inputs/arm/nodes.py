"""Evaluating a template's located JSON: values computed in an expression `Scope`, with their
values and problems reported where they are written in the user's file.

The expression language itself (parsing, functions, scopes, UNKNOWN) is in expression.py,
functions.py and evaluate.py; this module is the bridge between that and `Node` trees: it evaluates
a resource body into a new Node tree whose values are known or UNKNOWN and whose spans still point
at the expressions that produced them, expands `copy` loops and skips false conditions.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from sigcheck.inputs.arm.evaluate import PARAMETER_TYPES, DeploymentTarget, EvalIssue, Scope, evaluate, evaluate_value
from sigcheck.inputs.arm.functions import type_name
from sigcheck.inputs.arm.expression import is_expression, unescape_literal
from sigcheck.model.diagnostics import ARM_EXPRESSION_ERROR, PARSE_ERROR
from sigcheck.model.findings import Finding
from sigcheck.syntax.jsonc import LongNumber, Node
from sigcheck.syntax.budget import Budget, BudgetExceeded
from sigcheck.syntax.located import UNKNOWN, Located, Span

# ARM's own ceiling on copy loops; also what keeps a hostile count from exploding the model.
MAX_COPY = 800
# Work units one expression string costs the file's budget before its own steps (measured: an
# evaluation costs about as much as 16 nodes of the located tree).
EXPRESSION_COST = 16


@dataclass
class Reporter:
    """Collects the findings and internal errors evaluation produces, once per place."""

    findings: list[Finding] = field(default_factory=list)
    internal: list[str] = field(default_factory=list)
    # The file's evaluation budget, shared by the expression evaluator and the loop expansion.
    budget: Budget = field(default_factory=Budget)
    _seen: set[tuple[object, ...]] = field(default_factory=set)
    _budget_reported: bool = False

    def issue(self, node: Node, issue: EvalIssue) -> None:
        span = _offset_span(node, issue.offset)
        key = (span.line, span.column, issue.kind, issue.message)
        if key in self._seen:
            return
        self._seen.add(key)
        if issue.kind == "limit" and issue.message == self.budget.exceeded:
            self.exhausted(span)
        elif issue.kind == "internal":
            self.internal.append(f"{span.path}:{span.line}:{span.column}: expression evaluation failed: {issue.message}")
        elif issue.kind == "syntax":
            self.findings.append(PARSE_ERROR.at(span, f"invalid ARM expression: {issue.message}"))
        else:
            self.findings.append(ARM_EXPRESSION_ERROR.at(span, issue.message))


    def exhausted(self, span: Span) -> None:
        """The file's budget ran out here: said once, where it happened; every value that
        needed more is unknown."""
        if not self._budget_reported:
            self._budget_reported = True
            self.findings.append(PARSE_ERROR.at(
                span, f"template not fully evaluated: {self.budget.exceeded}; the values and loop instances "
                      "from here on are unknown"))


def _offset_span(node: Node, offset: int) -> Span:
    """The file position of character `offset` of a JSON string value (its opening '[' is 0).

    Exact when the string sits on one line without escape sequences; otherwise the whole value.
    """
    span = node.span
    raw_width = span.end_column - span.column
    if span.line == span.end_line and isinstance(node.value, str) and raw_width == len(node.value) + 2:
        column = span.column + 1 + min(offset, max(len(node.value) - 1, 0))
        return Span(span.path, span.line, column, span.line, column + 1)
    return span


def _describe(sources: Sequence[str], origins: dict[str, str]) -> str | None:
    """'default of parameter 'region'', or for several: 'parameters 'a', 'b' from x.parameters.json'."""
    words: list[str] = []
    grouped: dict[str, list[str]] = {}
    for source in sources:
        kind, _, name = source.partition(":")
        if kind == "parameter":
            origin = origins.get(name.lower(), f"parameter '{name}'")
            # origins read "parameter 'x' from f", "default of parameter 'x'", "parameter 'x' passed by d"
            head, _, tail = origin.partition(f"parameter '{name}'")
            grouped.setdefault(f"{head}\0{tail}", []).append(name)
        elif kind == "variable":
            words.append(f"variable '{name}'")
    for key, names in grouped.items():
        head, tail = key.split("\0")
        quoted = ", ".join(f"'{n}'" for n in names)
        words.insert(0, f"{head}parameter{'s' if len(names) > 1 else ''} {quoted}{tail}")
    return "; ".join(words) if words else None


def to_node(value: Any, span: Span, origin: str | None) -> Node:
    """An evaluated value as a Node tree; every part points at the expression that produced it."""
    if isinstance(value, dict):
        return Node({str(k): to_node(v, span, origin) for k, v in value.items()}, span, {str(k): span for k in value}, origin)
    if isinstance(value, list):
        return Node([to_node(v, span, origin) for v in value], span, origin=origin)
    return Node(value, span, origin=origin)


class NodeEvaluator:
    """Evaluates the Nodes of one template in one expression `Scope` (the template's top level,
    or one iteration of a copy loop), reporting to a shared `Reporter`."""

    def __init__(self, scope: Scope, origins: dict[str, str], reporter: Reporter, path: str,
                 described: dict[tuple[str, ...], str | None] | None = None) -> None:
        self.scope = scope
        self.origins = origins  # lower-case parameter name -> how its value was supplied
        self.reporter = reporter
        self.path = path
        # _describe(sources, origins) by sources, shared by the evaluators with these origins:
        # the same few parameters feed most of a template's expressions.
        self._described = described if described is not None else {}

    @classmethod
    def for_template(
        cls,
        template: Node,
        path: str,
        reporter: Reporter,
        parameter_values: dict[str, tuple[Any, str]] | None = None,
        context: DeploymentTarget | None = None,
    ) -> NodeEvaluator:
        """The evaluator of a template's top level; `parameter_values` maps a name to (value, origin)."""
        supplied = parameter_values or {}
        scope = Scope.from_template(template.plain(), parameter_values={k: v for k, (v, _) in supplied.items()}, context=context)
        origins: dict[str, str] = {}
        declared = template.get_ci("parameters")
        for name, declaration in declared.items() if declared is not None else ():
            if name.lower() in {k.lower() for k in supplied}:
                origin = next(o for k, (_, o) in supplied.items() if k.lower() == name.lower())
                origins[name.lower()] = origin
            elif declaration.get_ci("defaultValue") is not None:
                origins[name.lower()] = f"default of parameter '{name}'"
        scope._shared.file_budget = reporter.budget
        self = cls(scope, origins, reporter, path)
        self._check_definitions(template)
        return self

    def check_supplied(self, template: Node, supplied: dict[str, tuple[Any, str]], spans: dict[str, Span]) -> None:
        """What ARM refuses in supplied parameter values before it evaluates anything: a name the
        template does not declare, a value of another type, one outside `allowedValues`."""
        declared = template.get_ci("parameters")
        declarations = {name.lower(): (name, d) for name, d in declared.items()} if declared is not None and declared.is_object else {}
        for name, (value, _origin) in supplied.items():
            span = spans.get(name)
            if span is None:
                continue
            found = declarations.get(name.lower())
            if found is None:
                close = difflib.get_close_matches(name, [n for n, _ in declarations.values()], n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                self.reporter.findings.append(ARM_EXPRESSION_ERROR.at(
                    span, f"the parameter file gives '{name}', which the template does not declare{hint}"))
                continue
            declared_name, declaration = found
            if value is UNKNOWN or not declaration.is_object:
                continue
            kind_node = declaration.get_ci("type")
            written = kind_node.value if kind_node is not None and isinstance(kind_node.value, str) else ""
            allowed = PARAMETER_TYPES.get(written.lower())
            if isinstance(value, LongNumber):
                # An integer too long for Python to convert is kept as its digits (a str); it is
                # no string, and no ARM int either.
                self.reporter.findings.append(ARM_EXPRESSION_ERROR.at(
                    span, f"parameter '{declared_name}' is given an integer of {len(value.lstrip('-')):,} digits, "
                          f"outside ARM's 64-bit range: the deployment refuses it"))
                continue
            if allowed is not None and (not isinstance(value, allowed) or (written.lower() == "int" and isinstance(value, bool))):
                self.reporter.findings.append(ARM_EXPRESSION_ERROR.at(
                    span, f"parameter '{declared_name}' is declared {written} in the template, but the parameter "
                          f"file gives a value of type {type_name(value)}: the deployment refuses it"))
                continue
            choices = declaration.get_ci("allowedValues")
            if choices is not None and choices.is_array and not any(c.plain() == value for c in choices.value):
                shown = ", ".join(str(c.plain()) for c in choices.value[:10])
                self.reporter.findings.append(ARM_EXPRESSION_ERROR.at(
                    span, f"parameter '{declared_name}' must be one of {shown} (allowedValues), not {value!r}"))

    def _check_definitions(self, template: Node) -> None:
        """Report problems inside variables and parameter defaults once, where they are written."""
        variables = template.get_ci("variables")
        if variables is not None and variables.is_object:
            self._evaluate_for_issues(variables)
        parameters = template.get_ci("parameters")
        for _, declaration in parameters.items() if parameters is not None else ():
            default = declaration.get_ci("defaultValue")
            if default is not None:
                self._evaluate_for_issues(default)

    def _evaluate_for_issues(self, node: Node) -> None:
        issues: list[tuple[Any, EvalIssue]] = []
        evaluate_value(node.plain(), self.scope, issues=issues)
        for path, issue in issues:
            self.reporter.issue(_follow(node, path), issue)

    # -- values --------------------------------------------------------------------------
    def evaluate_string(self, node: Node) -> tuple[Any, str | None]:
        text = node.value
        if not is_expression(text):
            return unescape_literal(text), None
        if self.reporter.budget.exceeded is not None:
            return UNKNOWN, None  # said once where it ran out; literals are still read
        try:
            self.reporter.budget.spend(EXPRESSION_COST)
        except BudgetExceeded:
            self.reporter.exhausted(node.span)
            return UNKNOWN, None
        result = evaluate(text, self.scope)
        for issue in result.issues:
            self.reporter.issue(node, issue)
        sources = tuple(result.sources)
        described = self._described
        if sources in described:
            return result.value, described[sources]
        origin = described[sources] = _describe(sources, self.origins)
        return result.value, origin

    def attribute(self, part: Located[Any]) -> Located[Any]:
        """A part of a composed value (a segment of `format('{0}/{1}', …)`) credited to the one
        parameter whose value it is, rather than to every parameter the whole came from."""
        if part.origin is None or not part.known or len(self.origins) == 0:
            return part
        for name, origin in self.origins.items():
            if f"'{name}'" in part.origin.lower() and self.scope.parameter(name).value == part.value:
                return Located(part.value, part.span, origin, part.path)
        return part

    def evaluate(self, node: Node) -> Located[Any]:
        """A scalar node's value (expressions evaluated), located at the node."""
        if isinstance(node.value, str):
            value, origin = self.evaluate_string(node)
            return Located(value, node.span, origin)
        return Located(node.plain() if (node.is_object or node.is_array) else node.value, node.span)

    def evaluate_tree(self, node: Node) -> Node:
        """A copy of `node` with expressions replaced by their values and property loops
        expanded; unknown past the file's budget. A part with nothing to evaluate is not copied:
        the result shares it with the template (neither is ever modified)."""
        if self.reporter.budget.exceeded is None:
            try:
                self.reporter.budget.spend()
            except BudgetExceeded:
                self.reporter.exhausted(node.span)
        if node.is_object:
            values: dict[str, Node] = {}
            # Where each key's span comes from: a property loop's name, or (None) the key as
            # written, read only when the object is copied (most are not).
            spans: dict[str, Span | None] = {}
            changed = False
            for key, child in node.items():
                if key.lower() == "copy" and child.is_array:
                    changed = True
                    for name, expanded in self._expand_property_copy(child):
                        values[name.value] = expanded
                        spans[name.value] = name.span
                    continue
                evaluated = values[key] = self.evaluate_tree(child)
                changed = changed or evaluated is not child
                spans[key] = None
            if not changed:
                return node
            written = node.key_spans
            assert written is not None
            return Node(values, node.span, {key: span if span is not None else written[key] for key, span in spans.items()},
                        node.origin)
        if node.is_array:
            items = [self.evaluate_tree(v) for v in node.value]
            if all(item is v for item, v in zip(items, node.value)):
                return node
            return Node(items, node.span, origin=node.origin)
        if isinstance(node.value, str):
            value, origin = self.evaluate_string(node)
            if value is node.value and origin is None:
                return node
            return to_node(value, node.span, origin)
        return node

    def _expand_property_copy(self, loops: Node) -> Iterator[tuple[Located[Any], Node]]:
        for loop in loops.value:
            name_node, count_node, template = loop.get_ci("name"), loop.get_ci("count"), loop.get_ci("input")
            if name_node is None or count_node is None or template is None:
                continue
            name = self.evaluate(name_node)
            if not name.known or not isinstance(name.value, str):
                continue
            count, origin = self._copy_count(name.value, count_node)
            if count is None:
                yield name, Node(UNKNOWN, count_node.span, origin=origin)
                continue
            items = [
                self._derived(self.scope.with_copy_index(name.value, i)).evaluate_tree(template)
                for i in range(count)
            ]
            yield name, Node(items, loop.span)

    def _copy_count(self, loop: str, count_node: Node) -> tuple[int | None, str | None]:
        """A copy loop's count, or None when it is unknown or outside ARM's 0–800 (reported:
        the deployment refuses it, and sigcheck will not invent a number of instances); with
        where the count came from."""
        if self.reporter.budget.exceeded is not None:
            return None, None  # no more instances once the file's budget is spent
        count = self.evaluate(count_node)
        if not count.known:
            return None, count.origin
        if not isinstance(count.value, int) or isinstance(count.value, bool) or not 0 <= count.value <= MAX_COPY:
            shown = count.described() if not isinstance(count.value, str) or len(count.value) < 40 else "this value"
            self.reporter.findings.append(ARM_EXPRESSION_ERROR.at(
                count.span, f"the count of copy loop '{loop}' is {shown}: ARM requires an integer from 0 to {MAX_COPY}"))
            return None, count.origin
        return count.value, count.origin

    # -- resources -----------------------------------------------------------------------------
    def instances(self, resource: Node) -> Iterator[NodeEvaluator]:
        """One evaluator per instance of a resource: none when its condition is false, one per
        iteration of its copy loop (one, with an unknown index, when the count is unknown)."""
        condition = resource.get_ci("condition")
        if condition is not None:
            value = self.evaluate(condition).value
            if value is False:
                return
        loop = resource.get_ci("copy")
        if loop is None or not loop.is_object:
            yield self
            return
        name_node, count_node = loop.get_ci("name"), loop.get_ci("count")
        name = self.evaluate(name_node) if name_node is not None else None
        if name is None or not name.known or not isinstance(name.value, str):
            yield self
            return
        count = self._copy_count(name.value, count_node)[0] if count_node is not None else None
        if count is None:
            # Unknown, or refused by ARM: one instance stands for all, with an unknown index.
            yield self._derived(self.scope.with_copy_index(name.value, UNKNOWN))
            return
        for i in range(count):
            if self.reporter.budget.exceeded is not None:
                return  # the instances past the budget are not read (reported once)
            yield self._derived(self.scope.with_copy_index(name.value, i))

    def _derived(self, scope: Scope) -> NodeEvaluator:
        return NodeEvaluator(scope, self.origins, self.reporter, self.path, self._described)

    def nested(self, deployment: Node, template: Node) -> NodeEvaluator:
        """The evaluator of an inline nested template, in its own scope (`inner`) or its parent's
        (`outer`, ARM's default)."""
        properties = deployment.get_ci("properties")
        mode = None
        options = properties.get_ci("expressionEvaluationOptions") if properties is not None else None
        scope_node = options.get_ci("scope") if options is not None else None
        if scope_node is not None:
            mode = self.evaluate(scope_node).value
        if not (isinstance(mode, str) and mode.lower() == "inner"):
            return self
        values: dict[str, tuple[Any, str]] = {}
        passed = properties.get_ci("parameters") if properties is not None else None
        name_node = deployment.get_ci("name")
        deployment_name = self.evaluate(name_node).value if name_node is not None else None
        label = f"deployment '{deployment_name}'" if isinstance(deployment_name, str) else "the nested deployment"
        for name, wrapper in passed.items() if passed is not None else ():
            given = wrapper.get_ci("value")
            if given is not None:
                value = self.evaluate_tree(given).plain()
            else:
                value = UNKNOWN  # a Key Vault reference
            values[name] = (value, f"parameter '{name}' passed by {label}")
        return NodeEvaluator.for_template(template, self.path, self.reporter, values, self.scope.context)


def _follow(node: Node, path: Sequence[str | int]) -> Node:
    """The node at a key/index path, or the deepest node reached."""
    for step in path:
        if isinstance(step, int) and node.is_array and 0 <= step < len(node.value):
            node = node.value[step]
        elif isinstance(step, str) and node.is_object and node.get(step) is not None:
            node = node.get(step)  # type: ignore[assignment]
        else:
            break
    return node


