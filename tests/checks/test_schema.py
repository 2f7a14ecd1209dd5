"""SIG308 and SIG601–SIG603: the body of a resource read against the schema of its API version."""

from __future__ import annotations

from lint_text import lint, messages, template

from sigcheck.model.findings import Severity

SOURCE = {"id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/base"}


def version(api: str = "2024-03-03", **properties: object) -> dict:
    body = {"publishingProfile": {"targetRegions": [{"name": "westeurope"}]}, "storageProfile": {"source": SOURCE}}
    body.update(properties)
    return {"type": "Microsoft.Compute/galleries/images/versions", "apiVersion": api, "name": "g/d/1.0.0",
            "location": "westeurope", "properties": body}


def definition(api: str = "2024-03-03", **properties: object) -> dict:
    body = {"osType": "Linux", "osState": "Generalized", "identifier": {"publisher": "p", "offer": "o", "sku": "s"}}
    body.update(properties)
    return {"type": "Microsoft.Compute/galleries/images", "apiVersion": api, "name": "g/d", "location": "westeurope",
            "properties": body}


def test_property_names_match_ignoring_case_as_arm_does() -> None:
    res = definition(OSTYPE="Linux")
    del res["properties"]["osType"]
    res["properties"]["OsState"] = res["properties"].pop("osState")
    assert messages(template(res), "SIG601", "SIG603") == []


def test_unknown_property_suggests_the_name_at_that_level() -> None:
    res = version()
    res["properties"]["publishingProfile"]["targetRegions"][0]["regionalExcludeFromLatest"] = True
    [found] = lint(template(res), "SIG603")
    assert "did you mean 'excludeFromLatest'?" in found.message
    assert found.property_path == "properties.publishingProfile.targetRegions[].regionalExcludeFromLatest"


def test_unknown_property_suggestion_names_other_api_versions() -> None:
    # excludeFromLatest exists per region only from 2022-03-03.
    res = version(api="2021-10-01")
    res["properties"]["publishingProfile"]["targetRegions"][0]["regionalExcludeFromLatest"] = True
    [message] = messages(template(res), "SIG603")
    assert "did you mean 'excludeFromLatest' (in other API versions than 2021-10-01)?" in message


def test_misplaced_property_says_where_it_belongs() -> None:
    res = version(targetRegions=[{"name": "uksouth"}])
    [message] = messages(template(res), "SIG603")
    assert message.endswith("it belongs at properties.publishingProfile.targetRegions")


def test_property_of_another_api_version_is_left_to_sig502() -> None:
    res = version(api="2020-09-30")
    res["properties"]["publishingProfile"]["replicationMode"] = "Full"
    assert messages(template(res), "SIG603") == []
    assert [f.rule_id for f in lint(template(res), "SIG502")] == ["SIG502"]


def test_read_only_property_is_sig308_not_sig603() -> None:
    res = version(provisioningState="Succeeded")
    assert [f.rule_id for f in lint(template(res), "SIG308", "SIG603")] == ["SIG308"]


def test_template_keys_and_maps_are_not_properties() -> None:
    res = version()
    res.update({"dependsOn": [], "condition": True, "comments": "x", "tags": {"any-key": "v"}})
    assert messages(template(res), "SIG603", "SIG602") == []


def test_unresolved_values_are_never_validated() -> None:
    res = definition(osType="[parameters('os')]", recommended="[variables('sizes')]")
    text = template(res).replace('"resources"', '"parameters": {"os": {"type": "string"}}, "resources"')
    assert messages(text, "SIG601", "SIG602", "SIG603") == []


def test_property_loop_generates_its_property() -> None:
    res = version()
    profile = res["properties"]["publishingProfile"]
    del profile["targetRegions"]
    profile["copy"] = [{"name": "targetRegions", "count": 1, "input": {"name": "westeurope"}}]
    res["properties"]["storageProfile"] = {"osDiskImage": {"source": {"id": SOURCE["id"]}}}
    assert messages(template(res), "SIG601", "SIG603") == []


def test_casing_only_enum_difference_is_a_warning() -> None:
    [found] = lint(template(definition(osState="generalized")), "SIG602")
    assert found.severity == Severity.WARNING and "'Generalized'" in found.message


def test_enum_value_of_another_api_version_is_left_to_sig502() -> None:
    res = version(api="2023-07-03")
    res["properties"]["publishingProfile"]["storageAccountType"] = "PremiumV2_LRS"
    assert messages(template(res), "SIG602") == []


def test_wrong_type_says_what_was_expected() -> None:
    res = version()
    res["properties"]["publishingProfile"]["excludeFromLatest"] = "false"
    [message] = messages(template(res), "SIG602")
    assert "must be a boolean, not a string ('false'); write false without quotes" in message


def test_required_property_points_at_the_object_it_is_missing_from() -> None:
    res = definition(identifier={"publisher": "p", "offer": "o"})
    text = template(res)
    [found] = lint(text, "SIG601")
    assert "'sku' is required in properties.identifier" in found.message
    assert text.splitlines()[found.span.line - 1].strip().startswith('"identifier"')


def test_a_gallery_may_leave_out_properties_but_a_definition_may_not() -> None:
    gallery = {"type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": "g", "location": "westeurope"}
    assert messages(template(gallery), "SIG601") == []
    bare = definition()
    del bare["properties"]
    assert [m.split(" ")[1] for m in messages(template(bare), "SIG601")] == ["'properties'"]


def test_partial_updates_are_not_missing_anything() -> None:
    http = (
        "PATCH https://management.azure.com/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/g"
        "/images/d/versions/1.0.0?api-version=2024-03-03\nContent-Type: application/json\n\n"
        '{"properties": {"publishingProfile": {"excludeFromLatest": true}}}\n'
    )
    assert messages(http, "SIG601", "SIG303", path="update.http") == []


def test_api_versions_without_a_schema_are_not_judged() -> None:
    res = definition(api="2026-03-03", madeUp=True)
    assert messages(template(res), "SIG601", "SIG602", "SIG603") == []


def test_a_valid_body_does_not_import_jsonschema(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    path = tmp_path / "valid.json"
    path.write_text(template(definition(hyperVGeneration="V2"), version()), encoding="utf-8")
    code = (
        "import sys\nfrom sigcheck.cli import main\n"
        f"main(['check', {str(path)!r}, '--select', 'SIG6'])\n"
        "print('jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"
