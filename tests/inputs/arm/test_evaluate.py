"""Evaluation in a scope: literals, parameters, lazy variables, user functions, resource IDs,
copy loops, evaluate_value, and robustness against hostile input."""

from __future__ import annotations

import copy
import json
import pickle
import time
from typing import Any

import pytest

from sigcheck.inputs.arm.evaluate import (
    UNKNOWN,
    Deferred,
    DeploymentTarget,
    EvalIssue,
    PartialObject,
    ResourceId,
    Result,
    Scope,
    evaluate,
    evaluate_value,
)
from sigcheck.syntax.located import UNKNOWN as LOCATION_UNKNOWN
from conftest import SHARED

CORPUS = SHARED / "corpus"
CONTEXT = DeploymentTarget(subscription_id="SUB", resource_group="RG", location="westus")


def kinds(result: Result) -> list[str]:
    return [issue.kind for issue in result.issues]


# -- literals and syntax


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("westus", "westus"),
        ("[[not an expression]", "[not an expression]"),
        ("", ""),
        ("[", "["),
        ("a [b]", "a [b]"),
        (5, 5),
        (None, None),
    ],
)
def test_literals_are_returned_as_written(raw: Any, expected: Any) -> None:
    result = evaluate(raw, Scope())
    assert result == Result(expected, [], [])
    assert result.known


def test_syntax_errors_are_issues_not_exceptions() -> None:
    result = evaluate("[concat('a'", Scope())  # not even an expression: a literal
    assert result.value == "[concat('a'"
    result = evaluate("[concat('a']", Scope())
    assert result.value is UNKNOWN and not result.known
    assert result.issues == [EvalIssue("syntax", "'(' at offset 7 is never closed", 7)]


def test_unknown_is_the_shared_sentinel() -> None:
    assert UNKNOWN is LOCATION_UNKNOWN
    assert pickle.loads(pickle.dumps(UNKNOWN)) is UNKNOWN
    assert copy.deepcopy([UNKNOWN])[0] is UNKNOWN
    with pytest.raises(TypeError):
        bool(UNKNOWN)


# -- parameters


def test_parameters_are_case_insensitive_and_recorded_as_sources() -> None:
    scope = Scope(parameters={"Location": "westus", "count": 2})
    result = evaluate("[concat(parameters('location'), '-', string(parameters('COUNT')))]", scope)
    assert result.value == "westus-2"
    assert result.sources == ["parameter:Location", "parameter:count"]


def test_undeclared_parameter_is_an_issue_with_a_hint() -> None:
    result = evaluate("[toUpper(parameters('locaton'))]", Scope(parameters={"location": "x"}))
    assert result.value is UNKNOWN
    assert result.issues == [
        EvalIssue("undeclared-parameter", "parameter 'locaton' is not declared; did you mean 'location'?", 9)
    ]


def test_unknown_parameter_values_propagate() -> None:
    scope = Scope(parameters={"p": UNKNOWN})
    result = evaluate("[toLower(parameters('p'))]", scope)
    assert result == Result(UNKNOWN, ["parameter:p"], [])


def test_defaults_are_evaluated_lazily_in_the_scope() -> None:
    template = {
        "parameters": {
            "prefix": {"type": "string", "defaultValue": "img"},
            "name": {"type": "string", "defaultValue": "[concat(parameters('prefix'), '-def')]"},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
            "regions": {"type": "array", "defaultValue": ["eastus", "[parameters('location')]"]},
            "required": {"type": "string"},
            "optional": {"type": "object", "nullable": True},
            "Supplied": {"type": "string", "defaultValue": "ignored"},
        }
    }
    scope = Scope.from_template(template, parameter_values={"supplied": "given"}, context=CONTEXT)
    assert evaluate("[parameters('name')]", scope) == Result("img-def", ["parameter:name", "parameter:prefix"], [])
    assert evaluate("[parameters('regions')]", scope).value == ["eastus", "westus"]
    assert evaluate("[parameters('required')]", scope).value is UNKNOWN
    assert evaluate("[parameters('optional')]", scope).value is None
    assert evaluate("[parameters('supplied')]", scope).value == "given"
    assert scope.parameter("Name").value == "img-def"


