"""The command line: exit codes, rule selection, output formats and destinations, standard input,
the rule catalogue commands and the entry points."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, TODAY

import sigcheck
from sigcheck.engine.registry import default_registry

HYPHEN = "fixtures/SIG101/fires-hyphen.json"  # two SIG101 errors
CLEAN = "fixtures/SIG101/clean-valid-names.json"  # no SIG101 finding
WARNINGS_ONLY = "fixtures/SIG107/fires-leading-zero.json"  # SIG107 warnings
EXAMPLE = "examples/image-pipeline.json"  # findings of many rules
# Where a test needs an exact result, it selects the rules it is about, so rules added later do
# not change what it sees.
NAMES = ("--select", "SIG101")
TEXT_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>SIG\d{3}) \[(?P<sev>error|warning|note)\] .+$")
JSON_FIELDS = {
    "rule", "severity", "message", "path", "line", "column", "end_line", "end_column",
    "resource_type", "resource_name", "property_path", "suppressed", "justification",
}


def rules_in(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {f["rule"] for f in result.json()}


# --- exit codes ----------------------------------------------------------------------------------

def test_clean_file_exits_0_and_says_so(run_cli) -> None:
    result = run_cli("check", CLEAN, *NAMES)
    assert result.code == 0, result.out + result.err
    assert result.out == "No problems in 1 file.\n"
    assert result.err == ""


def test_findings_exit_1(run_cli) -> None:
    result = run_cli("check", HYPHEN, *NAMES)
    assert result.code == 1
    lines = result.out.splitlines()
    assert [TEXT_LINE.match(line).group("rule") for line in lines[:-1]] == ["SIG101", "SIG101"]  # type: ignore[union-attr]
    assert lines[-1] == "Found 2 problems (2 errors) in 1 file."


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["check", HYPHEN, "--format", "xml"], "unknown format 'xml'"),
        (["check", HYPHEN, "--select", "SIG999"], "SIG999"),
        (["check", HYPHEN, "--ignore", "SIG1,XYZ"], "XYZ"),
        (["check", HYPHEN, "--extend-select", "SIG9"], "SIG9"),
        (["check", "no/such/file.json"], "no/such/file.json"),
        (["check", HYPHEN, "--fail-on", "fatal"], "--fail-on"),
        (["check", HYPHEN, "--today", "22/11/2026"], "YYYY-MM-DD"),
        (["check", HYPHEN, "--no-such-option"], "--no-such-option"),
        (["check", "-", HYPHEN], "standard input"),
        (["frobnicate"], "frobnicate"),
        (["rule", "SIG999"], "SIG999"),
    ],
)
def test_usage_errors_exit_2_with_a_message(run_cli, args: list[str], complaint: str) -> None:
    result = run_cli(*args)
    assert result.code == 2, result.out + result.err
    assert complaint in result.err
    assert "Traceback" not in result.err


def test_no_command_prints_help_and_exits_2(run_cli) -> None:
    result = run_cli()
    assert result.code == 2
    assert "usage: sigcheck" in result.err


def test_a_missing_path_still_reports_the_other_files(run_cli) -> None:
    result = run_cli("check", HYPHEN, "missing.json", "--format", "json", *NAMES)
    assert result.code == 2
    assert rules_in(result) == {"SIG101"}
    assert "missing.json" in result.err


def test_fail_on_levels(run_cli) -> None:
    base = ("check", WARNINGS_ONLY, "--select", "SIG107")
    assert run_cli(*base).code == 0  # warnings do not fail the default level (error)
    assert run_cli(*base, "--fail-on", "warning").code == 1
    assert run_cli(*base, "--fail-on", "note").code == 1
    assert run_cli(*base, "--fail-on", "error").code == 0
    assert run_cli("check", HYPHEN, "--fail-on", "never").code == 0
    assert run_cli("check", CLEAN, "--fail-on", "note", *NAMES).code == 0


def test_fail_on_never_still_reports(run_cli) -> None:
    result = run_cli("check", HYPHEN, "--fail-on", "never")
    assert result.code == 0 and "SIG101" in result.out


# --- rule selection ----------------------------------------------------------------------------------

def test_select_by_prefix(run_cli) -> None:
    everything = rules_in(run_cli("check", EXAMPLE, "--format", "json"))
    assert {r for r in everything if r.startswith("SIG2")} and {r for r in everything if not r.startswith("SIG2")}
    only = rules_in(run_cli("check", EXAMPLE, "--format", "json", "--select", "SIG2"))
    assert only == {r for r in everything if r.startswith("SIG2")}


def test_select_several_ids_and_prefixes(run_cli) -> None:
    result = run_cli("check", EXAMPLE, "--format", "json", "--select", "sig101, SIG20")
    assert rules_in(result) and rules_in(result) <= {"SIG101"} | {r for r in default_registry().rules if r.startswith("SIG20")}
    assert "SIG101" in rules_in(result)


def test_ignore_by_prefix_and_id(run_cli) -> None:
    everything = rules_in(run_cli("check", EXAMPLE, "--format", "json"))
    rest = rules_in(run_cli("check", EXAMPLE, "--format", "json", "--ignore", "SIG2,SIG101"))
    assert rest == {r for r in everything if not r.startswith("SIG2") and r != "SIG101"}


def test_ignore_wins_over_select(run_cli) -> None:
    result = run_cli("check", EXAMPLE, "--format", "json", "--select", "SIG1", "--ignore", "SIG101")
    assert rules_in(result) and all(r.startswith("SIG1") and r != "SIG101" for r in rules_in(result))


def test_ignoring_every_finding_exits_0(run_cli) -> None:
    result = run_cli("check", HYPHEN, "--select", "SIG1", "--ignore", "SIG101")
    assert result.code == 0 and result.out == "No problems in 1 file.\n"


def test_extend_select_enables_rules_that_are_off_by_default(run_cli, tmp_path: Path) -> None:
    off = sorted(r for r, rule in default_registry().rules.items() if not rule.meta.enabled_by_default)
    if not off:
        pytest.skip("every registered rule is on by default")
    enabled = _driver_rule_ids(run_cli("check", CLEAN, "--format", "sarif"))
    assert not set(off) & enabled
    extended = _driver_rule_ids(run_cli("check", CLEAN, "--format", "sarif", "--extend-select", off[0]))
    assert extended == enabled | {off[0]}
    # ALL: every built-in rule and the custom rule the fixtures' configuration defines.
    assert _driver_rule_ids(run_cli("check", CLEAN, "--format", "sarif", "--extend-select", "ALL")) == set(default_registry().rules) | {"FIXTURE001"}


def test_extend_select_adds_to_a_select(run_cli) -> None:
    result = run_cli("check", EXAMPLE, "--format", "json", "--select", "SIG101", "--extend-select", "SIG106")
    assert rules_in(result) == {"SIG101", "SIG106"}


def _driver_rule_ids(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {r["id"] for r in result.json()["runs"][0]["tool"]["driver"]["rules"]}


# --- formats and destinations ---------------------------------------------------------------------------

def test_text_lines_are_sorted_and_summarised(run_cli) -> None:
    result = run_cli("check", "fixtures/SIG101", "fixtures/SIG102", "--select", "SIG101,SIG102")
    lines = result.out.splitlines()
    matches = [TEXT_LINE.match(line) for line in lines[:-1]]
    assert all(matches), lines
    keys = [(m.group("path"), int(m.group("line")), int(m.group("col"))) for m in matches]  # type: ignore[union-attr]
    assert keys == sorted(keys)
    errors = sum(m.group("sev") == "error" for m in matches)  # type: ignore[union-attr]
    warnings = sum(m.group("sev") == "warning" for m in matches)  # type: ignore[union-attr]
    assert re.fullmatch(rf"Found {errors + warnings} problems \({errors} errors, {warnings} warnings\) in \d+ files\.", lines[-1])


def test_json_has_every_field_in_a_stable_order(run_cli) -> None:
    result = run_cli("check", EXAMPLE, "--format", "json", "--today", TODAY)
    findings = result.json()
    assert findings and all(set(f) == JSON_FIELDS for f in findings)
    assert [(f["path"], f["line"], f["column"]) for f in findings] == sorted((f["path"], f["line"], f["column"]) for f in findings)
    gallery = next(f for f in findings if f["rule"] == "SIG101")
    assert gallery == {
        "rule": "SIG101",
        "severity": "error",
        "message": gallery["message"],
        "path": EXAMPLE,
        "line": 9,
        "column": 16,
        "end_line": 9,
        "end_column": 30,
        "resource_type": "Microsoft.Compute/galleries",
        "resource_name": "contoso-images",
        "property_path": None,
        "suppressed": False,
        "justification": None,
    }
    assert "hyphen" in gallery["message"]
    assert result.json() == run_cli("check", EXAMPLE, "--format", "json", "--today", TODAY).json()


def test_json_of_a_clean_run_is_an_empty_list(run_cli) -> None:
    result = run_cli("check", CLEAN, "--format", "json", *NAMES)
    assert result.code == 0 and result.json() == []


def test_github_workflow_commands(run_cli) -> None:
    result = run_cli("check", EXAMPLE, "--format", "github")
    assert result.code == 1
    command = re.compile(
        r"^::(error|warning|notice) file=(?P<file>[^,]+),line=\d+,col=\d+,endLine=\d+,endColumn=\d+,"
        r"title=(?P<rule>SIG\d{3})::(?P=rule) [^\n]+$"
    )
    lines = result.out.splitlines()
    assert lines and all(command.match(line) for line in lines), lines
    assert all(command.match(line).group("file") == EXAMPLE for line in lines)  # type: ignore[union-attr]
    assert len(lines) == len(run_cli("check", EXAMPLE, "--format", "json").json())
    assert "::error file=examples/image-pipeline.json,line=9,col=16,endLine=9,endColumn=30,title=SIG101::SIG101 " in result.out


def test_github_escapes_file_names(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "odd,name:1%.json"
    target.write_bytes((FIXTURES / "SIG101" / "fires-hyphen.json").read_bytes())
    result = run_cli("check", str(target), "--format", "github")
    assert "odd%2Cname%3A1%25.json,line=9," in result.out
    assert "odd,name" not in result.out


def test_github_is_empty_when_clean(run_cli) -> None:
    result = run_cli("check", CLEAN, "--format", "github", *NAMES)
    assert result.code == 0 and result.out == ""


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_output_file_receives_the_report(run_cli, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"report.{fmt}"
    to_stdout = run_cli("check", HYPHEN, "--format", fmt, *NAMES)
    result = run_cli("check", HYPHEN, "--format", fmt, "--output", str(target), *NAMES)
    assert result.code == 1 and result.out == ""
    assert target.read_text(encoding="utf-8") == to_stdout.out


def test_short_output_option(run_cli, tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    assert run_cli("check", CLEAN, "-o", str(target), "--format", "json", *NAMES).code == 0
    assert json.loads(target.read_text(encoding="utf-8")) == []


# --- standard input ------------------------------------------------------------------------------------

def test_stdin_with_a_file_name(run_cli) -> None:
    data = (REPO / HYPHEN).read_bytes()
    result = run_cli("check", "-", "--stdin-filename", "templates/gallery.json", "--format", "json", *NAMES, stdin=data)
    assert result.code == 1
    assert [(f["path"], f["line"], f["column"], f["rule"]) for f in result.json()] == [
        ("templates/gallery.json", 9, 16, "SIG101"),
        ("templates/gallery.json", 16, 16, "SIG101"),
    ]


def test_stdin_without_a_file_name_is_read_as_json(run_cli) -> None:
    result = run_cli("check", "-", "--format", "json", *NAMES, stdin=(REPO / HYPHEN).read_bytes())
    assert result.code == 1 and {f["path"] for f in result.json()} == {"stdin.json"}


def test_stdin_clean_and_not_a_template(run_cli) -> None:
    assert run_cli("check", "-", *NAMES, stdin=(REPO / CLEAN).read_bytes()).code == 0
    result = run_cli("check", "-", "--stdin-filename", "package.json", stdin=b'{"name": "web", "version": "1.0.0"}')
    assert result.code == 0 and result.err == ""


def test_stdin_in_utf16_with_crlf(run_cli) -> None:
    text = (REPO / HYPHEN).read_text(encoding="utf-8").replace("\n", "\r\n")
    result = run_cli("check", "-", "--format", "json", *NAMES, stdin=b"\xff\xfe" + text.encode("utf-16-le"))
    assert [(f["line"], f["column"]) for f in result.json()] == [(9, 16), (16, 16)]


@pytest.mark.parametrize(
    "data, where",
    [
        (b'{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n "resources": [', (2, 16)),  # the end of the file
        (b"\x00\x01\x02 binary", (1, 1)),
        (b'{"$schema": "deploymentTemplate.json",\n "x": "caf\xe9"}', (2, 11)),
    ],
)
def test_stdin_bad_input_is_one_parse_error(run_cli, data: bytes, where: tuple[int, int]) -> None:
    result = run_cli("check", "-", "--stdin-filename", "in.json", "--format", "json", "--select", "SIG001", stdin=data)
    assert result.code == 1, result.err
    findings = result.json()
    assert [(f["rule"], f["path"], f["line"], f["column"]) for f in findings] == [("SIG001", "in.json", *where)]


# --- deployment context -------------------------------------------------------------------------------------

def test_location_option_is_the_source_region_of_versions_without_one(run_cli, tmp_path: Path) -> None:
    template = tmp_path / "version.json"
    template.write_text(json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.Compute/galleries/images/versions",
            "apiVersion": "2024-03-03",
            "name": "ctxGallery/ubuntu/1.0.0",
            "properties": {
                "publishingProfile": {"targetRegions": [{"name": "eastus"}, {"name": "West Europe"}]},
                "storageProfile": {"source": {"id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/img"}},
            },
        }],
    }, indent=2), encoding="utf-8")
    assert "SIG201" not in rules_in(run_cli("check", str(template), "--format", "json"))
    assert "SIG201" not in rules_in(run_cli("check", str(template), "--format", "json", "--location", "westeurope"))
    result = run_cli("check", str(template), "--format", "json", "--location", "northeurope")
    found = [f for f in result.json() if f["rule"] == "SIG201"]
    assert len(found) == 1 and "northeurope" in found[0]["message"]
    # The file has no location to point at: the finding is on the target regions.
    assert found[0]["line"] == _line_of(template, '"targetRegions"')


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


# --- the rule catalogue and the entry points ---------------------------------------------------------------------

def test_rules_as_json(run_cli) -> None:
    result = run_cli("rules", "--format", "json")
    assert result.code == 0
    listed = result.json()
    assert [r["id"] for r in listed] == sorted(default_registry().rules)
    for entry in listed:
        assert set(entry) >= {"id", "name", "severity", "enabled_by_default", "summary", "help_uri"}
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry["name"]), entry["name"]
        assert entry["severity"] in ("error", "warning", "note")
        assert entry["help_uri"].endswith(f"/{entry['id']}.md")


def test_rules_as_text(run_cli) -> None:
    result = run_cli("rules")
    assert result.code == 0
    lines = result.out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(default_registry().rules)
    assert any("(off)" in line for line in lines) == any(not r.meta.enabled_by_default for r in default_registry().rules.values())


@pytest.mark.parametrize("rule_id", ["SIG201", "sig201"])
def test_rule_explains_one_rule(run_cli, rule_id: str) -> None:
    result = run_cli("rule", rule_id)
    assert result.code == 0
    assert "SIG201" in result.out and "source-region-not-targeted" in result.out


def test_version(run_cli) -> None:
    result = run_cli("--version")
    assert result.code == 0 and result.out == f"sigcheck {sigcheck.__version__}\n"


def test_python_dash_m(tmp_path: Path) -> None:
    version = subprocess.run([sys.executable, "-m", "sigcheck", "--version"], capture_output=True, text=True, cwd=REPO)
    assert version.returncode == 0 and version.stdout == f"sigcheck {sigcheck.__version__}\n"
    check = subprocess.run(
        [sys.executable, "-m", "sigcheck", "check", HYPHEN, "--format", "json", *NAMES], capture_output=True, text=True, cwd=REPO
    )
    assert check.returncode == 1, check.stderr
    assert [f["rule"] for f in json.loads(check.stdout)] == ["SIG101", "SIG101"]
