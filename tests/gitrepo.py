"""Temporary git repositories with a base commit and a change on top, for `--base` tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ENV = {
    "GIT_AUTHOR_NAME": "sigcheck tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "sigcheck tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **ENV}, check=True)
    return done.stdout.strip()


def need_git() -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")


def two_commits(repo: Path, base: dict[str, bytes | str], head: dict[str, bytes | str | None],
                renames: dict[str, str] | None = None) -> str:
    """A repository at `repo`: commit `base` on branch main, then on branch `change` apply the
    renames (old -> new), write `head` (None deletes) and commit. The base commit's id."""
    need_git()
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", "main")
    for rel, content in base.items():
        _write(repo / rel, content)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    sha = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "change")
    for old, new in (renames or {}).items():
        (repo / new).parent.mkdir(parents=True, exist_ok=True)
        git(repo, "mv", old, new)
    for rel, content in head.items():
        if content is None:
            (repo / rel).unlink()
        else:
            _write(repo / rel, content)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "change")
    return sha


def _write(path: Path, content: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
