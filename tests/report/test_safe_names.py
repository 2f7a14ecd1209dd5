"""File names that are not UTF-8 or hold control characters: escaped the same way in every
format, percent-encoded in SARIF URIs, and never lone surrogates in JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, SHARED

SOURCE = FIXTURES / "SIG101" / "fires-hyphen.json"
NAMES = {
    b"bad\xff\xfe.json": ("bad\\xff\\xfe.json", "bad%FF%FE.json"),
    b"new\nline.json": ("new\\nline.json", "new%0Aline.json"),
    b"tab\tand\x1besc.json": ("tab\\tand\\x1besc.json", "tab%09and%1Besc.json"),
    b"sp ace%25#?.json": ("sp ace%25#?.json", "sp%20ace%2525%23%3F.json"),
    b"a:b.json": ("a:b.json", "a%3Ab.json"),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if sys.platform == "win32":
        pytest.skip("POSIX file names")
    root = tmp_path_factory.mktemp("names")
    for name in NAMES:
        try:
            shutil.copy(SOURCE, os.path.join(os.fsencode(root), name))
        except OSError:
            pytest.skip("this file system refuses such names")
    return root


def _check(folder: Path, fmt: str) -> bytes:
    proc = subprocess.run([sys.executable, "-m", "sigcheck", "check", ".", "--format", fmt], cwd=folder,
                          capture_output=True, timeout=60, check=False)
    assert proc.returncode == 1, proc.stderr
    assert b"Traceback" not in proc.stderr
    proc.stdout.decode("utf-8")  # valid UTF-8, whatever the names
    return proc.stdout


def test_text_escapes_each_name_on_one_line(folder: Path) -> None:
    lines = _check(folder, "text").decode().splitlines()
    assert len(lines) == 2 * len(NAMES) + 1
    for shown, _ in NAMES.values():
        assert any(line.startswith(f"{shown}:9:16: SIG101") for line in lines), shown
    assert not any("\x1b" in line or "\t" in line for line in lines)


def test_json_has_no_lone_surrogates(folder: Path) -> None:
    out = _check(folder, "json")
    assert b"\\ud" not in out.lower()
    paths = {item["path"] for item in json.loads(out)}
    assert paths == {shown for shown, _ in NAMES.values()}


def test_github_commands_stay_one_line_each(folder: Path) -> None:
    lines = _check(folder, "github").decode().splitlines()
    assert len(lines) == 2 * len(NAMES)
    files = {line.split("file=", 1)[1].split(",line=", 1)[0] for line in lines}
    # The workflow commands' own escapes on top: '%' and ':' in a property.
    assert files == {shown.replace("%", "%25").replace(":", "%3A") for shown, _ in NAMES.values()}


def test_sarif_uris_are_percent_encoded_and_valid(folder: Path) -> None:
    log = json.loads(_check(folder, "sarif"))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {uri for _, uri in NAMES.values()}
    schema = SHARED / "sarif" / "sarif-schema-2.1.0.json"
    if not schema.exists():
        pytest.skip("no SARIF schema in ../shared")
    from jsonschema import Draft7Validator

    Draft7Validator(json.loads(schema.read_text())).validate(log)


def test_escape_helpers() -> None:
    from sigcheck.report.escape import path_uri, safe_text

    assert safe_text("a\udcffb\n\x9b") == "a\\xffb\\n\\x9b"
    assert safe_text("bad-\ud800") == "bad-\\ud800"
    assert safe_text("plain ünïcode") == "plain ünïcode"
    assert path_uri("C:/x y/z.json") == "C:/x%20y/z.json"
    assert path_uri("/tmp/é") == "/tmp/%C3%A9"
    assert REPO.exists()
