"""The Image Builder normalizer on its own, as the Bicep loader calls it: a located body in,
image versions and Image Builder's own findings out."""

from __future__ import annotations

from sigcheck.inputs.imagebuilder import image_versions
from sigcheck.model import resources as m
from sigcheck.syntax.jsonc import parse
from sigcheck.syntax.located import Located, Span

GID = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/gal/images/img"
TEXT = """{
  "location": "westeurope",
  "properties": {
    "distribute": [
      { "type": "SharedImage", "runOutputName": "a", "galleryImageId": "%s/versions/1.2.3",
        "targetRegions": [{ "name": "westeurope", "replicaCount": 2, "storageAccountType": "Standard_ZRS" }],
        "excludeFromLatest": true },
      { "type": "ManagedImage", "runOutputName": "b", "imageId": "x", "location": "westeurope" },
      { "type": "SharedImage", "runOutputName": "c", "galleryImageId": "%s", "replicationRegions": ["northeurope"],
        "storageAccountType": "Standard_LRS" }
    ]
  }
}""" % (GID, GID)


def _load(api: str = "2024-02-01", known: list[m.Resource] | None = None) -> tuple[list[m.Resource], list]:
    body = parse(TEXT, "t.json").root
    api_version = Located(api, Span("t.json", 1, 1, 1, 1))
    return image_versions(body, api_version, "t.json", body.span, m.DeploymentContext(), known=known or [], template_name="tmpl")


def test_each_shared_image_distribution_is_an_image_version() -> None:
    versions, findings = _load()
    assert findings == []
    assert [type(v) for v in versions] == [m.ImageVersion, m.ImageVersion]
    first, second = versions
    assert isinstance(first, m.ImageVersion) and isinstance(second, m.ImageVersion)
    assert [n.value for n in first.names] == ["gal", "img", "1.2.3"]
    # Each name segment points at its own characters of the id.
    version_name = first.names[2]
    assert (version_name.span.line, version_name.span.end_column - version_name.span.column) == (5, 5)
    assert first.source_kind == "imagebuilder" and first.api_version is None
    regions = first.target_regions or []
    assert [(r.name.value, r.replica_count.value if r.replica_count else None) for r in regions] == [("westeurope", 2)]
    assert regions[0].storage_account_type is not None and regions[0].storage_account_type.value == "Standard_ZRS"
    assert first.exclude_from_latest is not None and first.exclude_from_latest.value is True
    assert not second.names[2].known  # Image Builder numbers it
    assert [r.name.value for r in second.target_regions or []] == ["northeurope"]
    assert second.storage_account_type is not None and second.storage_account_type.value == "Standard_LRS"


def test_version_region_is_its_definitions() -> None:
    definition = m.ImageDefinition(
        source_kind="arm", path="t.json", span=Span("t.json", 30, 1, 30, 2),
        names=[Located("GAL", Span("t.json", 30, 1, 30, 2)), Located("img", Span("t.json", 30, 1, 30, 2))],
        location=Located("northeurope", Span("t.json", 31, 5, 31, 18)),
    )
    versions, _ = _load(known=[definition])
    location = versions[0].location
    assert location is not None and location.value == "northeurope"
    assert location.span.line == 5 and "image definition gal/img" in (location.origin or "")
    unknown, _ = _load()
    assert unknown[0].location is not None and not unknown[0].location.known


def test_constraints_follow_the_api_version() -> None:
    _, findings = _load(api="2021-10-01")
    assert sorted(f.rule_id for f in findings) == ["SIG502", "SIG601"]  # targetRegions too new; replicationRegions required
    _, unknown_api = _load(api="2099-01-01")
    assert unknown_api == []