def test_supplied_parameter_values_are_not_evaluated() -> None:
    scope = Scope(parameters={"p": "[not an expression here]"})
    assert evaluate("[parameters('p')]", scope).value == "[not an expression here]"


def test_a_default_referring_to_itself_is_a_cycle() -> None:
    scope = Scope(parameters={"a": Deferred("[parameters('b')]"), "b": Deferred("[parameters('a')]")})
    result = evaluate("[parameters('a')]", scope)
    assert result.value is UNKNOWN
    assert kinds(result) == ["cycle"]
    assert "parameter 'a' -> parameter 'b' -> parameter 'a'" in result.issues[0].message


# -- variables


def test_variables_are_lazy_transitive_and_case_insensitive() -> None:
    scope = Scope(
        parameters={"env": "prod"},
        variables={
            "Name": "[concat(variables('base'), '-', parameters('env'))]",
            "base": "gallery",
            "unused": "[parameters('nope')]",  # never evaluated, never reported
            "object": {"a": "[variables('name')]", "list": [1, "[[literal]"]},
        },
    )
    result = evaluate("[variables('NAME')]", scope)
    assert result == Result("gallery-prod", ["variable:Name", "variable:base", "parameter:env"], [])
    assert evaluate("[variables('object').a]", scope).value == "gallery-prod"
    assert evaluate("[variables('object').list[1]]", scope).value == "[literal]"
    assert scope.variable("object").value == {"a": "gallery-prod", "list": [1, "[literal]"]}


def test_issues_inside_a_variable_stay_with_the_variable() -> None:
    scope = Scope(variables={"broken": "[toLower(1)]", "alsoBroken": "[concat('a'"})
    referring = evaluate("[concat('x', variables('broken'))]", scope)
    assert referring == Result(UNKNOWN, ["variable:broken"], [])
    own = evaluate("[toLower(1)]", scope)
    assert kinds(own) == ["type-error"]


def test_undeclared_variable() -> None:
    result = evaluate("[variables('regoins')]", Scope(variables={"regions": []}))
    assert result.issues == [
        EvalIssue("undeclared-variable", "variable 'regoins' is not declared; did you mean 'regions'?", 1)
    ]


@pytest.mark.parametrize(
    "variables",
    [
        {"a": "[variables('a')]"},
        {"a": "[variables('b')]", "b": "[variables('a')]"},
        {"a": "[concat(variables('b'), 'x')]", "b": {"k": ["[variables('c')]"]}, "c": "[toUpper(variables('a'))]"},
    ],
)
def test_variable_cycles_are_reported_at_the_reference(variables: dict[str, Any]) -> None:
    scope = Scope(variables=variables)
    for name in variables:
        result = evaluate(f"[variables('{name}')]", scope)
        assert result.value is UNKNOWN
        assert kinds(result) == ["cycle"], result.issues
        assert result.issues[0].offset == 1
        assert f"variable '{name}' refers to itself" in result.issues[0].message


def test_a_variable_depending_on_a_cycle_is_unknown_without_blame() -> None:
    scope = Scope(variables={"a": "[variables('b')]", "b": "[variables('a')]", "c": "[concat('x', variables('a'))]"})
    result = evaluate("[variables('c')]", scope)
    assert result.value is UNKNOWN
    assert kinds(result) == []
    # evaluated on its own, c's text does point into the cycle:
    assert kinds(evaluate("[concat('x', variables('a'))]", scope)) == ["cycle"]


