"""SIG701–SIG703: identities across files, end-of-life dates, recommended ranges."""

from __future__ import annotations

import datetime as _dt
import json

import pytest
from lint_text import TODAY, messages, template

from sigcheck.checks.lifecycle import parse_end_of_life
from sigcheck.engine.run import Engine, Options
from sigcheck.engine.registry import default_registry


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2027-12-31", _dt.date(2027, 12, 31)),
        ("2027-12-31T12:59:59Z", _dt.date(2027, 12, 31)),
        ("2027-12-31T23:30:00-02:00", _dt.date(2028, 1, 1)),  # compared in UTC
        ("2027-12-31T00:00:00.0000000+00:00", _dt.date(2027, 12, 31)),
        ("31/12/2027", None),
        ("2027-13-01", None),
        ("next year", None),
        ("", None),
    ],
)
def test_parse_end_of_life(text: str, date: _dt.date | None) -> None:
    assert parse_end_of_life(text) == date


def definition(gallery: str, name: str, sku: str, publisher: str = "Contoso") -> dict:
    return {
        "type": "Microsoft.Compute/galleries/images", "apiVersion": "2024-03-03", "name": f"{gallery}/{name}",
        "location": "westeurope",
        "properties": {"osType": "Linux", "osState": "Generalized",
                       "identifier": {"publisher": publisher, "offer": "Ubuntu", "sku": sku}},
    }


def run_files(tmp_path, files: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    engine = Engine(default_registry(), Options(select=["SIG701"], today=TODAY))
    result = engine.run([str(tmp_path / name) for name in sorted(files)])
    return [f"{f.span.path.rsplit('/', 1)[-1]}:{f.span.line} {f.message}" for f in result.findings]


def test_duplicate_identity_across_files_names_the_first(tmp_path) -> None:  # type: ignore[no-untyped-def]
    found = run_files(tmp_path, {
        "a.json": template(definition("g701", "ubuntu", "22_04")),
        "b.json": template(definition("G701", "ubuntu-copy", "22_04", publisher="CONTOSO")),
    })
    assert len(found) == 1 and found[0].startswith("b.json:") and "as 'ubuntu' (" in found[0] and "a.json:" in found[0]


def test_same_definition_declared_twice_is_an_update_not_a_duplicate(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert run_files(tmp_path, {
        "a.json": template(definition("g701", "ubuntu", "22_04")),
        "b.json": template(definition("g701", "Ubuntu", "22_04")),
    }) == []


def test_rest_examples_stand_alone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    def example(name: str) -> str:
        body = definition("g", name, "22_04")
        return json.dumps({
            "parameters": {"subscriptionId": "{subscription-id}", "resourceGroupName": "rg", "api-version": "2024-03-03",
                           "galleryName": "myGalleryName", "galleryImageName": name,
                           "galleryImage": {"location": "West US", "properties": body["properties"]}},
            "responses": {"201": {"body": {}}},
        })
    assert run_files(tmp_path, {"GalleryImage_Create.json": example("one"), "GalleryImage_Create2.json": example("two")}) == []


def test_recommended_range_compares_numbers_written_as_strings() -> None:
    res = definition("g703", "d", "s")
    res["properties"]["recommended"] = {"vCPUs": {"min": "8", "max": "4"}, "memory": {"min": 4, "max": "[parameters('m')]"}}
    text = template(res).replace('"resources"', '"parameters": {"m": {"type": "int"}}, "resources"')
    assert [m.split(" (line")[0] for m in messages(text, "SIG703")] == ["SIG703 recommended vCPUs min 8 is greater than max 4"]
