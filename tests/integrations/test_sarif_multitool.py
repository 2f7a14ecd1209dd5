"""Microsoft's SARIF Multitool on sigcheck's SARIF: no errors or warnings, and none of the notes that
say a viewer lacks something (SARIF2010 code snippets, SARIF2011 context regions, SARIF2003
version-control provenance). The tool comes from npm (@microsoft/sarif-multitool-linux, a
self-contained binary) into a cache folder; the test skips when npm or the package is unavailable."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from pathlib import Path

import pytest
from gitrepo import git, two_commits

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "@microsoft/sarif-multitool-linux"
CACHE = Path(os.environ.get("SIGCHECK_TEST_CACHE", Path.home() / ".cache" / "sigcheck-tests")) / "sarif-multitool"
MISSING_FOR_VIEWERS = {"SARIF2010", "SARIF2011", "SARIF2003"}


@pytest.fixture(scope="module")
def multitool() -> Path:
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("the npm package is the linux-x64 build")
    binary = CACHE / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed")
        CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), PACKAGE],
                              capture_output=True, text=True, timeout=900)
        if done.returncode != 0 or not binary.exists():
            pytest.skip(f"npm could not install {PACKAGE}: {done.stderr.strip()[-300:]}")
    return binary


def validate(multitool: Path, sarif: Path) -> list[dict]:
    out = sarif.with_name(sarif.stem + ".validation.sarif")
    out.unlink(missing_ok=True)  # the tool refuses to overwrite
    env = dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1")
    done = subprocess.run([str(multitool), "validate", "--rule-kind", "Sarif;Gh", "--level", "Error;Warning;Note",
                           "-o", str(out), str(sarif)], capture_output=True, text=True, env=env, timeout=600)
    assert out.exists(), done.stdout + done.stderr
    results: list[dict] = json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"]
    return results


def assert_viewer_ready(results: list[dict]) -> None:
    problems = [r for r in results if r.get("level", "warning") in ("error", "warning")]
    assert not problems, [r["message"] for r in problems]
    missing = sorted({r["ruleId"] for r in results} & MISSING_FOR_VIEWERS)
    assert not missing, f"the Multitool notes {missing}"


def test_sarif_of_the_examples(multitool: Path, run_cli, tmp_path: Path) -> None:
    sarif = tmp_path / "examples.sarif"
    result = run_cli("check", "examples", "--format", "sarif", "-o", str(sarif))
    assert result.code == 1, result.err
    assert json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert_viewer_ready(validate(multitool, sarif))


def test_sarif_of_a_pull_request_run(multitool: Path, run_cli, monkeypatch, tmp_path: Path) -> None:
    fixture = ROOT / "fixtures" / "SIG706" / "fires-version-properties.json"
    repo = tmp_path / "repo"
    two_commits(repo, {"templates/v.json": fixture.with_name(fixture.name + ".base").read_bytes()},
                {"templates/v.json": fixture.read_bytes()})
    git(repo, "remote", "add", "origin", "https://github.com/contoso/images.git")
    sarif = tmp_path / "pr.sarif"
    monkeypatch.chdir(repo)
    result = run_cli("check", "templates", "--base", "main", "--format", "sarif", "-o", str(sarif))
    assert result.code == 1, result.err
    log = json.loads(sarif.read_text(encoding="utf-8"))
    assert any(r["ruleId"] == "SIG706" for r in log["runs"][0]["results"])
    assert_viewer_ready(validate(multitool, sarif))
