"""Regenerate the pinned command-line output (`make snapshots`), then review the diff before committing.

- tests/snapshots/fixtures.txt and fixtures.sarif.json: `sigcheck check fixtures` from the repository
  root (relative paths, every rule enabled, a fixed date) in the text and SARIF formats. Whatever is
  under fixtures/ is included, whatever its input kind. In the SARIF, the absolute path of the checkout
  and the tool version are replaced by placeholders and the version-control provenance (commit, branch) is
  dropped, so the snapshot does not depend on any of them, and the
  rules' long texts (fullDescription, help: the docs/rules pages, tested on their own) are left out, so
  editing a rule page does not change the snapshot of the findings.
- tests/corpus/<kind>.txt: the report over ../shared/corpus/<kind> for every kind pinned there, when
  ../shared is beside the checkout (see tests/corpus/README.md: every pinned finding is explained).

tests/snapshots/test_snapshots.py regenerates the fixture snapshots in memory with `render()` and
compares.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SNAPSHOTS = REPO / "tests" / "snapshots"
CORPUS = REPO.parent / "shared" / "corpus"
TODAY = "2026-11-22"
CHECK = ["check", "fixtures", "--today", TODAY, "--extend-select", "ALL", "--fail-on", "never"]
ROOT_PLACEHOLDER = "file:///CHECKOUT/"
VERSION_PLACEHOLDER = "VERSION"
DOC_TEXTS = ("fullDescription", "help")


class SnapshotError(Exception):
    """sigcheck did not run cleanly (exit code 2): a snapshot of that would pin a failure."""


def _run(args: list[str]) -> str:
    """`sigcheck ARGS` in this process, from the repository root; its standard output."""
    from sigcheck.cli import main

    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    try:
        os.chdir(REPO)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(cwd)
    if code != 0:
        raise SnapshotError(f"sigcheck {' '.join(args)} exited {code}:\n{err.getvalue()}")
    return out.getvalue()


def normalise_sarif(text: str) -> str:
    log = json.loads(text)
    for run in log.get("runs", []):
        # The commit and branch of the checkout: they change with every commit.
        run.pop("versionControlProvenance", None)
        for base in run.get("originalUriBaseIds", {}).values():
            if base.get("uri", "").startswith("file://"):
                base["uri"] = ROOT_PLACEHOLDER
        driver = run.get("tool", {}).get("driver", {})
        for key in ("version", "semanticVersion"):
            if key in driver:
                driver[key] = VERSION_PLACEHOLDER
        for descriptor in driver.get("rules", []):
            for key in DOC_TEXTS:
                descriptor.pop(key, None)
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def render() -> dict[Path, str]:
    """The fixture snapshots as they should be now: path -> content."""
    return {
        SNAPSHOTS / "fixtures.txt": _run([*CHECK, "--format", "text"]),
        SNAPSHOTS / "fixtures.sarif.json": normalise_sarif(_run([*CHECK, "--format", "sarif"])),
    }


def render_corpus() -> dict[Path, str]:
    """The corpus pins, for every kind pinned in tests/corpus, when the corpus is present."""
    if not CORPUS.is_dir():
        return {}
    out = {}
    for pinned in sorted((REPO / "tests" / "corpus").glob("*.txt")):
        if not (CORPUS / pinned.stem).is_dir():
            continue
        proc = subprocess.run(
            [sys.executable, "-m", "sigcheck", "check", pinned.stem, "--today", TODAY, "--fail-on", "never"],
            cwd=CORPUS, capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0 or proc.stderr:
            raise SnapshotError(f"corpus/{pinned.stem}: exit {proc.returncode}\n{proc.stderr}")
        out[pinned] = proc.stdout
    return out


def main() -> int:
    try:
        wanted = {**render(), **render_corpus()}
    except SnapshotError as exc:
        print(f"update_snapshots: {exc}", file=sys.stderr)
        return 2
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    for path, text in wanted.items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        status = "unchanged" if old == text else ("written" if old is None else "UPDATED")
        if old != text:
            path.write_text(text, encoding="utf-8")
        print(f"{status:>9}  {path.relative_to(REPO)}")
    print("Review the changes (git diff tests/snapshots tests/corpus) before committing them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