def test_variable_copy_loops() -> None:
    template = {
        "parameters": {"count": {"type": "int", "defaultValue": 3}},
        "variables": {
            "copy": [
                {"name": "disks", "count": "[parameters('count')]", "input": {"lun": "[copyIndex('disks')]", "name": "[concat('d', string(copyIndex('disks', 1)))]"}},
                {"name": "names", "count": 2, "input": "[format('n{0}', copyIndex('names'))]"},
                {"name": "unknownCount", "count": "[length(parameters('missing'))]", "input": "x"},
                {"name": "tooMany", "count": 801, "input": "x"},
            ],
            "total": "[length(variables('disks'))]",
        },
    }
    scope = Scope.from_template(template)
    assert scope.variable("disks").value == [{"lun": 0, "name": "d1"}, {"lun": 1, "name": "d2"}, {"lun": 2, "name": "d3"}]
    assert scope.variable("names").value == ["n0", "n1"]
    assert scope.variable("total").value == 3
    assert scope.variable("unknownCount").value is UNKNOWN
    assert scope.variable("tooMany").value is UNKNOWN


# -- user-defined functions


FUNCTIONS = [
    {
        "namespace": "contoso",
        "members": {
            "uniqueName": {
                "parameters": [{"name": "namePrefix", "type": "string"}],
                "output": {"type": "string", "value": "[concat(toLower(parameters('namePrefix')), '-x')]"},
            },
            "pair": {
                "parameters": [{"name": "a", "type": "int"}, {"name": "b", "type": "array"}],
                "output": {"type": "object", "value": {"first": "[parameters('a')]", "rest": "[parameters('b')]"}},
            },
            "constant": {"output": {"type": "string", "value": "fixed"}},
            "leaky": {"parameters": [], "output": {"type": "string", "value": "[parameters('templateParam')]"}},
            "usesVariables": {"output": {"type": "string", "value": "[variables('v')]"}},
            "recursive": {"output": {"type": "string", "value": "[contoso.recursive()]"}},
            "rg": {"output": {"type": "string", "value": "[resourceGroup().name]"}},
            "broken": {"parameters": [{"name": "x", "type": "int"}], "output": {"type": "string", "value": "[toLower(parameters('x'))]"}},
        },
    },
    "not a namespace",
    {"namespace": "other", "members": {"nooutput": {}}},
]


@pytest.fixture
def udf_scope() -> Scope:
    return Scope(parameters={"templateParam": "T"}, variables={"v": 1}, functions=FUNCTIONS, context=CONTEXT)


def test_user_functions(udf_scope: Scope) -> None:
    assert evaluate("[contoso.uniqueName('ABC')]", udf_scope).value == "abc-x"
    assert evaluate("[CONTOSO.UNIQUENAME(parameters('templateParam'))]", udf_scope) == Result("t-x", ["parameter:templateParam"], [])
    assert evaluate("[contoso.pair(1, createArray(2)).rest[0]]", udf_scope).value == 2
    assert evaluate("[contoso.constant()]", udf_scope).value == "fixed"
    assert evaluate("[contoso.rg()]", udf_scope).value == "RG"
    assert evaluate("[contoso.uniqueName(uniqueString('x'))]", udf_scope).value is UNKNOWN
    assert evaluate("[other.nooutput()]", udf_scope).value is UNKNOWN


@pytest.mark.parametrize(
    ("expr", "kind", "message"),
    [
        ("[contoso.uniqueName()]", "arg-count", "contoso.uniqueName() expects 1 argument(s), got 0"),
        ("[contoso.uniqueName(1)]", "type-error", "contoso.uniqueName(): parameter 'namePrefix' is string, not int"),
        ("[contoso.pair(true, createArray())]", "type-error", "contoso.pair(): parameter 'a' is int, not bool"),
        ("[contoso.missing()]", "unknown-function", "user-defined function 'contoso.missing' is not declared"),
        ("[contoso.recursive()]", "cycle", "function contoso.recursive refers to itself"),
    ],
)
def test_user_function_errors(udf_scope: Scope, expr: str, kind: str, message: str) -> None:
    result = evaluate(expr, udf_scope)
    assert result.value is UNKNOWN
    assert kinds(result) == [kind]
    assert result.issues[0].message.startswith(message)


def test_user_functions_see_only_their_own_parameters(udf_scope: Scope) -> None:
    # The template's parameter 'T' and variable 1 are out of a function's reach: UNKNOWN, not them.
    assert evaluate("[contoso.leaky()]", udf_scope) == Result(UNKNOWN, [], [])
    assert evaluate("[contoso.usesVariables()]", udf_scope) == Result(UNKNOWN, [], [])


