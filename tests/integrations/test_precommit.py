"""The pre-commit hooks of .pre-commit-hooks.yaml, run for real: `pre-commit try-repo` installs a
copy of this checkout into a fresh virtualenv (pip, with dependencies from PyPI) and runs the hooks
in a temporary git repository.

Slow by nature (two virtualenv installs, ≈ 1 minute with a warm pip cache); skipped when
pre-commit or git is not available.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pre_commit")
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
# What `pip install` of the checkout needs (see pyproject.toml), and the hooks manifest.
SHIPPED = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "sigcheck", "rules", "docs/rules"]
FIRING = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Compute/galleries",
      "apiVersion": "2024-03-03",
      "name": "contoso-images",
      "location": "westeurope",
      "properties": { "description": "Golden images" }
    }
  ]
}
"""
CLEAN = FIRING.replace("contoso-images", "contoso_images")
PACKAGE_JSON = '{\n  "name": "web",\n  "version": "1.0.0",\n  "dependencies": {"left-pad": "^1.3.0"}\n}\n'
GIT_ENV = {
    "GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> None:
    env = {**os.environ, **GIT_ENV, "HOME": str(cwd.parent)}
    subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                   cwd=cwd, env=env, check=True, capture_output=True)


def hook_repository(tmp_path: Path) -> Path:
    """This checkout as it is on disk (committed or not) as a one-commit git repository: try-repo
    clones, and would otherwise miss files that are not committed yet."""
    repo = tmp_path / "hook-repo"
    for name in SHIPPED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hooks under test")
    return repo


def try_repo(hooks: Path, project: Path, *files: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(project.parent / "pre-commit-home"),
           "PRE_COMMIT_COLOR": "never"}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "--files", *files],
        cwd=project, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    return proc, time.monotonic() - started


def test_precommit_hooks_fail_on_findings_and_pass_when_clean(tmp_path: Path) -> None:
    hooks = hook_repository(tmp_path)
    project = tmp_path / "project"
    (project / "templates").mkdir(parents=True)
    (project / "templates" / "gallery.json").write_text(FIRING, encoding="utf-8")
    (project / "package.json").write_text(PACKAGE_JSON, encoding="utf-8")
    git(project, "init", "-q")
    git(project, "add", "-A")

    # Both hooks (the changed files; the whole repository) fail and say why; package.json is
    # passed to the first one too and skipped silently.
    proc, firing_seconds = try_repo(hooks, project, "templates/gallery.json", "package.json")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "templates/gallery.json:8:16: SIG101 [error]" in output, output
    assert "package.json:" not in output.replace("templates/gallery.json", ""), output
    assert output.count("Failed") == 2, output

    (project / "templates" / "gallery.json").write_text(CLEAN, encoding="utf-8")
    git(project, "add", "-A")
    proc, clean_seconds = try_repo(hooks, project, "templates/gallery.json", "package.json")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert output.count("Passed") == 2, output
    print(f"pre-commit try-repo: {firing_seconds:.1f} s (findings), {clean_seconds:.1f} s (clean)")
