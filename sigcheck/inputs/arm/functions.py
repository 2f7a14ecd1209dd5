"""Values of the ARM expression language and its built-in functions.

Values are plain Python — str, int, bool, None, list, dict (and float from `json()`) — plus:

- `UNKNOWN` (shared with `sigcheck.syntax.located`): a value that cannot be known statically.
- `ResourceId`: a `str` produced by `resourceId()` & co. that also carries the type and names, so
  callers can match it against resources declared in the template even when the subscription or
  resource group is not configured (then `.known` is False and the text holds placeholders).
- `PartialObject`: a dict of which only some properties are known (`resourceGroup()`,
  `subscription()`…); a missing property reads as UNKNOWN instead of being an error.
- `Lambda`: the value of `lambda(...)`, only meaningful as an argument of `map()`, `filter()`…

A built-in receives its arguments already evaluated (or as thunks when `lazy`), and unless it
declares `sees_unknown` it is not called at all when an argument is UNKNOWN: the result is then
UNKNOWN. It reports an error ARM would raise by raising `EvalError`.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from sigcheck.inputs.arm.expression import Expr
from sigcheck.model.ids import RESOURCE_GROUP_PLACEHOLDER, SUBSCRIPTION_PLACEHOLDER, resource_id
from sigcheck.syntax.located import UNKNOWN

__all__ = [
    "ARM_FUNCTION_NAMES",
    "BUILTINS",
    "MAX_STRING",
    "MAX_WEIGHT",
    "MISSING",
    "UNKNOWN",
    "Builtin",
    "DeploymentTarget",
    "EvalError",
    "Host",
    "IssueKind",
    "Lambda",
    "LimitExceeded",
    "PartialObject",
    "ResourceId",
    "deep_equals",
    "get_property",
    "has_property",
    "is_arm_function",
    "is_fully_known",
    "is_unknown",
    "measure",
    "scalar_text",
    "suggest_function",
    "type_name",
]

IssueKind = Literal[
    "unknown-function",
    "arg-count",
    "undeclared-parameter",
    "undeclared-variable",
    "type-error",  # anything ARM would fail on at evaluation: wrong type, missing property, bad index
    "cycle",  # variables/parameters that reference themselves, or a recursive user function
    "limit",  # the input exceeds a safety limit (nesting, size, work); the value is UNKNOWN
    "syntax",
    "internal",  # a defect in sigcheck itself; the value is UNKNOWN
]

# Safety limits. ARM itself caps a template at 4 MB, so legitimate values stay far below these.
MAX_STRING = 4 * 1024 * 1024  # characters in one string value
MAX_WEIGHT = 1_000_000  # weight of one value: 1 per node + 1 per 16 characters of string
_MAX_RANGE = 10_000  # ARM's own limit on range()'s count
_INT64 = (-(2**63), 2**63 - 1)


class EvalError(Exception):
    """An error ARM would raise evaluating a function; `arg` (0-based) says which argument."""

    def __init__(self, kind: IssueKind, message: str, arg: int | None = None) -> None:
        super().__init__(message)
        self.kind: IssueKind = kind
        self.message = message
        self.arg = arg


class LimitExceeded(Exception):
    """A value or computation outgrew a safety limit."""


# --------------------------------------------------------------------------------------------
# Values


class PartialObject(dict):  # type: ignore[type-arg]
    """An object of which only some properties are known; any other property reads as UNKNOWN."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"PartialObject({dict.__repr__(self)})"


class ResourceId(str):
    """A resource ID built by `resourceId()`, `subscriptionResourceId()`, `tenantResourceId()` or
    `extensionResourceId()`.

    - `scope`: 'resourceGroup', 'subscription', 'tenant' or 'extension'.
    - `type`: the full resource type as written (`Microsoft.Compute/galleries/images`).
    - `names`: one name per type segment after the namespace (`('g', 'i')`).
    - `subscription_id` / `resource_group`: the string when known; None when the ID is in the
      deployment's own subscription/resource group and the context does not configure it; UNKNOWN
      when given explicitly as a value that is unknown. Both None for tenant and extension IDs.
    - `parent`: for an extension ID, the ID of the resource it extends.

    The text is the real ID when `known`; otherwise the unknown parts read `{subscriptionId}` /
    `{resourceGroupName}` — for display only: functions treat an ID that is not `known` as UNKNOWN
    wherever its text matters, so no placeholder ever leaks into a computed string.
    """

    scope: str
    type: str
    names: tuple[str, ...]
    subscription_id: Any
    resource_group: Any
    parent: str | None
    # False when a name argument is unknown: the type still says what kind of resource is meant.
    names_known: bool

    def __new__(
        cls,
        scope: str,
        type_: str,
        names: Sequence[str],
        *,
        subscription_id: Any = None,
        resource_group: Any = None,
        parent: str | None = None,
        names_known: bool = True,
    ) -> ResourceId:
        if not names_known:
            # The type is known, the names are not: `{imagesName}` placeholders, for display only.
            names = tuple("{" + segment + "Name}" for segment in type_.split("/")[1:])
        sub = subscription_id if isinstance(subscription_id, str) else SUBSCRIPTION_PLACEHOLDER
        rg = resource_group if isinstance(resource_group, str) else RESOURCE_GROUP_PLACEHOLDER
        if scope == "resourceGroup":
            text = resource_id(type_, names, subscription=sub, resource_group=rg)
        elif scope == "subscription":
            text = resource_id(type_, names, subscription=sub)
        elif scope == "extension":
            text = resource_id(type_, names, parent=str(parent))
        else:
            text = resource_id(type_, names)
        self = super().__new__(cls, text)
        self.scope = scope
        self.type = type_
        self.names = tuple(names)
        self.subscription_id = subscription_id
        self.resource_group = resource_group
        self.parent = parent
        self.names_known = names_known
        return self

    @property
    def known(self) -> bool:
        """True when every part of the text is known (no placeholder in it)."""
        if not self.names_known:
            return False
        if self.scope == "resourceGroup":
            return isinstance(self.subscription_id, str) and isinstance(self.resource_group, str)
        if self.scope == "subscription":
            return isinstance(self.subscription_id, str)
        if self.scope == "extension":
            return not is_unknown(self.parent)
        return True

    def __repr__(self) -> str:
        return f"ResourceId({str.__repr__(self)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_resource_id,
            (self.scope, self.type, self.names, self.subscription_id, self.resource_group, self.parent, self.names_known),
        )


def _rebuild_resource_id(
    scope: str, type_: str, names: tuple[str, ...], sub: Any, rg: Any, parent: str | None, names_known: bool = True
) -> ResourceId:
    return ResourceId(scope, type_, names, subscription_id=sub, resource_group=rg, parent=parent, names_known=names_known)


