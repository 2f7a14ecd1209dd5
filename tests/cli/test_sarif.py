"""`--format sarif` over every fixture: valid SARIF 2.1.0 (the official schema, draft 4), a driver that
describes every enabled rule, results that point at their rule, and fingerprints that survive line
shifts and tell distinct findings apart."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, SHARED, TODAY

from sigcheck.engine.registry import default_registry

SCHEMA = SHARED / "sarif" / "sarif-schema-2.1.0.json"
FINGERPRINT = "sigcheck/v1"
ALL = ("--extend-select", "ALL", "--today", TODAY)


@cache
def validator():  # type: ignore[no-untyped-def]
    from jsonschema import Draft4Validator

    return Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def validate(log: dict) -> None:
    if not SCHEMA.exists():
        pytest.skip(f"{SCHEMA} is not beside this checkout")
    errors = sorted(validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])


def sarif(run_cli, *args: str) -> dict:  # type: ignore[no-untyped-def]
    result = run_cli("check", "--format", "sarif", *args)
    assert result.code in (0, 1), result.err
    return json.loads(result.out)


@pytest.fixture(scope="module")
def fixtures_log(tmp_path_factory) -> dict:  # type: ignore[no-untyped-def]
    """The SARIF of one run over every fixture, with every rule enabled."""
    import contextlib
    import io
    import os

    from conftest import _invoke

    out = io.StringIO()
    cwd = os.getcwd()
    try:
        os.chdir(REPO)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = _invoke(["check", "fixtures", "--format", "sarif", *ALL], None)
    finally:
        os.chdir(cwd)
    assert code == 1
    return json.loads(out.getvalue())


def test_every_fixture_in_one_valid_log(fixtures_log: dict) -> None:
    validate(fixtures_log)
    assert fixtures_log["version"] == "2.1.0" and len(fixtures_log["runs"]) == 1
    assert fixtures_log["runs"][0]["results"]


@pytest.mark.parametrize("rule_dir", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_each_rule_folder_alone_is_valid(run_cli, rule_dir: str) -> None:
    validate(sarif(run_cli, f"fixtures/{rule_dir}", *ALL))


def test_a_clean_run_is_valid_with_no_results(run_cli) -> None:
    log = sarif(run_cli, "fixtures/SIG101/clean-valid-names.json", "--select", "SIG101")
    validate(log)
    assert log["runs"][0]["results"] == []
    # SIG001 stays on whatever is selected: a file that cannot be read hides everything else.
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == ["SIG001", "SIG101"]


# Custom rules (on by default) that fixtures/.sigcheck.yaml defines for the SIG002 fixtures.
FIXTURE_CUSTOM_RULES = {"FIXTURE001"}


def test_driver_describes_every_enabled_rule(fixtures_log: dict) -> None:
    driver = fixtures_log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "sigcheck" and driver["version"] and driver["informationUri"].startswith("https://")
    registry = default_registry().rules
    # The built-in rules and the custom rule of the fixtures' configuration (fixtures/.sigcheck.yaml).
    assert [r["id"] for r in driver["rules"]] == sorted([*registry, *FIXTURE_CUSTOM_RULES])
    for descriptor in driver["rules"]:
        if descriptor["id"] in FIXTURE_CUSTOM_RULES:
            assert descriptor["name"] and descriptor["shortDescription"]["text"]
            continue
        meta = registry[descriptor["id"]].meta
        assert descriptor["name"] == meta.name
        assert descriptor["shortDescription"]["text"]
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["text"]
        assert descriptor["helpUri"] == meta.help_uri and descriptor["helpUri"].endswith(f"/{meta.id}.md")
        assert descriptor["defaultConfiguration"]["level"] == meta.severity.label


def test_default_run_describes_only_the_enabled_rules(run_cli) -> None:
    log = sarif(run_cli, "fixtures/SIG101/fires-hyphen.json")
    ids = {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert ids == {i for i, r in default_registry().rules.items() if r.meta.enabled_by_default} | FIXTURE_CUSTOM_RULES


def test_results_point_at_their_rule_and_into_the_file(fixtures_log: dict) -> None:
    run = fixtures_log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        [location] = result["locations"]
        physical = location["physicalLocation"]
        artifact = physical["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%" and artifact["uri"].startswith("fixtures/SIG")
        assert (REPO / artifact["uri"]).is_file()
        region = physical["region"]
        assert 1 <= region["startLine"] <= region.get("endLine", region["startLine"])
        assert region["startColumn"] >= 1
        if region.get("endLine", region["startLine"]) == region["startLine"]:
            assert region.get("endColumn", region["startColumn"]) >= region["startColumn"]
        assert set(result["partialFingerprints"]) == {FINGERPRINT}


def test_results_of_gallery_resources_have_a_logical_location(fixtures_log: dict) -> None:
    results = fixtures_log["runs"][0]["results"]
    located = [r for r in results if r["ruleId"] in ("SIG101", "SIG201", "SIG502")]
    assert located
    for result in located:
        [logical] = result["locations"][0]["logicalLocations"]
        assert logical["kind"] == "resource"
        # Image Builder's own findings (SIG502 on a distribution) name the template they are in.
        assert logical["fullyQualifiedName"].startswith(("Microsoft.Compute/galleries", "Microsoft.VirtualMachineImages/imageTemplates"))
        assert logical["fullyQualifiedName"].endswith("/" + logical["name"])


def test_levels_follow_the_finding_not_only_the_rule(run_cli) -> None:
    log = sarif(run_cli, "fixtures/SIG102/fires-nested-child.json", "--select", "SIG102")
    assert sorted(r["level"] for r in log["runs"][0]["results"]) == ["error", "warning"]


def test_fingerprints_are_unique_within_a_run(fixtures_log: dict) -> None:
    prints = Counter(r["partialFingerprints"][FINGERPRINT] for r in fixtures_log["runs"][0]["results"])
    assert [p for p, n in prints.items() if n > 1] == []


def test_distinct_findings_get_distinct_fingerprints_without_numbering(run_cli) -> None:
    """Findings of one rule in one resource at different properties differ by content, not by the
    `:2` numbering that only separates true repeats."""
    for fixture, rule_id, count in (
        ("fixtures/SIG202/fires-display-and-canonical.json", "SIG202", 3),
        ("fixtures/SIG502/fires-property-too-new.json", "SIG502", 8),
        ("fixtures/SIG004/fires-repeated-property.json", "SIG004", 5),
    ):
        log = sarif(run_cli, fixture, "--select", rule_id)
        prints = [r["partialFingerprints"][FINGERPRINT] for r in log["runs"][0]["results"]]
        assert len(prints) == count and len(set(prints)) == count, fixture
        assert not any(":" in p for p in prints), fixture


def _shifted(text: str) -> str:
    """The same template with blank lines and comments inserted: every line moves down."""
    first, rest = text.split("\n", 1)
    return first + "\n\n\n  // inserted\n\n" + rest.replace("\n  \"resources\"", "\n\n  // moved\n  \"resources\"", 1)


STABLE = [
    "fixtures/SIG101/fires-hyphen.json",
    "fixtures/SIG104/fires-beyond-int32.json",
    "fixtures/SIG201/fires-nested-template-and-symbolic-names.json",
    "fixtures/SIG202/fires-display-and-canonical.json",
    "fixtures/SIG207/fires-several-regions.json",
    "fixtures/SIG301/fires-declared-disk-and-snapshot.json",
    "fixtures/SIG502/fires-property-too-new.json",
    "fixtures/SIG004/fires-repeated-property.json",
]


@pytest.mark.parametrize("fixture", STABLE)
def test_fingerprints_survive_line_shifts(run_cli, tmp_path: Path, fixture: str) -> None:
    text = (REPO / fixture).read_text(encoding="utf-8")
    # One file, edited between the two runs: as in a repository, where the path stays.
    path = tmp_path / "template.json"

    def results(content: str) -> list[dict]:
        path.write_text(content, encoding="utf-8")
        return sarif(run_cli, str(path), *ALL)["runs"][0]["results"]

    old, new = results(text), results(_shifted(text))
    assert len(old) == len(new) > 0
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in new] != [
        r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in old
    ]
    moved = {r["partialFingerprints"][FINGERPRINT] for r in new}
    kept = {r["partialFingerprints"][FINGERPRINT] for r in old}
    lost = [(r["ruleId"], r["message"]["text"]) for r in old if r["partialFingerprints"][FINGERPRINT] not in moved]
    assert moved == kept, f"fingerprints changed with the line numbers: {lost}"


def test_fingerprints_differ_between_resources_and_rules(run_cli, tmp_path: Path) -> None:
    log = sarif(run_cli, "fixtures/SIG101/fires-hyphen.json", "fixtures/SIG103/fires-image-versions.json", *ALL)
    by_key: dict[str, set[tuple]] = {}
    for r in log["runs"][0]["results"]:
        logical = r["locations"][0].get("logicalLocations", [{}])[0].get("fullyQualifiedName")
        by_key.setdefault(r["partialFingerprints"][FINGERPRINT].split(":")[0], set()).add((r["ruleId"], logical))
    assert all(len(keys) == 1 for keys in by_key.values()), [k for k in by_key.values() if len(k) > 1]


def test_suppressed_findings_stay_in_a_valid_log(run_cli, tmp_path: Path) -> None:
    text = (REPO / "fixtures/SIG101/fires-hyphen.json").read_text(encoding="utf-8")
    text = text.replace('"contoso-images", // expect: SIG101', '"contoso-images", // sigcheck-disable-line SIG101 -- legacy name, kept for consumers')
    (tmp_path / "t.json").write_text(text, encoding="utf-8")
    log = sarif(run_cli, str(tmp_path / "t.json"), "--select", "SIG101")
    validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == 2
    suppressed = [r for r in results if r.get("suppressions")]
    assert len(suppressed) == 1
    [suppression] = suppressed[0]["suppressions"]
    assert suppression["kind"] == "inSource"
    assert suppression["justification"] == "legacy name, kept for consumers"
    assert re.search("contoso-images", suppressed[0]["message"]["text"])
