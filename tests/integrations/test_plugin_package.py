"""The example plugin (plugins/contoso), installed for real beside a regular install of sigcheck in
a fresh virtualenv, and run through the command line: its rules are listed, fire, honour
--select and the configured severity, and link to the plugin's own documentation in SARIF; its
loader reads its catalogue format. Offline: both are built from the checkout without build
isolation, and the dependencies are the ones of the environment running the tests."""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "plugins" / "contoso"
SAMPLES = PLUGIN / "samples"
# What a regular install of the checkout needs (see pyproject.toml).
SHIPPED = ["pyproject.toml", "README.md", "sigcheck", "rules", "docs/rules"]
DOCS = "https://contoso.example.com/cloud/sigcheck-rules"


def _copy(names: list[str], source: Path, target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in names:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, target / name, ignore=ignore)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / name)
    return target


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv holding sigcheck and sigcheck-contoso, both regular (non-editable) installs."""
    base = tmp_path_factory.mktemp("plugin")
    env = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # The dependencies (pydantic, pluggy, setuptools to build with, ...) of the environment running
    # the tests, appended after the venv's own packages: the venv's sigcheck comes first.
    deps = [p for p in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *site.getsitepackages()}
            if os.path.isdir(p)]
    Path(purelib, "_test_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")
    sources = _copy(SHIPPED, ROOT, base / "sigcheck-src")
    plugin = _copy(["pyproject.toml", "sigcheck_contoso"], PLUGIN, base / "plugin-src")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-build-isolation", "--no-index", "--disable-pip-version-check", str(sources), str(plugin)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0 and "no such option: --python" in proc.stderr:
        pytest.skip("pip is older than 22.3 (no --python)")
    assert proc.returncode == 0, proc.stderr
    return env


def sigcheck(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(venv / "bin" / "sigcheck"), *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, check=False)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    for sample in SAMPLES.iterdir():
        shutil.copy2(sample, tmp_path / sample.name)
    return tmp_path


def findings(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, int, int, str, str]]:
    assert "Traceback" not in proc.stderr, proc.stderr
    return [(f["path"], f["line"], f["column"], f["rule"], f["severity"]) for f in json.loads(proc.stdout)]


def test_the_plugin_runs_from_the_installed_packages(venv: Path, work: Path) -> None:
    proc = subprocess.run([str(venv / "bin" / "python"), "-c",
                           "import sigcheck, sigcheck_contoso; print(sigcheck.__file__); print(sigcheck_contoso.__file__)"],
                          cwd=work, capture_output=True, text=True, check=True)
    for line in proc.stdout.splitlines():
        assert line.startswith(str(venv)), f"imported from outside the fresh virtualenv: {line}"


def test_rules_lists_the_plugin_rules(venv: Path, work: Path) -> None:
    proc = sigcheck(venv, work, "rules", "--format", "json")
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    rules = {r["id"]: r for r in json.loads(proc.stdout)}
    assert rules["CON001"]["name"] == "contoso-gallery-prefix" and rules["CON001"]["severity"] == "warning"
    assert rules["CON002"]["name"] == "contoso-data-residency" and rules["CON002"]["severity"] == "error"
    assert "SIG101" in rules and "SIG008" in rules
    text = sigcheck(venv, work, "rule", "CON002").stdout
    assert "Provided by: sigcheck-contoso" in text and f"Docs: {DOCS}" in text


def test_the_rules_fire_and_honour_select(venv: Path, work: Path) -> None:
    proc = sigcheck(venv, work, "check", "images.json", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert findings(proc) == [("images.json", 8, 16, "CON001", "warning"), ("images.json", 18, 19, "CON002", "error")]
    only = sigcheck(venv, work, "check", "images.json", "--format", "json", "--select", "CON001")
    assert findings(only) == [("images.json", 8, 16, "CON001", "warning")]
    assert only.returncode == 0  # a warning does not fail the run under --fail-on error
    assert findings(sigcheck(venv, work, "check", "images.json", "--format", "json", "--ignore", "CON")) == []


def test_configured_severity_applies_to_plugin_rules(venv: Path, work: Path) -> None:
    (work / ".sigcheck.yaml").write_text("severity:\n  CON002: warning\n", encoding="utf-8")
    proc = sigcheck(venv, work, "check", "images.json", "--format", "json")
    assert findings(proc) == [("images.json", 8, 16, "CON001", "warning"), ("images.json", 18, 19, "CON002", "warning")]
    assert proc.returncode == 0


def test_sarif_links_the_plugin_rules_to_their_own_documentation(venv: Path, work: Path) -> None:
    proc = sigcheck(venv, work, "check", "images.json", "--format", "sarif")
    [run] = json.loads(proc.stdout)["runs"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["CON001"]["helpUri"] == f"{DOCS}#con001"  # given by the rule
    assert rules["CON002"]["helpUri"] == DOCS  # the distribution's Documentation URL
    assert rules["CON002"]["help"]["text"].endswith(f"See {DOCS}")
    assert "sigcheck/sigcheck" not in json.dumps([rules["CON001"], rules["CON002"]])
    assert sorted(r["ruleId"] for r in run["results"]) == ["CON001", "CON002"]
    assert all(r["ruleIndex"] == list(rules).index(r["ruleId"]) for r in run["results"])


def test_the_plugin_loader_reads_its_catalogue(venv: Path, work: Path) -> None:
    proc = sigcheck(venv, work, "check", "images.contoso", "--format", "json")
    assert findings(proc) == [
        ("images.contoso", 4, 9, "CON001", "warning"),
        ("images.contoso", 5, 29, "CON002", "error"),
        ("images.contoso", 6, 1, "SIG001", "error"),
    ]


def test_the_library_sees_the_plugin(venv: Path, work: Path) -> None:
    script = ("import sigcheck\n"
              "result = sigcheck.lint_paths(['images.json'], select=['CON'])\n"
              "print(sorted(r.meta.id for r in result.rules))\n"  # SIG001 always runs
              "print([(f.rule_id, f.span.line, f.span.column) for f in result.findings])\n")
    proc = subprocess.run([str(venv / "bin" / "python"), "-c", script], cwd=work, capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines() == ["['CON001', 'CON002', 'SIG001']", "[('CON001', 8, 16), ('CON002', 18, 19)]"]


def test_the_plugin_imports_only_the_public_api() -> None:
    for path in (PLUGIN / "sigcheck_contoso").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name == "sigcheck" or name.startswith("sigcheck."):
                    assert name == "sigcheck.plugin", f"{path.name} imports {name}"


def test_the_tutorial_shows_what_the_plugin_prints(venv: Path, work: Path) -> None:
    """Every `$ sigcheck …` example of docs/plugins.md (those without a pipe) prints what it shows."""
    tutorial = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    examples = 0
    for block in re.findall(r"```console\n(.*?)```", tutorial, flags=re.S):
        for command, shown in re.findall(r"^\$ (sigcheck [^\n|]*)\n((?:(?!\$ )[^\n]*\n)*)", block, flags=re.M):
            proc = sigcheck(venv, work, *shlex.split(command)[1:])
            assert proc.stdout == shown, f"docs/plugins.md: `{command}` prints\n{proc.stdout}"
            examples += 1
    assert examples >= 2
