"""What rules declare they read, held to what their code reads.

SIG002 tells users which rules an unresolved value keeps from checking; it derives that from each
rule's `needs`. These tests read each rule function (and the module's own helpers it uses) with
`ast` and fail when a rule declares a field its code never touches, and when a rule other than the
schema rules reads the raw located body instead of the typed model.
"""

from __future__ import annotations

import ast
import inspect
import re
import sys
from functools import cache
from pathlib import Path

import pytest

from sigcheck.checks import builtin, policy
from sigcheck.checks.input import readers
from sigcheck.engine.rules import LazyRuleCode, Rule
from sigcheck.model.findings import NEEDS, RuleMeta, Severity

RULES: list[Rule] = [r for r in [*builtin.sigcheck_rules(), *policy.sigcheck_rules()]
                     if r.check is not None or r.check_run is not None]

# What in the code counts as reading each declarable field: attribute names, and string constants
# (a feature is looked up by its name).
EVIDENCE: dict[str, tuple[set[str], set[str]]] = {
    "api_version": ({"api_version"}, set()),
    "location": ({"location", "effective_location"}, set()),
    "target_regions": ({"target_regions"}, set()),
    "region_storage_account_type": ({"storage_account_type"}, set()),
    "storage_account_type": ({"storage_account_type"}, set()),
    "hyper_v_generation": ({"hyper_v_generation"}, set()),
    "features": ({"features", "feature"}, set()),
    "security_type": ({"feature", "security_type"}, {"SecurityType"}),
}

# The schema rules check the body against the schemas path by path, and SIG706 compares two
# revisions' bodies along the ARM property paths of rules/immutable.json; they alone read it.
BODY_READERS = {"SIG308", "SIG502", "SIG601", "SIG602", "SIG603", "SIG706"}


@cache
def _module_functions(module_name: str) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(inspect.getsource(sys.modules[module_name]))
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def _reads(rule: Rule) -> tuple[set[str], set[str]]:
    """Attribute names and string constants in the rule function and in every function of its
    module that it uses, directly or through another."""
    fn = rule.check or rule.check_run
    assert fn is not None
    if isinstance(fn, LazyRuleCode):
        fn = fn.resolve()  # the built-in rules are registered from the catalogue, imported on first use
    functions = _module_functions(fn.__module__)
    todo, done = [fn.__name__], set()
    attrs: set[str] = set()
    strings: set[str] = set()
    while todo:
        name = todo.pop()
        if name in done or name not in functions:
            continue
        done.add(name)
        for node in ast.walk(functions[name]):
            if isinstance(node, ast.Attribute):
                attrs.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
            elif isinstance(node, ast.Name) and node.id in functions:
                todo.append(node.id)
    return attrs, strings


@pytest.mark.parametrize("rule", [r for r in RULES if r.meta.needs], ids=lambda r: r.meta.id)
def test_declared_needs_are_read(rule: Rule) -> None:
    attrs, strings = _reads(rule)
    for need in rule.meta.needs:
        if rule.meta.id in BODY_READERS and "body" in attrs:
            continue  # the body holds every field
        want_attrs, want_strings = EVIDENCE[need]
        assert attrs & want_attrs, f"{rule.meta.id} declares it needs {need} but reads none of {sorted(want_attrs)}"
        assert not want_strings or strings & want_strings, f"{rule.meta.id} declares {need} but never names {want_strings}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.meta.id)
def test_only_schema_rules_read_the_body(rule: Rule) -> None:
    attrs, _ = _reads(rule)
    if rule.meta.id not in BODY_READERS:
        assert "body" not in attrs, f"{rule.meta.id} reads the located body; read typed model fields instead"


def test_every_declarable_field_has_evidence_and_a_reader() -> None:
    assert set(EVIDENCE) == set(NEEDS)
    declared = {need for rule in RULES for need in rule.meta.needs}
    assert declared == set(NEEDS), f"declared by no rule: {set(NEEDS) - declared}"


def test_a_need_outside_the_vocabulary_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown model fields"):
        RuleMeta("SIG999", "x", Severity.NOTE, "x", needs=("colour",))


def _catalogue(**needs: tuple[str, ...]) -> list[RuleMeta]:
    ids = ["SIG201", "SIG202", "SIG203", "SIG204", "SIG205", "SIG501", "SIG502", "SIG601", "SIG602"]
    return [RuleMeta(i, i.lower(), Severity.ERROR, "x", needs=needs.get(i, ())) for i in ids]


def test_readers_words() -> None:
    loc = ("location",)
    assert readers("location", _catalogue(SIG201=loc)) == "SIG201"
    assert readers("location", _catalogue(SIG201=loc, SIG205=loc)) == "SIG201 and SIG205"
    assert readers("location", _catalogue(SIG201=loc, SIG203=loc, SIG205=loc)) == "SIG201, SIG203 and SIG205"
    assert readers("location", _catalogue(SIG201=loc, SIG202=loc, SIG203=loc, SIG205=loc)) == "SIG201–SIG203, SIG205"
    assert readers("location", _catalogue(SIG501=loc, SIG502=loc, SIG601=loc, SIG602=loc)) == "SIG5xx and SIG6xx"
    assert readers("location", _catalogue()) == "other rules"


def test_sig002_names_what_the_rules_declare() -> None:
    """The reader lists in SIG002's messages follow the declarations of the built-in rules."""
    catalogue = [r.meta for r in builtin.sigcheck_rules()]
    assert readers("api_version", catalogue) == "SIG5xx and SIG6xx"
    assert readers("target_regions", catalogue) == "SIG201–SIG209"
    assert readers("security_type", catalogue) == "SIG401, SIG402 and SIG407"


# The rows of docs/rules/SIG002.md's table, by the model fields each is about. The page is shown
# as the rule's help (SARIF, `sigcheck rule SIG002`), so it is held to the declarations here.
DOC_ROWS = {
    "the API version": ("api_version",),
    "`location`": ("location",),
    "the `targetRegions` list, or the `name` of a target region": ("target_regions",),
    "`storageAccountType`, global or per target region": ("storage_account_type", "region_storage_account_type"),
    "`hyperVGeneration`": ("hyper_v_generation",),
    "the `features` list, or the value of its `SecurityType`": ("features", "security_type"),
}


def _expand(words: str, ids: list[str]) -> set[str]:
    """The rule ids a cell names: `SIG5xx` is the family, `SIG404–SIG407` the ids between."""
    out: set[str] = set()
    for word in re.split(r",\s*|\s+and\s+", words):
        if word.endswith("xx"):
            out.update(i for i in ids if i.startswith(word[:-2]))
        elif "–" in word:
            low, high = word.split("–")
            out.update(i for i in ids if low <= i <= high)
        else:
            out.add(word)
    return out


def test_sig002_page_lists_the_declared_readers() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "rules" / "SIG002.md").read_text(encoding="utf-8")
    rows = {}
    for line in page.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 2:
            rows[cells[0]] = cells[1]
    metas = [r.meta for r in builtin.sigcheck_rules() if not r.meta.emitted_by_pipeline]
    ids = sorted(meta.id for meta in metas)
    for label, needs in DOC_ROWS.items():
        declared = {meta.id for meta in metas if set(meta.needs) & set(needs)}
        assert label in rows, f"docs/rules/SIG002.md has no row {label!r}"
        assert _expand(rows[label], ids) == declared, f"docs/rules/SIG002.md row {label!r}"
