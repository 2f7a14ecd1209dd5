"""--jobs and the content cache change how a run is computed, never what it reports: the same
findings for any number of processes, cold or warm; the cache invalidated by content, parameter
file, configuration, rule selection and version; a damaged or unwritable cache ignored."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, TODAY

from sigcheck.library import Linter

GALLERY = "Microsoft.Compute/galleries"
IMAGE = "Microsoft.Compute/galleries/images"


def _report(result: Any) -> list[tuple[Any, ...]]:
    return [(f.rule_id, int(f.severity), f.span.path, f.span.line, f.span.column, f.span.end_line,
             f.span.end_column, f.message, f.resource_type, f.resource_name, f.property_path, f.suppression)
            for f in result.findings]


def _lint(paths: list[str], **options: Any) -> Any:
    options.setdefault("today", TODAY)
    options.setdefault("config", False)
    return Linter(**options).lint_paths(paths)


def _template(*resources: dict[str, Any]) -> str:
    return json.dumps({"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                       "contentVersion": "1.0.0.0", "resources": list(resources)}, indent=2)


def _definition(gallery: str, name: str, sku: str, security: str | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {"osType": "Linux", "osState": "Generalized", "hyperVGeneration": "V2",
                                  "identifier": {"publisher": "Contoso", "offer": "Ubuntu", "sku": sku}}
    if security:
        properties["features"] = [{"name": "SecurityType", "value": security}]
    return {"type": IMAGE, "apiVersion": "2024-03-03", "name": f"{gallery}/{name}", "location": "westeurope",
            "properties": properties}


def _gallery(name: str, sharing: str | None = None) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    if sharing:
        properties["sharingProfile"] = {"permissions": sharing}
    return {"type": GALLERY, "apiVersion": "2024-03-03", "name": name, "location": "westeurope", "properties": properties}


def _cross_file_folder(folder: Path) -> None:
    """Files whose findings depend on each other: a definition whose gallery (shared to groups)
    is declared in another file (SIG402), two files repeating one identity (SIG701), and enough
    unrelated files for two workers."""
    (folder / "a-gallery.json").write_text(_template(_gallery("shared", "Groups")))
    (folder / "b-definition.json").write_text(_template(_definition("shared", "tl", "1", "TrustedLaunch")))
    (folder / "c-first.json").write_text(_template(_gallery("g"), _definition("g", "one", "same")))
    (folder / "d-second.json").write_text(_template(_definition("g", "two", "same")))
    for i in range(10):
        (folder / f"e-{i}.json").write_text(_template(_gallery(f"own{i}"), _definition(f"own{i}", "d", str(i))))


def test_jobs_give_the_same_report_on_the_fixtures() -> None:
    one = _report(_lint([str(FIXTURES)], jobs=1))
    assert one
    assert _report(_lint([str(FIXTURES)], jobs=2)) == one
    assert _report(_lint([str(FIXTURES)], jobs=3)) == one


def test_cross_file_rules_hold_across_workers(tmp_path: Path) -> None:
    _cross_file_folder(tmp_path)
    one = _report(_lint([str(tmp_path)], jobs=1))
    ids = {row[0] for row in one}
    assert {"SIG402", "SIG701"} <= ids, one
    assert _report(_lint([str(tmp_path)], jobs=2)) == one


def test_warm_cache_gives_the_cold_report(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = _report(_lint([str(FIXTURES)], cache_dir=str(cache)))
    assert any(cache.rglob("*"))
    assert _report(_lint([str(FIXTURES)], cache_dir=str(cache))) == cold
    assert _report(_lint([str(FIXTURES)], cache_dir=str(cache), jobs=2)) == cold
    assert _report(_lint([str(FIXTURES)])) == cold


def test_cross_file_rules_follow_a_changed_file(tmp_path: Path) -> None:
    folder, cache = tmp_path / "in", str(tmp_path / "cache")
    folder.mkdir()
    _cross_file_folder(folder)
    before = _lint([str(folder)], cache_dir=cache)
    assert "SIG701" in {f.rule_id for f in before.findings}
    # The second file gets its own identity: the first file's cached outcome is reused, and
    # the duplicate is gone; the gallery stops being shared: SIG402 on the other file goes.
    (folder / "d-second.json").write_text(_template(_definition("g", "two", "other")))
    (folder / "a-gallery.json").write_text(_template(_gallery("shared")))
    after = _lint([str(folder)], cache_dir=cache)
    assert not {"SIG701", "SIG402"} & {f.rule_id for f in after.findings}
    assert _report(after) == _report(_lint([str(folder)]))


def _entries(cache: Path) -> set[Path]:
    return {p for p in cache.rglob("*") if p.is_file()}


def test_cache_is_invalidated_by_content_parameters_options_rules_and_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, cache = tmp_path / "in", tmp_path / "cache"
    folder.mkdir()
    template = folder / "main.json"
    template.write_text(_template(_gallery("g"), _definition("g", "d", "1")))
    _lint([str(folder)], cache_dir=str(cache))
    seen = _entries(cache)
    assert len(seen) == 1

    def new_entry(**options: Any) -> bool:
        nonlocal seen
        _lint([str(folder)], cache_dir=str(cache), **options)
        now = _entries(cache)
        added, seen = now - seen, now
        return bool(added)

    assert not new_entry()  # unchanged: read back
    template.write_text(template.read_text() + "\n")
    assert new_entry()  # content
    (folder / "main.parameters.json").write_text('{"parameters": {}}')
    assert new_entry()  # the parameter file read with it
    assert new_entry(select=["SIG1"])  # rule selection
    assert new_entry(today="2030-01-01")  # options
    assert new_entry(location="eastus")
    monkeypatch.setattr("sigcheck.__version__", "999.0")
    assert new_entry()  # version


def test_corrupt_or_unwritable_cache_is_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = _report(_lint([str(FIXTURES / "SIG402")]))
    assert _report(_lint([str(FIXTURES / "SIG402")], cache_dir=str(cache))) == expected
    entries = _entries(cache)
    assert entries
    for i, entry in enumerate(sorted(entries)):
        # Garbage, a truncated entry, an empty file.
        data = entry.read_bytes()
        entry.write_bytes([b"\x00garbage", data[: len(data) // 2], b""][i % 3])
    assert _report(_lint([str(FIXTURES / "SIG402")], cache_dir=str(cache))) == expected
    # Rewritten after the misses: the next run reads them back.
    assert _report(_lint([str(FIXTURES / "SIG402")], cache_dir=str(cache))) == expected
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert _report(_lint([str(FIXTURES / "SIG402")], cache_dir=str(blocker))) == expected
    assert _report(_lint([str(FIXTURES / "SIG402")], cache_dir=str(blocker / "below"))) == expected
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert _report(_lint([str(FIXTURES / "SIG402")], cache_dir=str(locked))) == expected


def test_builtin_plugins_are_the_entry_points_of_pyproject() -> None:
    """The registry registers the built-ins directly (no entry-point scan when no other
    distribution declares plugins): its list must be the one pyproject.toml declares."""
    import tomllib

    from sigcheck.engine.registry import BUILTINS, _builtin_registry, build_registry

    with open(Path(__file__).resolve().parents[2] / "pyproject.toml", "rb") as handle:
        declared = tomllib.load(handle)["project"]["entry-points"]["sigcheck"]
    assert BUILTINS == declared
    from importlib.metadata import entry_points

    ours = [ep for ep in entry_points(group="sigcheck") if ep.dist is not None and ep.dist.name == "sigcheck"]
    direct, scanned = _builtin_registry(), build_registry(ours)
    assert list(direct.rules) == list(scanned.rules)
    assert [r.meta for r in direct.rules.values()] == [r.meta for r in scanned.rules.values()]
    assert [lo.name for lo in direct.loaders] == [lo.name for lo in scanned.loaders]
    assert list(direct.formatters) == list(scanned.formatters)
    assert direct.distributions == scanned.distributions


def test_the_arm_loader_names_deployments_as_the_normalizer_does() -> None:
    from sigcheck.inputs.arm import loader, normalize

    assert loader.DEPLOYMENTS == normalize.DEPLOYMENTS


def test_runs_with_third_party_plugins_are_not_cached(tmp_path: Path) -> None:
    import dataclasses

    from sigcheck.engine.registry import default_registry

    ours = default_registry()
    theirs = dataclasses.replace(ours, distributions={**ours.distributions, "contoso": "sigcheck-contoso"})
    cache = tmp_path / "cache"
    expected = _report(_lint([str(FIXTURES / "SIG402")]))
    assert _report(_lint([str(FIXTURES / "SIG402")], cache_dir=str(cache), registry=theirs)) == expected
    assert not cache.exists() or not _entries(cache)


def test_cache_is_invalidated_by_the_configuration_file(tmp_path: Path) -> None:
    folder, cache = tmp_path / "in", tmp_path / "cache"
    folder.mkdir()
    (folder / "main.json").write_text(_template(_gallery("g"), _definition("g", "d", "1")))
    config = folder / ".sigcheck.yaml"
    seen: set[Path] = set()

    def added(text: str) -> bool:
        nonlocal seen
        config.write_text(text)
        Linter(today=TODAY, cache_dir=str(cache), discover_from=str(folder)).lint_paths([str(folder)])
        now = _entries(cache)
        new, seen = now - seen, now
        return bool(new)

    assert added("resource-group: rg1\n")
    assert not added("resource-group: rg1\n")  # the same configuration: read back
    assert added("resource-group: rg2\n")  # the deployment context
    assert added("resource-group: rg2\nextend-select: [SIG504]\nstale-api-version:\n  max-age-days: 30\n")  # rules, settings
    assert added("resource-group: rg2\nextend-select: [SIG504]\nstale-api-version:\n  max-age-days: 30\nseverity:\n  SIG101: note\n")


def test_only_loaders_that_read_the_file_alone_are_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loader that may read other files (a module's siblings) does not say it is cacheable:
    its outcomes are computed every run, as a change in another file may change them."""
    from sigcheck.inputs.arm.loader import ArmLoader

    folder, cache = tmp_path / "in", tmp_path / "cache"
    folder.mkdir()
    (folder / "main.json").write_text(_template(_gallery("g"), _definition("g", "d", "1")))
    monkeypatch.delattr(ArmLoader, "cacheable")
    _lint([str(folder)], cache_dir=str(cache))
    assert not cache.exists() or not _entries(cache)
    monkeypatch.setattr(ArmLoader, "cacheable", True, raising=False)
    _lint([str(folder)], cache_dir=str(cache))
    assert len(_entries(cache)) == 1


def test_folder_configuration_problems_are_told_for_any_jobs_and_from_the_cache(tmp_path: Path) -> None:
    """A folder's own configuration is read where its files are checked (a worker, or an earlier
    run): its problems still reach the run's result, once."""
    (tmp_path / ".sigcheck.yaml").write_text("policy:\n  allowed-regions: [eastus]\n")
    team = tmp_path / "team"
    team.mkdir()
    (team / ".sigcheck.yaml").write_text("policy:\n  sharing: [Privat]\n")
    for i in range(10):
        (team / f"g{i}.json").write_text(_template(_gallery(f"team{i}")))
    cache = str(tmp_path / "cache")

    def problems(**options: Any) -> list[str]:
        result = Linter(today=TODAY, discover_from=str(tmp_path), **options).lint_paths([str(tmp_path)])
        return [p for p in result.internal_errors if "policy.sharing" in p]

    one = problems(jobs=1)
    assert len(one) == 1
    assert problems(jobs=2) == one
    assert problems(jobs=2, cache_dir=cache) == one
    assert problems(jobs=2, cache_dir=cache) == one  # outcomes read back from the cache