@dataclass(frozen=True, slots=True)
class Lambda:
    """`lambda('x', body)`: parameter names, the body, and the lambda variables it closes over."""

    params: tuple[str, ...]
    body: Expr
    closure: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class DeploymentTarget:
    """What the deployment target is, as far as it is configured; None/UNKNOWN = not configured."""

    subscription_id: Any = UNKNOWN
    tenant_id: Any = UNKNOWN
    resource_group: Any = UNKNOWN
    location: Any = UNKNOWN  # of the resource group
    deployment_name: Any = UNKNOWN
    environment: Any = UNKNOWN  # 'AzureCloud', 'AzureUSGovernment', …

    def known(self, field: str) -> str | None:
        value = getattr(self, field)
        return value if isinstance(value, str) else None


def is_unknown(value: Any) -> bool:
    """True for UNKNOWN and for a ResourceId whose text is not fully known."""
    return value is UNKNOWN or (type(value) is ResourceId and not value.known)


def type_name(value: Any) -> str:
    """The ARM name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, Lambda):
        return "lambda"
    return "unknown"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def measure(value: Any, limit: int = MAX_WEIGHT, cache: Mapping[int, int] | None = None) -> int:
    """The weight of a value (nodes + string length / 16), raising LimitExceeded past `limit`.

    Iterative, and counting shared sub-values once per occurrence: a value built by nesting the
    same variable twice per level grows exponentially, and this is what stops it. `cache` maps
    id() of values already measured (memoised variables) to their weight.
    """
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if cache is not None and (known := cache.get(id(item))) is not None:
            total += known
        else:
            total += 1
            if isinstance(item, str):
                total += len(item) >> 4
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(item.values())
        if total > limit:
            raise LimitExceeded(f"value is larger than the limit of {limit} units")
    return total


def is_fully_known(value: Any) -> bool:
    """True when nothing inside `value` is unknown (no UNKNOWN, partial object or unknown ID)."""
    stack = [value]
    seen = 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > MAX_WEIGHT:
            raise LimitExceeded("value is too large to inspect")
        if is_unknown(item) or isinstance(item, (PartialObject, Lambda)):
            return False
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return True


def deep_equals(a: Any, b: Any) -> Any:
    """ARM `equals`: True, False, or UNKNOWN when unknown parts decide it.

    Strings compare case-sensitively, objects by exact key sets, arrays element by element;
    a definite difference anywhere makes the answer False even if other parts are unknown.
    """
    stack = [(a, b)]
    undecided = False
    steps = 0
    while stack:
        x, y = stack.pop()
        steps += 1
        if steps > MAX_WEIGHT:
            raise LimitExceeded("values are too large to compare")
        if x is y and x is not UNKNOWN:
            continue
        if is_unknown(x) or is_unknown(y):
            undecided = True
            continue
        kind = type_name(x)
        if kind != type_name(y):
            if {kind, type_name(y)} <= {"int", "number"} and x == y:
                continue
            return False
        if kind == "array":
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif kind == "object":
            partial = isinstance(x, PartialObject) or isinstance(y, PartialObject)
            if partial:
                undecided = True
            elif x.keys() != y.keys():
                return False
            stack.extend((x[k], y[k]) for k in x if k in y)
        elif kind == "lambda":
            undecided = True
        elif x != y:
            return False
    return UNKNOWN if undecided else True


def get_property(obj: dict[str, Any], name: str) -> Any:
    """Case-insensitive property lookup; a missing property is MISSING (UNKNOWN on partials)."""
    if name in obj:
        return obj[name]
    folded = name.lower()
    for key, value in obj.items():
        if key.lower() == folded:
            return value
    return UNKNOWN if isinstance(obj, PartialObject) else MISSING


MISSING: Any = object()  # what get_property returns for a property that does not exist


def has_property(obj: dict[str, Any], name: str) -> bool:
    folded = name.lower()
    return name in obj or any(key.lower() == folded for key in obj)


# --------------------------------------------------------------------------------------------
# The evaluator, as the built-ins see it


class Host(Protocol):
    """The evaluator services the built-ins use (implemented in sigcheck.inputs.arm.evaluate)."""

    @property
    def context(self) -> DeploymentTarget: ...

    def parameter(self, name: str) -> Any: ...

    def variable(self, name: str) -> Any: ...

    def copy_index(self, loop: str | None) -> Any: ...

    def lambda_variable(self, name: str) -> Any: ...

    def lambda_closure(self) -> Mapping[str, Any]: ...

    def invoke(self, fn: Lambda, args: Sequence[Any]) -> Any: ...

    def speculative(self) -> Any:
        """A context manager: while it is active, value-dependent issues are not reported
        (for branches that may not be taken)."""


Impl = Callable[[Host, list[Any]], Any]


@dataclass(frozen=True, slots=True)
class Builtin:
    name: str  # canonical spelling, for messages
    impl: Impl
    min_args: int
    max_args: int | None  # None: any number
    lazy: bool  # receives thunks (call one to evaluate it; `.node` is its expression)
    sees_unknown: bool  # called even when an argument is UNKNOWN


BUILTINS: dict[str, Builtin] = {}


def _builtin(
    name: str, min_args: int, max_args: int | None = -1, *, lazy: bool = False, sees_unknown: bool = False
) -> Callable[[Impl], Impl]:
    def register(impl: Impl) -> Impl:
        upper = min_args if max_args == -1 else max_args
        BUILTINS[name.lower()] = Builtin(name, impl, min_args, upper, lazy, sees_unknown or lazy)
        return impl

    return register


# Argument accessors: each raises the type error ARM would, pointing at the argument.


def _fail(i: int, expected: str, value: Any) -> EvalError:
    return EvalError("type-error", f"argument {i + 1} must be {expected}, not {type_name(value)}", i)


def _str(args: list[Any], i: int) -> str:
    value = args[i]
    if isinstance(value, str):
        return value
    raise _fail(i, "a string", value)


def _int(args: list[Any], i: int) -> int:
    value = args[i]
    if _is_int(value):
        return int(value)
    raise _fail(i, "an integer", value)


def _bool(args: list[Any], i: int) -> bool:
    value = args[i]
    if isinstance(value, bool):
        return value
    raise _fail(i, "a boolean", value)


def _array(args: list[Any], i: int) -> list[Any]:
    value = args[i]
    if isinstance(value, list):
        return value
    raise _fail(i, "an array", value)


def _object(args: list[Any], i: int) -> dict[str, Any]:
    value = args[i]
    if isinstance(value, dict):
        return value
    raise _fail(i, "an object", value)


def _lambda(args: list[Any], i: int, arity: tuple[int, ...]) -> Lambda:
    value = args[i]
    if not isinstance(value, Lambda):
        raise _fail(i, "a lambda", value)
    if len(value.params) not in arity:
        wanted = " or ".join(str(n) for n in arity)
        raise EvalError("type-error", f"the lambda must take {wanted} parameter(s), not {len(value.params)}", i)
    return value


def _checked_string(text: str) -> str:
    if len(text) > MAX_STRING:
        raise LimitExceeded(f"string is longer than {MAX_STRING} characters")
    return text


def _int64(value: int) -> int:
    if not _INT64[0] <= value <= _INT64[1]:
        raise EvalError("type-error", "integer overflow (ARM integers are 64-bit)")
    return value


def _float_text(value: float) -> Any:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    return UNKNOWN if "e" in text or "n" in text else text  # exponents, nan, inf: .NET differs


def scalar_text(value: Any) -> Any:
    """A scalar as .NET's ToString() renders it (how concat/format/join/string see it)."""
    if isinstance(value, str):
        return UNKNOWN if is_unknown(value) else str(value)
    if value is True:
        return "True"
    if value is False:
        return "False"
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    return UNKNOWN


