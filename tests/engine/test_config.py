"""Configuration: `[tool.sigcheck]` in pyproject.toml or `.sigcheck.yaml`, found upward from the
checked path or named with --config; command-line flags win; a bad file is exit 2 with its
file:line:col."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TEMPLATE = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Compute/galleries",
      "apiVersion": "2024-03-03",
      "name": "contoso-images",
      "location": "westeurope"
    },
    {
      "type": "Microsoft.Compute/galleries/images/versions",
      "apiVersion": "2024-03-03",
      "name": "contosogallery/ubuntu2204/1.0.0",
      "location": "westeurope",
      "properties": {
        "publishingProfile": { "targetRegions": [ { "name": "northeurope" } ] },
        "storageProfile": { "source": { "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/images/base" } }
      }
    }
  ]
}
"""
# A version that sets no location: its source region is the deployment's (--location / config).
NO_LOCATION = TEMPLATE.replace('      "location": "westeurope",\n      "properties"', '      "properties"')


# The rules these templates are built to fire; other rules may report on them as they like.
SUBJECT = {"SIG101", "SIG201"}


def rules_of(result) -> list[tuple[str, str]]:
    return [(f["rule"], f["severity"]) for f in result.json() if f["rule"] in SUBJECT]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "main.json").write_text(TEMPLATE, encoding="utf-8")
    return tmp_path


def test_without_configuration_the_defaults_apply(run_cli, project: Path) -> None:
    result = run_cli("check", "--format", "json", str(project / "templates" / "main.json"))
    assert rules_of(result) == [("SIG101", "error"), ("SIG201", "error")]


def test_yaml_configuration_found_upward_from_the_checked_path(run_cli, project: Path) -> None:
    (project / ".sigcheck.yaml").write_text("ignore: [SIG201]\nseverity:\n  SIG101: warning\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", str(project / "templates" / "main.json"))
    assert rules_of(result) == [("SIG101", "warning")]
    assert result.code == 0  # warnings do not fail the default --fail-on error


def test_pyproject_configuration_found_upward(run_cli, project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "images"\n\n[tool.sigcheck]\nselect = ["SIG2"]\n\n[tool.sigcheck.severity]\nSIG2 = "note"\n',
        encoding="utf-8",
    )
    result = run_cli("check", "--format", "json", str(project / "templates"))
    assert rules_of(result) == [("SIG201", "note")]


