"""The JSON-with-comments decoder: positions of keys and values, the ARM extensions it accepts, and every
error it reports with the position of the fault. Lines and columns are 1-based; columns count characters
(code points); an end column is one past the last character of the token."""

from __future__ import annotations

import pytest

from sigcheck.syntax.jsonc import MAX_DEPTH, JsonSyntaxError, Node, parse
from sigcheck.syntax.text import decode


def pos(node: Node) -> tuple[int, int, int, int]:
    s = node.span
    return (s.line, s.column, s.end_line, s.end_column)


def key_pos(obj: Node, key: str) -> tuple[int, int, int, int]:
    s = obj.key_spans[key]  # type: ignore[index]
    return (s.line, s.column, s.end_line, s.end_column)


def error(text: str) -> tuple[str, tuple[int, int, int, int]]:
    with pytest.raises(JsonSyntaxError) as info:
        parse(text, "t.json")
    s = info.value.span
    assert s.path == "t.json"
    return info.value.message, (s.line, s.column, s.end_line, s.end_column)


# --- positions -----------------------------------------------------------------------------------

def test_positions_of_keys_and_values() -> None:
    doc = parse('{\n  "name": "gallery1",\n  "count": 12,\n  "ok": true\n}\n', "t.json")
    root = doc.root
    assert root is not None and root.is_object and pos(root) == (1, 1, 5, 2)
    assert key_pos(root, "name") == (2, 3, 2, 9)
    assert pos(root.get("name")) == (2, 11, 2, 21)
    assert pos(root.get("count")) == (3, 12, 3, 14) and root.get("count").value == 12
    assert pos(root.get("ok")) == (4, 9, 4, 13) and root.get("ok").value is True


def test_crlf_line_ends_do_not_shift_columns() -> None:
    text = '{\r\n  "location": "westus2",\r\n\r\n  "regions": [\r\n    "eastus"\r\n  ]\r\n}\r\n'
    root = parse(text, "t.json").root
    assert root is not None
    assert key_pos(root, "location") == (2, 3, 2, 13)
    assert pos(root.get("location")) == (2, 15, 2, 24)
    regions = root.get("regions")
    assert pos(regions) == (4, 14, 6, 4)
    assert pos(regions.value[0]) == (5, 5, 5, 13)


def test_a_tab_is_one_column() -> None:
    root = parse('{\n\t"name":\t\t"g"\n}', "t.json").root
    assert root is not None
    assert key_pos(root, "name") == (2, 2, 2, 8)
    assert pos(root.get("name")) == (2, 11, 2, 14)


@pytest.mark.parametrize(
    "before, width",
    [
        ("é", 1),  # two bytes in UTF-8
        ("画像", 2),  # three bytes each
        ("😀", 1),  # outside the BMP: two UTF-16 code units, one code point
        ("\u0065\u0301", 2),  # e + combining acute: two code points
    ],
)
def test_columns_count_characters_not_bytes(before: str, width: int) -> None:
    root = parse('{"d": "' + before + '", "x": 1}', "t.json").root
    assert root is not None
    assert pos(root.get("d")) == (1, 7, 1, 9 + width)
    assert key_pos(root, "x") == (1, 11 + width, 1, 14 + width)
    assert pos(root.get("x")) == (1, 16 + width, 1, 17 + width)


def test_non_ascii_keys_and_values_on_later_lines() -> None:
    root = parse('{\n  "описание": "Галерея",\n  "name": "g"\n}', "t.json").root
    assert root is not None
    assert key_pos(root, "описание") == (2, 3, 2, 13)
    assert pos(root.get("описание")) == (2, 15, 2, 24)
    assert pos(root.get("name")) == (3, 11, 3, 14)


def test_decoded_bom_and_utf16_give_the_same_positions_as_plain_utf8() -> None:
    text = '{\n  "a": "ü",\n  "b": [1, 2]\n}\n'
    expected = pos(parse(text, "t.json").root.get("b"))  # type: ignore[union-attr]
    for data in (
        b"\xef\xbb\xbf" + text.encode(),
        b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
        b"\xff\xfe" + text.encode("utf-16-le"),
        b"\xfe\xff" + text.encode("utf-16-be"),
        text.encode("utf-16-le"),
    ):
        root = parse(decode(data), "t.json").root
        assert root is not None and pos(root.get("b")) == expected, data[:4]


def test_multi_line_values_span_their_lines() -> None:
    root = parse('{"a": {\n  "b": [\n    1\n  ]\n}}', "t.json").root
    assert root is not None
    assert pos(root.get("a")) == (1, 7, 5, 2)
    assert pos(root.get("a").get("b")) == (2, 8, 4, 4)