def _json_text(value: Any) -> Any:
    """Compact JSON, as ARM's string() writes arrays and objects."""
    if not is_fully_known(value):
        return UNKNOWN
    measure(value)
    try:
        return _checked_string(json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False))
    except ValueError:  # nan/inf from json(): .NET's rendering is not ours to guess
        return UNKNOWN


# --------------------------------------------------------------------------------------------
# Deployment values and scope


@_builtin("parameters", 1)
def _parameters(host: Host, args: list[Any]) -> Any:
    return host.parameter(_str(args, 0))


@_builtin("variables", 1)
def _variables(host: Host, args: list[Any]) -> Any:
    return host.variable(_str(args, 0))


@_builtin("copyIndex", 0, 2)
def _copy_index(host: Host, args: list[Any]) -> Any:
    loop: str | None = None
    offset = 0
    if args:
        if isinstance(args[0], str):
            loop = args[0]
            if len(args) == 2:
                offset = _int(args, 1)
        elif _is_int(args[0]):
            if len(args) == 2:
                raise EvalError("type-error", "copyIndex(offset) takes one argument; put the loop name first")
            offset = args[0]
        else:
            raise _fail(0, "a loop name or an integer offset", args[0])
    index = host.copy_index(loop)
    return UNKNOWN if index is UNKNOWN else index + offset


@_builtin("resourceGroup", 0)
def _resource_group(host: Host, args: list[Any]) -> Any:
    ctx = host.context
    value = PartialObject(type="Microsoft.Resources/resourceGroups")
    name, sub = ctx.known("resource_group"), ctx.known("subscription_id")
    if name is not None:
        value["name"] = name
        if sub is not None:
            value["id"] = f"/subscriptions/{sub}/resourceGroups/{name}"
    if (location := ctx.known("location")) is not None:
        value["location"] = location
    return value


@_builtin("subscription", 0)
def _subscription(host: Host, args: list[Any]) -> Any:
    ctx = host.context
    value = PartialObject()
    if (sub := ctx.known("subscription_id")) is not None:
        value["subscriptionId"] = sub
        value["id"] = f"/subscriptions/{sub}"
    if (tenant := ctx.known("tenant_id")) is not None:
        value["tenantId"] = tenant
    return value


@_builtin("tenant", 0)
def _tenant(host: Host, args: list[Any]) -> Any:
    value = PartialObject()
    if (tenant := host.context.known("tenant_id")) is not None:
        value["tenantId"] = tenant
        value["id"] = f"/tenants/{tenant}"
    return value


@_builtin("deployment", 0)
def _deployment(host: Host, args: list[Any]) -> Any:
    value = PartialObject()
    if (name := host.context.known("deployment_name")) is not None:
        value["name"] = name
    return value


@_builtin("environment", 0)
def _environment(host: Host, args: list[Any]) -> Any:
    value = PartialObject()
    if (name := host.context.known("environment")) is not None:
        value["name"] = name
    return value


# --------------------------------------------------------------------------------------------
# Resource IDs


def _resource_names(args: list[Any], first: int, type_: str) -> tuple[str, ...] | None:
    """The name arguments from `first` on, checked against the type; None when one is unknown."""
    names: list[str] = []
    for i in range(first, len(args)):
        if is_unknown(args[i]):
            return None
        names.append(_str(args, i))
    expected = type_.count("/")
    if expected == 0 or "" in type_.split("/")[:2]:
        raise EvalError("type-error", f"'{type_}' is not a resource type (like 'Microsoft.Compute/galleries')")
    if len(names) != expected:
        # A name may carry several segments ('gallery/image'); accept that when it adds up.
        flattened = [part for name in names for part in name.split("/")]
        if len(flattened) != expected:
            raise EvalError(
                "type-error", f"resource type '{type_}' needs {expected} resource name(s), got {len(names)}"
            )
        names = flattened
    return tuple(names)


def _resource_type(text: str) -> str:
    # Deployed templates write 'Microsoft.Network/virtualNetworks/' and ARM accepts it.
    return str(text).rstrip("/")


def _type_position(args: list[Any], max_prefix: int) -> int | None:
    """Where the resource type is among the leading args (ARM: the first one with a '/')."""
    for i in range(min(max_prefix + 1, len(args))):
        if isinstance(args[i], str) and not is_unknown(args[i]) and "/" in args[i]:
            return i
    if any(is_unknown(a) for a in args[: max_prefix + 1]):
        return None
    raise EvalError("type-error", "no resource type argument (like 'Microsoft.Compute/galleries')")


def _prefix(args: list[Any], i: int) -> Any:
    value = args[i]
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, str):
        return str(value)
    raise _fail(i, "a string", value)


def _typed_names(args: list[Any], at: int) -> tuple[str, tuple[str, ...]] | None:
    """The resource type argument at `at` and the names after it; None when a name is unknown."""
    type_ = _resource_type(_str(args, at))
    names = _resource_names(args, at + 1, type_)
    return None if names is None else (type_, names)


@_builtin("resourceId", 2, None, sees_unknown=True)
def _resource_id(host: Host, args: list[Any]) -> Any:
    at = _type_position(args, 2)
    if at is None:
        return UNKNOWN
    found = _typed_names(args, at)
    sub = _prefix(args, 0) if at == 2 else host.context.known("subscription_id")
    rg = _prefix(args, at - 1) if at >= 1 else host.context.known("resource_group")
    if found is None:
        # Names unknown, type known: a VM built from `resourceId('…/galleries/images/versions',
        # parameters(…), …)` still uses a gallery image (an id that is not `known`: no text of it is used).
        type_ = _resource_type(_str(args, at))
        if type_.count("/") == 0 or len(args) - at - 1 != type_.count("/"):
            return UNKNOWN
        return ResourceId("resourceGroup", type_, (), subscription_id=sub, resource_group=rg, names_known=False)
    return ResourceId("resourceGroup", *found, subscription_id=sub, resource_group=rg)


