"""Evaluating ARM template values: expressions, and JSON values that contain them.

    scope = Scope.from_template(template, parameter_values={"prefix": "img"})
    result = evaluate("[concat(parameters('prefix'), '-gallery')]", scope)
    result.value      # 'img-gallery', or UNKNOWN
    result.sources    # ['parameter:prefix']
    result.issues     # [EvalIssue(kind, message, offset)]: offsets into the string, '[' is 0

UNKNOWN semantics. A value that cannot be known statically is UNKNOWN, and so is anything that
depends on it — except where the unknown part cannot change the answer:

- `if(c, a, b)` evaluates only the branch taken (as ARM does); with `c` unknown it is the value
  of both branches when they are equal and fully known, else UNKNOWN.
- `and`/`or` are decided by a known false/true argument even if others are unknown;
  `coalesce` returns its first non-null argument unless an unknown one comes before it.
- Containers may hold unknown parts: `createArray('a', UNKNOWN)` is `['a', UNKNOWN]`,
  `length()` of it is 2, `first()` is 'a'; `equals`/`contains`/`indexOf` answer False or True
  when a known part decides, UNKNOWN otherwise; `format('{0}', 'a', UNKNOWN)` is 'a'.
- `union()` of arrays with an unknown element is UNKNOWN (duplicates cannot be removed);
  `string()` of a container with an unknown part is UNKNOWN. (`union()` of objects merges nested
  objects, as ARM's documentation now specifies.)
- `uniqueString()`, `guid()`, `reference()`, `list*()`, `newGuid()`, `utcNow()`, … are UNKNOWN:
  the service computes them, and nothing here guesses.
- `resourceGroup()`, `subscription()`, `deployment()`, `environment()`, `tenant()` are partial
  objects holding what the DeploymentTarget configures; other properties are UNKNOWN.
- `resourceId()` & co. give a ResourceId (a str with `.type`, `.names`, …) even when the
  subscription or resource group is not configured; such an ID is `.known == False` and is
  UNKNOWN to every function that reads its text (concat, format, equals, …). A deployment to a
  resource group is assumed.
- Where ARM's behaviour is not certain (culture-specific string order, .NET number formats not
  modelled, lenient JSON), the value is UNKNOWN rather than a guess, and no issue is raised.

Issues. Each Result lists what ARM would reject, located in the string evaluated. Issues inside a
variable, a parameter default or a user-defined function body belong to that text: they are
reported when the caller evaluates it, not at every reference — except a reference into a
reference cycle ('cycle') or into a value that hit a safety limit ('limit'), reported at the
reference. In a branch that may not be taken (unknown condition) value-dependent issues
('type-error') are not reported. Safety limits (nesting, value size, work per string and per
scope) turn into 'limit' issues; a defect in sigcheck into an 'internal' one: evaluate() never
raises.

Values returned may be shared with the scope's caches (variables are evaluated once): treat them
as read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sigcheck.syntax.budget import Budget, BudgetExceeded
from sigcheck.inputs.arm.expression import (
    Call,
    Expr,
    ExpressionError,
    Index,
    Literal,
    Member,
    is_expression,
    parse,
    unescape_literal,
)
from sigcheck.inputs.arm.functions import (
    BUILTINS,
    MISSING,
    UNKNOWN,
    DeploymentTarget,
    EvalError,
    IssueKind,
    Lambda,
    LimitExceeded,
    PartialObject,
    ResourceId,
    get_property,
    is_arm_function,
    is_unknown,
    measure,
    suggest_function,
    type_name,
)

__all__ = [
    "UNKNOWN",
    "Deferred",
    "DeploymentTarget",
    "EvalIssue",
    "PartialObject",
    "PathIssue",
    "ResourceId",
    "Result",
    "Scope",
    "evaluate",
    "evaluate_value",
]

# Variables, defaults and user functions nested inside each other's evaluation, at most.
MAX_LAZY_DEPTH = 48
# Nesting of JSON values walked by evaluate_value (deeper parts are UNKNOWN).
MAX_VALUE_DEPTH = 200
# Work, in expression nodes evaluated: per top-level evaluation, and per Scope over its lifetime.
MAX_STEPS = 250_000
MAX_SCOPE_STEPS = 2_000_000
# ARM's own limit on copy counts.
MAX_COPY_COUNT = 800

PARAMETER_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "securestring": (str,),
    "int": (int,),
    "bool": (bool,),
    "array": (list,),
    "object": (dict,),
    "secureobject": (dict,),
}


@dataclass(frozen=True, slots=True)
class EvalIssue:
    """Something ARM would reject; `offset` is 0-based in the JSON string value (with its `[`)."""

    kind: IssueKind
    message: str
    offset: int


PathIssue = tuple[tuple[str | int, ...], EvalIssue]


@dataclass(slots=True)
class Result:
    """The value of a JSON string value (or UNKNOWN), what it was computed from, and issues.

    `sources` names the parameters and variables the value depends on, transitively and in
    order of first use: 'parameter:location', 'variable:regions'.
    """

    value: Any
    sources: list[str] = field(default_factory=list)
    issues: list[EvalIssue] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.value is not UNKNOWN


@dataclass(frozen=True, slots=True)
class Deferred:
    """A parameter value written in the template (a default): evaluated on first use, in the scope."""

    raw: Any


@dataclass(frozen=True, slots=True)
class _UserFunction:
    name: str  # 'ns.fn' as declared
    params: tuple[tuple[str, str], ...]  # (name, lower-case type)
    output: Any  # the raw output value; UNKNOWN when the definition has none


@dataclass(frozen=True, slots=True)
class _FunctionFrame:
    name: str
    args: Mapping[str, Any]  # lower-case parameter name -> value


@dataclass(frozen=True, slots=True)
class _CopyVariable:
    """A variable defined by the variables section's `copy` array."""

    name: str
    count: Any
    input: Any