# -- resource IDs


def test_resource_id_with_context() -> None:
    rid = evaluate("[resourceId('Microsoft.Compute/galleries/images', 'g', 'i')]", Scope(context=CONTEXT)).value
    assert isinstance(rid, ResourceId) and isinstance(rid, str)
    assert rid == "/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Compute/galleries/g/images/i"
    assert (rid.scope, rid.type, rid.names, rid.subscription_id, rid.resource_group) == (
        "resourceGroup", "Microsoft.Compute/galleries/images", ("g", "i"), "SUB", "RG",
    )
    assert rid.known


def test_resource_id_without_context_keeps_type_and_names() -> None:
    rid = evaluate("[resourceId('Microsoft.Compute/galleries', parameters('g'))]", Scope(parameters={"g": "gal"})).value
    assert isinstance(rid, ResourceId) and not rid.known
    assert (rid.type, rid.names, rid.subscription_id, rid.resource_group) == ("Microsoft.Compute/galleries", ("gal",), None, None)
    assert rid == "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Compute/galleries/gal"
    # Its text is never used as if it were known:
    for expr in (
        "[concat(resourceId('Microsoft.Compute/galleries', 'g'), '/x')]",
        "[toLower(resourceId('Microsoft.Compute/galleries', 'g'))]",
        "[format('{0}', resourceId('Microsoft.Compute/galleries', 'g'))]",
        "[equals(resourceId('Microsoft.Compute/galleries', 'g'), 'x')]",
        "[string(createArray(resourceId('Microsoft.Compute/galleries', 'g')))]",
        "[split(resourceId('Microsoft.Compute/galleries', 'g'), '/')]",
    ):
        assert evaluate(expr, Scope()) == Result(UNKNOWN, [], []), expr
    # …but it passes through containers and conditionals intact:
    for expr in (
        "[createArray(resourceId('Microsoft.Compute/galleries', 'g'))[0]]",
        "[createObject('id', resourceId('Microsoft.Compute/galleries', 'g')).id]",
        "[if(true, resourceId('Microsoft.Compute/galleries', 'g'), 'x')]",
        "[coalesce(null(), resourceId('Microsoft.Compute/galleries', 'g'))]",
        "[first(array(resourceId('Microsoft.Compute/galleries', 'g')))]",
    ):
        value = evaluate(expr, Scope()).value
        assert isinstance(value, ResourceId) and value.names == ("g",), expr


@pytest.mark.parametrize(
    ("expr", "text", "fields"),
    [
        (
            "[resourceId('otherRg', 'Microsoft.Compute/galleries', 'g')]",
            "/subscriptions/SUB/resourceGroups/otherRg/providers/Microsoft.Compute/galleries/g",
            ("resourceGroup", ("g",), "SUB", "otherRg"),
        ),
        (
            "[resourceId('otherSub', 'otherRg', 'Microsoft.Compute/galleries/images/versions', 'g', 'i', '1.0.0')]",
            "/subscriptions/otherSub/resourceGroups/otherRg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0",
            ("resourceGroup", ("g", "i", "1.0.0"), "otherSub", "otherRg"),
        ),
        (
            "[resourceId('Microsoft.Network/virtualNetworks/', 'vnet')]",
            "/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/vnet",
            ("resourceGroup", ("vnet",), "SUB", "RG"),
        ),
        (
            "[resourceId('Microsoft.Compute/galleries/images', 'g/i')]",
            "/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Compute/galleries/g/images/i",
            ("resourceGroup", ("g", "i"), "SUB", "RG"),
        ),
        (
            "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'abc')]",
            "/subscriptions/SUB/providers/Microsoft.Authorization/roleDefinitions/abc",
            ("subscription", ("abc",), "SUB", None),
        ),
        (
            "[subscriptionResourceId('other', 'Microsoft.Resources/resourceGroups', 'rg2')]",
            "/subscriptions/other/providers/Microsoft.Resources/resourceGroups/rg2",
            ("subscription", ("rg2",), "other", None),
        ),
        (
            "[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]",
            "/providers/Microsoft.Management/managementGroups/mg",
            ("tenant", ("mg",), None, None),
        ),
        (
            "[extensionResourceId(resourceId('Microsoft.Compute/galleries', 'g'), 'Microsoft.Authorization/locks', 'lock')]",
            "/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Compute/galleries/g/providers/Microsoft.Authorization/locks/lock",
            ("extension", ("lock",), None, None),
        ),
        (
            "[extensionResourceId('/subscriptions/x', 'Microsoft.Authorization/policyAssignments', 'pa')]",
            "/subscriptions/x/providers/Microsoft.Authorization/policyAssignments/pa",
            ("extension", ("pa",), None, None),
        ),
    ],
)
def test_resource_id_forms(expr: str, text: str, fields: tuple[Any, ...]) -> None:
    result = evaluate(expr, Scope(context=CONTEXT))
    assert result.issues == []
    rid = result.value
    assert isinstance(rid, ResourceId) and rid.known
    assert rid == text
    assert (rid.scope, rid.names, rid.subscription_id, rid.resource_group) == fields


