"""The CI recipes of the README, tried as far as they go without their services: each snippet is
read from the README, and the commands it runs are run on a temporary repository with a base branch
and a change, with the variables the service would set. The install line is skipped (sigcheck is
already on PATH); the report the service reads is checked."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gitrepo import git, need_git, two_commits
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "SIG706" / "fires-cli-changes.azcli"


def snippet(kind: str) -> Any:
    """The YAML block after `<!-- ci: KIND -->` in the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- ci: {kind} -->\s*```yaml\n(.*?)```", text, re.S)
    assert match, f"README has no '<!-- ci: {kind} -->' yaml block"
    return YAML(typ="safe").load(match.group(1))


def repository(tmp_path: Path) -> tuple[Path, str]:
    need_git()
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    repo = tmp_path / "repo"
    sha = two_commits(repo, {"publish.azcli": FIXTURE.with_name(FIXTURE.name + ".base").read_bytes()},
                      {"publish.azcli": FIXTURE.read_bytes()})
    # What a CI checkout has: the target branch as a remote-tracking ref.
    git(repo, "update-ref", "refs/remotes/origin/main", sha)
    return repo, sha


def run_script(script: str, repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "sigcheck").exists():
        pytest.skip("the sigcheck command is not installed beside this Python")
    full = dict(os.environ, **env, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    lines = [line for line in script.splitlines() if not line.strip().startswith("pip install")]
    return subprocess.run(["bash", "-e", "-c", "\n".join(lines)], cwd=repo, env=full, capture_output=True, text=True, timeout=300)


def test_gitlab_job_writes_a_code_quality_report(tmp_path: Path) -> None:
    job = snippet("gitlab")["sigcheck"]
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert job["artifacts"]["when"] == "always"
    repo, sha = repository(tmp_path)
    done = run_script("\n".join(job["script"]), repo, {"CI_MERGE_REQUEST_DIFF_BASE_SHA": sha, "CI_PIPELINE_SOURCE": "merge_request_event"})
    assert done.returncode == 1, done.stderr  # the findings fail the job, and the report is kept (when: always)
    report = json.loads((repo / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    sig706 = [issue for issue in report if issue["check_name"] == "SIG706"]
    assert len(sig706) == 7
    for issue in report:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["location"]["path"] == "publish.azcli"
        assert issue["location"]["positions"]["begin"]["line"] >= 1
    assert len({issue["fingerprint"] for issue in report}) == len(report)


def test_azure_pipeline_writes_sarif_for_the_scans_tab(tmp_path: Path) -> None:
    pipeline = snippet("azure")
    scripts = [step["script"] for step in pipeline["steps"] if "script" in step]
    check = next(s for s in scripts if "sigcheck check" in s)
    publish = next(step for step in pipeline["steps"] if step.get("task", "").startswith("PublishBuildArtifacts"))
    assert publish["condition"] == "always()" and publish["inputs"]["artifactName"] == "CodeAnalysisLogs"
    assert next(step for step in pipeline["steps"] if "checkout" in step)["fetchDepth"] == 0
    repo, _ = repository(tmp_path)
    staging = tmp_path / "staging"
    done = run_script(check, repo, {"BUILD_ARTIFACTSTAGINGDIRECTORY": str(staging),
                                    "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main"})
    assert done.returncode == 1, done.stderr
    log = json.loads((staging / "CodeAnalysisLogs" / "sigcheck.sarif").read_text(encoding="utf-8"))
    results = log["runs"][0]["results"]
    assert sum(r["ruleId"] == "SIG706" for r in results) == 7
    assert all("origin/main:publish.azcli:" in r["message"]["text"] for r in results if r["ruleId"] == "SIG706")


def test_github_workflow_uses_the_action_with_the_history_it_needs() -> None:
    workflow = snippet("github")
    steps = workflow["jobs"]["sigcheck"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    action = next(s for s in steps if s.get("uses", "").startswith("sigcheck/sigcheck@"))
    inputs = YAML(typ="safe").load((ROOT / "action.yml").read_text(encoding="utf-8"))["inputs"]
    assert set(action["with"]) <= set(inputs)
    assert workflow["jobs"]["sigcheck"]["permissions"]["security-events"] == "write"