@dataclass(frozen=True, slots=True)
class _Memo:
    value: Any
    sources: tuple[str, ...]
    problem: tuple[IssueKind, str] | None


class _BudgetExhausted(Exception):
    """Evaluation took more work than allowed; it is abandoned as a whole. The message, when
    there is one, is the file budget's reason."""


class _Budget:
    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps = 0


class _Shared:
    """What all scopes derived from one template share: declarations and evaluation caches."""

    __slots__ = (
        "parameters", "variables", "functions", "context", "memo", "stack", "labels", "cycles", "sizes",
        "steps", "file_budget",
    )  # fmt: skip

    def __init__(
        self,
        parameters: Mapping[str, Any],
        variables: Mapping[str, Any],
        functions: Sequence[Any],
        context: DeploymentTarget,
    ) -> None:
        self.parameters = {name.lower(): (name, value) for name, value in parameters.items()}
        self.variables = _variable_table(variables)
        self.functions = _function_table(functions)
        self.context = context
        self.memo: dict[tuple[str, str], _Memo] = {}
        self.stack: list[tuple[str, str]] = []  # lazy evaluations in progress, for cycles
        self.labels: dict[tuple[str, str], str] = {}  # how to name each of them in messages
        self.cycles: dict[tuple[str, str], str] = {}
        # The file's budget (sigcheck.syntax.budget), shared with every other evaluator of the
        # file; the limits above bound one expression, this one bounds them all together.
        self.file_budget: Budget | None = None
        self.sizes: dict[int, int] = {}  # id() of memoised containers -> measured weight
        self.steps = 0


