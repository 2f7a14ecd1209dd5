"""What a rule is: catalogue metadata beside a function of the model, and what it may consult."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Generic, Iterable, Mapping, NamedTuple, Sequence, TypeVar, cast

from sigcheck.model.findings import RuleMeta, Severity
from sigcheck.syntax.located import Located, Span
from sigcheck.model.resources import Resource


class Hit(NamedTuple):
    """One problem a rule found: where (a located value or a span), what, and an optional
    severity that overrides the rule's default (for rules with graded severities)."""

    where: Located[Any] | Span
    message: str
    severity: Severity | None = None
    # The property path when `where` is a bare span (a located value carries its own).
    path: str = ""
    # Other places that explain the finding, with what each is (the policy setting that asked
    # for it): SARIF relatedLocations.
    related: tuple[tuple[Span, str], ...] = ()


R = TypeVar("R", bound=Resource)
T = TypeVar("T")
RunCheck = Callable[[Sequence[Resource], "CheckContext"], Iterable[tuple[Resource, Hit]]]


@dataclass(frozen=True)
class Rule(Generic[R]):
    """A catalogue entry and how it checks: per resource of the types in `meta.applies_to`
    (`check`, which receives only those, typed as such), over the whole run (`check_run`), or
    not at all (the pipeline emits it)."""

    meta: RuleMeta
    check: Callable[[R, CheckContext], Iterable[Hit]] | None = None
    check_run: RunCheck | None = None
    # For a run rule: the compact fact it needs of one resource (None: nothing), so that files
    # checked in worker processes or taken from the cache need not hand their models over; its
    # `check_run` then receives these facts, and yields (anything with type_name and full_name,
    # Hit). A run rule without it receives the models, and such a run is checked in one process.
    facts: Callable[[Resource], Any] | None = None


# What the engine holds: rules of every resource type side by side. A rule's `check` is only
# ever called with resources of its `meta.applies_to`, which is what `R` promises.
AnyRule = Rule[Any]


