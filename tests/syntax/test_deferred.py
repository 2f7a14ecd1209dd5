"""Deferred containers (jsonc.Deferred): whatever is only scanned at first reads back exactly as
if it had been parsed with the file — values, spans, key spans, comments, repeated keys, errors."""

from __future__ import annotations

from typing import Any

import pytest

from sigcheck.syntax.jsonc import Deferred, JsonSyntaxError, Node, parse


def _everything(keys: tuple[str | int, ...], around: list[Node]) -> bool:
    return True


def _shape(node: Node) -> Any:
    """Every value, span and key span of a tree, read through the public attributes."""
    span = node.span
    where = (span.path, span.line, span.column, span.end_line, span.end_column)
    if node.key_spans is not None:
        keys = {k: (s.line, s.column, s.end_line, s.end_column) for k, s in node.key_spans.items()}
        return ("object", where, keys, {k: _shape(v) for k, v in node.value.items()})
    if isinstance(node.value, list):
        return ("array", where, [_shape(v) for v in node.value])
    return ("scalar", where, node.value)


TEXT = """{
  "a": {"b": [1, 2.5, -3e2, true, null, "x\\u00e9"],
        "c": {"d": {"e": []}, "f": "\\ud800 lone"}},
  "g": [{"h": 1}, {"h": 2}],
  "i": {"dup": 1, "dup": 2},
  "j": {"k": 1 /* a comment */},
  "l": {"m": [1, 2,]}
}
"""


def test_deferred_reads_back_as_parsed() -> None:
    eager = parse(TEXT, "t.json")
    lazy = parse(TEXT, "t.json", defer=_everything)
    assert lazy.root is not None and eager.root is not None
    assert any(isinstance(n, Deferred) for n in lazy.root.value.values())
    assert lazy.root.plain() == eager.root.plain()  # plain() of unread containers decodes in C
    assert _shape(lazy.root) == _shape(eager.root)
    assert [(s.line, s.column, t) for s, t in lazy.comments] == [(s.line, s.column, t) for s, t in eager.comments]
    assert [(p, a.line, b.line) for p, a, b in lazy.duplicate_keys] == [(p, a.line, b.line) for p, a, b in eager.duplicate_keys]


def test_containers_the_c_scanner_reads_otherwise_are_parsed_at_once() -> None:
    lazy = parse(TEXT, "t.json", defer=_everything)
    assert lazy.root is not None
    # A repeated key, a comment, a trailing comma: parsed with the file, so reported with it.
    for key in ("i", "j", "l"):
        assert not isinstance(lazy.root.value[key], Deferred), key
    assert not isinstance(lazy.root.value["a"], Deferred)  # an escaped lone surrogate
    assert isinstance(lazy.root.value["g"], Deferred)


@pytest.mark.parametrize("text", ['{"a": {"b": NaN}}', '{"a": {"b": [1 2]}}', '{"a": {"b": 1}'])
def test_errors_are_the_same(text: str) -> None:
    with pytest.raises(JsonSyntaxError) as eager:
        parse(text, "t.json")
    with pytest.raises(JsonSyntaxError) as lazy:
        parse(text, "t.json", defer=_everything)
    assert (lazy.value.message, lazy.value.span.line, lazy.value.span.column) == (
        eager.value.message, eager.value.span.line, eager.value.span.column)


def test_a_large_variables_block_is_read_one_level_at_a_time() -> None:
    from sigcheck.inputs.arm.loader import _defer

    body = ",\n".join(f'    "v{i}": {{"x": [{i}]}}' for i in range(50))
    text = '{\n  "variables": {\n' + body + '\n  },\n  "resources": []\n}\n'
    doc = parse(text, "t.json", defer=_defer)
    assert doc.root is not None
    variables = doc.root.get_ci("variables")
    assert isinstance(variables, Deferred) and variables.is_object
    one = variables.get("v7")
    assert isinstance(one, Deferred)  # its members stay unread until looked into
    assert (one.span.line, one.span.column) == (10, 11)
    assert one.get("x").value[0].value == 7  # type: ignore[union-attr]