@_builtin("subscriptionResourceId", 2, None, sees_unknown=True)
def _subscription_resource_id(host: Host, args: list[Any]) -> Any:
    at = _type_position(args, 1)
    found = _typed_names(args, at) if at is not None else None
    if at is None or found is None:
        return UNKNOWN
    sub = _prefix(args, 0) if at == 1 else host.context.known("subscription_id")
    return ResourceId("subscription", *found, subscription_id=sub)


@_builtin("tenantResourceId", 2, None, sees_unknown=True)
def _tenant_resource_id(host: Host, args: list[Any]) -> Any:
    found = _typed_names(args, 0) if not is_unknown(args[0]) else None
    return UNKNOWN if found is None else ResourceId("tenant", *found)


@_builtin("extensionResourceId", 3, None, sees_unknown=True)
def _extension_resource_id(host: Host, args: list[Any]) -> Any:
    base = args[0]
    if base is UNKNOWN or is_unknown(args[1]):
        return UNKNOWN
    if not isinstance(base, str):
        raise _fail(0, "a resource ID", base)
    found = _typed_names(args, 1)
    if found is None:
        return UNKNOWN
    return ResourceId("extension", *found, parent=base if type(base) is ResourceId else str(base))


# --------------------------------------------------------------------------------------------
# Logical and comparison


@_builtin("if", 3, lazy=True)
def _if(host: Host, args: list[Any]) -> Any:
    condition = args[0]()
    if condition is UNKNOWN:
        with host.speculative():
            when_true, when_false = args[1](), args[2]()
        if when_true is when_false:
            return when_true
        same = deep_equals(when_true, when_false)
        return when_true if same is True and is_fully_known(when_true) else UNKNOWN
    if not isinstance(condition, bool):
        raise _fail(0, "a boolean", condition)
    # ARM evaluates only the branch taken, so `if(empty(a), x, a[0])` is fine.
    return args[1]() if condition else args[2]()


def _logical(host: Host, args: list[Any], deciding: bool) -> Any:
    # and() is decided by the first false, or() by the first true; later arguments are then
    # not evaluated, and after an unknown one they might not be (so: speculative).
    undecided = False
    for i, thunk in enumerate(args):
        if undecided:
            with host.speculative():
                value = thunk()
        else:
            value = thunk()
        if value is UNKNOWN:
            undecided = True
        elif not isinstance(value, bool):
            if undecided:
                return UNKNOWN  # ARM may never get this far
            raise _fail(i, "a boolean", value)
        elif value is deciding:
            return deciding
    return UNKNOWN if undecided else not deciding


@_builtin("and", 2, None, lazy=True)
def _and(host: Host, args: list[Any]) -> Any:
    return _logical(host, args, False)


@_builtin("or", 2, None, lazy=True)
def _or(host: Host, args: list[Any]) -> Any:
    return _logical(host, args, True)


@_builtin("not", 1)
def _not(host: Host, args: list[Any]) -> Any:
    return not _bool(args, 0)


@_builtin("bool", 1)
def _bool_function(host: Host, args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, bool):
        return value
    if _is_int(value):
        return value != 0
    if isinstance(value, str):
        return value.lower() == "true"
    raise _fail(0, "a string or an integer", value)


@_builtin("true", 0)
def _true(host: Host, args: list[Any]) -> Any:
    return True


@_builtin("false", 0)
def _false(host: Host, args: list[Any]) -> Any:
    return False


@_builtin("null", 0)
def _null(host: Host, args: list[Any]) -> Any:
    return None


@_builtin("coalesce", 1, None, lazy=True)
def _coalesce(host: Host, args: list[Any]) -> Any:
    undecided = False
    for thunk in args:
        if undecided:
            with host.speculative():
                value = thunk()
        else:
            value = thunk()
        if value is UNKNOWN:
            undecided = True  # it may be null, so what follows may be the answer
        elif value is not None:
            return UNKNOWN if undecided else value
    return UNKNOWN if undecided else None


@_builtin("equals", 2, sees_unknown=True)
def _equals(host: Host, args: list[Any]) -> Any:
    return deep_equals(args[0], args[1])


def _compare(args: list[Any]) -> int | Any:
    """-1/0/1 for two ints or two strings; UNKNOWN where the order would be a guess."""
    a, b = args
    if _is_int(a) and _is_int(b):
        return (a > b) - (a < b)
    if isinstance(a, str) and isinstance(b, str):
        # ARM orders strings culturally (case-insensitive first, then lower before upper); that
        # is only certain to match a simple comparison for plain ASCII letters and digits.
        if not (a.isascii() and b.isascii() and a.isalnum() and b.isalnum()):
            return UNKNOWN if a != b else 0
        la, lb = a.lower(), b.lower()
        if la == lb:
            return UNKNOWN if a != b else 0
        return (la > lb) - (la < lb)
    if (_is_int(a) or isinstance(a, str)) and (_is_int(b) or isinstance(b, str)):
        raise EvalError("type-error", f"cannot compare {type_name(a)} with {type_name(b)}")
    bad = 0 if not (_is_int(a) or isinstance(a, str)) else 1
    raise _fail(bad, "an integer or a string", args[bad])


def _comparison(test: Callable[[int], bool]) -> Impl:
    def impl(host: Host, args: list[Any]) -> Any:
        order = _compare(args)
        return UNKNOWN if order is UNKNOWN else test(order)

    return impl


_builtin("less", 2)(_comparison(lambda o: o < 0))
_builtin("lessOrEquals", 2)(_comparison(lambda o: o <= 0))
_builtin("greater", 2)(_comparison(lambda o: o > 0))
_builtin("greaterOrEquals", 2)(_comparison(lambda o: o >= 0))


# --------------------------------------------------------------------------------------------
# Numbers


def _arithmetic(op: Callable[[int, int], int]) -> Impl:
    def impl(host: Host, args: list[Any]) -> Any:
        return _int64(op(_int(args, 0), _int(args, 1)))

    return impl


def _truncated_div(a: int, b: int) -> int:
    if b == 0:
        raise EvalError("type-error", "division by zero", 1)
    quotient = abs(a) // abs(b)  # .NET truncates toward zero; Python floors
    return quotient if (a < 0) == (b < 0) else -quotient


_builtin("add", 2)(_arithmetic(lambda a, b: a + b))
_builtin("sub", 2)(_arithmetic(lambda a, b: a - b))
_builtin("mul", 2)(_arithmetic(lambda a, b: a * b))
_builtin("div", 2)(_arithmetic(_truncated_div))
_builtin("mod", 2)(_arithmetic(lambda a, b: a - b * _truncated_div(a, b)))


