"""Regenerate the pinned command-line output (`make snapshots`), then review the diff before committing.

- fixtures/<RULE>/snapshot.txt and snapshot.sarif: `sigcheck check fixtures/<RULE>` from the
  repository root (relative paths, every rule enabled, a fixed date) in the text and SARIF formats,
  one pair per fixture folder, beside the fixtures they pin, so a change shows in the folder it
  concerns. Whatever is in the folder is included, whatever its input kind; no loader reads the
  snapshots themselves (tests/snapshots/test_snapshots.py holds that). In the SARIF, the absolute
  path of the checkout and the tool version are replaced by placeholders and the version-control
  provenance (commit, branch) is dropped, so the snapshot depends on none of them, and the rule descriptors are left out (with `ruleIndex`, which points into them):
- tests/snapshots/rules.sarif.json: the rule descriptors of those runs (every rule), pinned once,
  without the rules' long texts (fullDescription, help: the docs/rules pages, tested on their own),
  so editing a rule page does not change a snapshot of findings.
- tests/corpus/<kind>.txt: the report over ../shared/corpus/<kind> for every kind pinned there, when
  ../shared is beside the checkout (see tests/corpus/README.md: every pinned finding is explained).

tests/snapshots/test_snapshots.py regenerates the fixture snapshots in memory with `render_folder()`
and `render_rules()` and compares, one test per folder and format.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SNAPSHOTS = REPO / "tests" / "snapshots"
RULES = SNAPSHOTS / "rules.sarif.json"
FIXTURES = REPO / "fixtures"
# Names no loader claims (a test holds that), beside the fixtures of each folder.
TEXT_SNAPSHOT = "snapshot.txt"
SARIF_SNAPSHOT = "snapshot.sarif"
CORPUS = REPO.parent / "shared" / "corpus"
TODAY = "2026-11-22"
OPTIONS = ["--today", TODAY, "--extend-select", "ALL", "--fail-on", "never"]
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


def _dump(log: Any) -> str:
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def without_rules(text: str) -> str:
    """A normalised SARIF log without its rule descriptors, nor the results' indexes into them."""
    log = json.loads(text)
    for run in log.get("runs", []):
        run.get("tool", {}).get("driver", {}).pop("rules", None)
        for result in run.get("results", []):
            result.pop("ruleIndex", None)
    return _dump(log)


def rules_of(text: str) -> str:
    """The rule descriptors of a normalised SARIF log's first run."""
    log = json.loads(text)
    return _dump({"rules": log["runs"][0]["tool"]["driver"].get("rules", [])})


def fixture_folders() -> list[str]:
    """The folders under fixtures/, each pinned by its own snapshots."""
    return sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) if FIXTURES.is_dir() else []


def check(folder: str, fmt: str) -> str:
    """`sigcheck check fixtures/FOLDER` in the snapshots' options; the SARIF normalised."""
    out = _run(["check", f"fixtures/{folder}", *OPTIONS, "--format", fmt])
    return normalise_sarif(out) if fmt == "sarif" else out


def render_folder(folder: str) -> dict[Path, str]:
    """One folder's snapshots as they should be now: path -> content."""
    return {
        FIXTURES / folder / TEXT_SNAPSHOT: check(folder, "text"),
        FIXTURES / folder / SARIF_SNAPSHOT: without_rules(check(folder, "sarif")),
    }


def render_rules() -> dict[Path, str]:
    """The rule descriptors every snapshot run has (every rule is enabled)."""
    folders = fixture_folders()
    return {RULES: rules_of(check(folders[0], "sarif"))} if folders else {}


def render() -> dict[Path, str]:
    """Every fixture snapshot as it should be now: path -> content."""
    out = render_rules()
    for folder in fixture_folders():
        out.update(render_folder(folder))
    return out


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
    print("Review the changes (git diff fixtures tests/snapshots tests/corpus) before committing them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
