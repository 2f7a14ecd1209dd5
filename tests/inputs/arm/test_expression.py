"""The expression parser: what is an expression, the AST it builds, and where errors point."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from sigcheck.inputs.arm.expression import (
    MAX_DEPTH,
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
from conftest import SHARED

CORPUS = SHARED / "corpus"


def shape(node: Expr) -> Any:
    """The AST without offsets, as nested tuples, for compact expectations."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Call):
        return (node.name, *(shape(a) for a in node.args))
    if isinstance(node, Member):
        return (".", shape(node.target), node.name)
    return ("[]", shape(node.target), shape(node.index))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[concat('a')]", True),
        ("[x]", True),
        ("[]", True),  # an (empty) expression: parse() rejects it
        ("[[x]", False),
        ("[[concat('a')]", False),
        ("plain", False),
        ("", False),
        ("[", False),
        ("]", False),
        ("[x", False),
        ("x]", False),
        (" [x]", False),
        ("[x] ", False),
    ],
)
def test_is_expression(text: str, expected: bool) -> None:
    assert is_expression(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[x]", "[x]"),
        ("[[concat('a')]", "[concat('a')]"),
        ("[[", "[["),  # does not end with ']': not the escape
        ("plain", "plain"),
        ("[x]", "[x]"),
        ("", ""),
    ],
)
def test_unescape_literal(text: str, expected: str) -> None:
    assert unescape_literal(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[concat()]", ("concat",)),
        ("[concat('a', 'b')]", ("concat", "a", "b")),
        ("[concat('it''s', '''')]", ("concat", "it's", "'")),
        ("[concat('')]", ("concat", "")),
        ("[concat('[x]', ']', '(')]", ("concat", "[x]", "]", "(")),
        ("[add(1, -2)]", ("add", 1, -2)),
        ("[add(0, 9223372036854775807)]", ("add", 0, 9223372036854775807)),
        ("[createArray(true, false, null)]", ("createArray", True, False, None)),
        ("[createArray(TRUE, False)]", ("createArray", True, False)),
        ("[createArray(true(), null())]", ("createArray", ("true",), ("null",))),
        ("[toLower(toUpper(trim(' a ')))]", ("toLower", ("toUpper", ("trim", " a ")))),
        ("[parameters('x').a]", (".", ("parameters", "x"), "a")),
        ("[parameters('x')[0]]", ("[]", ("parameters", "x"), 0)),
        (
            "[parameters('x').a[0].b]",
            (".", ("[]", (".", ("parameters", "x"), "a"), 0), "b"),
        ),
        ("[parameters('x')['a b']]", ("[]", ("parameters", "x"), "a b")),
        (
            "[variables('v')[parameters('i')]]",
            ("[]", ("variables", "v"), ("parameters", "i")),
        ),
        ("[reference('r').outputs.id.value]", (".", (".", (".", ("reference", "r"), "outputs"), "id"), "value")),
        ("[contoso.uniqueName('x')]", ("contoso.uniqueName", "x")),
        ("[__bicep.fn_1()]", ("__bicep.fn_1",)),
        ("[createArray()[0]]", ("[]", ("createArray",), 0)),
        ("[true]", True),
        ("[null]", None),
        ("[5]", 5),
        ("['text']", "text"),
        ("[x.$y()]", ("x.$y",)),
    ],
)
def test_parse_shapes(text: str, expected: Any) -> None:
    assert shape(parse(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "[ concat( 'a' , parameters( 'x' ) . b [ 0 ] ) ]",
        "[\tconcat(\n'a',\r\nparameters('x').b[0])\n]",
        "[concat('a',parameters('x').b[0])]",
        "[CONCAT('a', PARAMETERS('x').b[ 0 ])]",
    ],
)
def test_whitespace_and_case_do_not_change_the_tree(text: str) -> None:
    tree = shape(parse(text))
    name, arg1, arg2 = tree
    assert name.lower() == "concat" and arg1 == "a"
    assert arg2[0] == "[]" and arg2[2] == 0
    assert arg2[1][0] == "." and arg2[1][2] == "b"


def test_offsets_count_from_the_opening_bracket() -> None:
    text = "[concat('a', parameters('p').x[1])]"
    node = parse(text)
    assert isinstance(node, Call) and node.offset == 1
    literal, index = node.args
    assert isinstance(literal, Literal) and text[literal.offset] == "'"
    assert isinstance(index, Index) and text[index.offset] == "["
    assert isinstance(index.index, Literal) and text[index.index.offset] == "1"
    member = index.target
    assert isinstance(member, Member) and text[member.offset] == "."
    assert isinstance(member.target, Call) and text.startswith("parameters", member.target.offset)