@_builtin("int", 1)
def _int_function(host: Host, args: list[Any]) -> Any:
    value = args[0]
    if _is_int(value):
        return value
    if isinstance(value, float) and value.is_integer():
        return _int64(int(value))
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?[0-9]+", text):
            # Past 20 digits it overflows whatever it says: no conversion of thousands of digits.
            return _int64(int(text) if len(text.lstrip("+-0")) <= 20 else _INT64[1] + 1)
        raise EvalError("type-error", f"'{value}' is not an integer", 0)
    raise _fail(0, "a string or an integer", value)


def _min_max(pick: Callable[[list[int]], int]) -> Impl:
    def impl(host: Host, args: list[Any]) -> Any:
        numbers: list[int] = []
        for i, value in enumerate(args):
            items = value if isinstance(value, list) else [value]
            for item in items:
                if item is UNKNOWN:
                    return UNKNOWN
                if not _is_int(item):
                    raise _fail(i, "an integer or an array of integers", value)
                numbers.append(item)
        if not numbers:
            raise EvalError("type-error", "no values to compare (the array is empty)", 0)
        return pick(numbers)

    return impl


_builtin("min", 1, None)(_min_max(min))
_builtin("max", 1, None)(_min_max(max))


@_builtin("range", 2)
def _range(host: Host, args: list[Any]) -> Any:
    start, count = _int(args, 0), _int(args, 1)
    if count < 0 or count > _MAX_RANGE:
        raise EvalError("type-error", f"the count must be between 0 and {_MAX_RANGE}, not {count}", 1)
    if start + count > 2**31 - 1:
        raise EvalError("type-error", "start + count must not exceed 2147483647", 1)
    return list(range(start, start + count))


# --------------------------------------------------------------------------------------------
# Strings


@_builtin("concat", 0, None)
def _concat(host: Host, args: list[Any]) -> Any:
    present = [a for a in args if a is not None]
    if not present:
        return ""
    if isinstance(present[0], list):
        result: list[Any] = []
        for i, value in enumerate(args):
            if value is None:
                continue
            result.extend(_array(args, i))
        return result
    parts: list[str] = []
    for i, value in enumerate(args):
        if isinstance(value, (list, dict)):
            message = f"argument {i + 1} is {type_name(value)}: concat() joins strings or arrays, not both"
            raise EvalError("type-error", message, i)
        text = scalar_text(value)
        if text is UNKNOWN:
            return UNKNOWN
        parts.append(text)
    return _checked_string("".join(parts))


_FORMAT_ITEM = re.compile(r"\{([0-9]+)[ ]*(?:,[ ]*(-?[0-9]+)[ ]*)?(?::([^{}]*))?\}")


@_builtin("format", 1, None, sees_unknown=True)
def _format(host: Host, args: list[Any]) -> Any:
    if is_unknown(args[0]):
        return UNKNOWN
    template = _str(args, 0)
    out: list[str] = []
    undecided = False
    i, n = 0, len(template)
    while i < n:
        brace = _next_brace(template, i)
        out.append(template[i:brace])
        if brace == n:
            break
        i = brace
        if template.startswith("{{", i) or template.startswith("}}", i):
            out.append(template[i])
            i += 2
            continue
        if template[i] == "}":
            raise EvalError("type-error", f"unmatched '}}' at position {i} of the format string", 0)
        item = _FORMAT_ITEM.match(template, i)
        if item is None:
            if i + 1 < n and (template[i + 1].isdigit() or template[i + 1] == " "):
                return UNKNOWN  # some .NET variant we do not model; not necessarily wrong
            raise EvalError("type-error", f"invalid format item at position {i} of the format string", 0)
        written = item.group(1)
        # Past 9 digits the index is not converted (Python refuses thousands of digits); no
        # template has that many arguments.
        index = int(written) if len(written.lstrip("0")) <= 9 else -1
        if index < 0 or index + 1 >= len(args):
            shown = written if len(written) <= 12 else written[:12] + "…"
            raise EvalError("type-error", f"format item {{{shown}}} has no argument", 0)
        text = _format_value(args[index + 1], item.group(3))
        if text is UNKNOWN:
            undecided = True
        else:
            out.append(_align(text, item.group(2)))
        i = item.end()
    return UNKNOWN if undecided else _checked_string("".join(out))


_BRACE = re.compile(r"[{}]")


def _next_brace(text: str, start: int) -> int:
    found = _BRACE.search(text, start)
    return found.start() if found else len(text)


def _align(text: str, width: str | None) -> str:
    if width is None:
        return text
    size = int(width) if len(width.lstrip("-").lstrip("0")) <= 9 else MAX_STRING + 1
    if abs(size) > MAX_STRING:
        raise LimitExceeded("format alignment is too wide")
    return text.rjust(size) if size >= 0 else text.ljust(-size)


def _format_value(value: Any, spec: str | None) -> Any:
    if not _is_int(value) or not spec:
        # .NET ignores a format string for strings and booleans.
        return scalar_text(value)
    letter, digits = spec[0], spec[1:]
    if digits and not (digits.isascii() and digits.isdigit()):
        return UNKNOWN
    if len(digits.lstrip("0")) > 9:
        return UNKNOWN  # a precision past the 1,000 sigcheck builds
    precision = int(digits) if digits else None
    if precision is not None and precision > 1000:
        return UNKNOWN
    if letter in "dD":
        body = str(abs(value)).rjust(precision or 0, "0")
        return f"-{body}" if value < 0 else body
    if letter in "nN":
        return f"{value:,.{2 if precision is None else precision}f}"
    if letter in "xX" and value >= 0:
        text = format(value, "x" if letter == "x" else "X")
        return text.rjust(precision or 0, "0")
    if letter in "gG" and precision is None:
        return str(value)
    return UNKNOWN  # other .NET numeric formats: not modelled


@_builtin("string", 1, sees_unknown=True)
def _string(host: Host, args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, (list, dict)):
        return _json_text(value)
    if isinstance(value, Lambda):
        raise _fail(0, "a value", value)
    return scalar_text(value)


@_builtin("json", 1)
def _json(host: Host, args: list[Any]) -> Any:
    text = _str(args, 0)
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        # ARM's JSON reader also accepts single quotes, comments, unquoted names…: not an error
        # we can be sure of.
        return UNKNOWN


@_builtin("toLower", 1)
def _to_lower(host: Host, args: list[Any]) -> Any:
    return _str(args, 0).lower()


@_builtin("toUpper", 1)
def _to_upper(host: Host, args: list[Any]) -> Any:
    return _str(args, 0).upper()


@_builtin("trim", 1)
def _trim(host: Host, args: list[Any]) -> Any:
    return _str(args, 0).strip()