def test_resource_id_explicit_unknown_parts() -> None:
    rid = evaluate("[resourceId(parameters('rg'), 'Microsoft.Compute/galleries', 'g')]", Scope(parameters={"rg": UNKNOWN}, context=CONTEXT)).value
    assert isinstance(rid, ResourceId) and not rid.known
    assert rid.resource_group is UNKNOWN and rid.subscription_id == "SUB"
    ext = evaluate("[extensionResourceId(resourceId('Microsoft.Compute/galleries', 'g'), 'Microsoft.Authorization/locks', 'l')]", Scope()).value
    assert isinstance(ext, ResourceId) and not ext.known and ext.parent.names == ("g",)
    # An unknown name: the type is still known (a VM's image is a gallery image), the id is not.
    named = evaluate("[resourceId('Microsoft.Compute/galleries/images/versions', parameters('rg'), 'd', parameters('rg'))]",
                     Scope(parameters={"rg": UNKNOWN})).value
    assert isinstance(named, ResourceId) and not named.known and not named.names_known
    assert named.type == "Microsoft.Compute/galleries/images/versions"
    for expr in (
        "[resourceId('Microsoft.Compute/galleries/images', parameters('rg'))]",  # too few names to tell
        "[resourceId(parameters('rg'), 'g')]",  # the type itself may be the unknown one
        "[extensionResourceId(parameters('rg'), 'Microsoft.Authorization/locks', 'l')]",
    ):
        assert evaluate(expr, Scope(parameters={"rg": UNKNOWN})).value is UNKNOWN, expr


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("[resourceId('Microsoft.Compute/galleries/images', 'g')]", "needs 2 resource name(s), got 1"),
        ("[resourceId('Microsoft.Compute/galleries', 'g', 'extra')]", "needs 1 resource name(s), got 2"),
        ("[resourceId('a', 'b', 'c', 'd')]", "no resource type argument"),
        ("[resourceId('Microsoft.Compute/galleries', 1)]", "argument 2 must be a string"),
        ("[resourceId(1, 'Microsoft.Compute/galleries', 'g')]", "argument 1 must be a string"),
        ("[resourceId('/galleries', 'g')]", "is not a resource type"),
        ("[resourceId('Microsoft.Compute/galleries')]", "expects at least 2 argument(s), got 1"),
    ],
)
def test_resource_id_errors(expr: str, message: str) -> None:
    result = evaluate(expr, Scope())
    assert result.value is UNKNOWN
    assert len(result.issues) == 1 and message in result.issues[0].message, result.issues


def test_values_survive_pickling() -> None:
    rid = evaluate("[resourceId(parameters('rg'), 'Microsoft.Compute/galleries', 'g')]", Scope(parameters={"rg": UNKNOWN})).value
    again = pickle.loads(pickle.dumps(rid))
    assert again == rid and again.type == rid.type and again.resource_group is UNKNOWN and not again.known
    partial = pickle.loads(pickle.dumps(PartialObject(a=1)))
    assert isinstance(partial, PartialObject) and partial == {"a": 1}
    assert repr(rid).startswith("ResourceId(")


