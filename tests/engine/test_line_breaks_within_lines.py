"""Characters that `str.splitlines` takes for line breaks but editors show inside a line: a form
feed, a vertical tab, \\x1c-\\x1e, NEL (U+0085), U+2028 and U+2029. Only LF, CRLF and a lone CR end
a line for the editor, the language server protocol and SARIF viewers, so a finding after one of
them must stay on its line (the fuzzer found a Markdown note two lines low after a form feed).

Every `fires-` fixture of every kind is checked with a line of such characters added before its
first line (after a `#!` line): each finding, and each line number a message quotes, moves down by
exactly one line and nothing else changes. Then the exact positions of the places that counted
lines themselves: Markdown blocks, `.http` lines, configuration errors, undecodable bytes, SARIF
snippets and the language server's ranges."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from conftest import FIXTURES
from sigcheck.engine.registry import default_registry
from sigcheck.engine.run import Engine, Options
from sigcheck.syntax.located import Span
from sigcheck.syntax.text import decode, split_lines

ODD = "form feed\x0c vt\x0b fs\x1c gs\x1d rs\x1e nel\x85 ls\u2028 ps\u2029 end"
TODAY = dt.date(2026, 11, 22)


def _odd_line(name: str) -> str:
    if name.endswith(".md"):
        return "Prose with " + ODD
    if name.endswith((".json", ".bicep")):
        return "// " + ODD
    return "# " + ODD


def _fixtures() -> list[Path]:
    out = []
    for path in sorted(FIXTURES.glob("*/fires-*")):
        if path.name.endswith((".expect", ".base", ".tf.json", ".pkr.json")):  # JSON without comments
            continue
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        out.append(path)
    return out


def _findings(path: Path, text: str) -> list[tuple[str, int, int, int, int, str]]:
    engine = Engine(default_registry(), Options(today=TODAY))
    result = engine.run_text(str(path), text)
    assert not engine.internal_errors, engine.internal_errors
    return sorted((f.rule_id, f.span.line, f.span.column, f.span.end_line, f.span.end_column, f.message)
                  for f in result.findings if f.span.path == str(path))


FIRES = _fixtures()


@pytest.mark.parametrize("kind", sorted({p.name.split(".", 1)[1] for p in FIRES}))
def test_a_line_of_odd_breaks_moves_every_finding_down_by_exactly_one_line(kind: str) -> None:
    paths = [p for p in FIRES if p.name.split(".", 1)[1] == kind]
    assert paths
    for path in paths:
        text = decode(path.read_bytes())
        after = 1 if text.startswith("#!") else 0
        lines = split_lines(text, keepends=True)  # some fixtures end their lines with CR alone
        odd = "".join(lines[:after]) + _odd_line(path.name) + "\n" + "".join(lines[after:])

        def down(line: int) -> int:
            return line + 1 if line > after else line

        def quoted(message: str) -> str:
            return re.sub(r"\bline (\d+)", lambda m: f"line {down(int(m.group(1)))}", message)

        expected = sorted((rule, down(line), column, down(end_line), end_column, quoted(message))
                          for rule, line, column, end_line, end_column, message in _findings(path, text))
        assert _findings(path, odd) == expected, path.relative_to(FIXTURES)


def _at(path: str, text: str) -> list[str]:
    engine = Engine(default_registry(), Options(today=TODAY))
    result = engine.run_text(path, text)
    assert not engine.internal_errors, engine.internal_errors
    return [f"{f.span.line}:{f.span.column} {f.rule_id}" for f in result.findings]


def test_markdown_the_fuzzers_form_feed() -> None:
    source = (FIXTURES / "SIG001" / "fires-unread-gallery-block.md").read_text(encoding="utf-8")
    assert _at("guide.md", source) == ["5:1 SIG001", "21:3 SIG001"]
    odd = source.replace("# Publish the image from a pipeline", "# Publish\x0cthe image\u2028from a pipeline")
    assert _at("guide.md", odd) == ["5:1 SIG001", "21:3 SIG001"]


@pytest.mark.parametrize("odd", ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_markdown_blocks_and_http_lines_after_each_odd_break(odd: str) -> None:
    markdown = (f"# Gallery{odd}setup\n\nIntro{odd}text{odd}more.\n\n```azurecli\n"
                "az sig create --resource-group rg --gallery-name my-gal\n```\n")
    assert _at("guide.md", markdown) == ["6:50 SIG101"]
    http = (f"# gallery{odd}{odd}\n@name = my-gal{odd}x\n\n"
            "PUT https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/"
            "Microsoft.Compute/galleries/bad-name?api-version=2023-07-03\n"
            "Content-Type: application/json\n\n"
            '{\n  "location": "westeurope"\n}\n')
    assert _at("create.http", http) == ["4:106 SIG101"]


def test_configuration_errors_are_placed_as_the_editor_counts(tmp_path: Path) -> None:
    from sigcheck.config import ConfigError, load

    toml = tmp_path / "sigcheck.toml"
    toml.write_text('# rules\u2028and\x85notes \u2029\nselect = ["SIG1"]\n\nignore = ["bogus"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load(str(toml), ["SIG101"])
    assert (raised.value.line, raised.value.column) == (4, 11)  # was 7:11
    yaml = tmp_path / ".sigcheck.yaml"
    yaml.write_bytes(b"# cr only\rselect:\r  - SIG1\r  - \x07bell\r")
    with pytest.raises(ConfigError) as raised:
        load(str(yaml), ["SIG101"])
    assert (raised.value.line, raised.value.column) == (4, 5)


def test_nel_ls_and_ps_in_yaml_comments_start_no_line(tmp_path: Path) -> None:
    """YAML 1.2 breaks lines at LF and CR only; ruamel's reader also at NEL, LS and PS, which would
    turn the rest of a comment into YAML the editor shows as a comment."""
    from sigcheck.config import ConfigError, load

    yaml = tmp_path / ".sigcheck.yaml"
    yaml.write_text("# owners\x85 see: wiki\u2028 and\u2029 notes: here\nselect:\n  - SIG1\nignore: [SIG9999]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load(str(yaml), ["SIG101"])
    assert (raised.value.line, raised.value.column) == (4, 10)
    assert "SIG9999" in str(raised.value)
    yaml.write_text("# owners\x85 see: wiki\u2028 and\u2029 notes: here\nselect:\n  - SIG1\n", encoding="utf-8")
    assert load(str(yaml), ["SIG101"]) is not None


def test_an_undecodable_byte_in_a_cr_only_file_is_placed_on_its_line() -> None:
    engine = Engine(default_registry(), Options(today=TODAY))
    result = engine.run_text("t.json", b'{\r  "a": 1,\r  "b": "\xff"\r}\r')
    assert [(f.span.line, f.span.column) for f in result.findings] == [(3, 9)]


def test_split_lines_breaks_only_where_editors_do() -> None:
    assert split_lines("a\x0cb\u2028c\r\nd\re\nf") == ["a\x0cb\u2028c", "d", "e", "f"]
    assert split_lines("a\x85\nb\n", keepends=True) == ["a\x85\n", "b\n"]
    assert split_lines("x\r\n\r\n") == ["x", ""]
    assert split_lines("") == []
    assert split_lines("plain\nlines\n", keepends=True) == "plain\nlines\n".splitlines(keepends=True)


def test_sarif_snippets_are_the_findings_own_lines(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "create.azcli"
    path.write_text(f"# {ODD}\n# {ODD}\naz sig create --resource-group rg --gallery-name my-gal\n", encoding="utf-8")
    result = run_cli("check", "--no-cache", "--format", "sarif", str(path))
    [found] = json.loads(result.out)["runs"][0]["results"]
    region = found["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["snippet"]["text"]) == (3, 50, "my-gal")
    context = found["locations"][0]["physicalLocation"]["contextRegion"]["snippet"]["text"]
    assert "az sig create" in context and context.count("\n") <= context.count("\n")


def test_language_server_ranges_count_editor_lines() -> None:
    from sigcheck.lsp import editor_lines, lsp_range

    text = f"# {ODD}\raz sig create\r\n# \U0001F600\u2028x\n  my-gal\n"
    lines = editor_lines(text)
    assert len(lines) == 5 and lines[-1] == ""
    assert lsp_range(lines, Span("f", 4, 3, 4, 9)) == ((3, 2), (3, 8))
    # After an astral character and U+2028 on line 3: UTF-16 units, same line.
    assert lsp_range(lines, Span("f", 3, 5, 3, 6)) == ((2, 5), (2, 6))


def test_a_cr_only_parameter_file_is_placed_on_its_lines(tmp_path: Path) -> None:
    """A file read beside the one checked (a parameter file here; Bicep modules and Terraform
    siblings are read the same way) gets its line ends unified too."""
    template = {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                "parameters": {"replicas": {"type": "int", "defaultValue": 1}},
                "resources": [{"type": "Microsoft.Compute/galleries", "apiVersion": "2022-03-03",
                               "name": "g1", "location": "westus"}]}
    (tmp_path / "main.json").write_text(json.dumps(template, indent=2), encoding="utf-8")
    (tmp_path / "main.parameters.json").write_bytes(
        b'{\r  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",\r'
        b'  "parameters": {\r    "replicas": { "value": "three" }\r  }\r}\r')
    engine = Engine(default_registry(), Options(today=TODAY, select=["SIG005"]))
    found = engine.run([str(tmp_path / "main.json")]).findings
    assert [(Path(f.span.path).name, f.span.line, f.span.column) for f in found] == [("main.parameters.json", 4, 28)]