@_builtin("replace", 3)
def _replace(host: Host, args: list[Any]) -> Any:
    text, old, new = _str(args, 0), _str(args, 1), _str(args, 2)
    if not old:
        raise EvalError("type-error", "the string to replace must not be empty", 1)
    if len(new) > len(old) and len(text) + text.count(old) * (len(new) - len(old)) > MAX_STRING:
        raise LimitExceeded("replace() result is too long")
    return text.replace(old, new)


@_builtin("substring", 2, 3)
def _substring(host: Host, args: list[Any]) -> Any:
    text, start = _str(args, 0), _int(args, 1)
    length = _int(args, 2) if len(args) == 3 else len(text) - start
    if start < 0 or length < 0 or start + length > len(text):
        raise EvalError(
            "type-error",
            "the index and length must refer to a location within the string "
            f"(index {start}, length {length}, string length {len(text)})",
            1,
        )
    return text[start : start + length]


@_builtin("split", 2)
def _split(host: Host, args: list[Any]) -> Any:
    text = _str(args, 0)
    delimiters = args[1]
    if isinstance(delimiters, str):
        delimiters = [delimiters]
    elif isinstance(delimiters, list):
        if any(d is UNKNOWN for d in delimiters):
            return UNKNOWN
        if not all(isinstance(d, str) for d in delimiters):
            raise _fail(1, "a string or an array of strings", args[1])
    else:
        raise _fail(1, "a string or an array of strings", delimiters)
    delimiters = [str(d) for d in delimiters if d]
    if not delimiters:
        return UNKNOWN  # .NET then splits on white space; not worth modelling
    if len(delimiters) == 1:
        return text.split(delimiters[0])
    # .NET takes, at each position, the first delimiter of the list that matches there.
    return re.split("|".join(re.escape(d) for d in delimiters), text)


@_builtin("join", 2)
def _join(host: Host, args: list[Any]) -> Any:
    items, delimiter = _array(args, 0), _str(args, 1)
    parts: list[str] = []
    for item in items:
        if isinstance(item, (list, dict)):
            raise EvalError("type-error", f"join() takes an array of strings; it holds {type_name(item)}", 0)
        text = scalar_text(item)
        if text is UNKNOWN:
            return UNKNOWN
        parts.append(text)
    return _checked_string(delimiter.join(parts))


@_builtin("padLeft", 2, 3)
def _pad_left(host: Host, args: list[Any]) -> Any:
    value = args[0]
    if _is_int(value):
        value = str(value)
    elif not isinstance(value, str):
        raise _fail(0, "a string or an integer", value)
    width = _int(args, 1)
    pad = _str(args, 2) if len(args) == 3 else " "
    if len(pad) != 1:
        raise EvalError("type-error", "the padding must be a single character", 2)
    if width < 0:
        raise EvalError("type-error", "the total length must not be negative", 1)
    if width > MAX_STRING:
        raise LimitExceeded("padLeft() result is too long")
    return str(value).rjust(width, pad)


def _insensitive(args: list[Any]) -> tuple[str, str] | Any:
    text, find = _str(args, 0), _str(args, 1)
    folded_text, folded_find = text.lower(), find.lower()
    if len(folded_text) != len(text) or len(folded_find) != len(find):
        return UNKNOWN  # lower-casing changed lengths: positions would be off
    return folded_text, folded_find


@_builtin("startsWith", 2)
def _starts_with(host: Host, args: list[Any]) -> Any:
    return _str(args, 0).lower().startswith(_str(args, 1).lower())


@_builtin("endsWith", 2)
def _ends_with(host: Host, args: list[Any]) -> Any:
    return _str(args, 0).lower().endswith(_str(args, 1).lower())


def _position(host: Host, args: list[Any], last: bool) -> Any:
    if isinstance(args[0], list):
        matches = range(len(args[0]) - 1, -1, -1) if last else range(len(args[0]))
        undecided = False
        for i in matches:
            same = deep_equals(args[0][i], args[1])
            if same is True:
                return UNKNOWN if undecided else i
            if same is UNKNOWN:
                undecided = True
        return UNKNOWN if undecided else -1
    if is_unknown(args[0]) or is_unknown(args[1]):
        return UNKNOWN
    folded = _insensitive(args)
    if folded is UNKNOWN:
        return UNKNOWN
    text, find = folded
    return text.rfind(find) if last else text.find(find)


@_builtin("indexOf", 2, sees_unknown=True)
def _index_of(host: Host, args: list[Any]) -> Any:
    if args[0] is UNKNOWN:
        return UNKNOWN
    return _position(host, args, last=False)


@_builtin("lastIndexOf", 2, sees_unknown=True)
def _last_index_of(host: Host, args: list[Any]) -> Any:
    if args[0] is UNKNOWN:
        return UNKNOWN
    return _position(host, args, last=True)


@_builtin("guid", 1, None)
def _guid(host: Host, args: list[Any]) -> Any:
    return UNKNOWN  # a hash computed by the service: nothing here may guess it


@_builtin("uniqueString", 1, None)
def _unique_string(host: Host, args: list[Any]) -> Any:
    return UNKNOWN  # a hash computed by the service: nothing here may guess it


@_builtin("base64", 1)
def _base64(host: Host, args: list[Any]) -> Any:
    return base64.b64encode(_str(args, 0).encode("utf-8")).decode("ascii")


