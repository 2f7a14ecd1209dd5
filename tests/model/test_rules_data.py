"""Checks of the fact data under rules/ (hand-kept and generated)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "rules"
SHARED = REPO.parent / "shared"
GENERATOR = REPO / "scripts" / "gen_schema_data.py"

ALL_JSON = sorted(RULES.rglob("*.json"))
SCHEMA_FILES = sorted((RULES / "api" / "schemas").glob("*.json"))

IMG = "Microsoft.Compute/galleries/images"
VER = "Microsoft.Compute/galleries/images/versions"
GAL = "Microsoft.Compute/galleries"
APP = "Microsoft.Compute/galleries/applications"
APPVER = "Microsoft.Compute/galleries/applications/versions"
GALLERY_TYPES = (GAL, IMG, VER, APP, APPVER)


def load(rel: str) -> Any:
    return json.loads((RULES / rel).read_text(encoding="utf-8"))


def normalize_region(text: str) -> str:
    """domain.md §6.1: lower-case, spaces removed."""
    return text.replace(" ", "").lower()


@pytest.fixture(scope="module")
def matrix() -> dict[str, Any]:
    return load("api/matrix.json")


def versions_from(matrix: dict[str, Any], first: str, last: str | None = None) -> list[str]:
    return [v for v in matrix["api_versions"] if v >= first and (last is None or v <= last)]


# --- every file -------------------------------------------------------------------------------

def test_expected_files_exist() -> None:
    names = {p.relative_to(RULES).as_posix() for p in ALL_JSON}
    for expected in ("regions.json", "names.json", "api_versions.json", "limits.json",
                     "features.json", "enums.json", "api/matrix.json"):
        assert expected in names
    assert len(SCHEMA_FILES) >= 14


@pytest.mark.parametrize("path", ALL_JSON, ids=lambda p: p.relative_to(RULES).as_posix())
def test_json_file_has_meta(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    meta = doc.get("_meta")
    assert isinstance(meta, dict)
    assert isinstance(meta.get("source"), str) and meta["source"].strip()
    retrieved = meta.get("retrieved")
    assert isinstance(retrieved, str)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}|[0-9a-f]{40}", retrieved), retrieved
    if "generated_by" in meta:
        assert (REPO / meta["generated_by"]).is_file()
    if path.parent.name in ("api", "schemas"):
        assert meta.get("generated_by") == "scripts/gen_schema_data.py"


@pytest.mark.parametrize("path", ALL_JSON, ids=lambda p: p.relative_to(RULES).as_posix())
def test_json_file_is_deterministic(path: Path) -> None:
    """Sorted keys, so that regeneration and hand edits give clean diffs."""
    text = path.read_text(encoding="utf-8")
    doc = json.loads(text)
    if path.parent.name in ("api", "schemas"):
        expected = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    else:
        expected = json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    assert text == expected


# --- regions.json -----------------------------------------------------------------------------

def test_regions_normalise_uniquely() -> None:
    doc = load("regions.json")
    regions = doc["regions"]
    seen: dict[str, str] = {}
    for name, region in regions.items():
        assert name == normalize_region(name)
        assert normalize_region(region["display_name"]) == name
        for form in (name, region["display_name"]):
            key = normalize_region(form)
            assert seen.setdefault(key, name) == name
    others = set(doc["logical_names"]) | set(doc["referenced_elsewhere"])
    assert not others & set(regions)
    assert set(doc["logical_names"]).isdisjoint(doc["referenced_elsewhere"])
    for name in others:
        assert name == normalize_region(name)


def test_region_facts() -> None:
    doc = load("regions.json")
    regions = doc["regions"]
    clouds = set(doc["clouds"]) | {None}
    for name, region in regions.items():
        assert region["cloud"] in clouds, name
        assert region["zones"] in (True, False, None), name
        assert region["test"] in (None, "canary", "stage"), name
        assert region["source"] and all(s in doc["_meta"]["sources"] for s in region["source"])
        if region["paired"] is not None:
            assert region["paired"] in regions or region["paired"] in doc["referenced_elsewhere"]
    assert sum(r["cloud"] == "public" for r in regions.values()) == 62  # domain.md §6.2 table
    assert {n for n, r in regions.items() if r["restricted"]} == {"australiacentral", "australiacentral2"}
    assert {n: r["test"] for n, r in regions.items() if r["test"]} == {
        "centraluseuap": "canary", "eastus2euap": "canary", "eastusstg": "stage", "southcentralusstg": "stage"}
    assert {n: r["retired"] for n, r in regions.items() if r["retired"]} == {
        "chinanorth": "2026-07-01", "chinaeast": "2026-07-01"}
    assert {n for n, r in regions.items() if r["legacy"]} == {"germanycentral", "germanynortheast", "usgoviowa"}
    assert regions["westus"]["zones"] is False and regions["westus2"]["zones"] is True
    assert regions["usgovvirginia"]["zones"] is True and regions["chinanorth3"]["zones"] is True
    assert regions["usgovtexas"]["zones"] is None
    assert "europe" in doc["logical_names"] and "global" in doc["logical_names"]


# --- names.json -------------------------------------------------------------------------------

def test_name_patterns() -> None:
    doc = load("names.json")
    res = doc["resources"]

    def ok(rtype: str, name: str, level: str = "error") -> bool:
        return re.fullmatch(res[rtype][level]["pattern"], name) is not None

    assert ok(GAL, "my.gallery_1") and not ok(GAL, "my-gallery") and not ok(GAL, "_g") and not ok(GAL, "g.")
    assert ok(GAL, "a" * 80) and not ok(GAL, "a" * 81)
    assert ok(IMG, "ubuntu-22.04_gen2") and ok(IMG, "def_") and not ok(IMG, "def-") and not ok(IMG, "def.")
    assert not ok(IMG, "-def") and not ok(IMG, "a" * 81)
    assert ok(VER, "1.0.0") and not ok(VER, "1.0") and not ok(VER, "v1.0.0") and not ok(VER, "1.0.0\n")
    assert not ok(VER, "1.٠.0")  # Arabic-Indic digit
    assert doc["resources"][VER]["error"]["component_max"] == doc["int32_max"] == 2147483647
    assert ok(APP, "a" * 117) and not ok(APP, "a" * 118) and not ok(APP, "app.")
    assert ok(APP, "a" * 80, "warning") and not ok(APP, "a" * 81, "warning")
    ident = doc["image_identifier"]
    for field, length in (("publisher", 128), ("offer", 64), ("sku", 64)):
        pattern = ident[field]["pattern"]
        assert ident[field]["max_length"] == length
        assert re.fullmatch(pattern, "a" * length) and not re.fullmatch(pattern, "a" * (length + 1))
        assert not re.fullmatch(pattern, "") and not re.fullmatch(pattern, "abc.")
        assert re.fullmatch(pattern, "Canonical_-.x")


# --- api_versions.json ------------------------------------------------------------------------

def test_api_versions_agree_with_matrix(matrix: dict[str, Any]) -> None:
    doc = load("api_versions.json")
    listed = [v["version"] for v in doc["gallery_api_versions"]]
    assert listed == sorted(listed)
    assert [v["version"] for v in doc["gallery_api_versions"] if v["in_arm_schemas"]] == matrix["api_versions"]
    assert doc["first_gallery_api_version"] == listed[0] == "2018-06-01"
    assert doc["latest_known_gallery_api_version"] == listed[-1] == "2026-03-03"
    assert doc["consumer_min_api_version"]["min"] == "2018-04-01"
    az = doc["tool_api_versions"]["az"]
    assert az["sig create"] == "2026-03-03"
    assert az["sig image-version create"] == "2024-03-03"
    assert az["sig gallery-application create"] == "2021-07-01"
    assert az["sig gallery-application version create"] == "2022-01-03"
    for cmd, version in az.items():
        if not cmd.startswith("_") and version is not None:
            assert version in listed, cmd


# --- limits.json, features.json, enums.json ---------------------------------------------------

def test_limits() -> None:
    doc = load("limits.json")
    assert (doc["image_version_replicas"]["min"], doc["image_version_replicas"]["max"],
            doc["image_version_replicas"]["warn_above"]) == (1, 100, 50)
    assert (doc["application_version_replicas"]["error_above"],
            doc["application_version_replicas"]["warn_above"]) == (10, 3)
    assert doc["data_disk_max_gb"]["value"] == 1024
    assert doc["shallow_replication"]["max_image_size_gb"] == 32 * 1024


def test_features() -> None:
    doc = load("features.json")
    features = doc["features"]
    security = features["SecurityType"]["values"]
    assert set(doc["private_only_security_types"]) == {
        v for v, info in security.items() if info["galleries"] == ["Private"]}
    assert set(doc["gen2_exempt_security_types"]) == {v for v, info in security.items() if not info["requires_gen2"]}
    for wrong, right in doc["misspellings"].items():
        assert right in features and wrong not in features
    lowered = [n.lower() for n in list(features) + list(doc["unknown_but_seen"])]
    assert len(lowered) == len(set(lowered))
    for feature in features.values():
        spellings = [v.lower() for v in feature["values"]]
        assert len(spellings) == len(set(spellings))


def test_enums_agree_with_matrix(matrix: dict[str, Any]) -> None:
    """The readable ranges of enums.json repeat the generated matrix; keep them in step."""
    doc = load("enums.json")
    all_versions = matrix["api_versions"]
    for key, entry in doc["values"].items():
        paths = entry.get("paths")
        if paths is None:
            continue  # value sets that are not body properties (sharing operations, $expand)
        if isinstance(paths, dict):
            pairs = list(paths.items())
        else:
            types = entry.get("types", GALLERY_TYPES)
            pairs = [(t, p) for t in types for p in paths if p in matrix["types"][t]["paths"]]
        assert pairs, key
        for rtype, path in pairs:
            enum = matrix["types"][rtype]["enums"].get(path)
            assert enum is not None, (key, rtype, path)
            for version in matrix["types"][rtype]["api_versions"]:
                in_schema = {value for value, vs in enum.items() if version in vs}
                if "ranges" in entry:
                    expected: set[str] = set()
                    for r in entry["ranges"]:
                        if version in versions_from(matrix, r["first"], r["last"]):
                            expected = set(r["values"])
                elif version >= entry.get("first", all_versions[0]):
                    expected = set(entry["values"])
                else:
                    expected = set()
                assert in_schema == expected, (key, rtype, path, version)


def test_read_only_paths_are_not_authorable(matrix: dict[str, Any]) -> None:
    read_only = load("enums.json")["read_only"]
    for rtype in GALLERY_TYPES:
        for path in read_only[rtype]:
            assert path not in matrix["types"][rtype]["paths"], (rtype, path)


# --- api/matrix.json (SIG502) -----------------------------------------------------------------

def test_matrix_spot_checks(matrix: dict[str, Any]) -> None:
    """Against reference/domain.md §2.2 and Appendix A."""
    paths = {t: matrix["types"][t]["paths"] for t in GALLERY_TYPES}
    enums = {t: matrix["types"][t]["enums"] for t in GALLERY_TYPES}
    every = matrix["api_versions"]
    assert every == sorted(every) and every[0] == "2018-06-01"

    assert paths[IMG]["properties.hyperVGeneration"] == versions_from(matrix, "2019-07-01")
    assert paths[IMG]["properties.features"] == versions_from(matrix, "2020-09-30")
    assert paths[IMG]["properties.features[].startsAtVersion"] == versions_from(matrix, "2024-03-03")
    assert paths[IMG]["properties.architecture"] == versions_from(matrix, "2021-10-01")
    for t in (VER, APPVER):
        assert paths[t]["properties.publishingProfile.replicationMode"] == versions_from(matrix, "2021-07-01")
        assert paths[t]["properties.publishingProfile.storageAccountStrategy"] == versions_from(matrix, "2025-03-03")
        assert paths[t]["properties.publishingProfile.targetExtendedLocations"] == versions_from(matrix, "2021-10-01")
        assert paths[t]["properties.publishingProfile.targetRegions[].excludeFromLatest"] == versions_from(
            matrix, "2022-03-03")
        for p in ("properties.publishingProfile.storageAccountType",
                  "properties.publishingProfile.targetRegions[].storageAccountType"):
            assert enums[t][p]["Standard_ZRS"] == versions_from(matrix, "2019-03-01")
            assert enums[t][p]["Premium_LRS"] == versions_from(matrix, "2019-12-01")
            assert enums[t][p]["PremiumV2_LRS"] == versions_from(matrix, "2024-03-03")
            # domain.md §2.2/§3 prose says "2021-10-01 only"; the schema files (and Appendix A)
            # also have it at 2022-01-03. The matrix follows the schema files.
            assert enums[t][p]["StandardSSD_LRS"] == ["2021-10-01", "2022-01-03"]
    assert paths[VER]["properties.publishingProfile.storageAccountType"] == versions_from(matrix, "2019-03-01")
    assert paths[APPVER]["properties.publishingProfile.storageAccountType"] == versions_from(matrix, "2019-03-01")
    assert paths[VER]["properties.storageProfile.source.uri"] == versions_from(matrix, "2020-09-30", "2022-01-03")
    assert paths[VER]["properties.storageProfile"] == versions_from(matrix, "2019-07-01")
    assert paths[VER]["properties.publishingProfile.source.managedImage.id"] == ["2018-06-01", "2019-03-01"]
    assert paths[VER]["properties.storageProfile.source.virtualMachineId"] == versions_from(matrix, "2023-07-03")
    assert paths[VER]["properties.storageProfile.osDiskImage.source.storageAccountId"] == versions_from(
        matrix, "2022-03-03")
    assert paths[VER]["properties.safetyProfile"] == versions_from(matrix, "2022-03-03")
    assert paths[VER]["properties.safetyProfile.blockDeletionBeforeEndOfLife"] == versions_from(matrix, "2024-03-03")
    assert paths[GAL]["identity"] == versions_from(matrix, "2024-03-03")
    assert enums[GAL]["properties.sharingProfile.permissions"]["Community"] == versions_from(matrix, "2022-01-03")
    assert enums[GAL]["properties.sharingProfile.permissions"]["Groups"] == versions_from(matrix, "2020-09-30")
    assert matrix["types"][APP]["api_versions"] == versions_from(matrix, "2019-03-01")
    for t in GALLERY_TYPES:
        for key in ("name", "type", "apiVersion", "dependsOn", "resources"):
            assert key not in paths[t]
        assert "properties" in paths[t] and "location" in paths[t] and "tags" in paths[t]


# --- api/schemas/<api>.json (SIG601-603) ------------------------------------------------------

def type_schema(doc: dict[str, Any], rtype: str) -> dict[str, Any]:
    return dict(doc["types"][rtype], definitions=doc["definitions"])


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.stem)
def test_generated_schemas_are_valid(path: Path, matrix: dict[str, Any]) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["api_version"] == path.stem
    Draft7Validator.check_schema(doc)
    assert set(doc["types"]) == {t for t in GALLERY_TYPES if path.stem in matrix["types"][t]["api_versions"]}
    for rtype in doc["types"]:
        Draft7Validator.check_schema(type_schema(doc, rtype))
    text = json.dumps({k: v for k, v in doc.items() if k != "_meta"})
    assert "definitions.json#/definitions/expression" not in text
    assert not any(isinstance(node.get("description"), str) for node in walk(doc["definitions"]))


def walk(node: Any) -> Any:
    """Every dict inside node."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def errors(api: str, rtype: str, body: dict[str, Any]) -> list[str]:
    doc = load(f"api/schemas/{api}.json")
    return [e.message for e in Draft7Validator(type_schema(doc, rtype)).iter_errors(body)]