# -- copy loops


def test_copy_index() -> None:
    scope = Scope()
    assert evaluate("[copyIndex()]", scope) == Result(UNKNOWN, [], [])  # not expanded by the caller
    looped = scope.with_copy_index("disks", 2)
    assert evaluate("[copyIndex()]", looped).value == 2
    assert evaluate("[copyIndex(1)]", looped).value == 3
    assert evaluate("[copyIndex('DISKS')]", looped).value == 2
    assert evaluate("[copyIndex('disks', 10)]", looped).value == 12
    assert evaluate("[copyIndex('other')]", looped).value is UNKNOWN
    nested = looped.with_copy_index("nics", 0)
    assert evaluate("[createArray(copyIndex(), copyIndex('disks'))]", nested).value == [0, 2]
    manual = Scope(copy_index={"x": 4}, current_loop="x")
    assert evaluate("[copyIndex()]", manual).value == 4
    assert scope.copy_index == {}  # deriving does not touch the parent


def test_property_copy_is_expanded_by_evaluate_value() -> None:
    scope = Scope(parameters={"n": 2})
    properties = {
        "hardwareProfile": "x",
        "copy": [
            {"name": "dataDisks", "count": "[parameters('n')]", "input": {"lun": "[copyIndex('dataDisks')]", "size": 10}},
            {"name": "unknowns", "count": "[uniqueString('x')]", "input": "y"},
        ],
    }
    issues: list[Any] = []
    sources: list[str] = []
    assert evaluate_value(properties, scope, issues=issues, sources=sources) == {
        "hardwareProfile": "x",
        "dataDisks": [{"lun": 0, "size": 10}, {"lun": 1, "size": 10}],
        "unknowns": UNKNOWN,
    }
    assert issues == [] and sources == ["parameter:n"]
    resource_copy = {"copy": {"name": "loop", "count": 3}, "name": "[concat('r', string(copyIndex()))]"}
    assert evaluate_value(resource_copy, scope.with_copy_index("loop", 1)) == {"copy": {"name": "loop", "count": 3}, "name": "r1"}


# -- evaluate_value


def test_evaluate_value_walks_deeply_and_locates_issues() -> None:
    scope = Scope(parameters={"p": "v"})
    raw = {
        "a": "[parameters('p')]",
        "b": ["x", "[[y]", {"c": "[toLower(1)]"}],
        "[concat('k', parameters('p'))]": 1,
        "[[escaped]": 2,
        "d": "[concat(]",
        "e": 3,
        "f": None,
    }
    issues: list[Any] = []
    sources: list[str] = []
    value = evaluate_value(raw, scope, issues=issues, sources=sources)
    assert value == {"a": "v", "b": ["x", "[y]", {"c": UNKNOWN}], "kv": 1, "[escaped]": 2, "d": UNKNOWN, "e": 3, "f": None}
    assert [(path, issue.kind, issue.offset) for path, issue in issues] == [
        (("b", 2, "c"), "type-error", 9),
        (("d",), "syntax", 7),
    ]
    assert sources == ["parameter:p"]


def test_an_unknown_key_makes_the_object_unknown() -> None:
    assert evaluate_value({"[uniqueString('x')]": 1, "b": 2}, Scope()) is UNKNOWN
    assert evaluate_value(["[uniqueString('x')]", 1], Scope()) == [UNKNOWN, 1]


# -- UNKNOWN in conditionals: what is reported


