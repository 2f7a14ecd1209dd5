"""The command line's output over every fixture folder, pinned beside the fixtures: text and SARIF
(fixtures/<RULE>/snapshot.txt, snapshot.sarif), and the rule descriptors once
(tests/snapshots/rules.sarif.json). When a change is intended, run `make snapshots` and review the
diff before committing it."""

from __future__ import annotations

import difflib
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO

SCRIPT = REPO / "scripts" / "update_snapshots.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_snapshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SNAPSHOTS = _script()
FOLDERS = SNAPSHOTS.fixture_folders()


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return SNAPSHOTS


def assert_pinned(path: Path, now: str) -> None:
    rel = path.relative_to(REPO).as_posix()
    assert path.exists(), f"{rel} is missing: run `make snapshots`"
    pinned = path.read_text(encoding="utf-8")
    if pinned != now:
        diff = list(difflib.unified_diff(pinned.splitlines(), now.splitlines(), f"{rel} (pinned)", "now", lineterm="", n=1))
        shown = "\n".join(diff[:60]) + ("\n…" if len(diff) > 60 else "")
        pytest.fail(
            f"sigcheck's output changed from {rel}.\n"
            f"If the change is intended, run `make snapshots` and review `git diff {rel}` before committing it.\n{shown}",
            pytrace=False,
        )


@pytest.mark.parametrize("folder", FOLDERS)
def test_snapshots_of_the_folder_are_up_to_date(script: ModuleType, folder: str) -> None:
    for path, now in script.render_folder(folder).items():
        assert_pinned(path, now)


def test_rule_descriptors_are_up_to_date(script: ModuleType) -> None:
    [(path, now)] = script.render_rules().items()
    assert_pinned(path, now)


def test_every_folder_has_snapshots_and_no_snapshot_is_left_without_its_folder(script: ModuleType) -> None:
    assert FOLDERS, "no fixture folders"
    pinned = {p.relative_to(REPO).as_posix() for name in (script.TEXT_SNAPSHOT, script.SARIF_SNAPSHOT)
              for p in (REPO / "fixtures").rglob(name)}
    wanted = {f"fixtures/{folder}/{name}" for folder in FOLDERS for name in (script.TEXT_SNAPSHOT, script.SARIF_SNAPSHOT)}
    assert pinned == wanted


def test_no_loader_reads_a_snapshot() -> None:
    """The snapshots sit among the fixtures: were one read as an input, a run over the folder
    would change with its own snapshot."""
    from sigcheck.engine.registry import default_registry
    from sigcheck.syntax.text import decode

    loaders = default_registry().loaders
    claimed = []
    for path in sorted((REPO / "fixtures").glob("*/snapshot.*")):
        rel = path.relative_to(REPO).as_posix()
        text = decode(path.read_bytes())
        claimed.extend(f"{rel} (by {loader.name})" for loader in loaders if loader.claims(rel, text) or loader.claims(rel, ""))
        assert not rel.endswith((".json", ".jsonc")), f"{rel}: a JSON name is read for SIG001 when it cannot be decoded"
    assert not claimed, f"snapshots a loader would read: {claimed}"


def test_snapshots_do_not_depend_on_the_checkout(script: ModuleType) -> None:
    for path, text in script.render_folder("SIG101").items():
        assert str(REPO) not in text, f"{path.name} contains the checkout path {REPO}"
    log = json.loads(script.check("SIG101", "sarif"))
    [run] = log["runs"]
    assert {b["uri"] for b in run["originalUriBaseIds"].values()} == {"file:///CHECKOUT/"}
    assert run["tool"]["driver"]["version"] == "VERSION"


def test_every_fires_fixture_has_findings_in_its_folders_snapshot() -> None:
    """Every fires-* fixture that some loader reads shows up in its folder's text snapshot."""
    from sigcheck.syntax.text import DecodeError, decode
    from sigcheck.engine.registry import default_registry

    missing = []
    for path in sorted((REPO / "fixtures").glob("*/fires-*")):
        if path.suffix in (".expect", ".base") or path.name.endswith(".parameters.json"):
            continue
        if path.with_name(path.name + ".base").exists():
            continue  # its rule compares with the .base revision: tests/checks/test_fixtures.py runs it with --base
        rel = path.relative_to(REPO).as_posix()
        try:
            body = decode(path.read_bytes())
        except DecodeError:
            body = ""
        read = path.suffix == ".json" or any(loader.claims(rel, body) for loader in default_registry().loaders)
        pinned = (path.parent / "snapshot.txt").read_text(encoding="utf-8")
        if read and f"{rel}:" not in pinned:
            missing.append(rel)
    assert not missing, f"fires-* fixtures with no finding in the snapshot: {missing}"


def test_sarif_normalisation_touches_only_the_checkout_version_and_rule_pages(script: ModuleType) -> None:
    raw = json.dumps({"runs": [{
        "originalUriBaseIds": {"%SRCROOT%": {"uri": "file:///home/someone/src/sigcheck/"}},
        "tool": {"driver": {"name": "sigcheck", "version": "9.9.9", "semanticVersion": "9.9.9", "rules": [{
            "id": "SIG101", "shortDescription": {"text": "s"}, "fullDescription": {"text": "f"},
            "help": {"text": "h", "markdown": "m"}, "helpUri": "u",
        }]}},
        "results": [{"message": {"text": "file:///elsewhere stays"}, "ruleId": "SIG101", "ruleIndex": 0}],
    }]})
    normalised = script.normalise_sarif(raw)
    [run] = json.loads(normalised)["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///CHECKOUT/"
    assert run["tool"]["driver"] == {"name": "sigcheck", "version": "VERSION", "semanticVersion": "VERSION", "rules": [
        {"id": "SIG101", "shortDescription": {"text": "s"}, "helpUri": "u"}]}
    assert run["results"][0]["message"]["text"] == "file:///elsewhere stays"
    # A folder's snapshot leaves the descriptors (and the indexes into them) to rules.sarif.json.
    [folder_run] = json.loads(script.without_rules(normalised))["runs"]
    assert "rules" not in folder_run["tool"]["driver"]
    assert folder_run["results"] == [{"message": {"text": "file:///elsewhere stays"}, "ruleId": "SIG101"}]
    assert json.loads(script.rules_of(normalised)) == {"rules": run["tool"]["driver"]["rules"]}


def test_the_script_includes_files_of_any_kind(script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A non-JSON fixture (a shell script, a REST file, Markdown) does not break the snapshot run."""
    fixtures = tmp_path / "fixtures" / "SIG201"
    fixtures.mkdir(parents=True)
    (fixtures / "fires-script.sh").write_text("#!/bin/bash\naz sig image-version create -g rg -r gal -i def -e 1.0.0 -l westus2 --target-regions eastus\n", encoding="utf-8")
    (fixtures / "fires-request.http").write_text("PUT https://management.azure.com/x?api-version=2024-03-03\n\n{}\n", encoding="utf-8")
    (fixtures / "clean-notes.md").write_text("# Notes\n\nNothing to see.\n", encoding="utf-8")
    (fixtures / "fires-binary.bin").write_bytes(b"\x00\x01\x02")
    monkeypatch.setattr(script, "REPO", tmp_path)
    monkeypatch.setattr(script, "FIXTURES", tmp_path / "fixtures")
    assert script.fixture_folders() == ["SIG201"]
    out = script.check("SIG201", "text")
    assert out.splitlines()[-1].startswith(("No problems", "Found"))