def test_generated_schema_validates_bodies() -> None:
    good = {
        "location": "westus",
        "tags": {"a": "b"},
        "properties": {
            "storageProfile": {"source": {"id": "/subscriptions/x/resourceGroups/y/providers/"
                                                "Microsoft.Compute/images/z"}},
            "publishingProfile": {
                "replicationMode": "Shallow",
                "targetRegions": [{"name": "westus", "regionalReplicaCount": 1,
                                   "storageAccountType": "Standard_ZRS"}],
            },
        },
    }
    assert errors("2021-10-01", VER, good) == []
    bad_enum = json.loads(json.dumps(good))
    bad_enum["properties"]["publishingProfile"]["targetRegions"][0]["storageAccountType"] = "PremiumV2_LRS"
    assert any("PremiumV2_LRS" in m for m in errors("2021-10-01", VER, bad_enum))
    assert errors("2024-03-03", VER, bad_enum) == []
    missing = {"properties": {"publishingProfile": {"targetRegions": [{"regionalReplicaCount": 1}]}}}
    messages = errors("2022-03-03", VER, missing)
    assert any("'storageProfile' is a required property" in m for m in messages)
    assert any("'name' is a required property" in m for m in messages)
    image = {"properties": {"osType": "Linux", "osState": "Generalized",
                            "identifier": {"publisher": "p", "offer": "o"}}}
    assert any("'sku' is a required property" in m for m in errors("2022-03-03", IMG, image))
    assert any("is not of type 'integer'" in m for m in errors(
        "2022-03-03", VER, {"properties": {"storageProfile": {}, "publishingProfile": {"replicaCount": "2"}}}))


# --- regeneration -----------------------------------------------------------------------------

def test_generator_reproduces_committed_output(tmp_path: Path) -> None:
    if not (SHARED / "azure-schemas").is_dir():
        pytest.skip(f"{SHARED}/azure-schemas is not available")
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--shared", str(SHARED), "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in tmp_path.rglob("*.json")}
    committed = {p.relative_to(RULES).as_posix(): p.read_bytes() for p in (RULES / "api").rglob("*.json")}
    assert sorted(fresh) == sorted(committed)
    for rel, content in fresh.items():
        assert content == committed[rel], f"{rel} is out of date: run python scripts/gen_schema_data.py"
