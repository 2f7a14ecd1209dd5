"""Every fixture under fixtures/<RULE>/ against the expectations written in it.

Convention (fixtures/<RULE>/<fires|clean>-<what>.<ext>):

* A trailing comment `expect: SIG201` (in any comment syntax: `// expect: SIG201`, `# expect: SIG201`) on
  a line says one finding of that rule is expected on that line; `expect: SIG207 SIG207` says two, and
  `expect: SIG102:warning` also pins the severity. For the fixture's own rule, and for every rule named
  in its markers, the file's findings must be exactly the markers (same lines, same counts). Other rules
  may report what they like, so a fixture does not break when an unrelated rule is added.
* Files that cannot hold comments (malformed, binary, other encodings: the SIG001 fixtures) carry a
  sidecar `<file>.expect` with one `LINE:COLUMN RULE` per expected finding; there the column counts too.
* `fires-*` must expect at least one finding of its rule; `clean-*` must expect none.
* `<name>.parameters.json` beside `<name>.json` is that template's parameter file (found by convention),
  not a fixture of its own.
* `<fixture>.base` beside a fixture is the same file at an earlier revision (SIG706): the fixture is
  checked in a temporary git repository whose first commit holds the `.base` content at the fixture's
  path and whose second holds the fixture, with `--base main`. fixtures/.sigcheck.yaml excludes the
  `.base` files, so the run over fixtures/ (the snapshot) sees only the newer revision, as a standalone input.

Every fixture runs on its own through the command line with all rules enabled (`--extend-select ALL`),
and once more together with all the others, as the snapshot does: a file's findings must not depend on
which other files are checked with it, so give galleries, disks and VMs names no other fixture uses.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, TODAY, _invoke

from sigcheck.syntax.text import DecodeError, decode
from sigcheck.engine.registry import default_registry

MARKER = re.compile(r"\bexpect:\s*((?:SIG\d{3}(?::(?:error|warning|note))?\b[\s,]*)+)")
MARKED_ID = re.compile(r"(SIG\d{3})(?::(error|warning|note))?")
SIDECAR_LINE = re.compile(r"^(\d+):(\d+)\s+(SIG\d{3})$")
FIXTURE_NAME = re.compile(r"^(fires|clean)-[A-Za-z0-9][A-Za-z0-9._-]*$")
RULE_DIR = re.compile(r"^SIG\d{3}$")
# The folder's pinned output (scripts/update_snapshots.py), beside its fixtures.
SNAPSHOTS = {"snapshot.txt", "snapshot.sarif"}


def is_companion(path: Path) -> bool:
    """A sidecar of expectations or the parameter file of a template beside it."""
    if path.suffix in (".expect", ".base"):
        return True
    return path.name.endswith(".parameters.json") and path.with_name(path.name.replace(".parameters.json", ".json")).exists()


def fixture_files() -> list[Path]:
    return sorted(
        p for p in FIXTURES.glob("*/*")
        if p.is_file() and RULE_DIR.match(p.parent.name) and FIXTURE_NAME.match(p.name) and not is_companion(p)
    )


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def markers(path: Path) -> tuple[Counter[tuple[int, str]], Counter[tuple[int, str, str]]]:
    """From `expect:` comments: (line, rule) -> count, and (line, rule, severity) -> count where a
    severity is given. Empty when the file is not text."""
    try:
        text = decode(path.read_bytes())
    except DecodeError:
        return Counter(), Counter()
    found: Counter[tuple[int, str]] = Counter()
    severities: Counter[tuple[int, str, str]] = Counter()
    for number, line in enumerate(text.splitlines(), start=1):
        for match in MARKER.finditer(line):
            for rule_id, severity in MARKED_ID.findall(match.group(1)):
                found[(number, rule_id)] += 1
                if severity:
                    severities[(number, rule_id, severity)] += 1
    return found, severities


def sidecar(path: Path) -> Counter[tuple[int, int, str]] | None:
    side = path.with_name(path.name + ".expect")
    if not side.exists():
        return None
    found: Counter[tuple[int, int, str]] = Counter()
    for raw in side.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = SIDECAR_LINE.match(line)
        assert match, f"{rel(side)}: '{raw}' is not 'LINE:COLUMN SIGnnn'"
        found[(int(match.group(1)), int(match.group(2)), match.group(3))] += 1
    return found


def claimed(path: Path) -> bool:
    """Whether some installed loader reads this file (JSON fixtures always count as read)."""
    if path.suffix == ".json":
        return True
    try:
        text = decode(path.read_bytes())
    except DecodeError:
        return True
    return any(loader.claims(rel(path), text) for loader in default_registry().loaders)


@pytest.fixture(scope="module")
def whole_run() -> dict[str, list[tuple]]:
    """The findings of one run over every fixture, by file (what the snapshot shows)."""
    cwd = os.getcwd()
    out = io.StringIO()
    try:
        os.chdir(REPO)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            _invoke(["check", "fixtures", "--format", "json", "--extend-select", "ALL", "--today", TODAY], None)
    finally:
        os.chdir(cwd)
    by_file: dict[str, list[tuple]] = {}
    for f in json.loads(out.getvalue()):
        by_file.setdefault(f["path"], []).append(_key(f))
    return by_file


def _key(f: dict) -> tuple:
    return (f["line"], f["column"], f["rule"], f["severity"], f["message"])


def _explain(path: Path, findings: list[dict], checked: set[str]) -> str:
    shown = "\n".join(
        f"  {f['line']}:{f['column']} {f['rule']} [{f['severity']}] {f['message']}"
        for f in findings if f["rule"] in checked
    ) or "  (none)"
    return f"{rel(path)}: findings of {', '.join(sorted(checked))} differ from the expectations; got:\n{shown}"


FILES = fixture_files()
BASE_RULES = {"SIG706"}  # rules that report only with --base


def _with_base(path: Path, base: Path, tmp_path: Path, run_cli, monkeypatch):  # type: ignore[no-untyped-def]
    """The fixture checked with `--base main` in a repository whose first commit holds `base`."""
    from gitrepo import two_commits

    repo = tmp_path / "repo"
    two_commits(repo, {rel(path): base.read_bytes()}, {rel(path): path.read_bytes()})
    monkeypatch.chdir(repo)
    return run_cli("check", rel(path), "--format", "json", "--extend-select", "ALL", "--today", TODAY, "--base", "main")


@pytest.mark.parametrize("path", FILES, ids=[rel(p).removeprefix("fixtures/") for p in FILES])
def test_fixture(path: Path, run_cli, whole_run, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    own = path.parent.name
    if own not in default_registry().rules:
        pytest.skip(f"{own} is not a registered rule yet")
    if not claimed(path):
        pytest.skip(f"no installed loader reads {path.suffix} files yet")
    expected, severities = markers(path)
    exact = sidecar(path) or Counter()
    for (line, _column, rule_id), n in exact.items():
        expected[(line, rule_id)] += n
    checked = {own} | {rule_id for _, rule_id in expected}
    own_expected = sum(n for (_, rule_id), n in expected.items() if rule_id == own)
    if path.name.startswith("fires-"):
        assert own_expected > 0, f"{rel(path)} expects no {own} finding: mark the lines with `// expect: {own}`"
    else:
        assert own_expected == 0, f"{rel(path)} is a clean fixture but expects {own} findings"

    base = path.with_name(path.name + ".base")
    if base.exists():
        result = _with_base(path, base, tmp_path, run_cli, monkeypatch)
    else:
        result = run_cli("check", rel(path), "--format", "json", "--extend-select", "ALL", "--today", TODAY)
    assert result.code in (0, 1), f"exit {result.code}: {result.err}"
    assert "Traceback" not in result.err and "sigcheck: error" not in result.err, result.err
    findings = result.json()
    assert {f["path"] for f in findings} <= {rel(path)}
    mine = [f for f in findings if f["rule"] in checked]

    assert Counter((f["line"], f["rule"]) for f in mine) == expected, _explain(path, findings, checked)
    got_severities = Counter((f["line"], f["rule"], f["severity"]) for f in mine)
    for key, n in severities.items():
        assert got_severities[key] >= n, f"expected {n} {key[1]} [{key[2]}] on line {key[0]}\n" + _explain(path, findings, checked)
    if exact:
        sidecar_rules = {rule_id for _, _, rule_id in exact}
        got_exact = Counter((f["line"], f["column"], f["rule"]) for f in findings if f["rule"] in sidecar_rules)
        assert got_exact == exact, _explain(path, findings, checked)

    if base.exists():
        checked -= BASE_RULES  # the run over all fixtures has no base revision to compare with
    alone = sorted(_key(f) for f in mine if f["rule"] in checked)
    together = sorted(k for k in whole_run.get(rel(path), []) if k[2] in checked)
    assert together == alone, (
        f"{rel(path)} gives other findings when checked together with the other fixtures: "
        "does another fixture declare a resource of the same name?")


# Rules no input file can fire, with where their firing is tested instead.
NO_FIRING_FIXTURE = {
    # A crashed plugin, loader or rule: the tests install broken plugins in process.
    "SIG008": "tests/engine/test_plugin_errors.py",
}


def test_every_registered_rule_has_fires_and_clean_fixtures() -> None:
    missing = []
    for rule_id, rule in sorted(default_registry().rules.items()):
        if rule.check is None and rule.check_run is None and not rule.meta.emitted_by_pipeline:
            continue  # listed in the catalogue but not checkable: nothing can fire
        if rule.meta.origin != "sigcheck":
            continue  # an installed plugin's rule: its fixtures live with the plugin
        names = [p.name for p in FILES if p.parent.name == rule_id]
        fires = any(n.startswith("fires-") for n in names) or rule_id in NO_FIRING_FIXTURE
        if not fires or not any(n.startswith("clean-") for n in names):
            missing.append(rule_id)
    assert not missing, f"rules without both a fires-* and a clean-* fixture: {', '.join(missing)}"


def test_fixture_files_follow_the_naming_convention() -> None:
    strays = []
    for p in FIXTURES.rglob("*"):
        if not p.is_file() or p.name.startswith(".") or p.name.lower() == "readme.md":
            continue
        if p.suffix == ".expect" and not p.with_suffix("").exists():
            strays.append(f"{rel(p)} (a sidecar without its fixture)")
            continue
        if is_companion(p) or (p.name in SNAPSHOTS and p.parent.parent == FIXTURES):
            continue
        if not (p.parent.parent == FIXTURES and RULE_DIR.match(p.parent.name) and FIXTURE_NAME.match(p.name)):
            strays.append(rel(p))
    assert not strays, "not fixtures/<RULE>/<fires|clean>-<what>.<ext>: " + ", ".join(strays)


def test_encoded_fixtures_still_hold_their_bytes() -> None:
    """Guard against an editor or a git setting normalising the fixtures that test decoding."""
    sig001 = FIXTURES / "SIG001"
    assert b"\x00" in (sig001 / "fires-binary.json").read_bytes()
    assert (sig001 / "clean-utf16le-bom.json").read_bytes().startswith(b"\xff\xfe")
    assert (sig001 / "fires-utf16le-bom-error.json").read_bytes().startswith(b"\xff\xfe")
    no_bom = (sig001 / "clean-utf16le-no-bom.json").read_bytes()
    assert not no_bom.startswith(b"\xff\xfe") and no_bom[1:2] == b"\x00"
    for name in ("clean-utf8-bom-crlf.json", "fires-utf8-bom-crlf-error.json"):
        data = (sig001 / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == data.count(b"\n") > 0, name
    with pytest.raises(UnicodeDecodeError):
        (sig001 / "fires-invalid-utf8.json").read_bytes().decode("utf-8")
    assert (sig001 / "clean-empty.json").read_bytes() == b""