def test_pyproject_without_a_sigcheck_table_is_passed_over(run_cli, project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.sigcheck]\nignore = [\"SIG101\"]\n", encoding="utf-8")
    (project / "templates" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    result = run_cli("check", "--format", "json", str(project / "templates" / "main.json"))
    assert rules_of(result) == [("SIG201", "error")]


def test_nearest_configuration_wins_and_yaml_before_pyproject(run_cli, project: Path) -> None:
    (project / ".sigcheck.yaml").write_text("ignore: [SIG101]\n", encoding="utf-8")
    (project / "templates" / ".sigcheck.yaml").write_text("ignore: [SIG201]\n", encoding="utf-8")
    (project / "templates" / "pyproject.toml").write_text("[tool.sigcheck]\nignore = [\"SIG1\", \"SIG2\"]\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", str(project / "templates" / "main.json"))
    assert rules_of(result) == [("SIG101", "error")]


def test_config_option_names_the_file(run_cli, project: Path, tmp_path: Path) -> None:
    (project / ".sigcheck.yaml").write_text("ignore: [SIG101]\n", encoding="utf-8")
    other = tmp_path / "elsewhere.toml"
    other.write_text("[tool.sigcheck]\nignore = [\"SIG201\"]\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", "--config", str(other), str(project / "templates" / "main.json"))
    assert rules_of(result) == [("SIG101", "error")]


def test_command_line_flags_override_the_configuration(run_cli, project: Path) -> None:
    (project / ".sigcheck.yaml").write_text("ignore: [SIG1]\nlocation: westeurope\n", encoding="utf-8")
    path = str(project / "templates" / "main.json")
    # --select on the command line re-enables what the file ignores...
    assert rules_of(run_cli("check", "--format", "json", "--select", "SIG101", path)) == [("SIG101", "error")]
    # ...and --ignore adds to the file's selection.
    assert rules_of(run_cli("check", "--format", "json", "--ignore", "SIG201", path)) == []
    # --location replaces the file's location.
    (project / "templates" / "main.json").write_text(NO_LOCATION, encoding="utf-8")
    assert rules_of(run_cli("check", "--format", "json", path)) == [("SIG201", "error")]
    assert rules_of(run_cli("check", "--format", "json", "--location", "northeurope", path)) == []


def test_configured_location_is_the_deployment_context(run_cli, project: Path) -> None:
    (project / "templates" / "main.json").write_text(NO_LOCATION, encoding="utf-8")
    assert rules_of(run_cli("check", "--format", "json", str(project / "templates"))) == [("SIG101", "error")]
    (project / ".sigcheck.yaml").write_text("location: West Europe\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", str(project / "templates"))
    assert rules_of(result) == [("SIG101", "error"), ("SIG201", "error")]
    assert "West Europe" in next(f["message"] for f in result.json() if f["rule"] == "SIG201")


def test_configured_resource_group_and_subscription_reach_expressions(run_cli, project: Path) -> None:
    template = TEMPLATE.replace('"name": "contoso-images"', '"name": "[concat(resourceGroup().name, subscription().subscriptionId)]"')
    (project / "templates" / "main.json").write_text(template, encoding="utf-8")
    assert [r for r, _ in rules_of(run_cli("check", "--format", "json", str(project / "templates")))] == ["SIG201"]
    (project / ".sigcheck.yaml").write_text("resource-group: images-rg\nsubscription-id: sub_1\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", str(project / "templates"))
    assert "gallery name 'images-rgsub_1' is invalid" in next(f["message"] for f in result.json() if f["rule"] == "SIG101")


def test_per_path_ignores(run_cli, project: Path) -> None:
    (project / "legacy").mkdir()
    (project / "legacy" / "old.json").write_text(TEMPLATE, encoding="utf-8")
    (project / ".sigcheck.yaml").write_text("per-path-ignores:\n  legacy/**: [SIG1]\n  '*.json': [SIG201]\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", str(project))
    found = [(os.path.relpath(f["path"], project), f["rule"]) for f in result.json() if f["rule"] in SUBJECT]
    assert found == [(os.path.join("templates", "main.json"), "SIG101")]


def test_exclude_applies_to_walked_and_named_files(run_cli, project: Path) -> None:
    (project / "generated").mkdir()
    (project / "generated" / "out.json").write_text(TEMPLATE, encoding="utf-8")
    (project / "templates" / "skip.parameters.json").write_text(TEMPLATE, encoding="utf-8")
    (project / ".sigcheck.yaml").write_text("exclude:\n  - generated/\n  - '*.parameters.json'\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", str(project))
    assert {os.path.relpath(f["path"], project) for f in result.json()} == {os.path.join("templates", "main.json")}
    named = run_cli("check", str(project / "generated" / "out.json"), str(project / "templates" / "skip.parameters.json"))
    assert named.code == 0
    assert "No problems in 0 files." in named.out


@pytest.mark.parametrize(
    ("name", "text", "where", "message"),
    [
        (".sigcheck.yaml", "select: [SIG1]\nselct: [SIG2]\n", ":2:1:", "unknown key 'selct' (did you mean 'select'?)"),
        (".sigcheck.yaml", "severity:\n  SIG101: fatal\n", ":2:11:", "severity.SIG101: 'fatal' is not one of"),
        (".sigcheck.yaml", "ignore:\n  - SIG101\n  - SIG999\n", ":3:5:", "ignore[1]: no rule matches 'SIG999'"),
        (".sigcheck.yaml", "exclude: generated\n", ":1:10:", "exclude: 'generated' is not of type 'array'"),
        (".sigcheck.yaml", "select: [SIG1\nignore: x\n", ":2:", "invalid YAML"),
        ("pyproject.toml", "[tool.sigcheck]\nselect = [\"SIG1\"]\n\n[tool.sigcheck.severity]\nSIG101 = \"fatal\"\n", ":5:11:",
         "severity.SIG101: 'fatal' is not one of"),
        ("pyproject.toml", "[tool.sigcheck]\nextend-select = [\n  \"SIG002\",\n  \"SIG9\",\n]\n", ":4:3:",
         "extend-select[1]: no rule matches 'SIG9'"),
        ("pyproject.toml", "[tool.sigcheck]\nexlude = []\n", ":2:1:", "unknown key 'exlude' (did you mean 'exclude'?)"),
        ("pyproject.toml", "[tool.sigcheck]\nselect = [\"SIG1\"\n", ":3:", "invalid TOML"),
    ],
)
def test_a_bad_configuration_is_a_usage_error_with_its_location(run_cli, project: Path, name, text, where, message) -> None:
    (project / name).write_text(text, encoding="utf-8")
    result = run_cli("check", str(project / "templates" / "main.json"))
    assert result.code == 2
    assert result.out == ""
    assert f"{name}{where}" in result.err, result.err
    assert message in result.err, result.err


def test_missing_config_file_is_a_usage_error(run_cli, project: Path) -> None:
    result = run_cli("check", "--config", str(project / "nope.yaml"), str(project))
    assert result.code == 2
    assert "nope.yaml: cannot read configuration" in result.err


def test_yaml_is_loaded_safely(run_cli, project: Path) -> None:
    marker = project / "pwned"
    (project / ".sigcheck.yaml").write_text(
        f'select: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8")
    result = run_cli("check", str(project / "templates"))
    assert result.code == 2
    assert not marker.exists()


def test_schema_ships_as_data_and_is_a_valid_schema() -> None:
    from jsonschema import Draft202012Validator

    from sigcheck.config import schema

    Draft202012Validator.check_schema(schema())


def test_the_published_schema_is_the_models_own() -> None:
    """config_schema.json is generated from the pydantic models that validate (make docs)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    import gen_config_schema

    assert gen_config_schema.TARGET.read_text(encoding="utf-8") == gen_config_schema.render(), (
        "sigcheck/config_schema.json is out of date: run `make docs` (scripts/gen_config_schema.py)")


@pytest.mark.parametrize("text", [
    "select: [SIG1]\nignore: 'SIG2, SIG3'\nextend-select: [SIG002]\nseverity: {SIG101: warning}\n",
    "per-path-ignores: {'legacy/**': [SIG1], 'gen/*': 'SIG2'}\nexclude: ['*.bak']\nfile-timeout: 2.5\n",
    "location: westeurope\nresource-group: rg\nsubscription-id: '0000'\nstale-api-version: {max-age-days: 30}\n",
    "policy:\n  allowed-regions: [westeurope]\n  min-target-regions: 2\n  replicas: {min: 1, max: 3}\n"
    "  storage-account-types: [Standard_ZRS]\n  end-of-life: {required: true}\n  naming: {gallery: 'g.*'}\n"
    "  security-types: [TrustedLaunch]\n  required-tags: [owner]\n  sharing: [Private]\n  min-api-version: '2023-07-03'\n",
])
def test_what_the_models_accept_the_published_schema_accepts(text: str) -> None:
    """Both forms of the rules, and one of each setting, pass the models and the schema alike."""
    from jsonschema import Draft202012Validator
    from ruamel.yaml import YAML

    from sigcheck.config import schema
    from sigcheck.config_model import Configuration

    data = YAML(typ="safe").load(text)
    Configuration.model_validate(data)
    assert not list(Draft202012Validator(schema()).iter_errors(data))


@pytest.mark.parametrize(("text", "message", "where"), [
    ("select:\n", "select: the key has no value", (1, 1)),
    ("file-timeout: 0\n", "file-timeout: 0 is not more than 0", (1, 15)),
    ("file-timeout: '5'\n", "file-timeout: '5' is not of type 'number'", (1, 15)),
    ("severity:\n  sig-1: error\n", "severity: key 'sig-1' is not a rule id or prefix", (2, 3)),
    ("policy:\n  replicas: {}\n", "policy.replicas: set at least one of 'min', 'max'", (2, 13)),
    ("policy:\n  replicas: {min: 0}\n", "policy.replicas.min: 0 is less than the minimum of 1", (2, 19)),
    ("policy:\n  allowed-regions: []\n", "policy.allowed-regions: [] is empty", (2, 20)),
    ("stale-api-version:\n  max-age: 3\n", "stale-api-version: unknown key 'max-age' (did you mean 'max-age-days'?)", (2, 3)),
    ("custom-rules:\n  - {id: C1, name: x, severity: error, message: m, resources: [gallery, gallery], condition: {}}\n",
     "custom-rules[0]: resources names a kind twice", (2, 5)),
])
def test_model_errors_in_the_configurations_words(tmp_path: Path, text: str, message: str, where: tuple[int, int]) -> None:
    from sigcheck.config import ConfigError, load

    config = tmp_path / ".sigcheck.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load(str(config), ["SIG101", "SIG002"])
    assert message in str(raised.value)
    assert (raised.value.line, raised.value.column) == where


def _imported(cwd: Path, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "sigcheck", "check", *args],
                          cwd=cwd, capture_output=True, text=True, check=False)
    return "\n".join(line.split("|")[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time"))


def test_a_run_without_configuration_imports_no_configuration_libraries(project: Path) -> None:
    modules = _imported(project, "templates/main.json").splitlines()
    assert not [m for m in modules if m.split(".")[0] in ("ruamel", "pygls", "lsprotocol", "tomllib")]
    # Looking for a configuration costs no jsonschema either (schema rules may import it later).
    probe = "import sys, sigcheck.config as c; c.discover('.', []); print(sorted(m for m in sys.modules if m.startswith(('jsonschema', 'ruamel'))))"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=project, capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
    (project / ".sigcheck.yaml").write_text("ignore: [SIG201]\n", encoding="utf-8")
    modules = _imported(project, "templates/main.json").splitlines()
    assert "ruamel.yaml" in modules and "jsonschema" in modules


@pytest.mark.parametrize("text", [
    '[tool.sigcheck]\nselect = "ALL"\nignore = "SIG101, SIG5"\n',
    'select: ALL\nignore: SIG101,SIG5\n',
])
def test_a_selection_may_be_one_string(run_cli, project: Path, text: str) -> None:
    name = "pyproject.toml" if text.startswith("[") else ".sigcheck.yaml"
    (project / name).write_text(text, encoding="utf-8")
    result = run_cli("check", "--format", "json", "--today", "2026-11-22", str(project / "templates"))
    rules = {f["rule"] for f in result.json()}
    assert "SIG201" in rules and "SIG101" not in rules and not any(r.startswith("SIG5") for r in rules)
    assert result.code == 1, result.err


def test_an_unknown_id_in_a_string_selection_is_a_usage_error(run_cli, project: Path) -> None:
    (project / ".sigcheck.yaml").write_text("select: SIG2, SIG9\n", encoding="utf-8")
    result = run_cli("check", str(project / "templates"))
    assert result.code == 2 and "no rule matches 'SIG9'" in result.err


# -- validated configurations are remembered -------------------------------------------------------
def _check_imports_validator(folder: Path, cache: Path, *options: str) -> tuple[int, bool, str]:
    code = ("import sys\nfrom sigcheck.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
            "else:\n    code = 0\n"
            "sys.stderr.write(f'\\nIMPORTED={\"pydantic\" in sys.modules}')\n")
    done = subprocess.run([sys.executable, "-c", code, "check", *options, "t.json"], cwd=folder,
                          capture_output=True, text=True, timeout=60, check=False,
                          env=dict(os.environ, SIGCHECK_CACHE_DIR=str(cache)))
    imported = done.stderr.rsplit("IMPORTED=", 1)[-1].strip() == "True"
    return done.returncode, imported, done.stderr


def test_a_configuration_validated_once_is_not_validated_again(tmp_path: Path) -> None:
    from sigcheck.config import ConfigError, load

    cache = tmp_path / "cache"
    config = tmp_path / ".sigcheck.yaml"
    config.write_text("select: [SIG1]\npolicy:\n  allowed-regions: [westeurope]\n", encoding="utf-8")
    load(str(config), ["SIG101"], str(cache))
    markers = list((cache / "valid-configurations").rglob("*"))
    assert [m for m in markers if m.is_file()], "a valid configuration is remembered"
    (tmp_path / "t.json").write_text(TEMPLATE, encoding="utf-8")
    # The next run with the cache reads the configuration without importing pydantic...
    code = subprocess.run([sys.executable, "-m", "sigcheck", "check", "t.json"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, check=False, env=dict(os.environ, SIGCHECK_CACHE_DIR=str(cache))).returncode
    assert code in (0, 1)
    # ...and an edited, now invalid, configuration is validated afresh, every time.
    config.write_text("select: [SIG1]\npolicy:\n  allowed-regions: [westeurpe]\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ConfigError, match="unknown region 'westeurpe'"):
            load(str(config), ["SIG101"], str(cache))
    config.write_text("select: [SIG1]\npolicy:\n  alowed-regions: [westeurope]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'alowed-regions'"):
        load(str(config), ["SIG101"], str(cache))
    # An unwritable cache folder only costs time.
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    config.write_text("select: [SIG1]\n", encoding="utf-8")
    assert load(str(config), ["SIG101"], str(blocked)).path is not None


def test_the_cli_skips_validating_a_remembered_configuration(tmp_path: Path) -> None:
    (tmp_path / ".sigcheck.yaml").write_text("select: [SIG1]\n", encoding="utf-8")
    (tmp_path / "t.json").write_text(TEMPLATE, encoding="utf-8")
    cache = tmp_path / "cache"
    # --no-cache neither reads nor writes the cache: validated, nothing remembered.
    code, imported, err = _check_imports_validator(tmp_path, cache, "--no-cache")
    assert code in (0, 1) and imported and not cache.exists(), err
    code, imported, err = _check_imports_validator(tmp_path, cache)
    assert code in (0, 1) and imported and (cache / "valid-configurations").exists(), err
    # The next run finds it remembered (the file's findings are then taken from the cache too).
    code, imported, err = _check_imports_validator(tmp_path, cache)
    assert code in (0, 1) and not imported, err
