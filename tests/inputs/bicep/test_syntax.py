"""The Bicep parser: today's syntax read completely, errors located and explained, hostile input
refused with a finding rather than a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sigcheck.inputs.api import LoadOptions, SourceFile
from sigcheck.inputs.bicep import loader
from sigcheck.inputs.bicep import syntax as s
from sigcheck.syntax.text import LineIndex

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
CORPUS = SHARED / "corpus" / "bicep"
# A resource declaration as written: `resource sym 'Type@version'` (top level or nested).
DECLARATION = re.compile(r"^\s*resource\s+\w+\s+'[^']+'", re.MULTILINE)
BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)  # declarations commented out are not declarations


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*/*.bicep")) if CORPUS.is_dir() else []


def declared_resources(program: s.Program) -> int:
    count = 0
    stack = [d for d in program.decls if d.keyword == "resource"]
    while stack:
        decl = stack.pop()
        count += 1
        body = decl.value
        while body is not None and not isinstance(body, s.Object):
            body = getattr(body, "body", None)
        if isinstance(body, s.Object):
            stack.extend(body.resources)
    return count


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside this checkout")
def test_every_resource_declaration_of_the_corpus_is_read() -> None:
    read = written = 0
    for path in corpus_files():
        text = path.read_text(encoding="utf-8-sig")
        if path.name.startswith("2020-11-bicep-v0.1-syntax"):
            continue  # the obsolete syntax: one SIG001 each, below
        program = s.parse(text)
        assert program.errors == [], path.name
        expected = len(DECLARATION.findall(BLOCK_COMMENT.sub("", text)))
        assert declared_resources(program) == expected, path.name
        read += expected
        written += expected
    assert read == written >= 80


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside this checkout")
def test_the_2020_syntax_files_are_one_parse_error_each() -> None:
    old = [p for p in corpus_files() if p.name.startswith("2020-11-bicep-v0.1-syntax")]
    assert len(old) == 4
    for path in old:
        result = loader.load(SourceFile(path.name, path.read_text(encoding="utf-8-sig")), LoadOptions())
        assert [f.rule_id for f in result.findings] == ["SIG001"]
        assert "v0.1" in result.findings[0].message


def error_at(text: str) -> tuple[int, int, str]:
    with pytest.raises(s.BicepSyntaxError) as caught:
        s.parse_strict(text)
    line, column = LineIndex("x", text).position(caught.value.start)
    return line, column, caught.value.message


def test_missing_closing_brace_points_at_the_opening_one() -> None:
    line, column, message = error_at("resource g 'Microsoft.Compute/galleries@2024-03-03' = {\n  name: 'g'\n")
    assert (line, column) == (1, 55)
    assert "missing '}'" in message


def test_unterminated_string() -> None:
    line, column, message = error_at("var x = 'abc\nvar y = 1\n")
    assert (line, column) == (1, 9)
    assert "unterminated string" in message


def test_unexpected_token_says_what_was_found() -> None:
    line, column, message = error_at("var x = 1 2\n")
    assert (line, column) == (1, 11)
    assert "the number 2" in message


def test_unknown_character() -> None:
    assert "unexpected character" in error_at("var x = 1 ^ 2\n")[2]


@pytest.mark.parametrize(
    "text",
    [
        "var x = " + "[" * 5000 + "]" * 5000,
        "var x = " + "(" * 5000 + "1" + ")" * 5000,
        "var x = " + " + ".join(["1"] * 20000),
        "var x = " + "!" * 5000 + "true",
        "var x = '" + "${'a" * 200 + "'}" * 200 + "'",
        "var x = " + "{a: " * 3000 + "1" + "}" * 3000,
        "var x = " + "a ? " * 3000 + "1" + " : 2" * 3000,
    ],
    ids=["arrays", "parentheses", "operator-chain", "negations", "interpolations", "objects", "ternaries"],
)
def test_deep_nesting_is_one_parse_error(text: str) -> None:
    result = loader.load(SourceFile("deep.bicep", text + "\n"), LoadOptions())
    assert [f.rule_id for f in result.findings] == ["SIG001"]
    assert "deep" in result.findings[0].message


def test_current_syntax_the_tree_sitter_grammar_refuses() -> None:
    text = """
import { roleAssignmentType } from 'br/public:avm/utl/types/avm-common-types:0.7.0'
import * as shared from './shared.bicep'
@export()
type identifierType = {
  @description('x')
  publisher: string
  sku: ('a' | 'b')?
}
param tags resourceInput<'Microsoft.Compute/galleries/images@2024-03-03'>.tags?
param securityType (
  | 'Standard'
  | 'TrustedLaunch')?
param roles roleAssignmentType[]?
var merged = { ...tags, a: 1 }
var items = [...[1], 2]
var safe = tags.?x ?? tags[?'y'] ?? null
var lam = map([1, 2], x => x * 2)
var pair = reduce([1], 0, (acc, x) => acc + x)
func double(n int) int => n * 2
var interpolated = '${'nested ${1}'}'
var multi = '''
raw ${not interpolated}
'''
output o string = 'x'
"""
    program = s.parse(text)
    kinds = [d.keyword for d in program.decls]
    assert kinds.count("param") == 3 and kinds.count("type") == 1 and kinds.count("import") == 2
    multi = next(d for d in program.decls if d.name == "multi")
    assert isinstance(multi.value, s.Str) and multi.value.literal == "raw ${not interpolated}\n"


def test_declarations_after_a_syntax_error_are_still_read(tmp_path: Path) -> None:
    text = """param ok string = 'fine'
var broken = (1 +
resource g 'Microsoft.Compute/galleries@2024-03-03' = {
  name: 'after-error'
  location: missingBecauseOfTheError
}
"""
    path = tmp_path / "main.bicep"
    path.write_text(text, encoding="utf-8")
    result = loader.load(SourceFile(str(path), text), LoadOptions())
    assert [(f.rule_id, f.span.line) for f in result.findings] == [("SIG001", 3)]
    [gallery] = result.resources
    assert gallery.names[0].value == "after-error"
    # A name the error may have swallowed is unknown, not an error of its own.
    assert gallery.location is not None and gallery.location.known is False
