"""Each built-in function: values, edge cases, the errors ARM would raise, UNKNOWN handling."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from sigcheck.inputs.arm.evaluate import UNKNOWN, DeploymentTarget, PartialObject, ResourceId, Scope, evaluate
from sigcheck.inputs.arm.functions import ARM_FUNCTION_NAMES, BUILTINS, is_arm_function

# An unknown string, an unknown value: uniqueString() is a hash only the service computes.
U = "uniqueString('u')"


def value(expr: str, scope: Scope | None = None) -> Any:
    result = evaluate(expr, scope or Scope())
    assert result.issues == [], result.issues
    return result.value


CASES: list[tuple[str, Any]] = [
    # concat
    ("[concat('a', 'b', 'c')]", "abc"),
    ("[concat('a', 1, true, false)]", "a1TrueFalse"),
    ("[concat()]", ""),
    ("[concat('a', null())]", "a"),
    ("[concat(createArray(1), createArray(2, 3))]", [1, 2, 3]),
    ("[concat(createArray(1), null(), createArray('x'))]", [1, "x"]),
    (f"[concat(createArray(1), createArray({U}))]", [1, UNKNOWN]),
    (f"[concat('a', {U})]", UNKNOWN),
    # format
    ("[format('{0}-{1}', 'a', 'b')]", "a-b"),
    ("[format('{1}{0}{1}', 'a', 'b')]", "bab"),
    ("[format('{{0}} {0}', 'x')]", "{0} x"),
    ("[format('x}}y')]", "x}y"),
    ("[format('{0:D3}|{0:D1}|{1:D3}', 5, -5)]", "005|5|-005"),
    ("[format('{0:N0}', 8175133)]", "8,175,133"),
    ("[format('{0:N}', 1234)]", "1,234.00"),
    ("[format('{0:X4}|{0:x}', 255)]", "00FF|ff"),
    ("[format('{0,5}|{0,-5}|', 'ab')]", "   ab|ab   |"),
    ("[format('{0:D3}', 'text')]", "text"),
    ("[format('{0} {1}', true, null())]", "True "),
    (f"[format('{{0}}', 'a', {U})]", "a"),
    (f"[format('{{1}}', 'a', {U})]", UNKNOWN),
    ("[format('{0:E2}', 5)]", UNKNOWN),
    (f"[format({U}, 1)]", UNKNOWN),
    # string
    ("[string('a')]", "a"),
    ("[string(5)]", "5"),
    ("[string(true)]", "True"),
    ("[string(false)]", "False"),
    ("[string(null())]", ""),
    ("[string(createArray('a', 1, true))]", '["a",1,true]'),
    ("[string(createObject('valueA', 10, 'valueB', 'Example Text'))]", '{"valueA":10,"valueB":"Example Text"}'),
    ("[string(json('{\"a\":[1,{\"b\":null}],\"c\":1.5}'))]", '{"a":[1,{"b":null}],"c":1.5}'),
    (f"[string(createArray({U}))]", UNKNOWN),
    ("[string(resourceGroup())]", UNKNOWN),
    # int / bool / json
    ("[int('42')]", 42),
    ("[int(' -7 ')]", -7),
    ("[int(3)]", 3),
    ("[int(json('3.0'))]", 3),
    ("[bool('TRUE')]", True),
    ("[bool('no')]", False),
    ("[bool(0)]", False),
    ("[bool(-2)]", True),
    ("[bool(true)]", True),
    ("[json('{\"a\": 1}')]", {"a": 1}),
    ("[json('[1, \"x\"]')]", [1, "x"]),
    ("[json('null')]", None),
    ("[json('1.5')]", 1.5),
    ("[json('{''a'': 1}')]", UNKNOWN),  # lenient JSON ARM may accept: not ours to judge
    # strings
    ("[toLower('AbC')]", "abc"),
    ("[toUpper('AbC')]", "ABC"),
    ("[trim('  a b \t')]", "a b"),
    ("[replace('123-123-1234', '-', '')]", "1231231234"),
    ("[replace('aaa', 'a', 'bb')]", "bbbbbb"),
    ("[substring('hello', 1, 3)]", "ell"),
    ("[substring('hello', 2)]", "llo"),
    ("[substring('hello', 5, 0)]", ""),
    ("[split('a,b,c', ',')]", ["a", "b", "c"]),
    ("[split('a,b;c', createArray(',', ';'))]", ["a", "b", "c"]),
    ("[split('a--b-c', createArray('-', '--'))]", ["a", "", "b", "c"]),
    ("[split('abc', ',')]", ["abc"]),
    ("[split('abc', '')]", UNKNOWN),
    ("[join(createArray('a', 'b', 'c'), '-')]", "a-b-c"),
    ("[join(createArray(1, 'b'), ',')]", "1,b"),
    ("[join(createArray(), ',')]", ""),
    ("[padLeft('123', 10, '0')]", "0000000123"),
    ("[padLeft(7, 3, '0')]", "007"),
    ("[padLeft('abc', 2)]", "abc"),
    ("[padLeft('a', 3)]", "  a"),
    ("[startsWith('abcdef', 'AB')]", True),
    ("[startsWith('abcdef', 'b')]", False),
    ("[endsWith('abcdef', 'EF')]", True),
    ("[endsWith('abcdef', 'e')]", False),
    ("[indexOf('test', 't')]", 0),
    ("[lastIndexOf('test', 't')]", 3),
    ("[indexOf('abcdef', 'CD')]", 2),
    ("[lastIndexOf('abcdef', 'AB')]", 0),
    ("[indexOf('abcdef', 'z')]", -1),
    ("[indexOf(createArray('a', 'b', 'a'), 'a')]", 0),
    ("[lastIndexOf(createArray('a', 'b', 'a'), 'a')]", 2),
    ("[indexOf(createArray('a'), 'A')]", -1),
    ("[indexOf(createArray(createArray(1)), createArray(1))]", 0),
    (f"[indexOf(createArray('a', {U}), 'a')]", 0),
    (f"[indexOf(createArray({U}, 'a'), 'a')]", UNKNOWN),
    (f"[indexOf({U}, 'a')]", UNKNOWN),
    ("[base64('one, two, three')]", "b25lLCB0d28sIHRocmVl"),
    ("[base64ToString('b25lLCB0d28sIHRocmVl')]", "one, two, three"),
    ("[base64ToJson(base64('{\"one\": \"a\"}'))]", {"one": "a"}),
    ("[dataUri('Hello')]", "data:text/plain;charset=utf8;base64,SGVsbG8="),
    ("[dataUriToString('data:text/plain;charset=utf8;base64,SGVsbG8sIFdvcmxkIQ==')]", "Hello, World!"),
    ("[uriComponent('http://contoso.com/resources/nested/azuredeploy.json')]",
     "http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json"),
    ("[uriComponentToString('a%20b%2Fc')]", "a b/c"),
    # values computed by the service
    ("[uniqueString('a')]", UNKNOWN),
    ("[uniqueString(resourceGroup().id, 'x')]", UNKNOWN),
    ("[guid('a', 'b')]", UNKNOWN),
    ("[newGuid()]", UNKNOWN),
    ("[utcNow('u')]", UNKNOWN),
    ("[reference('x', '2020-01-01').outputs.id.value]", UNKNOWN),
    ("[listKeys(resourceId('Microsoft.Storage/storageAccounts', 's'), '2021-01-01').keys[0].value]", UNKNOWN),
    ("[listAnythingAtAll('x')]", UNKNOWN),
    ("[pickZones('Microsoft.Compute', 'virtualMachines', 'westus2')]", UNKNOWN),
    ("[managementGroup().id]", UNKNOWN),
    ("[dateTimeAdd('2020-01-01', 'P1D')]", UNKNOWN),
    # arrays and objects
    ("[createArray()]", []),
    ("[createArray(1, 'a', createArray(), createObject())]", [1, "a", [], {}]),
    (f"[createArray('a', {U})]", ["a", UNKNOWN]),
    ("[createObject()]", {}),
    ("[createObject('a', 1, 'b', createArray('x'))]", {"a": 1, "b": ["x"]}),
    (f"[createObject('a', {U})]", {"a": UNKNOWN}),
    (f"[createObject({U}, 1)]", UNKNOWN),
    ("[array('a')]", ["a"]),
    ("[array(createArray(1))]", [1]),
    ("[array(createObject('a', 1))]", [{"a": 1}]),
    ("[empty('')]", True),
    ("[empty(createArray())]", True),
    ("[empty(createObject())]", True),
    ("[empty(null())]", True),
    ("[empty('a')]", False),
    (f"[empty(createArray({U}))]", False),
    (f"[empty({U})]", UNKNOWN),
    ("[empty(resourceGroup())]", False),
    ("[empty(deployment())]", UNKNOWN),
    ("[length('abc')]", 3),
    ("[length(createArray(1, 2))]", 2),
    ("[length(createObject('a', 1, 'b', 2))]", 2),
    (f"[length(createArray('a', {U}))]", 2),
    ("[length(deployment())]", UNKNOWN),
    ("[contains('abc', 'b')]", True),
    ("[contains('abc', 'B')]", False),
    ("[contains('a1', 1)]", True),
    ("[contains(createObject('Key', 1), 'key')]", True),
    ("[contains(createObject('a', 1), 'b')]", False),
    ("[contains(createArray('a', 1), 1)]", True),
    ("[contains(createArray('a'), 'A')]", False),
    ("[contains(createArray(createObject('a', 1)), createObject('a', 1))]", True),
    (f"[contains(createArray('a', {U}), 'a')]", True),
    (f"[contains(createArray({U}), 'a')]", UNKNOWN),
    ("[contains(resourceGroup(), 'type')]", True),
    ("[contains(resourceGroup(), 'tags')]", UNKNOWN),
    ("[first(createArray(1, 2))]", 1),
    ("[first('abc')]", "a"),
    ("[first(createArray())]", None),
    ("[first('')]", ""),
    ("[last(createArray(1, 2))]", 2),
    ("[last('abc')]", "c"),
    (f"[first(createArray('a', {U}))]", "a"),
    (f"[last(createArray('a', {U}))]", UNKNOWN),
    ("[take(createArray(1, 2, 3), 2)]", [1, 2]),
    ("[take('abc', -1)]", ""),
    ("[take('abc', 10)]", "abc"),
    ("[skip(createArray(1, 2, 3), 1)]", [2, 3]),
    ("[skip('one two three', 4)]", "two three"),
    ("[skip('abc', 5)]", ""),
    ("[skip('abc', -1)]", "abc"),
    ("[union(createArray(1, 2), createArray(2, 3), createArray(1, 4))]", [1, 2, 3, 4]),
    ("[union(createArray(createArray('a')), createArray(createArray('a')))]", [["a"]]),
    ("[union(createObject('a', 1, 'b', 2), createObject('b', 3, 'c', 4))]", {"a": 1, "b": 3, "c": 4}),
    (
        "[union(createObject('p', createObject('one', 'a', 'three', 'c1'), 'n', createArray(1, 2)),"
        " createObject('p', createObject('three', 'c2', 'four', 'd'), 'n', createArray(3, 4)))]",
        {"p": {"one": "a", "three": "c2", "four": "d"}, "n": [3, 4]},
    ),
    ("[union(createObject('A', 1), createObject('a', 2))]", {"A": 2}),
    ("[union(createObject('a', 1), null())]", {"a": 1}),
    (f"[union(createArray('a'), createArray({U}))]", UNKNOWN),
    (f"[union(createObject('a', {U}), createObject('b', 1))]", {"a": UNKNOWN, "b": 1}),
    (f"[union(createObject('a', {U}), createObject('a', 1))]", {"a": 1}),
    ("[intersection(createArray('one', 'two', 'three'), createArray('two', 'three'))]", ["two", "three"]),
    (
        "[intersection(createObject('one', 'a', 'two', 'b', 'three', 'c'), createObject('one', 'a', 'two', 'z', 'three', 'c'))]",
        {"one": "a", "three": "c"},
    ),
    (f"[intersection(createArray('a'), createArray({U}))]", UNKNOWN),
    ("[items(createObject('item002', 2, 'item001', 1))]", [{"key": "item001", "value": 1}, {"key": "item002", "value": 2}]),
    ("[objectKeys(createObject('b', 1, 'a', 2))]", ["a", "b"]),
    ("[tryGet(createObject('a', createObject('b', 1)), 'a', 'b')]", 1),
    ("[tryGet(createObject('A', 1), 'a')]", 1),
    ("[tryGet(createObject('a', 1), 'x')]", None),
    ("[tryGet(createObject('a', 1), 'x', 'y')]", None),
    ("[tryGet(createArray(1, 2), 1)]", 2),
    ("[tryGet(createArray(1), 5)]", None),
    ("[tryGet(null(), 'a')]", None),
    ("[tryGet(resourceGroup(), 'tags')]", UNKNOWN),
    (f"[tryGet(createObject('a', 1), {U})]", UNKNOWN),
    (
        "[shallowMerge(createArray(createObject('a', 1, 'n', createObject('x', 1)), createObject('n', createObject('y', 2))))]",
        {"a": 1, "n": {"y": 2}},
    ),
    ("[shallowMerge(createArray())]", {}),
    ("[flatten(createArray(createArray(1), createArray(2, 3), createArray()))]", [1, 2, 3]),
    ("[range(1, 3)]", [1, 2, 3]),
    ("[range(5, 0)]", []),
    ("[min(3, 1, 2)]", 1),
    ("[min(createArray(3, 1, 2))]", 1),
    ("[max(createArray(3, 1), 7)]", 7),
    (f"[max(createArray(1, length({U})))]", UNKNOWN),
    # numbers
    ("[add(1, 2)]", 3),
    ("[sub(1, 2)]", -1),
    ("[mul(3, 4)]", 12),
    ("[div(7, 2)]", 3),
    ("[div(-7, 2)]", -3),
    ("[mod(7, 3)]", 1),
    ("[mod(-7, 3)]", -1),
    # logic and comparison
    ("[if(true, 'a', 'b')]", "a"),
    ("[if(equals(1, 2), 'a', 'b')]", "b"),
    ("[if(false, parameters('nope'), 'b')]", "b"),  # the branch not taken is not evaluated
    (f"[if(equals({U}, 'x'), 'same', 'same')]", "same"),
    (f"[if(equals({U}, 'x'), 'a', 'b')]", UNKNOWN),
    (f"[if(true, 'a', {U})]", "a"),
    ("[not(true)]", False),
    ("[and(true, true, true)]", True),
    ("[and(true, false)]", False),
    (f"[and(false, equals({U}, 'x'))]", False),
    (f"[and(equals({U}, 'x'), false)]", False),
    (f"[and(true, equals({U}, 'x'))]", UNKNOWN),
    ("[or(false, true)]", True),
    ("[or(false, false)]", False),
    (f"[or(equals({U}, 'x'), true)]", True),
    (f"[or(false, equals({U}, 'x'))]", UNKNOWN),
    ("[true()]", True),
    ("[false()]", False),
    ("[null()]", None),
    ("[coalesce(null(), 'a', 'b')]", "a"),
    ("[coalesce(null(), null())]", None),
    ("[coalesce('', 'a')]", ""),
    ("[coalesce(createArray(), 'a')]", []),
    (f"[coalesce(null(), {U})]", UNKNOWN),
    (f"[coalesce({U}, 'a')]", UNKNOWN),
    (f"[coalesce('a', {U})]", "a"),
    ("[equals('a', 'a')]", True),
    ("[equals('a', 'A')]", False),
    ("[equals(1, '1')]", False),
    ("[equals(null(), null())]", True),
    ("[equals(json('1.0'), 1)]", True),
    ("[equals(true, 1)]", False),
    ("[equals(createArray(1, createObject('a', 'b')), createArray(1, createObject('a', 'b')))]", True),
    ("[equals(createArray(1, 2), createArray(2, 1))]", False),
    ("[equals(createObject('a', 1), createObject('a', 1, 'b', 2))]", False),
    (f"[equals({U}, 'a')]", UNKNOWN),
    (f"[equals(createArray({U}, 1), createArray('x', 2))]", False),
    (f"[equals(createArray({U}, 1), createArray('x', 1))]", UNKNOWN),
    (f"[equals(createArray({U}), createArray('x', 1))]", False),
    ("[less(1, 2)]", True),
    ("[less(2, 2)]", False),
    ("[lessOrEquals(2, 2)]", True),
    ("[greater(3, 2)]", True),
    ("[greaterOrEquals(1, 2)]", False),
    ("[less('a', 'b')]", True),
    ("[greater('b', 'A')]", True),
    ("[less('apple', 'Banana')]", True),
    ("[less('a', 'A')]", UNKNOWN),
    ("[less('a-b', 'a_c')]", UNKNOWN),
    ("[equals(less('x', 'x'), false)]", True),
    # lambdas
    ("[map(createArray(1, 2), lambda('x', mul(lambdaVariables('x'), 2)))]", [2, 4]),
    ("[map(createArray('a', 'b'), lambda('x', 'i', concat(lambdaVariables('x'), string(lambdaVariables('i')))))]", ["a0", "b1"]),
    ("[filter(range(0, 5), lambda('i', greater(lambdaVariables('i'), 2)))]", [3, 4]),
    ("[reduce(createArray(1, 2, 3), 10, lambda('acc', 'x', add(lambdaVariables('acc'), lambdaVariables('x'))))]", 16),
    ("[sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]", [1, 2, 3]),
    (
        "[toObject(createArray('a', 'b'), lambda('x', lambdaVariables('x')), lambda('x', toUpper(lambdaVariables('x'))))]",
        {"a": "A", "b": "B"},
    ),
    ("[toObject(createArray(createObject('n', 'k')), lambda('x', lambdaVariables('x').n))]", {"k": {"n": "k"}}),
    ("[groupBy(createArray('ab', 'ac', 'b'), lambda('x', first(lambdaVariables('x'))))]", {"a": ["ab", "ac"], "b": ["b"]}),
    ("[mapValues(createObject('a', 1), lambda('v', add(lambdaVariables('v'), 1)))]", {"a": 2}),
    (
        "[map(createArray(1, 2), lambda('x', map(createArray(10), lambda('y', add(lambdaVariables('x'), lambdaVariables('y'))))))]",
        [[11], [12]],
    ),
    (f"[filter(createArray(1), lambda('x', equals({U}, 'a')))]", UNKNOWN),
    (f"[map(createArray({U}), lambda('x', length(createArray(lambdaVariables('x')))))]", [1]),
]


@pytest.mark.parametrize(("expr", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_function_values(expr: str, expected: Any) -> None:
    assert value(expr) == expected


ERRORS: list[tuple[str, str, str]] = [
    # (expression, issue kind, text at the issue's offset)
    ("[toLower(1)]", "type-error", "1)"),
    ("[toUpper(createArray())]", "type-error", "createArray"),
    ("[substring('a')]", "arg-count", "substring"),
    ("[substring('abc', 2, 5)]", "type-error", "2, 5"),
    ("[substring('abc', -1, 1)]", "type-error", "-1"),
    ("[concat('a', createArray())]", "type-error", "createArray"),
    ("[concat(createArray(), 'a')]", "type-error", "'a'"),
    ("[format('{1}', 'a')]", "type-error", "'{1}'"),
    ("[format('{x}')]", "type-error", "'{x}'"),
    ("[format('a}b')]", "type-error", "'a}b'"),
    ("[format()]", "arg-count", "format"),
    ("[int('4.2')]", "type-error", "'4.2'"),
    ("[int(createArray())]", "type-error", "createArray"),
    ("[replace('a', '', 'x')]", "type-error", "''"),
    ("[padLeft('a', 3, 'xy')]", "type-error", "'xy'"),
    ("[padLeft('a', -1)]", "type-error", "-1"),
    ("[split('a', 1)]", "type-error", "1)"),
    ("[join(createArray(createArray()), ',')]", "type-error", "createArray"),
    ("[base64ToString('***')]", "type-error", "'***'"),
    ("[dataUriToString('nope')]", "type-error", "'nope'"),
    ("[createObject('a')]", "arg-count", "createObject"),
    ("[createObject(1, 2)]", "type-error", "1, 2"),
    ("[length(1)]", "type-error", "1)"),
    ("[empty(1)]", "type-error", "1)"),
    ("[first(1)]", "type-error", "1)"),
    ("[take(createArray(), 'x')]", "type-error", "'x'"),
    ("[contains(1, 1)]", "type-error", "1, 1"),
    ("[union(createArray(1), createObject())]", "type-error", "union"),
    ("[union()]", "arg-count", "union"),
    ("[range(0, -1)]", "type-error", "-1"),
    ("[range(0, 10001)]", "type-error", "10001"),
    ("[range(2147483647, 1)]", "type-error", "1)"),
    ("[min()]", "arg-count", "min"),
    ("[min('a')]", "type-error", "'a'"),
    ("[max(createArray())]", "type-error", "createArray"),
    ("[div(1, 0)]", "type-error", "0)"),
    ("[mod(1, 0)]", "type-error", "0)"),
    ("[add(9223372036854775807, 1)]", "type-error", "add"),
    ("[add('1', 2)]", "type-error", "'1'"),
    ("[if('x', 1, 2)]", "type-error", "'x'"),
    ("[if(true, 1)]", "arg-count", "if"),
    ("[not('x')]", "type-error", "'x'"),
    ("[and(true)]", "arg-count", "and"),
    ("[and(true, 1)]", "type-error", "1)"),
    ("[or(false, 'x')]", "type-error", "'x'"),
    ("[less(1, 'a')]", "type-error", "less"),
    ("[less(createArray(), 1)]", "type-error", "createArray"),
    ("[equals(1)]", "arg-count", "equals"),
    ("[bool(createArray())]", "type-error", "createArray"),
    ("[uniqueString()]", "arg-count", "uniqueString"),
    ("[guid()]", "arg-count", "guid"),
    ("[resourceGroup('x')]", "arg-count", "resourceGroup"),
    ("[null(1)]", "arg-count", "null"),
    ("[shallowMerge(createArray(1))]", "type-error", "createArray"),
    ("[flatten(createArray(1))]", "type-error", "createArray"),
    ("[items(createArray())]", "type-error", "createArray"),
    ("[copyIndex(true)]", "type-error", "true"),
    ("[copyIndex(1, 2)]", "type-error", "copyIndex"),
    ("[copyIndex('loop', 'x')]", "type-error", "'x'"),
    ("[map(createArray(1), 'x')]", "type-error", "'x'"),
    ("[map(createArray(1), lambda('a', 'b', 'c', 1))]", "type-error", "lambda"),
    ("[filter(createArray(1), lambda('x', 1))]", "type-error", "lambda"),
    ("[sort(createArray(1, 2), lambda('a', 'b', 'x'))]", "type-error", "lambda"),
    ("[toObject(createArray(1), lambda('x', lambdaVariables('x')))]", "type-error", "lambda"),
    ("[lambdaVariables('x')]", "undeclared-variable", "lambdaVariables"),
    ("[lambda('x', 1)]", "type-error", "lambda"),
    ("[lambda(1, 1)]", "type-error", "1, 1"),
    ("[toLowr('A')]", "unknown-function", "toLowr"),
    ("[notAFunction()]", "unknown-function", "notAFunction"),
    ("[ns.fn()]", "unknown-function", "ns.fn"),
    ("[createArray(1)[1]]", "type-error", "[1]]"),
    ("[createArray(1)[-1]]", "type-error", "[-1]"),
    ("[createArray(1)['a']]", "type-error", "['a']"),
    ("[createObject('a', 1)[0]]", "type-error", "[0]"),
    ("[createObject('a', 1).b]", "type-error", ".b"),
    ("[createObject('a', 1)['b']]", "type-error", "['b']"),
    ("[createArray(1).length]", "type-error", ".length"),
    ("['abc'[0]]", "type-error", "[0]"),
    ("[null().a]", "type-error", ".a"),
]


@pytest.mark.parametrize(("expr", "kind", "at"), ERRORS, ids=[e[0][:60] for e in ERRORS])
def test_function_errors(expr: str, kind: str, at: str) -> None:
    result = evaluate(expr, Scope())
    assert result.value is UNKNOWN
    assert [i.kind for i in result.issues] == [kind], result.issues
    assert expr[result.issues[0].offset :].startswith(at), (result.issues[0], expr[result.issues[0].offset :])


def test_error_messages_name_the_function_and_the_problem() -> None:
    (issue,) = evaluate("[toLower(1)]", Scope()).issues
    assert issue.message == "toLower(): argument 1 must be a string, not int"
    (issue,) = evaluate("[substring('a')]", Scope()).issues
    assert issue.message == "substring() expects 2 to 3 arguments, got 1"
    (issue,) = evaluate("[toLowr('A')]", Scope()).issues
    assert issue.message == "'toLowr' is not an ARM template function; did you mean 'toLower'?"
    (issue,) = evaluate("[createObject('a', 1).b]", Scope()).issues
    assert issue.message == "property 'b' does not exist (available: a)"
    (issue,) = evaluate("[createArray(1)[3]]", Scope()).issues
    assert issue.message == "index 3 is out of range: the array has 1 element(s)"


def test_member_access_is_case_insensitive() -> None:
    assert value("[createObject('Name', 1).name]") == 1
    assert value("[createObject('name', 1).NAME]") == 1
    assert value("[createObject('a', createObject('B', createArray(5))).a.b[0]]") == 5
    assert value("[createObject('a b', 1)['A B']]") == 1


def test_unknowns_propagate_through_members_and_indexes() -> None:
    assert value(f"[json({U}).a.b[0]]") is UNKNOWN
    assert value(f"[createArray(1, 2)[length({U})]]") is UNKNOWN
    assert value(f"[createObject('a', {U}).a.b]") is UNKNOWN
    assert value("[resourceGroup().tags.env]") is UNKNOWN
    assert value("[resourceGroup().type]") == "Microsoft.Resources/resourceGroups"


def test_function_names_are_case_insensitive() -> None:
    assert value("[CONCAT('a', ToLower('B'))]") == "ab"
    assert value("[createarray(1)]") == [1]


def test_context_functions_expose_what_is_configured() -> None:
    scope = Scope(
        context=DeploymentTarget(
            subscription_id="sub", tenant_id="ten", resource_group="rg", location="westus",
            deployment_name="dep", environment="AzureCloud",
        )
    )
    assert value("[resourceGroup().name]", scope) == "rg"
    assert value("[resourceGroup().location]", scope) == "westus"
    assert value("[resourceGroup().id]", scope) == "/subscriptions/sub/resourceGroups/rg"
    assert value("[subscription().subscriptionId]", scope) == "sub"
    assert value("[subscription().id]", scope) == "/subscriptions/sub"
    assert value("[subscription().tenantId]", scope) == "ten"
    assert value("[tenant().tenantId]", scope) == "ten"
    assert value("[deployment().name]", scope) == "dep"
    assert value("[environment().name]", scope) == "AzureCloud"
    assert value("[environment().suffixes.storage]", scope) is UNKNOWN
    assert isinstance(value("[resourceGroup()]", scope), PartialObject)
    for expr in ("[resourceGroup().location]", "[resourceGroup().id]", "[subscription().subscriptionId]",
                 "[deployment().name]", "[environment().name]"):
        assert value(expr) is UNKNOWN


def test_every_builtin_is_a_known_arm_function() -> None:
    assert set(BUILTINS) <= ARM_FUNCTION_NAMES
    for name in ("reference", "listKeys", "listSecrets", "listWhatever", "newGuid", "utcNow", "pickZones",
                 "providers", "tenant", "managementGroupResourceId", "parseCidr", "lambda", "items"):
        assert is_arm_function(name), name
    assert not is_arm_function("toLowr")


# Any function with any (small) arguments: never an exception, never an internal error.
_ARGUMENTS = ["1", "-1", "0", "'a'", "''", "'a,b'", "true", "null()", "createArray()", "createArray('x', 2)",
              "createObject('k', 'v')", U, "resourceGroup()", "json('1.5')", "resourceId('A.B/c', 'n')",
              "lambda('x', lambdaVariables('x'))"]


@pytest.mark.parametrize("name", sorted(ARM_FUNCTION_NAMES))
def test_any_arguments_never_crash(name: str) -> None:
    scope = Scope(parameters={"p": 1}, variables={"v": "[parameters('p')]"})
    combos = [()] + [(a,) for a in _ARGUMENTS] + list(itertools.product(_ARGUMENTS[:8], repeat=2))
    combos += list(itertools.product(["'a'", "1", "createArray(1)", U], repeat=3))
    for args in combos:
        expr = f"[{name}({', '.join(args)})]"
        result = evaluate(expr, scope)
        assert not [i for i in result.issues if i.kind in ("internal", "limit")], (expr, result.issues)
        assert all(0 <= i.offset < len(expr) for i in result.issues), (expr, result.issues)
