"""SIG306–SIG307: encryption region by region, and where it is not supported."""

from __future__ import annotations

import json

from lint_text import messages, template

SUB = "/subscriptions/0/resourceGroups/rg/providers"
DES = f"{SUB}/Microsoft.Compute/diskEncryptionSets/des"


def version(regions: list, storage: dict | None = None, gallery: str = "g306") -> dict:
    return {
        "type": "Microsoft.Compute/galleries/images/versions", "apiVersion": "2024-03-03", "name": f"{gallery}/d/1.0.0",
        "location": "westeurope",
        "properties": {
            "publishingProfile": {"targetRegions": regions},
            "storageProfile": storage or {"source": {"id": f"{SUB}/Microsoft.Compute/images/base"}},
        },
    }


def encrypted(name: str, *luns: int) -> dict:
    return {"name": name, "encryption": {"osDiskImage": {"diskEncryptionSetId": DES},
                                         "dataDiskImages": [{"lun": n, "diskEncryptionSetId": DES} for n in luns]}}


def test_luns_are_not_judged_when_the_disks_come_from_a_managed_image() -> None:
    assert messages(template(version([encrypted("westeurope", 7), encrypted("northeurope", 7)])), "SIG306") == []


def test_luns_are_judged_when_the_version_lists_its_disks() -> None:
    storage = {"osDiskImage": {"source": {"id": f"{SUB}/Microsoft.Compute/snapshots/os"}},
               "dataDiskImages": [{"lun": 0, "source": {"id": f"{SUB}/Microsoft.Compute/snapshots/data"}}]}
    found = messages(template(version([encrypted("westeurope", 0, 7), encrypted("northeurope", 0, 7)], storage)), "SIG306")
    assert len(found) == 2 and all("LUN 7, which is not a data disk" in m for m in found)


def test_an_unresolved_encryption_is_not_a_missing_one() -> None:
    text = template(version([encrypted("westeurope"), {"name": "northeurope", "encryption": "[parameters('e')]"}]))
    text = text.replace('"resources"', '"parameters": {"e": {"type": "object"}}, "resources"')
    assert messages(text, "SIG306") == []


def test_rest_examples_do_not_borrow_galleries_from_other_examples(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from lint_text import TODAY

    from sigcheck.engine.run import Engine, Options
    from sigcheck.engine.registry import default_registry

    gallery = {"parameters": {"subscriptionId": "s", "resourceGroupName": "rg", "api-version": "2024-03-03",
                              "galleryName": "myGalleryName",
                              "gallery": {"location": "West US", "properties": {"sharingProfile": {"permissions": "Community"}}}},
               "responses": {"201": {"body": {}}}}
    body = version([encrypted("West US")])
    image = {"parameters": {"subscriptionId": "s", "resourceGroupName": "rg", "api-version": "2024-03-03",
                            "galleryName": "myGalleryName", "galleryImageName": "d", "galleryImageVersionName": "1.0.0",
                            "galleryImageVersion": {"location": "West US", "properties": body["properties"]}},
             "responses": {"201": {"body": {}}}}
    (tmp_path / "Gallery_Create.json").write_text(json.dumps(gallery), encoding="utf-8")
    (tmp_path / "GalleryImageVersion_Create.json").write_text(json.dumps(image), encoding="utf-8")
    engine = Engine(default_registry(), Options(select=["SIG307"], today=TODAY))
    result = engine.run([str(tmp_path)])
    assert result.resources_checked == 2 and result.findings == []
    # The same two resources in templates checked together do belong together.
    gallery_template = template({"type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": "myGalleryName",
                                 "location": "westus", "properties": {"sharingProfile": {"permissions": "Community"}}})
    (tmp_path / "Gallery_Create.json").write_text(gallery_template, encoding="utf-8")
    (tmp_path / "GalleryImageVersion_Create.json").write_text(template(version([encrypted("westus")], gallery="myGalleryName")), encoding="utf-8")
    engine = Engine(default_registry(), Options(select=["SIG307"], today=TODAY))
    assert [f.rule_id for f in engine.run([str(tmp_path)]).findings] == ["SIG307"]