def test_issues_in_a_branch_that_may_not_run_are_not_reported() -> None:
    scope = Scope(parameters={"flag": UNKNOWN})
    assert evaluate("[if(parameters('flag'), toLower(1), 'a')]", scope) == Result(UNKNOWN, ["parameter:flag"], [])
    assert evaluate("[and(parameters('flag'), equals(toLower(1), 'a'))]", scope).issues == []
    assert evaluate("[coalesce(parameters('flag'), toLower(1))]", scope).issues == []
    assert evaluate("[or(parameters('flag'), 'not a bool')]", scope) == Result(UNKNOWN, ["parameter:flag"], [])
    # …but a call that can never work is reported wherever it is:
    assert kinds(evaluate("[if(parameters('flag'), notAFunction(), 'a')]", scope)) == ["unknown-function"]
    assert kinds(evaluate("[if(parameters('flag'), parameters('nope'), 'a')]", scope)) == ["undeclared-parameter"]
    # A taken branch reports, a skipped one is not evaluated:
    assert kinds(evaluate("[if(true, toLower(1), 'a')]", scope)) == ["type-error"]
    assert evaluate("[if(false, toLower(1), 'a')]", scope) == Result("a", [], [])


def test_sources_only_include_what_was_evaluated() -> None:
    scope = Scope(parameters={"a": "x", "b": "y"})
    assert evaluate("[if(true, parameters('a'), parameters('b'))]", scope).sources == ["parameter:a"]
    assert evaluate("[if(equals(uniqueString('u'), 'z'), parameters('a'), parameters('b'))]", scope).sources == [
        "parameter:a", "parameter:b",
    ]


def test_lambda_issues_are_reported_once() -> None:
    result = evaluate("[map(range(0, 50), lambda('i', toLower(lambdaVariables('i'))))]", Scope())
    assert kinds(result) == ["type-error"]
    assert result.value == [UNKNOWN] * 50


# -- robustness


def test_deep_and_huge_expressions_give_issues_not_exceptions() -> None:
    deep = "[" + "createArray(" * 10_000 + "1" + ")" * 10_000 + "]"
    result = evaluate(deep, Scope())
    assert result.value is UNKNOWN and kinds(result) == ["syntax"]
    nested = "[" + "concat(" * 255 + "'x'" + ")" * 255 + "]"
    assert evaluate(nested, Scope()).value == "x"
    conditionals = "[" + "if(true, " * 255 + "'x'" + ", 'y')" * 255 + "]"
    result = evaluate(conditionals, Scope())  # heavier per level: a value or a limit, never a crash
    assert result == Result("x", [], []) or kinds(result) == ["limit"]
    big = "[concat('" + "x" * 100_000 + "', '" + "y" * 100_000 + "')]"
    start = time.perf_counter()
    assert evaluate(big, Scope()).value == "x" * 100_000 + "y" * 100_000
    assert time.perf_counter() - start < 1.0


def test_exponential_values_hit_a_limit_instead_of_hanging() -> None:
    variables: dict[str, Any] = {"v0": "abcdefghij" * 10}
    for i in range(1, 40):
        variables[f"v{i}"] = f"[concat(variables('v{i - 1}'), variables('v{i - 1}'))]"
    arrays: dict[str, Any] = {"a0": [1, 2]}
    for i in range(1, 60):
        arrays[f"a{i}"] = f"[createArray(variables('a{i - 1}'), variables('a{i - 1}'))]"
    scope = Scope(variables={**variables, **arrays})
    start = time.perf_counter()
    result = evaluate("[variables('v39')]", scope)
    assert result.value is UNKNOWN and kinds(result) == ["limit"]
    result = evaluate("[string(variables('a59'))]", scope)
    assert result.value is UNKNOWN and "limit" in kinds(result)
    result = evaluate("[length(variables('a59'))]", scope)
    assert result.value is UNKNOWN and "limit" in kinds(result)
    assert time.perf_counter() - start < 5.0


@pytest.mark.parametrize(
    "expr",
    [
        "[map(range(0, 10000), lambda('i', map(range(0, 10000), lambda('j', add(lambdaVariables('i'), lambdaVariables('j'))))))]",
        "[padLeft('a', 100000000)]",
        "[replace(padLeft('a', 4000000, 'x'), 'x', 'xxxxxxxx')]",
        "[format('{0,999999999}', 'a')]",
    ],
)
def test_expensive_expressions_hit_a_limit(expr: str) -> None:
    start = time.perf_counter()
    result = evaluate(expr, Scope())
    assert result.value is UNKNOWN and kinds(result) == ["limit"], result.issues
    assert time.perf_counter() - start < 10.0