def _decode_base64(args: list[Any]) -> str:
    try:
        return base64.b64decode(_str(args, 0), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error, UnicodeDecodeError, and a character outside ASCII
        raise EvalError("type-error", "the value is not valid base64-encoded UTF-8", 0) from None


@_builtin("base64ToString", 1)
def _base64_to_string(host: Host, args: list[Any]) -> Any:
    return _decode_base64(args)


@_builtin("base64ToJson", 1)
def _base64_to_json(host: Host, args: list[Any]) -> Any:
    return _json(host, [_decode_base64(args)])


@_builtin("dataUri", 1)
def _data_uri(host: Host, args: list[Any]) -> Any:
    return "data:text/plain;charset=utf8;base64," + _base64(host, args)


@_builtin("dataUriToString", 1)
def _data_uri_to_string(host: Host, args: list[Any]) -> Any:
    header, comma, data = _str(args, 0).partition(",")
    if not comma or not header.startswith("data:"):
        raise EvalError("type-error", "the value is not a data URI", 0)
    if header.endswith(";base64"):
        return _decode_base64([data])
    from urllib.parse import unquote  # rarely needed: keep it off the start-up path

    return unquote(data)


@_builtin("uriComponent", 1)
def _uri_component(host: Host, args: list[Any]) -> Any:
    from urllib.parse import quote  # rarely needed: keep it off the start-up path

    return quote(_str(args, 0), safe="")


@_builtin("uriComponentToString", 1)
def _uri_component_to_string(host: Host, args: list[Any]) -> Any:
    from urllib.parse import unquote  # rarely needed: keep it off the start-up path

    return unquote(_str(args, 0))


# --------------------------------------------------------------------------------------------
# Arrays and objects


@_builtin("createArray", 0, None, sees_unknown=True)
def _create_array(host: Host, args: list[Any]) -> Any:
    return list(args)


@_builtin("createObject", 0, None, sees_unknown=True)
def _create_object(host: Host, args: list[Any]) -> Any:
    if len(args) % 2:
        raise EvalError("arg-count", "createObject() takes key/value pairs: an even number of arguments")
    result: dict[str, Any] = {}
    for i in range(0, len(args), 2):
        if is_unknown(args[i]):
            return UNKNOWN  # an unknown key: no property of the object is certain
        result[_str(args, i)] = args[i + 1]
    return result


@_builtin("array", 1, sees_unknown=True)
def _array_function(host: Host, args: list[Any]) -> Any:
    value = args[0]
    if value is UNKNOWN:
        return UNKNOWN
    return value if isinstance(value, list) else [value]


@_builtin("empty", 1, sees_unknown=True)
def _empty(host: Host, args: list[Any]) -> Any:
    value = args[0]
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        return True
    if isinstance(value, PartialObject):
        return False if value else UNKNOWN
    if isinstance(value, (str, list, dict)):
        return len(value) == 0  # an unknown ResourceId is still a non-empty string
    raise _fail(0, "an array, an object or a string", value)


@_builtin("length", 1)
def _length(host: Host, args: list[Any]) -> Any:
    value = args[0]
    if isinstance(value, PartialObject):
        return UNKNOWN
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise _fail(0, "an array, an object or a string", value)


@_builtin("contains", 2, sees_unknown=True)
def _contains(host: Host, args: list[Any]) -> Any:
    container, item = args
    if container is UNKNOWN:
        return UNKNOWN
    if isinstance(container, list):
        undecided = False
        for element in container:
            same = deep_equals(element, item)
            if same is True:
                return True
            undecided = undecided or same is UNKNOWN
        return UNKNOWN if undecided else False
    if is_unknown(item) or is_unknown(container):
        return UNKNOWN
    if _is_int(item):
        item = str(item)
    if isinstance(container, dict):
        if not isinstance(item, str):
            raise _fail(1, "a string", item)
        if has_property(container, item):
            return True
        return UNKNOWN if isinstance(container, PartialObject) else False
    if isinstance(container, str):
        if not isinstance(item, str):
            raise _fail(1, "a string", item)
        return item in container
    raise _fail(0, "an array, an object or a string", container)


def _ends(args: list[Any], last: bool) -> Any:
    value = args[0]
    if isinstance(value, list):
        return (value[-1] if last else value[0]) if value else None
    if isinstance(value, str):
        return (value[-1] if last else value[0]) if value else ""
    raise _fail(0, "an array or a string", value)


def _slice(args: list[Any], take: bool) -> Any:
    value, count = args[0], _int(args, 1)
    if not isinstance(value, (list, str)):
        raise _fail(0, "an array or a string", value)
    count = max(count, 0)
    return value[:count] if take else value[count:]


_builtin("first", 1)(lambda host, args: _ends(args, last=False))
_builtin("last", 1)(lambda host, args: _ends(args, last=True))
_builtin("take", 2)(lambda host, args: _slice(args, take=True))
_builtin("skip", 2)(lambda host, args: _slice(args, take=False))


def _same_kind(args: list[Any], name: str) -> str:
    """'array' or 'object' when all args are of that kind (nulls ignored); else a type error."""
    kinds = {type_name(a) for a in args if a is not None}
    if kinds <= {"array"} or kinds <= {"object"}:
        return kinds.pop() if kinds else "array"
    raise EvalError("type-error", f"{name}() takes arrays or objects, not a mix of {', '.join(sorted(kinds))}")


@_builtin("union", 1, None)
def _union(host: Host, args: list[Any]) -> Any:
    if _same_kind(args, "union") == "array":
        merged: list[Any] = []
        for value in args:
            for item in value or ():
                if not is_fully_known(item):
                    return UNKNOWN  # cannot tell whether it duplicates another element
                if all(deep_equals(item, seen) is not True for seen in merged):
                    merged.append(item)
        return merged
    result: dict[str, Any] = {}
    for value in args:
        result = _deep_merge(result, value or {})
    return result


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """union() of objects: later properties win, nested objects merge (arrays do not)."""
    result: dict[str, Any] = PartialObject(base) if isinstance(extra, PartialObject) else type(base)(base)
    keys = {key.lower(): key for key in result}
    for key, value in extra.items():
        existing_key = keys.get(key.lower(), key)
        existing = result.get(existing_key, MISSING)
        if isinstance(existing, dict) and isinstance(value, dict):
            value = _deep_merge(existing, value)
        elif existing is UNKNOWN and isinstance(value, dict):
            value = UNKNOWN  # had it been an object, the two would have merged
        result[existing_key] = value
        keys[key.lower()] = existing_key
    return result


@_builtin("intersection", 1, None)
def _intersection(host: Host, args: list[Any]) -> Any:
    kind = _same_kind(args, "intersection")
    if any(a is None for a in args) or not all(is_fully_known(a) for a in args):
        return UNKNOWN
    if kind == "array":
        common: list[Any] = []
        for item in args[0]:
            in_all = all(any(deep_equals(item, other) is True for other in rest) for rest in args[1:])
            if in_all and all(deep_equals(item, seen) is not True for seen in common):
                common.append(item)
        return common
    first = args[0]
    return {
        key: value
        for key, value in first.items()
        if all(key in other and deep_equals(other[key], value) is True for other in args[1:])
    }


@_builtin("items", 1)
def _items(host: Host, args: list[Any]) -> Any:
    obj = _object(args, 0)
    if isinstance(obj, PartialObject):
        return UNKNOWN
    return [{"key": key, "value": obj[key]} for key in _sorted_keys(obj)]


@_builtin("objectKeys", 1)
def _object_keys(host: Host, args: list[Any]) -> Any:
    obj = _object(args, 0)
    return UNKNOWN if isinstance(obj, PartialObject) else _sorted_keys(obj)


def _sorted_keys(obj: dict[str, Any]) -> list[str]:
    # ARM returns object properties in order of their names, not as written.
    return sorted(obj, key=lambda k: (k.lower(), k))


@_builtin("tryGet", 2, None, sees_unknown=True)
def _try_get(host: Host, args: list[Any]) -> Any:
    value = args[0]
    for i in range(1, len(args)):
        key = args[i]
        if value is UNKNOWN or is_unknown(key):
            return UNKNOWN
        if value is None:
            return None
        if isinstance(value, dict) and isinstance(key, str):
            value = get_property(value, key)
            if value is MISSING:
                return None
        elif isinstance(value, list) and _is_int(key):
            if not 0 <= key < len(value):
                return None
            value = value[key]
        else:
            return UNKNOWN  # a lookup ARM's docs do not define
    return value


@_builtin("shallowMerge", 1)
def _shallow_merge(host: Host, args: list[Any]) -> Any:
    result: dict[str, Any] = {}
    for item in _array(args, 0):
        if item is UNKNOWN:
            return UNKNOWN
        if item is None:
            continue
        if not isinstance(item, dict):
            message = f"shallowMerge() takes an array of objects; it holds {type_name(item)}"
            raise EvalError("type-error", message, 0)
        if isinstance(item, PartialObject):
            result = PartialObject(result)
        result.update(item)
    return result


@_builtin("flatten", 1)
def _flatten(host: Host, args: list[Any]) -> Any:
    result: list[Any] = []
    for item in _array(args, 0):
        if item is UNKNOWN:
            return UNKNOWN
        if not isinstance(item, list):
            raise EvalError("type-error", f"flatten() takes an array of arrays; it holds {type_name(item)}", 0)
        result.extend(item)
    return result


# --------------------------------------------------------------------------------------------
# Lambdas


@_builtin("lambda", 1, None, lazy=True)
def _lambda_function(host: Host, args: list[Any]) -> Any:
    params: list[str] = []
    for i, thunk in enumerate(args[:-1]):
        name = thunk()
        if not isinstance(name, str) or is_unknown(name):
            raise _fail(i, "a literal parameter name", name)
        params.append(name)
    return Lambda(tuple(params), args[-1].node, host.lambda_closure())


@_builtin("lambdaVariables", 1)
def _lambda_variables(host: Host, args: list[Any]) -> Any:
    return host.lambda_variable(_str(args, 0))


def _apply(host: Host, fn: Lambda, *args: Any) -> Any:
    return host.invoke(fn, args[: len(fn.params)])


@_builtin("map", 2)
def _map(host: Host, args: list[Any]) -> Any:
    items, fn = _array(args, 0), _lambda(args, 1, (1, 2))
    return [_apply(host, fn, item, i) for i, item in enumerate(items)]


@_builtin("filter", 2)
def _filter(host: Host, args: list[Any]) -> Any:
    items, fn = _array(args, 0), _lambda(args, 1, (1, 2))
    kept: list[Any] = []
    for i, item in enumerate(items):
        keep = _apply(host, fn, item, i)
        if keep is UNKNOWN:
            return UNKNOWN
        if not isinstance(keep, bool):
            raise EvalError("type-error", f"the filter lambda must return a boolean, not {type_name(keep)}", 1)
        if keep:
            kept.append(item)
    return kept


@_builtin("reduce", 3)
def _reduce(host: Host, args: list[Any]) -> Any:
    items, accumulator, fn = _array(args, 0), args[1], _lambda(args, 2, (2, 3))
    for i, item in enumerate(items):
        accumulator = _apply(host, fn, accumulator, item, i)
    return accumulator


class _Undecided(Exception):
    pass


@_builtin("sort", 2)
def _sort(host: Host, args: list[Any]) -> Any:
    items, fn = _array(args, 0), _lambda(args, 1, (2,))

    def before(a: Any, b: Any) -> bool:
        answer = _apply(host, fn, a, b)
        if answer is UNKNOWN:
            raise _Undecided
        if not isinstance(answer, bool):
            raise EvalError("type-error", f"the sort lambda must return a boolean, not {type_name(answer)}", 1)
        return answer

    def compare(a: Any, b: Any) -> int:
        return -1 if before(a, b) else (1 if before(b, a) else 0)

    try:
        return sorted(items, key=functools.cmp_to_key(compare))
    except _Undecided:
        return UNKNOWN


def _key_of(host: Host, fn: Lambda, item: Any) -> Any:
    key = _apply(host, fn, item)
    if key is UNKNOWN or is_unknown(key):
        raise _Undecided
    if not isinstance(key, str):
        raise EvalError("type-error", f"the key lambda must return a string, not {type_name(key)}", 1)
    return str(key)


@_builtin("toObject", 2, 3)
def _to_object(host: Host, args: list[Any]) -> Any:
    items, key_fn = _array(args, 0), _lambda(args, 1, (1,))
    value_fn = _lambda(args, 2, (1,)) if len(args) == 3 else None
    result: dict[str, Any] = {}
    try:
        for item in items:
            result[_key_of(host, key_fn, item)] = _apply(host, value_fn, item) if value_fn else item
    except _Undecided:
        return UNKNOWN
    return result


@_builtin("groupBy", 2)
def _group_by(host: Host, args: list[Any]) -> Any:
    items, key_fn = _array(args, 0), _lambda(args, 1, (1,))
    groups: dict[str, list[Any]] = {}
    try:
        for item in items:
            groups.setdefault(_key_of(host, key_fn, item), []).append(item)
    except _Undecided:
        return UNKNOWN
    return groups


@_builtin("mapValues", 2)
def _map_values(host: Host, args: list[Any]) -> Any:
    obj, fn = _object(args, 0), _lambda(args, 1, (1,))
    if isinstance(obj, PartialObject):
        return UNKNOWN
    return {key: _apply(host, fn, value) for key, value in obj.items()}


# --------------------------------------------------------------------------------------------
# Every function name ARM knows (lower case). A call to one that is not implemented above is
# UNKNOWN without complaint; a name outside this set (and not list*) is reported.

_NOT_IMPLEMENTED = (
    # Real ARM functions (learn.microsoft.com: azure-resource-manager/templates/template-functions,
    # plus the newer ones Bicep emits) whose value depends on the service, the clock or on
    # behaviour not modelled here.
    "cidrHost", "cidrSubnet", "dateTimeAdd", "dateTimeFromEpoch", "dateTimeToEpoch", "deployer",
    "externalInputs", "float", "indexFromEnd", "tryIndexFromEnd", "list", "listAccountSas",
    "listKeys", "listSecrets", "managementGroup", "managementGroupResourceId", "newGuid",
    "parseCidr", "pickZones", "providers", "reference", "references", "uri", "utcNow",
)  # fmt: skip

_CANONICAL: dict[str, str] = {name.lower(): name for name in _NOT_IMPLEMENTED} | {
    key: builtin.name for key, builtin in BUILTINS.items()
}
ARM_FUNCTION_NAMES: frozenset[str] = frozenset(_CANONICAL)


def is_arm_function(name: str) -> bool:
    """True when `name` (any case) is a built-in ARM template function."""
    lowered = name.lower()
    return lowered in ARM_FUNCTION_NAMES or lowered.startswith("list")


def suggest_function(name: str) -> str | None:
    """The ARM function a misspelt name most likely meant."""
    import difflib  # only on this error path

    close = difflib.get_close_matches(name.lower(), ARM_FUNCTION_NAMES, n=1, cutoff=0.75)
    return _CANONICAL[close[0]] if close else None