def _variable_table(variables: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    table: dict[str, tuple[str, Any]] = {}
    for name, raw in variables.items():
        if name.lower() == "copy" and isinstance(raw, list):
            for entry in raw:
                if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                    copy_name = entry["name"]
                    loop = _CopyVariable(copy_name, entry.get("count"), entry.get("input"))
                    table[copy_name.lower()] = (copy_name, loop)
        else:
            table[name.lower()] = (name, raw)
    return table


def _function_table(sections: Sequence[Any]) -> dict[str, _UserFunction]:
    """The `functions` section; malformed entries are skipped (that is the loader's to report)."""
    table: dict[str, _UserFunction] = {}
    for section in sections if isinstance(sections, list) else ():
        if not isinstance(section, dict):
            continue
        namespace, members = _ci(section, "namespace"), _ci(section, "members")
        if not isinstance(namespace, str) or not isinstance(members, dict):
            continue
        for member, definition in members.items():
            if not isinstance(definition, dict):
                continue
            params: list[tuple[str, str]] = []
            for param in _ci(definition, "parameters") or ():
                if isinstance(param, dict) and isinstance(_ci(param, "name"), str):
                    declared_type = _ci(param, "type")
                    type_key = declared_type.lower() if isinstance(declared_type, str) else ""
                    params.append((_ci(param, "name"), type_key))
            output = _ci(_ci(definition, "output"), "value")
            name = f"{namespace}.{member}"
            table[name.lower()] = _UserFunction(name, tuple(params), UNKNOWN if output is None else output)
    return table


def _ci(obj: Any, key: str) -> Any:
    """A template property whatever its casing (ARM property names are case-insensitive), or None."""
    if not isinstance(obj, dict):
        return None
    value = get_property(obj, key)
    return None if value is MISSING else value


class Scope:
    """Everything an expression can see.

    - `parameters`: name -> value. A value is taken as is (UNKNOWN when not supplied), except a
      `Deferred(raw)`, which is the template's defaultValue: evaluated lazily, in this scope.
    - `variables`: the template's variables section as written (values evaluated lazily, with
      cycle detection; a `copy` array defines iterated variables).
    - `functions`: the template's functions section (user-defined `ns.fn(...)`).
    - `context`: the deployment target as configured.
    - `copy_index` / `current_loop`: loop name -> current index, and the loop `copyIndex()`
      without a name refers to. Set them, or use with_copy_index().

    Names are case-insensitive. Scopes derived with with_copy_index() share caches.
    """

    __slots__ = ("_shared", "_function", "copy_index", "current_loop")

    def __init__(
        self,
        *,
        parameters: Mapping[str, Any] | None = None,
        variables: Mapping[str, Any] | None = None,
        functions: Sequence[Any] | None = None,
        context: DeploymentTarget | None = None,
        copy_index: Mapping[str, int] | None = None,
        current_loop: str | None = None,
    ) -> None:
        self._shared = _Shared(parameters or {}, variables or {}, functions or [], context or DeploymentTarget())
        self._function: _FunctionFrame | None = None
        self.copy_index: dict[str, Any] = dict(copy_index or {})
        self.current_loop = current_loop

    @classmethod
    def from_template(
        cls,
        template: Mapping[str, Any],
        *,
        parameter_values: Mapping[str, Any] | None = None,
        context: DeploymentTarget | None = None,
    ) -> Scope:
        """The scope of a template's top level.

        `parameter_values` are the values a parameter file or the command line supplies (plain
        values, already unwrapped from `{"value": …}`; UNKNOWN for a Key Vault reference). A
        parameter without a supplied value takes its defaultValue (null when it is `nullable`),
        else is UNKNOWN.
        """
        supplied = {name.lower(): value for name, value in (parameter_values or {}).items()}
        parameters: dict[str, Any] = {}
        declared = _ci(template, "parameters")
        for name, declaration in (declared.items() if isinstance(declared, dict) else ()):
            if name.lower() in supplied:
                parameters[name] = supplied[name.lower()]
            elif isinstance(declaration, dict) and get_property(declaration, "defaultValue") is not MISSING:
                parameters[name] = Deferred(get_property(declaration, "defaultValue"))
            elif isinstance(declaration, dict) and _ci(declaration, "nullable") is True:
                parameters[name] = None  # languageVersion 2.0: an omitted nullable parameter is null
            else:
                parameters[name] = UNKNOWN
        variables = _ci(template, "variables")
        return cls(
            parameters=parameters,
            variables=variables if isinstance(variables, dict) else {},
            functions=_ci(template, "functions") or [],
            context=context,
        )

    @property
    def context(self) -> DeploymentTarget:
        return self._shared.context

    def with_copy_index(self, loop: str, index: int) -> Scope:
        """This scope inside iteration `index` of copy loop `loop` (also the default loop)."""
        child = self._derive()
        child.copy_index[loop] = index
        child.current_loop = loop
        return child

    def parameter(self, name: str) -> Result:
        """The value of a parameter, as `parameters('name')` would give it."""
        return _run(Call("parameters", (Literal(name, 0),), 0), self)

    def variable(self, name: str) -> Result:
        """The value of a variable, as `variables('name')` would give it."""
        return _run(Call("variables", (Literal(name, 0),), 0), self)

    def _derive(self, function: _FunctionFrame | None = None, *, keep_copy: bool = True) -> Scope:
        child = Scope.__new__(Scope)
        child._shared = self._shared
        child._function = function if function is not None else (self._function if keep_copy else None)
        child.copy_index = dict(self.copy_index) if keep_copy else {}
        child.current_loop = self.current_loop if keep_copy else None
        return child

    def _root(self) -> Scope:
        """Where variables and defaults are evaluated: the template level, outside any loop."""
        return self._derive(keep_copy=False)


def evaluate(expr_string: str, scope: Scope) -> Result:
    """The value of one JSON string value: a literal (after `[[` unescaping) or an expression."""
    if not isinstance(expr_string, str):
        return Result(expr_string)
    if not is_expression(expr_string):
        return Result(unescape_literal(expr_string))
    try:
        node = parse(expr_string)
    except ExpressionError as error:
        return Result(UNKNOWN, [], [EvalIssue("syntax", error.message, error.offset)])
    return _run(node, scope)


def evaluate_value(
    value: Any,
    scope: Scope,
    *,
    issues: list[PathIssue] | None = None,
    sources: list[str] | None = None,
) -> Any:
    """`value` with every string in it evaluated, deeply (object keys too).

    Property iteration is expanded: a `"copy": [{"name", "count", "input"}]` property becomes the
    property `name` holding `count` evaluations of `input`. Issues are appended to `issues` with
    the path (keys and indexes) of the string they are in; names used to `sources`.
    """
    evaluator = _Evaluator(scope)
    result = evaluator.guarded(lambda: evaluator.value_of(value, (), issues), 0, issues)
    if sources is not None:
        sources.extend(s for s in evaluator.sources if s not in sources)
    return result


def _run(node: Expr, scope: Scope) -> Result:
    evaluator = _Evaluator(scope)
    value = evaluator.guarded(lambda: evaluator.top(node), node.offset, None)
    return Result(value, list(evaluator.sources), evaluator.issues)


class _Speculation:
    """Context manager for branches that may not be taken: their type errors are not reported."""

    __slots__ = ("evaluator",)

    def __init__(self, evaluator: _Evaluator) -> None:
        self.evaluator = evaluator

    def __enter__(self) -> None:
        self.evaluator.speculating += 1

    def __exit__(self, *exc: object) -> None:
        self.evaluator.speculating -= 1


class _Thunk:
    __slots__ = ("evaluator", "node")

    def __init__(self, evaluator: _Evaluator, node: Expr) -> None:
        self.evaluator = evaluator
        self.node = node

    def __call__(self) -> Any:
        return self.evaluator.eval(self.node)


class _Evaluator:
    """Evaluates the nodes of one string (or one JSON value) in a scope; implements functions.Host."""

    def __init__(self, scope: Scope, budget: _Budget | None = None) -> None:
        self.scope = scope
        # A top-level evaluator gives each string its own work budget; a nested one (evaluating
        # a variable for some string) spends that string's.
        self.top_level = budget is None
        self.budget = budget or _Budget()
        self.issues: list[EvalIssue] = []
        self.sources: dict[str, None] = {}  # an ordered set
        self.speculating = 0
        self.lambda_variables: Mapping[str, Any] = {}
        self._seen: set[tuple[str, int, str]] = set()

    # -- entry points

    def guarded(self, compute: Callable[[], Any], offset: int, sink: list[PathIssue] | None) -> Any:
        """Run `compute`; whatever goes wrong becomes an issue and an UNKNOWN value."""
        try:
            return compute()
        except _BudgetExhausted as exhausted:
            why = str(exhausted) or "the expression takes too much work to evaluate"
            self.report("limit", why, offset, sink)
        except RecursionError:
            self.report("limit", "the value is nested too deeply to evaluate", offset, sink)
        except Exception as error:  # a defect here must not take the run down
            self.report("internal", f"sigcheck failed to evaluate this: {error!r}", offset, sink)
        return UNKNOWN

    def report(self, kind: IssueKind, message: str, offset: int, sink: list[PathIssue] | None) -> None:
        issue = self.issue(kind, message, offset)
        if sink is not None and issue is not None:
            sink.append(((), issue))

    def top(self, node: Expr) -> Any:
        return self.finish(self.eval(node), node.offset)

    def finish(self, value: Any, offset: int) -> Any:
        """Checks on a string's final value: no lambda escapes, no value explodes in size."""
        if isinstance(value, Lambda):
            self.issue("type-error", "a lambda can only be an argument of map(), filter(), reduce()…", offset)
            return UNKNOWN
        try:
            measure(value, cache=self.scope._shared.sizes)
        except LimitExceeded as error:
            self.issue("limit", str(error), offset)
            return UNKNOWN
        return value

    def value_of(self, value: Any, path: tuple[str | int, ...], sink: list[PathIssue] | None) -> Any:
        """evaluate_value's walk; each string's issues go to `sink` with the string's path."""
        if isinstance(value, str):
            if not is_expression(value):
                return unescape_literal(value)
            first = len(self.issues)
            self._seen.clear()  # issues are told once per string, not once per walk
            try:
                node = parse(value)
            except ExpressionError as error:
                self.issue("syntax", error.message, error.offset)
                node = None
            if node is None:
                result = UNKNOWN
            elif self.top_level:
                self.budget = _Budget()
                result = self.guarded(lambda: self.top(node), node.offset, None)
            else:
                result = self.top(node)
            if sink is not None:
                sink.extend((path, issue) for issue in self.issues[first:])
            return result
        if len(path) > MAX_VALUE_DEPTH:
            if isinstance(value, (dict, list)):
                issue = self.issue("limit", f"the value is nested more than {MAX_VALUE_DEPTH} levels deep", 0)
                if sink is not None and issue is not None:
                    sink.append((path, issue))
                return UNKNOWN
            return value
        if isinstance(value, list):
            return [self.value_of(item, (*path, i), sink) for i, item in enumerate(value)]
        if isinstance(value, dict):
            return self.object_of(value, path, sink)
        return value

    def object_of(self, obj: Mapping[str, Any], path: tuple[str | int, ...], sink: list[PathIssue] | None) -> Any:
        result: dict[str, Any] = {}
        unknown_key = False
        for key, raw in obj.items():
            if key.lower() == "copy" and _is_property_copy(raw):
                for i, spec in enumerate(raw):
                    where = (*path, key, i)
                    result[spec["name"]] = self.iterate(spec["name"], spec["count"], spec["input"], where, sink)
                continue
            name = self.value_of(key, (*path, key), sink) if is_expression(key) else unescape_literal(key)
            if not isinstance(name, str) or is_unknown(name):
                unknown_key = True  # then no property of the object is certain
                continue
            result[str(name)] = self.value_of(raw, (*path, key), sink)
        return UNKNOWN if unknown_key else result

    def iterate(
        self, loop: str, count: Any, item: Any, path: tuple[str | int, ...], sink: list[PathIssue] | None
    ) -> Any:
        """A `copy` loop (of a variable or a property): `count` evaluations of `item`."""
        count = self.value_of(count, (*path, "count"), sink)
        if count is UNKNOWN:
            return UNKNOWN
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= MAX_COPY_COUNT:
            message = f"the count of copy loop '{loop}' must be an integer from 0 to {MAX_COPY_COUNT}"
            issue = self.issue("type-error", message, 0)
            if sink is not None and issue is not None:
                sink.append(((*path, "count"), issue))
            return UNKNOWN
        outer = self.scope
        try:
            items = []
            for i in range(count):
                self.scope = outer.with_copy_index(loop, i)
                items.append(self.value_of(item, (*path, "input"), sink))
            return items
        finally:
            self.scope = outer

    # -- nodes

    def eval(self, node: Expr) -> Any:
        budget = self.budget
        budget.steps += 1
        shared = self.scope._shared
        shared.steps += 1
        if budget.steps > MAX_STEPS or shared.steps > MAX_SCOPE_STEPS:
            raise _BudgetExhausted
        if not shared.steps & 63 and shared.file_budget is not None:
            try:
                shared.file_budget.spend(64)
            except BudgetExceeded as exc:
                raise _BudgetExhausted(str(exc)) from None
        kind = type(node)
        if kind is Literal:
            return node.value  # type: ignore[union-attr]
        if kind is Call:
            return self.call(node)  # type: ignore[arg-type]
        if kind is Member:
            return self.member(node)  # type: ignore[arg-type]
        return self.index(node)  # type: ignore[arg-type]

    def member(self, node: Member) -> Any:
        target = self.eval(node.target)
        if target is UNKNOWN:
            return UNKNOWN
        if isinstance(target, dict):
            value = get_property(target, node.name)
            if value is MISSING:
                return self.fail("type-error", _no_property(node.name, target), node.offset)
            return value
        return self.fail("type-error", f"cannot read property '{node.name}' of {_a(target)}", node.offset)

    def index(self, node: Index) -> Any:
        target = self.eval(node.target)
        index = self.eval(node.index)
        if target is UNKNOWN or is_unknown(index):
            return UNKNOWN
        if isinstance(target, list):
            if not isinstance(index, int) or isinstance(index, bool):
                message = f"an array index must be an integer, not {type_name(index)}"
                return self.fail("type-error", message, node.offset)
            if not 0 <= index < len(target):
                message = f"index {index} is out of range: the array has {len(target)} element(s)"
                return self.fail("type-error", message, node.offset)
            return target[index]
        if isinstance(target, dict):
            if not isinstance(index, str):
                message = f"an object index must be a string, not {type_name(index)}"
                return self.fail("type-error", message, node.offset)
            value = get_property(target, index)
            if value is MISSING:
                return self.fail("type-error", _no_property(index, target), node.offset)
            return value
        return self.fail("type-error", f"cannot index {_a(target)}", node.offset)

    def call(self, node: Call) -> Any:
        lowered = node.name.lower()
        if "." in lowered:
            function = self.scope._shared.functions.get(lowered)
            if function is not None:
                return self.call_user(function, node)
        builtin = BUILTINS.get(lowered)
        if builtin is None:
            self.eval_all(node.args)  # for their own issues and sources
            if "." in lowered:
                message = f"user-defined function '{node.name}' is not declared"
                return self.fail("unknown-function", message, node.offset)
            if not is_arm_function(lowered):
                hint = suggest_function(lowered)
                did_you_mean = f"; did you mean '{hint}'?" if hint else ""
                message = f"'{node.name}' is not an ARM template function{did_you_mean}"
                return self.fail("unknown-function", message, node.offset)
            return UNKNOWN  # real, but its value depends on the service
        count = len(node.args)
        if count < builtin.min_args or (builtin.max_args is not None and count > builtin.max_args):
            self.eval_all(node.args)
            message = f"{builtin.name}() {_expects(builtin.min_args, builtin.max_args)}, got {count}"
            return self.fail("arg-count", message, node.offset)
        args: list[Any] = []
        if builtin.lazy:
            args = [_Thunk(self, arg) for arg in node.args]
        else:
            # A plain loop, not a comprehension: one Python frame less per nesting level.
            for arg in node.args:
                args.append(self.eval(arg))
            if not builtin.sees_unknown and any(is_unknown(a) for a in args):
                return UNKNOWN
        try:
            result = builtin.impl(self, args)
            budget = self.scope._shared.file_budget
            if budget is not None and isinstance(result, (list, dict, str)) and len(result) > 64:
                # What lambdas, loops and concatenation materialise counts against the file.
                budget.grow(len(result) if not isinstance(result, str) else len(result) >> 4)
            return result
        except BudgetExceeded as exc:
            raise _BudgetExhausted(str(exc)) from None
        except EvalError as error:
            offset = node.args[error.arg].offset if error.arg is not None else node.offset
            message = f"{builtin.name}(): {error.message}" if error.kind == "type-error" else error.message
            return self.fail(error.kind, message, offset)
        except LimitExceeded as error:
            return self.fail("limit", f"{builtin.name}(): {error}", node.offset)

    def eval_all(self, nodes: Iterable[Expr]) -> None:
        for node in nodes:
            self.eval(node)

    def call_user(self, function: _UserFunction, node: Call) -> Any:
        args = [self.eval(arg) for arg in node.args]
        if len(args) != len(function.params):
            message = f"{function.name}() expects {len(function.params)} argument(s), got {len(args)}"
            return self.fail("arg-count", message, node.offset)
        for (name, declared), value, arg in zip(function.params, args, node.args):
            allowed = PARAMETER_TYPES.get(declared)
            if allowed and value is not None and not is_unknown(value) and (
                not isinstance(value, allowed) or (declared == "int" and isinstance(value, bool))
            ):
                message = f"{function.name}(): parameter '{name}' is {declared}, not {type_name(value)}"
                return self.fail("type-error", message, arg.offset)
        bound = {name.lower(): value for (name, _), value in zip(function.params, args)}
        frame = _FunctionFrame(function.name, bound)
        scope = self.scope._derive(frame, keep_copy=False)
        try:
            key, label = ("function", function.name.lower()), f"function {function.name}"
            return self.lazy(key, label, scope, function.output, memoise=False).value
        except EvalError as error:
            return self.fail(error.kind, error.message, node.offset)

    # -- lazy evaluation of variables, defaults and user functions

    def lazy(self, key: tuple[str, str], label: str, scope: Scope, raw: Any, *, memoise: bool = True) -> _Memo:
        """Evaluate `raw` in `scope` once (when `memoise`), outside the current string: its issues
        are its own, except a cycle or a limit, which also concerns whoever refers to it."""
        shared = self.scope._shared
        memo = shared.memo.get(key) if memoise else None
        if memo is None:
            if key in shared.stack:
                start = shared.stack.index(key)
                cycle = [*shared.stack[start:], key]
                path = " -> ".join(shared.labels[k] for k in cycle)
                for member in cycle:
                    shared.cycles[member] = path
                return _Memo(UNKNOWN, (), None)
            if len(shared.stack) >= MAX_LAZY_DEPTH:
                message = f"{label} is nested more than {MAX_LAZY_DEPTH} levels deep in other values"
                raise EvalError("limit", message)
            nested = _Evaluator(scope, self.budget)
            shared.stack.append(key)
            shared.labels[key] = label
            problem: tuple[IssueKind, str] | None = None
            try:
                value = nested.compute(raw)
            except RecursionError:
                value, problem = UNKNOWN, ("limit", f"{label} is nested too deeply to evaluate")
            finally:
                shared.stack.pop()
            limit = next((issue for issue in nested.issues if issue.kind == "limit"), None)
            if key in shared.cycles:
                value, problem = UNKNOWN, ("cycle", f"{label} refers to itself: {shared.cycles[key]}")
            elif limit is not None and problem is None:
                # A limit reached inside is the referrer's problem too: its value is UNKNOWN.
                value, problem = UNKNOWN, ("limit", f"{label}: {limit.message}")
            elif problem is None:
                try:
                    weight = measure(value, cache=shared.sizes)
                    if memoise and isinstance(value, (list, dict)):
                        shared.sizes[id(value)] = weight
                except LimitExceeded as error:
                    value, problem = UNKNOWN, ("limit", f"{label}: {error}")
            memo = _Memo(value, tuple(nested.sources), problem)
            if memoise:
                shared.memo[key] = memo
        self.sources.update(dict.fromkeys(memo.sources))
        if memo.problem is not None:
            raise EvalError(*memo.problem)
        return memo

    def compute(self, raw: Any) -> Any:
        if isinstance(raw, _CopyVariable):
            return self.iterate(raw.name, raw.count, raw.input, (), None)
        return self.value_of(raw, (), None)

    # -- functions.Host

    @property
    def context(self) -> DeploymentTarget:
        return self.scope._shared.context

    def parameter(self, name: str) -> Any:
        frame = self.scope._function
        if frame is not None:
            if name.lower() not in frame.args:
                message = f"user-defined function '{frame.name}' has no parameter '{name}'"
                raise EvalError("undeclared-parameter", message)
            return frame.args[name.lower()]
        declared, value = self._declared("parameter", name, self.scope._shared.parameters)
        if isinstance(value, Deferred):
            key, label = ("parameter", declared.lower()), f"parameter '{declared}'"
            value = self.lazy(key, label, self.scope._root(), value.raw).value
        return value

    def variable(self, name: str) -> Any:
        frame = self.scope._function
        if frame is not None:
            raise EvalError("undeclared-variable", f"user-defined function '{frame.name}' cannot use variables")
        declared, raw = self._declared("variable", name, self.scope._shared.variables)
        return self.lazy(("variable", declared.lower()), f"variable '{declared}'", self.scope._root(), raw).value

    def _declared(self, kind: str, name: str, table: Mapping[str, tuple[str, Any]]) -> tuple[str, Any]:
        """(name as declared, raw value) of a template `kind` ('parameter' or 'variable'), noted
        as a source of the value being computed; the ARM error when it is not declared."""
        entry = table.get(name.lower())
        if entry is None:
            error: IssueKind = "undeclared-parameter" if kind == "parameter" else "undeclared-variable"
            raise EvalError(error, f"{kind} '{name}' is not declared{_hint(name, table)}")
        self.sources[f"{kind}:{entry[0]}"] = None
        return entry

    def copy_index(self, loop: str | None) -> Any:
        loop = loop if loop is not None else self.scope.current_loop
        if loop is None:
            return UNKNOWN  # not inside a loop the caller expanded
        for name, index in self.scope.copy_index.items():
            if name.lower() == loop.lower():
                return index
        return UNKNOWN

    def lambda_variable(self, name: str) -> Any:
        value = self.lambda_variables.get(name.lower(), MISSING)
        if value is MISSING:
            raise EvalError("undeclared-variable", f"lambda variable '{name}' is not defined here")
        return value

    def lambda_closure(self) -> Mapping[str, Any]:
        return self.lambda_variables

    def invoke(self, fn: Lambda, args: Sequence[Any]) -> Any:
        if len(args) != len(fn.params):
            raise EvalError("type-error", f"the lambda takes {len(fn.params)} parameter(s), given {len(args)}")
        saved = self.lambda_variables
        self.lambda_variables = {**fn.closure, **{p.lower(): a for p, a in zip(fn.params, args)}}
        try:
            return self.eval(fn.body)
        finally:
            self.lambda_variables = saved

    def speculative(self) -> _Speculation:
        return _Speculation(self)

    # -- issues

    def issue(self, kind: IssueKind, message: str, offset: int) -> EvalIssue | None:
        """Record an issue; None when it is not reported (speculative, or already told)."""
        if self.speculating and kind == "type-error":
            return None
        key = (kind, offset, message)
        if key in self._seen:  # a lambda body evaluated per element says it once
            return None
        self._seen.add(key)
        issue = EvalIssue(kind, message, offset)
        self.issues.append(issue)
        return issue

    def fail(self, kind: IssueKind, message: str, offset: int) -> Any:
        self.issue(kind, message, offset)
        return UNKNOWN


def _is_property_copy(raw: Any) -> bool:
    return isinstance(raw, list) and bool(raw) and all(
        isinstance(spec, dict) and isinstance(spec.get("name"), str) and "count" in spec and "input" in spec
        for spec in raw
    )


def _expects(low: int, high: int | None) -> str:
    if high is None:
        return f"expects at least {low} argument(s)"
    if low == high:
        return f"expects {low} argument(s)"
    return f"expects {low} to {high} arguments"


def _no_property(name: str, obj: Mapping[str, Any]) -> str:
    names = list(obj)[:10]
    available = f"available: {', '.join(names)}" if names else "the object is empty"
    return f"property '{name}' does not exist ({available})"


def _a(value: Any) -> str:
    kind = type_name(value)
    return "null" if kind == "null" else f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _hint(name: str, declared: Mapping[str, tuple[str, Any]]) -> str:
    import difflib  # only on this error path

    close = difflib.get_close_matches(name.lower(), declared, n=1, cutoff=0.75)
    return f"; did you mean '{declared[close[0]][0]}'?" if close else ""

