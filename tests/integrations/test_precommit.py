"""The pre-commit hooks of .pre-commit-hooks.yaml, run for real: a project's
.pre-commit-config.yaml names a copy of this checkout (as a one-commit git repository) and every
hook of the manifest; pre-commit installs it into a fresh virtualenv (pip, with dependencies from
PyPI) and runs the hooks in the project's git repository.

The hook environment is built once for the module (it is most of the time these tests take:
≈ 20 s with a warm pip cache) and shared by the tests, as pre-commit shares it between the runs
of one repository and revision. Skipped when pre-commit or git is not available.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
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


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "HOME": str(cwd.parent)}
    proc = subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                          cwd=cwd, env=env, check=True, capture_output=True, text=True)
    return proc.stdout.strip()


def hook_repository(where: Path) -> tuple[Path, str]:
    """This checkout as it is on disk (committed or not) as a one-commit git repository, and
    that commit: pre-commit clones the repository at a revision, and would otherwise miss files
    that are not committed yet."""
    repo = where / "hook-repo"
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
    return repo, git(repo, "rev-parse", "HEAD")


def hook_ids() -> list[str]:
    """Every hook the manifest declares, so that each is run."""
    import yaml

    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return [hook["id"] for hook in manifest]


@dataclass
class Project:
    path: Path
    env: dict[str, str]

    def run(self, *files: str) -> tuple[subprocess.CompletedProcess[str], float]:
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--files", *files],
            cwd=self.path, env=self.env, capture_output=True, text=True, timeout=900, check=False,
        )
        return proc, time.monotonic() - started


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A git project whose pre-commit configuration uses every hook of this checkout, with the
    hook environment installed (the slow part, done once here)."""
    where = tmp_path_factory.mktemp("precommit")
    hooks, rev = hook_repository(where)
    path = where / "project"
    (path / "templates").mkdir(parents=True)
    (path / "templates" / "gallery.json").write_text(FIRING, encoding="utf-8")
    (path / "package.json").write_text(PACKAGE_JSON, encoding="utf-8")
    hook_list = "".join(f"      - id: {hook}\n" for hook in hook_ids())
    (path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks.as_posix()}\n    rev: {rev}\n    hooks:\n{hook_list}", encoding="utf-8")
    git(path, "init", "-q")
    git(path, "add", "-A")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(where / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "install-hooks"], cwd=path, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    print(f"pre-commit install-hooks: {time.monotonic() - started:.1f} s")
    return Project(path, env)


def test_precommit_hooks_fail_on_findings(project: Project) -> None:
    # Both hooks (the changed files; the whole repository) fail and say why; package.json is
    # passed to the first one too and skipped silently.
    (project.path / "templates" / "gallery.json").write_text(FIRING, encoding="utf-8")
    git(project.path, "add", "-A")
    proc, seconds = project.run("templates/gallery.json", "package.json")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "templates/gallery.json:8:16: SIG101 [error]" in output, output
    assert "package.json:" not in output.replace("templates/gallery.json", ""), output
    assert output.count("Failed") == 2, output
    print(f"pre-commit run: {seconds:.1f} s (findings)")


def test_precommit_hooks_pass_when_clean(project: Project) -> None:
    (project.path / "templates" / "gallery.json").write_text(CLEAN, encoding="utf-8")
    git(project.path, "add", "-A")
    proc, seconds = project.run("templates/gallery.json", "package.json")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert output.count("Passed") == 2, output
    print(f"pre-commit run: {seconds:.1f} s (clean)")