def test_escaped_strings_keep_the_span_of_the_written_token() -> None:
    root = parse(r'{"k\u0065y": "a\"b\\c\u00e9", "n": -1.5e3}', "t.json").root
    assert root is not None
    assert root.get("key").value == 'a"b\\cé'
    assert key_pos(root, "key") == (1, 2, 1, 12)
    assert pos(root.get("key")) == (1, 14, 1, 29)
    assert root.get("n").value == -1500.0


def test_scalar_types() -> None:
    root = parse('[0, -7, 1.25, 2E2, true, false, null, "s", {}, []]', "t.json").root
    assert root is not None
    values = [n.value for n in root.value]
    assert values[:8] == [0, -7, 1.25, 200.0, True, False, None, "s"]
    assert type(values[0]) is int and type(values[3]) is float
    assert root.value[8].is_object and root.value[9].is_array and not root.value[9].is_object


# --- the extensions ARM accepts --------------------------------------------------------------------

def test_comments_are_skipped_and_recorded_with_their_spans() -> None:
    text = '// head\n{\n  /* block\n     comment */ "a": 1, // tail\n  "url": "http://x/*y*/"\n}'
    doc = parse(text, "t.json")
    assert doc.root is not None and doc.root.plain() == {"a": 1, "url": "http://x/*y*/"}
    spans = [((s.line, s.column, s.end_line, s.end_column), body) for s, body in doc.comments]
    assert spans == [
        ((1, 1, 1, 8), "// head"),
        ((3, 3, 4, 16), "/* block\n     comment */"),
        ((4, 25, 4, 32), "// tail"),
    ]
    assert pos(doc.root.get("a")) == (4, 22, 4, 23)


def test_a_comment_at_the_end_of_the_file_without_a_newline() -> None:
    doc = parse('{"a": 1} // done', "t.json")
    assert doc.root is not None and len(doc.comments) == 1


@pytest.mark.parametrize("text", ['{"a": 1,}', '[1, 2,]', '{"a": [1,], "b": {"c": 2,},}'])
def test_trailing_commas_are_accepted(text: str) -> None:
    assert parse(text, "t.json").root is not None


@pytest.mark.parametrize("text", ["", "   \n\t", "// nothing\n/* at all */"])
def test_no_value_at_all_is_not_an_error(text: str) -> None:
    assert parse(text, "t.json").root is None


def test_duplicate_keys_keep_the_last_value_and_are_recorded() -> None:
    doc = parse('{\n  "a": 1,\n  "b": {"x": 1, "x": 2},\n  "a": 3\n}', "t.json")
    assert doc.root is not None and doc.root.plain() == {"a": 3, "b": {"x": 2}}
    found = [(k, (f.line, f.column), (a.line, a.column)) for k, f, a in doc.duplicate_keys]
    assert found == [("b.x", (3, 9), (3, 17)), ("a", (2, 3), (4, 3))]  # JSON paths of the repeated keys
    # The key span is that of the value used (the last one).
    assert key_pos(doc.root, "a") == (4, 3, 4, 6)


def test_keys_differing_in_case_are_distinct_json_keys() -> None:
    doc = parse('{"name": "a", "Name": "b"}', "t.json")
    assert doc.duplicate_keys == []
    assert doc.root is not None and doc.root.get("Name").value == "b"
    assert doc.root.get_ci("NAME").value == "a"  # the exact-case match wins, then the first


def test_node_helpers() -> None:
    root = parse('{"Resources": [{"type": "t"}], "n": 1}', "t.json").root
    assert root is not None
    assert root.get("resources") is None and root.get_ci("resources") is root.get("Resources")
    assert [k for k, _ in root.items()] == ["Resources", "n"]
    assert root.get("n").get("x") is None and root.get("n").get_ci("x") is None
    assert list(root.get("n").items()) == []
    assert root.plain() == {"Resources": [{"type": "t"}], "n": 1}


# --- errors, each with the position of the fault ------------------------------------------------------

