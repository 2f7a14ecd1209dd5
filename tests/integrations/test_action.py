"""The GitHub Action (action.yml) without GitHub: its steps are scripts/action.sh, run here on a
temporary git repository with a base commit and a pull-request commit, with the environment the
runner gives a composite action (GITHUB_EVENT_PATH, GITHUB_OUTPUT, the inputs as SIGCHECK_*)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import need_git, two_commits
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "action.sh"
FIXTURE = ROOT / "fixtures" / "SIG706" / "fires-definition-properties.json"


def _sigcheck() -> str:
    found = Path(sys.executable).parent / "sigcheck"
    if not found.exists():
        pytest.skip("the sigcheck command is not installed beside this Python")
    return str(found)


def _pull_request(tmp_path: Path) -> tuple[Path, str, Path]:
    """A repository whose change edits immutable properties; its base sha; the event payload."""
    need_git()
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    repo = tmp_path / "repo"
    untouched = FIXTURE.with_name("clean-version-updatable.json").read_text(encoding="utf-8")
    sha = two_commits(repo, {"templates/img.json": FIXTURE.with_name(FIXTURE.name + ".base").read_bytes(),
                             "templates/other.json": untouched},
                      {"templates/img.json": FIXTURE.read_bytes()})
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "base": {"sha": sha, "ref": "main"}}}), encoding="utf-8")
    return repo, sha, event


def _run(repo: Path, env: dict[str, str], step: str = "run") -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SIGCHECK_"))}
    full.update(env)
    return subprocess.run(["bash", str(SCRIPT), step], cwd=repo, env=full, capture_output=True, text=True, timeout=600)


def test_the_run_step_writes_sarif_annotations_and_the_exit_code(tmp_path: Path) -> None:
    repo, sha, event = _pull_request(tmp_path)
    output = tmp_path / "github_output"
    done = _run(repo, {
        "SIGCHECK_BIN": _sigcheck(), "GITHUB_EVENT_PATH": str(event), "GITHUB_OUTPUT": str(output),
        "SIGCHECK_PATHS": "templates", "SIGCHECK_CHANGED_ONLY": "true", "SIGCHECK_ANNOTATE": "true",
    })
    assert done.returncode == 0, done.stderr  # findings fail the action's last step, after the upload
    assert "exit-code=1" in output.read_text() and "sarif-file=sigcheck.sarif" in output.read_text()
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::")]
    assert annotations and all(line.startswith("::error file=templates/img.json,") for line in annotations
                               if "SIG706" in line)
    assert any("title=SIG706::SIG706 osType changed from 'Windows' (" + sha in line for line in annotations)

    log = json.loads((repo / "sigcheck.sarif").read_text(encoding="utf-8"))
    run = log["runs"][0]
    results = [r for r in run["results"] if r["ruleId"] == "SIG706"]
    assert len(results) == 8
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {"templates/img.json"}
    assert all(r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] for r in results)
    assert run["versionControlProvenance"][0]["branch"] == "change"


def test_without_a_pull_request_every_file_is_checked_and_clean_exits_0(tmp_path: Path) -> None:
    repo, _, _ = _pull_request(tmp_path)
    output = tmp_path / "github_output"
    done = _run(repo, {"SIGCHECK_BIN": _sigcheck(), "GITHUB_OUTPUT": str(output), "SIGCHECK_PATHS": "templates/other.json",
                       "SIGCHECK_CHANGED_ONLY": "true", "SIGCHECK_ANNOTATE": "false", "SIGCHECK_FAIL_ON": "error",
                       "SIGCHECK_SARIF": "out/report.sarif"})
    assert done.returncode == 0 and "exit-code=0" in output.read_text(), done.stdout + done.stderr
    assert "no base revision" in done.stderr
    results = json.loads((repo / "out" / "report.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert {r["level"] for r in results} <= {"warning", "note"}  # below fail-on: the step passes


def test_a_usage_error_fails_the_run_step(tmp_path: Path) -> None:
    repo, _, _ = _pull_request(tmp_path)
    output = tmp_path / "github_output"
    done = _run(repo, {"SIGCHECK_BIN": _sigcheck(), "GITHUB_OUTPUT": str(output), "SIGCHECK_BASE": "0" * 40})
    assert done.returncode == 2 and "unknown revision" in done.stderr
    assert "exit-code=2" in output.read_text()


def test_action_yml_is_a_composite_action_calling_the_script() -> None:
    action = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    runs = [s for s in steps if "run" in s]
    assert any('scripts/action.sh" install' in s["run"] for s in runs)
    assert any('scripts/action.sh" run' in s["run"] for s in runs)
    assert all(s.get("shell") == "bash" for s in runs)
    install = next(s for s in runs if "install" in s["run"])
    assert install["env"]["SIGCHECK_ACTION_PATH"] == "${{ github.action_path }}"
    run = next(s for s in steps if s.get("id") == "run")
    assert "github.event.pull_request.base.sha" in run["env"]["SIGCHECK_BASE"]
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@"))
    assert "always()" in upload["if"] and "inputs.upload-sarif == 'true'" in upload["if"]
    # Every variable the workflow passes is one the script reads.
    script = SCRIPT.read_text(encoding="utf-8")
    passed = {name for s in runs for name in s.get("env", {})}
    assert passed and all(re.search(rf"\${{{name}\b", script) for name in passed), passed
    for name in re.findall(r"inputs\.([a-z-]+)", (ROOT / "action.yml").read_text(encoding="utf-8")):
        assert name in action["inputs"], name


@pytest.mark.skipif(os.environ.get("SIGCHECK_SLOW_TESTS") != "1", reason="installs from PyPI: set SIGCHECK_SLOW_TESTS=1")
def test_the_install_step_installs_from_the_actions_checkout(tmp_path: Path) -> None:
    repo, _, event = _pull_request(tmp_path)
    checkout = tmp_path / "action"
    for part in ["pyproject.toml", "README.md", "action.yml", "sigcheck", "rules", "docs/rules", "scripts/action.sh"]:
        source, target = ROOT / part, checkout / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    env = {"SIGCHECK_ACTION_PATH": str(checkout), "SIGCHECK_VENV": str(tmp_path / "venv"), "SIGCHECK_PYTHON": sys.executable}
    installed = _run(repo, env, "install")
    assert installed.returncode == 0, installed.stderr
    done = _run(repo, {**env, "GITHUB_EVENT_PATH": str(event), "SIGCHECK_PATHS": "templates"})
    assert done.returncode == 0 and "sigcheck exited 1" in done.stdout, done.stderr