@dataclass
class CheckContext:
    """What a rule may consult besides the resource: the date, every resource of the run, the
    rule catalogue, and a store for work several rules share about one resource, which the
    engine empties once every rule has read that resource."""

    today: _dt.date
    resources: Sequence[Resource] = ()
    # Options of configurable rules by rule name, from the configuration file:
    # {"stale-api-version": {"max-age-days": 365}}.
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # Every registered rule's metadata (not only the enabled ones), for rules about rules (SIG002).
    catalogue: Sequence[RuleMeta] = ()
    # With `--base REV`: each resource's declaration at that revision (by id() of the new one),
    # and how to name a place on the old side in a message ("main:templates/img.json:14").
    earlier: Mapping[int, Resource] = field(default_factory=dict)
    earlier_place: Callable[[Span], str] | None = None
    _index: dict[tuple[str, tuple[str, ...]], list[Resource]] = field(default_factory=dict, repr=False)
    _memo: dict[Resource, dict[Callable[..., Any], object]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for res in self.resources:
            key = _key(res.type_name, [n.value for n in res.names])
            if key is not None:
                self._index.setdefault(key, []).append(res)

    def declared(self) -> Iterable[tuple[str, tuple[str, ...]]]:
        """The type-and-names key of every resource of the context with known names."""
        return self._index.keys()

    def find(self, type_name: str, names: Sequence[object]) -> list[Resource]:
        """Resources of the run declared with this type and these names (case-insensitive)."""
        key = _key(type_name, names)
        return self._index.get(key, []) if key is not None else []

    def base_of(self, res: Resource) -> Resource | None:
        """The same resource (type and names) at the base revision; None without `--base`, for a
        new resource, or when a name is unknown on either side."""
        return self.earlier.get(id(res))

    def place(self, span: Span) -> str:
        """A position on the old side, as messages show it."""
        if self.earlier_place is not None:
            return self.earlier_place(span)
        return f"{span.path}:{span.line}"

    def option(self, rule_name: str, key: str, default: Any) -> Any:
        """A configured option of a rule, or `default` when the configuration sets none."""
        return self.settings.get(rule_name, {}).get(key, default)

    def memo(self, compute: Callable[[R], T], res: R) -> T:
        """`compute(res)`, computed once while the rules read `res`: for analyses several rules
        read (the schema rules share one reading of a body). Resources are keyed by identity;
        the engine forgets a resource's entries once its rules have run (see `forget`), so a
        large file does not hold every resource's analysis at once."""
        store = self._memo.get(res)
        if store is None:
            store = self._memo[res] = {}
        elif compute in store:
            return cast(T, store[compute])
        value = compute(res)
        store[compute] = value
        return value

    def forget(self, res: Resource) -> None:
        """Drop what `memo` keeps about `res` (computed again if a rule asks later)."""
        self._memo.pop(res, None)


def identity(res: Resource) -> tuple[str, tuple[str, ...]] | None:
    """What makes two declarations the same resource: type and names, case-insensitive (domain
    §1.4); None when a name is unknown."""
    return _key(res.type_name, [n.value for n in res.names])


def _key(type_name: str, names: Sequence[object]) -> tuple[str, tuple[str, ...]] | None:
    if not names or not all(isinstance(n, str) for n in names):
        return None
    # A name already in lower case is kept, not copied: a large template has a key per resource.
    return (_lower_type(type_name), tuple(n if type(n) is str and n.islower() else str(n).lower() for n in names))


@lru_cache(maxsize=256)
def _lower_type(type_name: str) -> str:
    return type_name.lower()


def rule(
    id: str,
    name: str,
    severity: Severity,
    summary: str,
    applies_to: type[R] | tuple[type[R], ...],
    enabled: bool = True,
    help_uri: str = "",
    needs: tuple[str, ...] = (),
) -> Callable[[Callable[[R, CheckContext], Iterable[Hit]]], Rule[R]]:
    """Declare a rule over one resource at a time; it receives only resources of `applies_to`,
    typed as such. `needs` names the model fields the rule cannot judge while they are
    unresolved (see `sigcheck.model.findings.NEEDS`); SIG002 tells users which rules those are."""
    types = applies_to if isinstance(applies_to, tuple) else (applies_to,)

    def wrap(fn: Callable[[R, CheckContext], Iterable[Hit]]) -> Rule[R]:
        meta = RuleMeta(id, name, severity, summary, enabled, types, help_uri=help_uri, needs=needs)
        return Rule(meta, check=fn)

    return wrap


def run_rule(
    id: str, name: str, severity: Severity, summary: str, enabled: bool = True, help_uri: str = "",
    facts: Callable[[Any], Any] | None = None,
) -> Callable[[Callable[[Sequence[Any], CheckContext], Iterable[tuple[Any, Hit]]]], Rule[Resource]]:
    """Declare a rule over every resource of the run (cross-file consistency). With `facts`, the
    rule receives `facts(res)` of every resource for which it is not None, instead of the models."""

    def wrap(fn: Callable[[Sequence[Any], CheckContext], Iterable[tuple[Any, Hit]]]) -> Rule[Resource]:
        return Rule(RuleMeta(id, name, severity, summary, enabled, help_uri=help_uri), check_run=fn, facts=facts)

    return wrap


def declared(meta: RuleMeta) -> Rule[Resource]:
    """A catalogue entry whose findings the pipeline emits (parse errors, CLI usage): registered
    so that it is listed, documented and selectable like any rule."""
    return Rule(meta)


class LazyRuleCode:
    """A rule function found by module and position in its `RULES` list, imported the first time
    it is called: a rule pack can list its whole catalogue (ids, names, what each applies to)
    without importing the code of rules a run does not use (deselected ones, or those of resource
    kinds the files do not declare)."""

    __slots__ = ("module", "index", "part", "_target")

    def __init__(self, module: str, index: int, part: str) -> None:
        self.module, self.index, self.part = module, index, part
        self._target: Callable[..., Any] | None = None

    def resolve(self) -> Callable[..., Any]:
        """The rule's own function (`check`, `check_run` or `facts` of `module.RULES[index]`)."""
        target = self._target
        if target is None:
            from importlib import import_module

            found = getattr(import_module(self.module).RULES[self.index], self.part)
            if found is None:
                raise LookupError(f"{self.module}.RULES[{self.index}] has no {self.part}")
            target = self._target = found
        return target

    def __call__(self, *args: Any) -> Any:
        return self.resolve()(*args)


def deferred_rule(meta: RuleMeta, module: str, index: int, kind: str, has_facts: bool = False) -> AnyRule:
    """The rule `module.RULES[index]` described by `meta`, its code imported on first use. `kind`
    is "check" (per resource) or "check_run" (over the run)."""
    if kind == "check":
        return Rule(meta, check=LazyRuleCode(module, index, "check"))
    facts = LazyRuleCode(module, index, "facts") if has_facts else None
    return Rule(meta, check_run=LazyRuleCode(module, index, "check_run"), facts=facts)