def test_nodes_are_immutable_and_parses_cached() -> None:
    node = parse("[concat('a')]")
    with pytest.raises(AttributeError):
        node.name = "x"  # type: ignore[misc]
    assert parse("[concat('a')]") is node


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("[]", "empty expression", 1),
        ("[   ]", "empty expression", 4),
        ("[concat(]", "'(' at offset 7 is never closed", 7),
        ("[concat('a']", "'(' at offset 7 is never closed", 7),
        ("[concat('a',]", "'(' at offset 7 is never closed", 7),
        ("[concat('a' 'b')]", "expected ',' or ')'", 12),
        ("[concat('a',,'b')]", "expected an argument", 12),
        ("[concat(,)]", "expected an argument", 8),
        ("[concat('a'))]", "expected the end of the expression, found ')'", 12),
        ("[concat('a') x]", "expected the end of the expression, found 'x'", 13),
        ("[concat('abc)]", "unterminated string", 8),
        ("['it''s]", "unterminated string", 1),
        ('[concat("a")]', "single quotes", 8),
        ("[x]", "expected '(' after function name 'x'", 2),
        ("[concat]", "expected '(' after function name 'concat'", 7),
        ("[ns.]", "a function name after '.'", 4),
        ("[a().]", "a property name after '.'", 5),
        ("[a().1]", "floating-point", 4),
        ("[add(1.5, 1)]", "floating-point", 5),
        ("[a()[0]", "'[' at offset 4 is never closed", 4),
        ("[a()[]]", "expected an index expression", 5),
        ("[a()[0 1]]", "expected ']'", 7),
        ("[add(99999999999999999999, 1)]", "64-bit", 5),
        ("[+]", "expected a function call or a value, found '+'", 1),
        ("[concat('a')", "not an expression", 0),
        ("[-]", "expected a function call or a value, found '-'", 1),
    ],
)
def test_syntax_errors_point_at_the_problem(text: str, message: str, offset: int) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert message in caught.value.message
    assert caught.value.offset == offset
    assert str(offset) in str(caught.value)


def test_nesting_up_to_the_limit_parses() -> None:
    depth = MAX_DEPTH - 1
    node = parse("[" + "createArray(" * depth + "1" + ")" * depth + "]")
    levels = 0
    while isinstance(node, Call):
        node = node.args[0]
        levels += 1
    assert levels == depth


@pytest.mark.parametrize(
    "text",
    [
        "[" + "createArray(" * 10_000 + "1" + ")" * 10_000 + "]",
        "[" + "createArray(" * (MAX_DEPTH + 1) + ")" * (MAX_DEPTH + 1) + "]",
        "[parameters('x')" + ".a" * 10_000 + "]",
        "[parameters('x')" + "[0]" * 10_000 + "]",
        "[" + "x()[" * 10_000 + "0" + "]" * 10_000 + "]",
        "[" + "(" * 10_000 + "]",
    ],
)
def test_deep_nesting_is_a_syntax_error_not_a_crash(text: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert "nested more than" in caught.value.message or "expected" in caught.value.message


def test_large_inputs_parse_in_linear_time() -> None:
    literal = "[concat('" + "x" * 100_000 + "')]"
    many_args = "[concat(" + ", ".join(["'ab'"] * 20_000) + ")]"
    quotes = "['" + "''" * 50_000 + "']"
    start = time.perf_counter()
    assert shape(parse(literal)) == ("concat", "x" * 100_000)
    assert len(parse(many_args).args) == 20_000  # type: ignore[union-attr]
    assert shape(parse(quotes)) == "'" * 50_000
    assert time.perf_counter() - start < 2.0


def _corpus_expressions() -> list[str]:
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, str) and is_expression(value):
            found.add(value)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key)
                walk(item)

    for path in sorted((CORPUS / "arm").rglob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8-sig")))
    return sorted(found)


@pytest.mark.skipif(not (CORPUS / "arm").is_dir(), reason="shared corpus not present")
def test_every_expression_in_the_corpus_parses() -> None:
    expressions = _corpus_expressions()
    assert len(expressions) > 150
    for text in expressions:
        parse(text)
