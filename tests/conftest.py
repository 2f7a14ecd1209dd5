"""Shared helpers: the repository's paths and an in-process runner of the command line."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
SHARED = REPO.parent / "shared"
# The date every fixture and snapshot run is checked against, so date rules give stable results.
TODAY = "2026-11-22"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def _invoke(argv: list[str], stdin: bytes | None) -> int:
    from sigcheck.cli import main

    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        return main(argv)
    except SystemExit as exc:  # argparse usage errors, --version
        return exc.code if isinstance(exc.code, int) else 2


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `sigcheck ARGS` in this process from the repository root; returns code, stdout, stderr."""
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(sys, "stdin", sys.stdin)  # restored after the test when a run replaces it

    def run(*argv: str, stdin: bytes | None = None) -> CliResult:
        capsys.readouterr()
        code = _invoke(list(argv), stdin)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Command-line runs of the tests (in process or not) cache in a folder of their own, never in
    the user's cache folder."""
    import os

    os.environ["SIGCHECK_CACHE_DIR"] = str(tmp_path_factory.mktemp("sigcheck-cache"))
