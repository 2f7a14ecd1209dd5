"""The command line's output over every fixture, pinned: text and SARIF. When a change is intended,
run `make snapshots` and review the diff of tests/snapshots/ before committing it."""

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


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _script()


@pytest.fixture(scope="module")
def rendered(script: ModuleType) -> dict[str, str]:
    return {path.name: text for path, text in script.render().items()}


@pytest.mark.parametrize("name", ["fixtures.txt", "fixtures.sarif.json"])
def test_snapshot_is_up_to_date(rendered: dict[str, str], name: str) -> None:
    pinned_path = REPO / "tests" / "snapshots" / name
    assert pinned_path.exists(), f"tests/snapshots/{name} is missing: run `make snapshots`"
    pinned = pinned_path.read_text(encoding="utf-8")
    now = rendered[name]
    if pinned != now:
        diff = list(difflib.unified_diff(
            pinned.splitlines(), now.splitlines(), f"tests/snapshots/{name} (pinned)", "now", lineterm="", n=1))
        shown = "\n".join(diff[:60]) + ("\n…" if len(diff) > 60 else "")
        pytest.fail(
            f"sigcheck's output over fixtures/ changed from tests/snapshots/{name}.\n"
            "If the change is intended, run `make snapshots` and review `git diff tests/snapshots` "
            f"before committing it.\n{shown}",
            pytrace=False,
        )


def test_snapshots_do_not_depend_on_the_checkout(rendered: dict[str, str]) -> None:
    for name, text in rendered.items():
        assert str(REPO) not in text, f"{name} contains the checkout path {REPO}"
    log = json.loads(rendered["fixtures.sarif.json"])
    [run] = log["runs"]
    assert {b["uri"] for b in run["originalUriBaseIds"].values()} == {"file:///CHECKOUT/"}
    assert run["tool"]["driver"]["version"] == "VERSION"


def test_snapshot_covers_every_fixture(rendered: dict[str, str]) -> None:
    """Every fires-* fixture that some loader reads shows up in the text snapshot."""
    from sigcheck.syntax.text import DecodeError, decode
    from sigcheck.engine.registry import default_registry

    text = rendered["fixtures.txt"]
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
        if read and f"{rel}:" not in text:
            missing.append(rel)
    assert not missing, f"fires-* fixtures with no finding in the snapshot: {missing}"


def test_sarif_normalisation_touches_only_the_checkout_version_and_rule_pages(script: ModuleType) -> None:
    raw = json.dumps({"runs": [{
        "originalUriBaseIds": {"%SRCROOT%": {"uri": "file:///home/someone/src/sigcheck/"}},
        "tool": {"driver": {"name": "sigcheck", "version": "9.9.9", "semanticVersion": "9.9.9", "rules": [{
            "id": "SIG101", "shortDescription": {"text": "s"}, "fullDescription": {"text": "f"},
            "help": {"text": "h", "markdown": "m"}, "helpUri": "u",
        }]}},
        "results": [{"message": {"text": "file:///elsewhere stays"}}],
    }]})
    log = json.loads(script.normalise_sarif(raw))
    [run] = log["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///CHECKOUT/"
    assert run["tool"]["driver"] == {"name": "sigcheck", "version": "VERSION", "semanticVersion": "VERSION", "rules": [
        {"id": "SIG101", "shortDescription": {"text": "s"}, "helpUri": "u"}]}
    assert run["results"][0]["message"]["text"] == "file:///elsewhere stays"


def test_the_script_includes_files_of_any_kind(script: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A non-JSON fixture (a shell script, a REST file, Markdown) does not break the snapshot run."""
    fixtures = tmp_path / "fixtures" / "SIG201"
    fixtures.mkdir(parents=True)
    (fixtures / "fires-script.sh").write_text("#!/bin/bash\naz sig image-version create -g rg -r gal -i def -e 1.0.0 -l westus2 --target-regions eastus\n", encoding="utf-8")
    (fixtures / "fires-request.http").write_text("PUT https://management.azure.com/x?api-version=2024-03-03\n\n{}\n", encoding="utf-8")
    (fixtures / "clean-notes.md").write_text("# Notes\n\nNothing to see.\n", encoding="utf-8")
    (fixtures / "fires-binary.bin").write_bytes(b"\x00\x01\x02")
    monkeypatch.setattr(script, "REPO", tmp_path)
    out = script._run([*script.CHECK, "--format", "text"])
    assert out.splitlines()[-1].startswith(("No problems", "Found"))
