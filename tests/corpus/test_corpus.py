"""sigcheck over the real third-party inputs in ../shared/corpus: what it reports is pinned, and
every pinned finding is explained in tests/corpus/README.md. Skipped where ../shared is absent,
as in a user's clone."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")
HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = ["arm", "rest", "bicep", "terraform", "packer"]


def run_corpus(kind: str) -> str:
    """The text report over one corpus folder, paths relative to the corpus root."""
    proc = subprocess.run(
        [sys.executable, "-m", "sigcheck", "check", kind, "--today", "2026-11-22", "--fail-on", "never"],
        cwd=CORPUS, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr
    return proc.stdout


@pytest.mark.skipif(not os.path.isdir(CORPUS), reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("kind", KINDS)
def test_corpus_findings_are_pinned(kind: str) -> None:
    pinned_path = os.path.join(HERE, f"{kind}.txt")
    with open(pinned_path, encoding="utf-8") as handle:
        pinned = handle.read()
    assert run_corpus(kind) == pinned, f"corpus/{kind} output changed: run `make snapshots` and explain every finding in tests/corpus/README.md"