def test_long_variable_chains_hit_a_limit() -> None:
    variables = {f"v{i}": f"[variables('v{i + 1}')]" for i in range(500)}
    variables["v500"] = "end"
    scope = Scope(variables=variables)
    result = evaluate("[variables('v0')]", scope)
    assert result.value is UNKNOWN and kinds(result) == ["limit"]
    assert evaluate("[variables('v480')]", scope).value == "end"


def test_deep_values_are_cut_off() -> None:
    raw: Any = "leaf"
    for _ in range(5_000):
        raw = [raw]
    issues: list[Any] = []
    value = evaluate_value(raw, Scope(), issues=issues)
    assert [issue.kind for _, issue in issues] == ["limit"]
    depth = 0
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    assert value is UNKNOWN and depth > 100
    deep_json = "[json('" + "[" * 3_000 + "]" * 3_000 + "')]"
    assert evaluate(deep_json, Scope()).issues == [] or kinds(evaluate(deep_json, Scope())) == ["limit"]
    deep_string = "[string(json('" + "[" * 900 + "]" * 900 + "'))]"
    assert kinds(evaluate(deep_string, Scope())) in ([], ["limit"])


def test_garbage_never_raises() -> None:
    samples = ["[", "]", "[]", "[[", "[']", "[(]", "[a(b(c(]", "[1 2 3]", "['a'.b]", "[a.b.c.d()]", "[-a()]",
               "[concat('a',)]", "[\u00e9()]", "[\x00]", "[createArray()[createArray()]]", "[json('{')]"]
    for text in samples:
        result = evaluate(text, Scope())
        assert isinstance(result, Result)
        assert "internal" not in kinds(result)


# -- the shared corpus


@pytest.mark.skipif(not (CORPUS / "arm").is_dir(), reason="shared corpus not present")
def test_corpus_templates_evaluate_without_internal_errors_or_limits() -> None:
    for path in sorted((CORPUS / "arm").rglob("*.json")):
        template = json.loads(path.read_text(encoding="utf-8-sig"))
        if not isinstance(template, dict) or "resources" not in template:
            continue
        scope = Scope.from_template(template, context=CONTEXT)
        issues: list[Any] = []
        evaluate_value({k: template.get(k) for k in ("variables", "resources", "outputs")}, scope, issues=issues)
        bad = [(p, i) for p, i in issues if i.kind in ("internal", "limit", "syntax", "unknown-function", "arg-count")]
        assert bad == [], (path.name, bad)


@pytest.mark.skipif(not (CORPUS / "arm").is_dir(), reason="shared corpus not present")
def test_a_bicep_generated_gallery_image_evaluates_fully() -> None:
    path = CORPUS / "arm" / "bicep-registry-modules" / "avm__res__compute__gallery__image__main.json"
    template = json.loads(path.read_text(encoding="utf-8"))
    scope = Scope.from_template(
        template,
        parameter_values={"galleryName": "gal", "name": "img", "osType": "Linux", "osState": "Generalized",
                          "identifier": {"publisher": "p", "offer": "o", "sku": "s"}, "securityType": "TrustedLaunch",
                          "isAcceleratedNetworkSupported": True},
        context=CONTEXT,
    )
    image = evaluate_value(template["resources"]["image"], scope)
    assert image["name"] == "gal/img"
    assert image["location"] == "westus"
    properties = image["properties"]
    assert properties["identifier"] == {"publisher": "p", "offer": "o", "sku": "s"}
    assert {"name": "SecurityType", "value": "TrustedLaunch"} in properties["features"]
    assert {"name": "IsAcceleratedNetworkSupported", "value": "True"} in properties["features"]


def test_the_same_issue_in_two_strings_is_reported_for_each() -> None:
    issues: list[Any] = []
    evaluate_value({"a": "[toLower(1)]", "b": "[toLower(1)]"}, Scope(), issues=issues)
    assert [(path, issue.kind) for path, issue in issues] == [(("a",), "type-error"), (("b",), "type-error")]