@pytest.mark.parametrize(
    "text, message, where",
    [
        ('{"a": "x\n"}', "unterminated string", (1, 7, 1, 9)),
        ('{"a": "abc', "unterminated string", (1, 7, 1, 11)),
        ('{"a": 1 /* never closed', "unterminated /* comment", (1, 9, 1, 11)),
        ('{"a": NaN}', "unexpected character 'N'", (1, 7, 1, 8)),
        ('{"a": True}', "unexpected character 'T'", (1, 7, 1, 8)),
        ("{'a': 1}", "unexpected character \"'\"", (1, 2, 1, 3)),
        ('{"a": 1.}', "unexpected character '.'", (1, 8, 1, 9)),
        ('{"a": -}', "unexpected character '-'", (1, 7, 1, 8)),
        ('{"a": 1}\n}', "unexpected '}' after the end of the JSON value", (2, 1, 2, 2)),
        ("01", "unexpected '1' after the end of the JSON value", (1, 2, 1, 3)),
        ('{"a": 1} {"b": 2}', "unexpected '{' after the end of the JSON value", (1, 10, 1, 11)),
        ("]", "unexpected ']'", (1, 1, 1, 2)),
        ('{"a" 1}', "expected ':', found '1'", (1, 6, 1, 7)),
        ('{"a": }', "expected a value, found '}'", (1, 7, 1, 8)),
        ('{"a":: 1}', "expected a value, found ':'", (1, 6, 1, 7)),
        (":", "expected a value, found ':'", (1, 1, 1, 2)),
        ("[,1]", "expected a value, found ','", (1, 2, 1, 3)),
        ("{,}", "expected a property name in double quotes, found ','", (1, 2, 1, 3)),
        ('{"a": 1,,}', "expected a property name in double quotes, found ','", (1, 9, 1, 10)),
        ("{1: 2}", "expected a property name in double quotes, found '1'", (1, 2, 1, 3)),
        ('{"a": 1 "b": 2}', "expected ',' or a closing bracket, found '\"b\"'", (1, 9, 1, 12)),
        ("[1 2]", "expected ',' or a closing bracket, found '2'", (1, 4, 1, 5)),
        ('{"a": 1 {', "expected ',' or a closing bracket, found '{'", (1, 9, 1, 10)),
        ('{"a" {', "expected ':', found '{'", (1, 6, 1, 7)),
        ('{"a": "\\q"}', "invalid escape in string: Invalid \\escape", (1, 8, 1, 10)),
        # Python's decoder points at the 'u' of a short \u escape: still inside the bad escape.
        ('{"a": "\\u12"}', "invalid escape in string: Invalid \\uXXXX escape", (1, 9, 1, 11)),
    ],
)
def test_error_messages_and_positions(text: str, message: str, where: tuple[int, int, int, int]) -> None:
    assert error(text) == (message, where)


@pytest.mark.parametrize("text, found", [('{"a": 1]', "']'"), ("[1}", "'}'")])
def test_a_mismatched_closing_bracket_is_reported_where_it_stands(text: str, found: str) -> None:
    message, where = error(text)
    assert message.endswith(f"found {found}")
    assert where == (1, len(text), 1, len(text) + 1)


def test_a_long_token_is_shortened_in_the_message() -> None:
    message, where = error('{"a": 1 "' + "b" * 60 + '": 2}')
    assert message == "expected ',' or a closing bracket, found '\"bbbbbbbbbbbbbbbbbbb'"
    assert where == (1, 9, 1, 71)


def test_end_of_file_names_the_bracket_left_open() -> None:
    message, where = error('{\n  "a": [1,\n    {"b": 2}\n')
    assert message == "unexpected end of file: ']' expected to close the value opened at line 2, column 8"
    assert where == (4, 1, 4, 1)
    message, where = error('{"a": 1')
    assert message == "unexpected end of file: '}' expected to close the value opened at line 1, column 1"
    assert where == (1, 8, 1, 8)


def test_error_positions_after_crlf_and_non_ascii() -> None:
    assert error('{\r\n  "d": "日本語",\r\n  "x" 1\r\n}') == ("expected ':', found '1'", (3, 7, 3, 8))


# --- depth -------------------------------------------------------------------------------------------

def test_nesting_up_to_the_limit_is_read() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    root = parse(text, "t.json").root
    depth = 0
    while root is not None and root.is_array:
        depth += 1
        root = root.value[0] if root.value else None
    assert depth == MAX_DEPTH


@pytest.mark.parametrize("opener, closer", [("[", "]"), ('{"a":', "}")])
def test_nesting_beyond_the_limit_is_an_error_at_the_first_bracket_too_deep(opener: str, closer: str) -> None:
    text = opener * (MAX_DEPTH + 1) + "1" + closer * (MAX_DEPTH + 1)
    message, where = error(text)
    assert message == f"nesting deeper than {MAX_DEPTH} levels"
    column = MAX_DEPTH * len(opener) + 1
    assert where == (1, column, 1, column + 1)


def test_very_deep_nesting_fails_fast_without_recursion() -> None:
    message, _ = error("[" * 200_000)
    assert message == f"nesting deeper than {MAX_DEPTH} levels"
