"""Inputs built to break a linter: huge, deep, binary, mis-encoded, not files at all. Each must end
as one SIG001 finding (or nothing, when it is not a template), quickly, without stopping the other
files of the run. The large inputs are generated here, not committed.

Set SIGCHECK_SLOW_TESTS=1 to also run the largest template sigcheck still reads (just under its
file-size cap)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO

from sigcheck.engine.run import MAX_FILE_BYTES, discover
from sigcheck.syntax.jsonc import MAX_DEPTH

SCHEMA = '"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"'
GOOD = FIXTURES / "SIG101" / "fires-hyphen.json"  # two SIG101 findings, lines 9 and 16
VERSION = """    {{
      "type": "Microsoft.Compute/galleries/images/versions",
      "apiVersion": "2024-03-03",
      "name": "bulkGallery/definition{i}/1.0.{i}",
      "location": "westus2",
      "properties": {{
        "publishingProfile": {{ "targetRegions": [ {{ "name": "westus2", "regionalReplicaCount": 1 }}, {{ "name": "eastus" }} ] }},
        "storageProfile": {{ "source": {{ "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/images/image{i}" }} }}
      }}
    }},
"""
LAST = '    { "type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": "bulk-gallery", "location": "westus2" }\n  ]\n}\n'


def big_template(path: Path, size: int) -> int:
    """A template of about `size` bytes: image versions, then one bad gallery name at the very end.
    Returns the line of that name."""
    head = "{\n  " + SCHEMA + ',\n  "contentVersion": "1.0.0.0",\n  "resources": [\n'
    block = "".join(VERSION.format(i=i) for i in range(100))
    repeats = max(1, -(-(size - len(head)) // len(block)))  # rounded up: at least `size`
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head)
        for _ in range(repeats):
            handle.write(block)
        handle.write(LAST)
    return head.count("\n") + repeats * block.count("\n") + 1


def findings_by_file(run_cli, *paths: str) -> tuple[dict[str, list[tuple]], float]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    result = run_cli("check", *paths, "--format", "json", "--select", "SIG001,SIG101")
    elapsed = time.perf_counter() - started
    assert result.code in (0, 1), result.err
    assert "sigcheck: error" not in result.err and "Traceback" not in result.err, result.err
    out: dict[str, list[tuple]] = {}
    for f in result.json():
        out.setdefault(Path(f["path"]).name, []).append((f["rule"], f["line"], f["column"], f["message"]))
    return out, elapsed


def test_ten_thousand_levels_of_nesting_is_one_parse_error(run_cli, tmp_path: Path) -> None:
    depth = 10_000
    (tmp_path / "deep.json").write_text("{" + SCHEMA + ', "resources": [],\n"x": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    found, elapsed = findings_by_file(run_cli, str(tmp_path / "deep.json"))
    # The root object and the first MAX_DEPTH - 1 arrays are read; the next bracket is one too deep.
    column = len('"x": ') + MAX_DEPTH
    assert found == {"deep.json": [("SIG001", 2, column, f"invalid JSON: nesting deeper than {MAX_DEPTH} levels")]}
    assert elapsed < 5, f"{elapsed:.2f} s"


def test_ten_thousand_levels_of_expression_nesting_is_one_parse_error(run_cli, tmp_path: Path) -> None:
    expression = "[" + "concat(" * 10_000 + "'a'" + ")" * 10_000 + "]"
    template = "{" + SCHEMA + ', "resources": [\n{"type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": "' + expression + '", "location": "westus2"}]}'
    (tmp_path / "expr.json").write_text(template, encoding="utf-8")
    found, _ = findings_by_file(run_cli, str(tmp_path / "expr.json"))
    assert [(rule, line) for rule, line, _, _ in found["expr.json"]] == [("SIG001", 2)]


@pytest.mark.parametrize("depth", [MAX_DEPTH - 8])
def test_nesting_just_within_the_decoder_limit_is_read(run_cli, tmp_path: Path, depth: int) -> None:
    deep = '{"a":' * depth + "1" + "}" * depth
    (tmp_path / "deep.json").write_text(
        "{" + SCHEMA + ', "resources": [\n{"type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", '
        '"name": "deep-gallery", "location": "westus2", "properties": {"x": ' + deep + "}}]}",
        encoding="utf-8",
    )
    found, _ = findings_by_file(run_cli, str(tmp_path / "deep.json"))
    assert [(rule, line) for rule, line, _, _ in found["deep.json"]] == [("SIG101", 2)]


def test_a_50_mb_template_is_one_parse_error_and_fast(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    big_template(path, 50 * 1024 * 1024)
    assert path.stat().st_size > MAX_FILE_BYTES
    found, elapsed = findings_by_file(run_cli, str(path))
    assert list(found) == ["huge.json"]
    [(rule, line, column, message)] = found["huge.json"]
    assert (rule, line, column) == ("SIG001", 1, 1) and "50 MB" in message
    assert elapsed < 5, f"{elapsed:.2f} s"


def test_a_template_too_big_for_the_cap_is_skipped_when_it_is_not_json(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "huge.log"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    result = run_cli("check", str(path), "--format", "json")
    assert result.code == 0 and result.json() == []


def test_a_1_mb_template_is_read_whole(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "large.json"
    line = big_template(path, 1024 * 1024)
    found, elapsed = findings_by_file(run_cli, str(path))
    assert [(rule, at) for rule, at, _, _ in found["large.json"]] == [("SIG101", line)]
    assert elapsed < 10, f"{elapsed:.2f} s"


@pytest.mark.skipif(not os.environ.get("SIGCHECK_SLOW_TESTS"), reason="set SIGCHECK_SLOW_TESTS=1 to run")
@pytest.mark.parametrize("megabytes", [4, 31])
def test_the_largest_templates_sigcheck_reads(run_cli, tmp_path: Path, megabytes: int) -> None:
    """4 MB is ARM's own limit for a template; 31 MB is just under sigcheck's cap."""
    path = tmp_path / "large.json"
    line = big_template(path, megabytes * 1024 * 1024)
    assert path.stat().st_size < MAX_FILE_BYTES
    found, elapsed = findings_by_file(run_cli, str(path))
    print(f"{megabytes} MB: {elapsed:.1f} s")
    assert [(rule, at) for rule, at, _, _ in found["large.json"]] == [("SIG101", line)]


def bad_inputs(folder: Path) -> dict[str, tuple[int, int] | None]:
    """Bad files, each with where its one SIG001 is expected (None: skipped silently)."""
    folder.mkdir(exist_ok=True)
    good = GOOD.read_text(encoding="utf-8")
    files: dict[str, tuple[bytes, tuple[int, int] | None]] = {
        "empty.json": (b"", None),
        "blank.json": (b" \r\n\t\n", None),
        "truncated.json": (good[: good.index('"location": "westeurope"')].encode(), (10, 7)),
        "not-json.json": (b"# $schema: deploymentTemplate.json\nresources: []\n", (1, 1)),
        "binary.json": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), (1, 1)),
        "bad-utf8.json": (good.replace("Golden images", "Images d\u00e9j\u00e0").encode("latin-1"), (11, 47)),
        "utf16-error.json": (b"\xff\xfe" + good.replace('"location": "westeurope",', '"location": "westeurope"').encode("utf-16-le"), (11, 7)),
        "bom-crlf-error.json": (b"\xef\xbb\xbf" + good.replace("\n", "\r\n").replace('"apiVersion": "2023-07-03",', '"apiVersion": 2023-07-03,').encode(), (8, 25)),  # 2023 is read, then '-07' is one token too many
        "deep.json": (("{" + SCHEMA + ', "resources": [],\n"x": ' + "[" * 10_000 + "]" * 10_000 + "}").encode(), (2, 6 + MAX_DEPTH - 1)),
        "package.json": (b'{ "name": "web", "dependencies": { ', None),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    big_template(folder / "huge.json", 50 * 1024 * 1024)
    expected = {name: where for name, (_, where) in files.items()}
    expected["huge.json"] = (1, 1)
    return expected


def test_bad_files_do_not_stop_the_others(run_cli, tmp_path: Path) -> None:
    expected = bad_inputs(tmp_path / "bad")
    (tmp_path / "bad" / "zz-good.json").write_bytes(GOOD.read_bytes())
    found, elapsed = findings_by_file(run_cli, str(tmp_path / "bad"))
    assert [(r, line) for r, line, _, _ in found.pop("zz-good.json")] == [("SIG101", 9), ("SIG101", 16)]
    wanted = {name: [("SIG001", *where)] for name, where in expected.items() if where is not None}
    assert {name: [(r, line, col) for r, line, col, _ in fs] for name, fs in found.items()} == wanted
    assert elapsed < 10, f"{elapsed:.2f} s"


def test_a_bad_file_given_first_and_a_good_one_after(run_cli, tmp_path: Path) -> None:
    (tmp_path / "binary.json").write_bytes(b"\x00" * 64)
    found, _ = findings_by_file(run_cli, str(tmp_path / "binary.json"), str(GOOD))
    assert [r for r, *_ in found["binary.json"]] == ["SIG001"]
    assert [r for r, *_ in found["fires-hyphen.json"]] == ["SIG101", "SIG101"]


def test_a_folder_named_like_a_template_is_walked(run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "templates.json"
    folder.mkdir()
    (folder / "main.json").write_bytes(GOOD.read_bytes())
    found, _ = findings_by_file(run_cli, str(folder))
    assert [r for r, *_ in found["main.json"]] == ["SIG101", "SIG101"]


@pytest.mark.parametrize("fmt", ["text", "github", "sarif"])
def test_a_lone_surrogate_escape_does_not_crash_the_report(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "surrogate.json"
    path.write_text(
        "{" + SCHEMA + ', "resources": [{"type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", '
        '"name": "bad-\\ud800", "location": "westus2"}]}',
        encoding="utf-8",
    )
    proc = subprocess.run([sys.executable, "-m", "sigcheck", "check", str(path), "--format", fmt],
                          capture_output=True, cwd=REPO, timeout=60, check=False)
    assert b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")[-400:]
    assert proc.returncode in (0, 1)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_in_a_checked_folder_is_not_read(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    os.mkfifo(tmp_path / "pipe.json")
    (tmp_path / "main.json").write_bytes(GOOD.read_bytes())
    # Opening the pipe would block until some writer came: it is not even a candidate, so the
    # run below cannot hang (start-up time is measured by bench/bench.py, not bounded here).
    assert discover([str(tmp_path)]) == ([str(tmp_path / "main.json")], [])
    result = run_cli("check", str(tmp_path), "--select", "SIG101")
    assert result.code == 1 and "main.json:9:16: SIG101" in result.out
