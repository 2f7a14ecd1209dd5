"""Azure Policy's condition language over gallery resources (sigcheck/engine/condition.py): every
operator holds and fails where Azure Policy says, `[*]` outside count means every element, count
with where counts the matching ones, unknown values decide nothing, and findings point at the
field that decided them. The same paths work on ARM, az CLI and PowerShell input."""

from __future__ import annotations

from typing import Any

import pytest

from sigcheck.engine.condition import (
    MAX_DEPTH, ConditionError, Verdict, apply, compile_condition, evaluate, parse_field,
)
from sigcheck.engine.registry import default_registry
from sigcheck.engine.run import Engine, Options
from sigcheck.model import resources as m

VERSION = m.IMAGE_VERSION
DEFINITION = m.IMAGE_DEFINITION
GALLERY = m.GALLERY

TEMPLATE = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "unknownRegion": { "type": "string" }, "unknownRegions": { "type": "array" } },
  "resources": [
    {
      "type": "Microsoft.Compute/galleries",
      "apiVersion": "2024-03-03",
      "name": "condGallery",
      "location": "westeurope",
      "tags": { "Owner": "platform", "cost-center": "4711", "env": "prod" },
      "properties": { "sharingProfile": { "permissions": "Groups" } }
    },
    {
      "type": "Microsoft.Compute/galleries/images",
      "apiVersion": "2024-03-03",
      "name": "condGallery/webTier",
      "location": "westeurope",
      "properties": {
        "osType": "Linux",
        "osState": "Generalized",
        "hyperVGeneration": "V2",
        "features": [ { "name": "SecurityType", "value": "TrustedLaunch" }, { "name": "IsAcceleratedNetworkSupported", "value": "true" } ],
        "recommended": { "vCPUs": { "min": 2, "max": 16 } },
        "identifier": { "publisher": "Contoso", "offer": "WebTier", "sku": "ubuntu-22_04" }
      }
    },
    {
      "type": "Microsoft.Compute/galleries/images/versions",
      "apiVersion": "2024-03-03",
      "name": "condGallery/webTier/1.0.0",
      "location": "westeurope",
      "properties": {
        "publishingProfile": {
          "replicaCount": 2,
          "targetRegions": [
            { "name": "westeurope", "regionalReplicaCount": 3 },
            { "name": "northeurope", "regionalReplicaCount": 1, "excludeFromLatest": true },
            { "name": "[parameters('unknownRegion')]" }
          ]
        },
        "storageProfile": { "source": { "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/images/base" } }
      }
    },
    {
      "type": "Microsoft.Compute/galleries/images/versions",
      "apiVersion": "2024-03-03",
      "name": "condGallery/webTier/2.0.0",
      "location": "westeurope",
      "properties": {
        "publishingProfile": { "targetRegions": "[parameters('unknownRegions')]" },
        "storageProfile": { "source": { "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/images/base" } }
      }
    },
    {
      "type": "Microsoft.Compute/galleries/images/versions",
      "apiVersion": "2024-03-03",
      "name": "condGallery/webTier/3.0.0",
      "location": "westeurope",
      "properties": {
        "publishingProfile": { "targetRegions": [] },
        "storageProfile": { "source": { "id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/images/base" } }
      }
    }
  ]
}
"""


def _load(path: str, text: str) -> list[m.Resource]:
    engine = Engine(default_registry(), Options())
    loaded = engine.load_text(path, text)
    assert loaded is not None and not engine.internal_errors
    return list(loaded.resources)


@pytest.fixture(scope="module")
def arm() -> dict[str, m.Resource]:
    return {res.full_name: res for res in _load("cond.json", TEMPLATE)}


def holds(res: m.Resource, condition: dict[str, Any], types: tuple[str, ...] = (VERSION,)) -> Verdict:
    return evaluate(compile_condition(condition, types), res)


# -- every operator: one case where it holds, one where it does not -------------------------
CASES: list[tuple[str, str, dict[str, Any], bool]] = [
    # (operator, resource, condition, expected)
    ("equals", "condGallery", {"field": "location", "equals": "WestEurope"}, True),
    ("equals", "condGallery", {"field": "location", "equals": "northeurope"}, False),
    ("notEquals", "condGallery", {"field": "name", "notEquals": "otherGallery"}, True),
    ("notEquals", "condGallery", {"field": "name", "notEquals": "CONDGALLERY"}, False),
    ("in", "condGallery", {"field": "properties.sharingProfile.permissions", "in": ["Private", "groups"]}, True),
    ("in", "condGallery", {"field": "properties.sharingProfile.permissions", "in": ["Private"]}, False),
    ("notIn", "condGallery", {"field": "properties.sharingProfile.permissions", "notIn": ["Private"]}, True),
    ("notIn", "condGallery", {"field": "properties.sharingProfile.permissions", "notIn": ["Groups"]}, False),
    ("like", "condGallery", {"field": "name", "like": "cond*"}, True),
    ("like", "condGallery", {"field": "name", "like": "*prod"}, False),
    ("notLike", "condGallery", {"field": "name", "notLike": "*prod"}, True),
    ("notLike", "condGallery", {"field": "name", "notLike": "COND*"}, False),
    ("match", "condGallery/webTier/1.0.0", {"field": "name", "match": "#.#.#"}, True),
    ("match", "condGallery", {"field": "name", "match": "????Gallery"}, True),
    ("match", "condGallery", {"field": "name", "match": "????gallery"}, False),  # match is case-sensitive
    ("notMatch", "condGallery", {"field": "name", "notMatch": "????gallery"}, True),
    ("matchInsensitively", "condGallery", {"field": "name", "matchInsensitively": "????gallery"}, True),
    ("notMatchInsensitively", "condGallery", {"field": "name", "notMatchInsensitively": "????gallery"}, False),
    ("contains", "condGallery", {"field": "name", "contains": "GALL"}, True),
    ("contains", "condGallery", {"field": "name", "contains": "prod"}, False),
    ("notContains", "condGallery", {"field": "name", "notContains": "prod"}, True),
    ("notContains", "condGallery", {"field": "name", "notContains": "gall"}, False),
    ("containsKey", "condGallery", {"field": "tags", "containsKey": "owner"}, True),
    ("notContainsKey", "condGallery", {"field": "tags", "notContainsKey": "owner"}, False),
    ("exists", "condGallery", {"field": "tags['cost-center']", "exists": True}, True),
    ("exists", "condGallery", {"field": "tags.costcenter", "exists": "true"}, False),
    ("exists", "condGallery", {"field": "tags.costcenter", "exists": False}, True),
    ("greater", "condGallery/webTier", {"field": "properties.recommended.vCPUs.max", "greater": 8}, True),
    ("greater", "condGallery/webTier", {"field": "properties.recommended.vCPUs.max", "greater": 16}, False),
    ("greaterOrEquals", "condGallery/webTier", {"field": "properties.recommended.vCPUs.max", "greaterOrEquals": 16}, True),
    ("greaterOrEquals", "condGallery/webTier", {"field": "properties.recommended.vCPUs.min", "greaterOrEquals": 4}, False),
    ("less", "condGallery/webTier", {"field": "properties.recommended.vCPUs.min", "less": 4}, True),
    ("less", "condGallery/webTier", {"field": "properties.recommended.vCPUs.min", "less": 2}, False),
    ("lessOrEquals", "condGallery/webTier", {"field": "properties.recommended.vCPUs.min", "lessOrEquals": 2}, True),
    ("lessOrEquals", "condGallery/webTier", {"field": "properties.recommended.vCPUs.max", "lessOrEquals": 8}, False),
    ("allOf", "condGallery", {"allOf": [{"field": "type", "equals": GALLERY}, {"field": "location", "equals": "westeurope"}]}, True),
    ("allOf", "condGallery", {"allOf": [{"field": "type", "equals": GALLERY}, {"field": "location", "equals": "eastus"}]}, False),
    ("anyOf", "condGallery", {"anyOf": [{"field": "location", "equals": "eastus"}, {"field": "name", "like": "cond*"}]}, True),
    ("anyOf", "condGallery", {"anyOf": [{"field": "location", "equals": "eastus"}, {"field": "name", "like": "x*"}]}, False),
    ("not", "condGallery", {"not": {"field": "location", "equals": "eastus"}}, True),
    ("not", "condGallery", {"not": {"field": "location", "equals": "westeurope"}}, False),
    ("value", "condGallery", {"value": "prod", "in": ["prod", "test"]}, True),
    ("value", "condGallery", {"value": 3, "greater": 5}, False),
]


@pytest.mark.parametrize("operator,name,condition,expected", CASES, ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_operator(arm: dict[str, m.Resource], operator: str, name: str, condition: dict[str, Any], expected: bool) -> None:
    res = arm[name]
    types = {GALLERY: (GALLERY,), DEFINITION: (DEFINITION,), VERSION: (VERSION,)}[res.type_name]
    assert holds(res, condition, types).holds is expected


# -- absent fields behave as Azure Policy's null --------------------------------------------
@pytest.mark.parametrize("operator,argument,expected", [
    ("equals", "x", False), ("notEquals", "x", True), ("in", ["x"], False), ("notIn", ["x"], True),
    ("like", "*", False), ("notLike", "*", True), ("match", "#", False), ("notMatch", "#", True),
    ("contains", "x", False), ("notContains", "x", True), ("exists", True, False), ("exists", False, True),
    ("greater", 1, False), ("less", 1, False),
])
def test_absent_field(arm: dict[str, m.Resource], operator: str, argument: Any, expected: bool) -> None:
    res = arm["condGallery/webTier"]
    assert holds(res, {"field": "properties.eula", operator: argument}, (DEFINITION,)).holds is expected


# -- [*] outside count: every element -------------------------------------------------------
def test_star_holds_only_when_every_element_does(arm: dict[str, m.Resource]) -> None:
    res = arm["condGallery/webTier"]
    every = holds(res, {"field": "properties.features[*].value", "in": ["TrustedLaunch", "true"]}, (DEFINITION,))
    assert every.holds is True
    some = holds(res, {"field": "properties.features[*].value", "equals": "TrustedLaunch"}, (DEFINITION,))
    assert some.holds is False
    # the first offending element decides, and is where `not` reports
    offending = holds(res, {"not": {"field": "properties.features[*].value", "equals": "TrustedLaunch"}}, (DEFINITION,))
    assert offending.holds is True and offending.path == "properties.features[1].value"


def test_star_is_vacuously_true_on_an_empty_array(arm: dict[str, m.Resource]) -> None:
    res = arm["condGallery/webTier/3.0.0"]
    assert holds(res, {"field": "properties.publishingProfile.targetRegions[*].name", "equals": "nowhere"}).holds is True


def test_star_with_an_unknown_element_is_unknown(arm: dict[str, m.Resource]) -> None:
    res = arm["condGallery/webTier/1.0.0"]
    # westeurope and northeurope are in the list; the third region is a parameter without a value
    assert holds(res, {"field": "properties.publishingProfile.targetRegions[*].name", "in": ["westeurope", "northeurope"]}).holds is None
    # ...but an element that is known to fail decides
    assert holds(res, {"field": "properties.publishingProfile.targetRegions[*].name", "equals": "westeurope"}).holds is False


# -- count and where -------------------------------------------------------------------------
def test_count_without_where_counts_elements(arm: dict[str, m.Resource]) -> None:
    res = arm["condGallery/webTier"]
    assert holds(res, {"count": {"field": "properties.features[*]"}, "equals": 2}, (DEFINITION,)).holds is True
    assert holds(res, {"count": {"field": "properties.features[*]"}, "less": 2}, (DEFINITION,)).holds is False


def test_count_where_counts_matching_elements_and_points_at_the_first(arm: dict[str, m.Resource]) -> None:
    res = arm["condGallery/webTier/1.0.0"]
    cond = {"count": {"field": "properties.publishingProfile.targetRegions[*]",
                      "where": {"field": "properties.publishingProfile.targetRegions[*].excludeFromLatest", "equals": True}},
            "greater": 0}
    verdict = holds(res, cond)
    assert verdict.holds is True
    assert verdict.path == "properties.publishingProfile.targetRegions[1].excludeFromLatest"
    assert verdict.where is not None and (verdict.where.line, verdict.where.column) == (38, 86)  # the `true` token


def test_count_where_with_unknown_elements_decides_only_when_every_outcome_agrees(arm: dict[str, m.Resource]) -> None:
    res = arm["condGallery/webTier/1.0.0"]
    field = "properties.publishingProfile.targetRegions[*]"
    name = "properties.publishingProfile.targetRegions[*].name"
    # one known match (westeurope) and one unknown region: 1 or 2 matches
    assert holds(res, {"count": {"field": field, "where": {"field": name, "like": "west*"}}, "greaterOrEquals": 1}).holds is True
    assert holds(res, {"count": {"field": field, "where": {"field": name, "like": "west*"}}, "equals": 1}).holds is None
    assert holds(res, {"count": {"field": field, "where": {"field": name, "like": "west*"}}, "greater": 2}).holds is False


def test_count_where_with_a_nested_logical_condition(arm: dict[str, m.Resource]) -> None:
    res = arm["condGallery/webTier/1.0.0"]
    cond = {"count": {"field": "properties.publishingProfile.targetRegions[*]", "where": {"allOf": [
        {"field": "properties.publishingProfile.targetRegions[*].name", "in": ["westeurope", "northeurope"]},
        {"field": "properties.publishingProfile.targetRegions[*].regionalReplicaCount", "less": 2},
    ]}}, "equals": 1}
    verdict = holds(res, cond)
    assert verdict.holds is True and verdict.path == "properties.publishingProfile.targetRegions[1].regionalReplicaCount"


def test_count_where_can_read_the_resource_outside_the_array(arm: dict[str, m.Resource]) -> None:
    res = arm["condGallery/webTier/1.0.0"]
    cond = {"count": {"field": "properties.publishingProfile.targetRegions[*]", "where": {"allOf": [
        {"field": "properties.publishingProfile.targetRegions[*].name", "equals": "westeurope"},
        {"field": "location", "equals": "westeurope"},
    ]}}, "greaterOrEquals": 1}
    assert holds(res, cond).holds is True


def test_count_of_an_unknown_array_is_unknown(arm: dict[str, m.Resource]) -> None:
    res = arm["condGallery/webTier/2.0.0"]
    assert holds(res, {"count": {"field": "properties.publishingProfile.targetRegions[*]"}, "less": 2}).holds is None
    assert holds(res, {"field": "properties.publishingProfile.targetRegions[*].name", "equals": "x"}).holds is None


def test_count_in_and_not_in(arm: dict[str, m.Resource]) -> None:
    res = arm["condGallery/webTier"]
    assert holds(res, {"count": {"field": "properties.features[*]"}, "in": [1, 2]}, (DEFINITION,)).holds is True
    assert holds(res, {"count": {"field": "properties.features[*]"}, "notIn": [1, 2]}, (DEFINITION,)).holds is False


# -- unknown values in logic -------------------------------------------------------------------
def test_unknown_decides_nothing_unless_the_rest_does(arm: dict[str, m.Resource]) -> None:
    res = arm["condGallery/webTier/1.0.0"]
    unknown = {"field": "properties.publishingProfile.targetRegions[*].name", "in": ["westeurope", "northeurope"]}
    assert holds(res, {"not": unknown}).holds is None
    assert holds(res, {"allOf": [unknown, {"field": "location", "equals": "eastus"}]}).holds is False
    assert holds(res, {"allOf": [unknown, {"field": "location", "equals": "westeurope"}]}).holds is None
    assert holds(res, {"anyOf": [unknown, {"field": "location", "equals": "westeurope"}]}).holds is True
    assert holds(res, {"anyOf": [unknown, {"field": "location", "equals": "eastus"}]}).holds is None


def test_an_undecided_verdict_points_at_the_value_that_left_it_so(arm: dict[str, m.Resource]) -> None:
    """SIG002 lists the value: the first unknown one the verdict depends on."""
    res = arm["condGallery/webTier/1.0.0"]
    name = "properties.publishingProfile.targetRegions[*].name"
    unknown_region = "properties.publishingProfile.targetRegions[2].name"
    cases = [
        {"field": name, "in": ["westeurope", "northeurope"]},  # [*] outside count
        {"not": {"field": name, "in": ["westeurope", "northeurope"]}},
        {"allOf": [{"field": "location", "equals": "westeurope"}, {"field": name, "in": ["westeurope", "northeurope"]}]},
        {"count": {"field": "properties.publishingProfile.targetRegions[*]", "where": {"field": name, "like": "west*"}}, "equals": 1},
    ]
    for cond in cases:
        verdict = holds(res, cond)
        assert verdict.holds is None and verdict.path == unknown_region, cond
        assert verdict.where is not None and verdict.where.line == 39, cond
    unknown_array = holds(arm["condGallery/webTier/2.0.0"], {"count": {"field": "properties.publishingProfile.targetRegions[*]"}, "less": 2})
    assert unknown_array.holds is None and unknown_array.path == "properties.publishingProfile.targetRegions"


def test_where_a_finding_points(arm: dict[str, m.Resource]) -> None:
    gallery = arm["condGallery"]
    verdict = holds(gallery, {"allOf": [{"field": "type", "equals": GALLERY},
                                        {"field": "properties.sharingProfile.permissions", "equals": "Groups"}]}, (GALLERY,))
    assert verdict.where is not None and (verdict.where.line, verdict.where.column) == (12, 58)  # 'Groups'
    # the type is the resource as a whole: any other field is the better place
    verdict = holds(gallery, {"allOf": [{"field": "tags.env", "equals": "prod"}, {"field": "type", "equals": GALLERY}]}, (GALLERY,))
    assert verdict.where is not None and verdict.path == "tags.env"


# -- the same paths on every input kind ----------------------------------------------------------
AZ = """az sig image-version create -g rg -r condCliGallery -i webTier -e 1.0.0 -l westeurope --target-regions westeurope=1 northeurope=2=standard_zrs --managed-image /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/images/base
az sig create -g rg -r condCliGallery -l westeurope --tags owner=platform
"""
PS = """$r1 = @{Name='West Europe';ReplicaCount=1}
$r2 = @{Name='North Europe';ReplicaCount=2;StorageAccountType='Standard_ZRS'}
New-AzGalleryImageVersion -ResourceGroupName rg -GalleryName condPsGallery -GalleryImageDefinitionName webTier -Name 1.0.0 -Location westeurope -TargetRegion @($r1, $r2) -SourceImageId /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/images/base
"""

BASE_IMAGE = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/images/base"
HTTP = f"""PUT https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/galleries/condRestGallery/images/webTier/versions/1.0.0?api-version=2024-03-03
Content-Type: application/json

{{
  "location": "westeurope",
  "properties": {{
    "publishingProfile": {{
      "targetRegions": [
        {{ "name": "westeurope", "regionalReplicaCount": 1 }},
        {{ "name": "northeurope", "regionalReplicaCount": 2, "storageAccountType": "Standard_ZRS" }}
      ]
    }},
    "storageProfile": {{ "source": {{ "id": "{BASE_IMAGE}" }} }}
  }}
}}
"""
BICEP = f"""resource version 'Microsoft.Compute/galleries/images/versions@2024-03-03' = {{
  name: 'condBicepGallery/webTier/1.0.0'
  location: 'westeurope'
  properties: {{
    publishingProfile: {{
      targetRegions: [
        {{
          name: 'westeurope'
          regionalReplicaCount: 1
        }}
        {{
          name: 'northeurope'
          regionalReplicaCount: 2
          storageAccountType: 'Standard_ZRS'
        }}
      ]
    }}
    storageProfile: {{
      source: {{
        id: '{BASE_IMAGE}'
      }}
    }}
  }}
}}
"""
PACKER = """source "azure-arm" "cond" {
  os_type         = "Linux"
  image_publisher = "Canonical"
  image_offer     = "0001-com-ubuntu-server-jammy"
  image_sku       = "22_04-lts-gen2"
  location        = "westeurope"
  shared_image_gallery_destination {
    resource_group = "rg"
    gallery_name   = "condPkGallery"
    image_name     = "webTier"
    image_version  = "1.0.0"
    target_region {
      name     = "westeurope"
      replicas = 1
    }
    target_region {
      name     = "northeurope"
      replicas = 2
    }
  }
}

build {
  sources = ["source.azure-arm.cond"]
}
"""


@pytest.mark.parametrize("path,text", [("cond.azcli", AZ), ("cond.ps1", PS), ("cond.http", HTTP), ("cond.bicep", BICEP)])
def test_script_inputs_answer_the_same_paths(path: str, text: str) -> None:
    version = next(r for r in _load(path, text) if r.type_name == VERSION)
    cond = {"count": {"field": "properties.publishingProfile.targetRegions[*]",
                      "where": {"field": "properties.publishingProfile.targetRegions[*].storageAccountType", "equals": "Standard_ZRS"}},
            "equals": 1}
    verdict = holds(version, cond)
    assert verdict.holds is True and verdict.where is not None and verdict.where.path == path
    assert holds(version, {"field": "location", "equals": "westeurope"}).holds is True
    assert holds(version, {"field": "properties.publishingProfile.targetRegions[*].regionalReplicaCount", "greaterOrEquals": 1}).holds is True


def test_packer_destinations_answer_the_same_paths() -> None:
    """Packer states no storage type per region; the regions, their replicas and the version's
    location are the same paths."""
    version = next(r for r in _load("cond.pkr.hcl", PACKER) if r.type_name == VERSION)
    verdict = holds(version, {"count": {"field": "properties.publishingProfile.targetRegions[*]",
                                        "where": {"field": "properties.publishingProfile.targetRegions[*].regionalReplicaCount",
                                                  "greater": 1}}, "equals": 1})
    assert verdict.holds is True and verdict.where is not None and verdict.where.path == "cond.pkr.hcl"
    assert verdict.where.line == 18  # `replicas = 2`
    assert holds(version, {"field": "location", "equals": "westeurope"}).holds is True
    assert holds(version, {"field": "name", "equals": "1.0.0"}).holds is True
    assert holds(version, {"count": {"field": "properties.publishingProfile.targetRegions[*]"}, "equals": 2}).holds is True


def test_az_tags_are_fields() -> None:
    gallery = next(r for r in _load("cond.azcli", AZ) if r.type_name == GALLERY)
    assert holds(gallery, {"field": "tags.owner", "equals": "platform"}, (GALLERY,)).holds is True
    assert holds(gallery, {"field": "tags['cost-center']", "exists": False}, (GALLERY,)).holds is True


# -- compiling: the user's errors ------------------------------------------------------------
@pytest.mark.parametrize("condition,message,where", [
    ({"field": "name", "equal": "x"}, "unknown operator 'equal' (did you mean 'equals'?)", ("equal",)),
    ({"allOf": [{"field": "name", "like": "x"}, {"fieled": "name", "equals": "x"}]}, "unknown operator 'fieled'", ("allOf", 1, "fieled")),
    ({"field": "properties.publishingProfile.targetRegion[*].name", "equals": "x"},
     "did you mean 'properties.publishingProfile.targetRegions[*].name'", ("field",)),
    ({"field": "properties.osType", "equals": "Linux"}, "no gallery API version defines the field 'properties.osType' for image-version", ("field",)),
    ({"field": "name", "in": "x"}, "'in' takes a list", ("in",)),
    ({"field": "name", "exists": "maybe"}, "'exists' takes true or false", ("exists",)),
    ({"count": {"field": "properties.publishingProfile.targetRegions"}, "equals": 1}, "ends in [*]", ("count", "field")),
    ({"count": {"field": "properties.publishingProfile.targetRegions[*]", "when": {}}, "equals": 1}, "unknown key 'when'", ("count", "when")),
    ({"count": {"field": "properties.publishingProfile.targetRegions[*]"}, "like": "1*"}, "a count is a number", ("like",)),
    ({"field": "name"}, "exactly one operator", ()),
    ({"field": "name", "equals": "a", "notEquals": "b"}, "one operator; found equals, notEquals", ()),
    ({"allOf": []}, "non-empty list", ("allOf",)),
    ({"not": {"field": "name", "equals": "x"}, "field": "name"}, "stands alone", ()),
    ({"field": "name[", "equals": "x"}, "is not a property path", ("field",)),
])
def test_compile_errors(condition: dict[str, Any], message: str, where: tuple[Any, ...]) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_condition(condition, (VERSION,))
    assert message in caught.value.message
    assert caught.value.where == where


def test_depth_is_capped() -> None:
    cond: dict[str, Any] = {"field": "name", "equals": "x"}
    for _ in range(MAX_DEPTH):
        cond = {"not": cond}
    with pytest.raises(ConditionError, match="nests deeper than"):
        compile_condition(cond, (GALLERY,))


def test_a_huge_array_exhausts_the_budget_instead_of_the_machine() -> None:
    regions = ", ".join('{ "name": "westeurope" }' for _ in range(60_000))
    text = TEMPLATE.replace('"targetRegions": [] }', f'"targetRegions": [ {regions} ] }}')
    res = next(r for r in _load("huge.json", text) if r.full_name == "condGallery/webTier/3.0.0")
    cond = {"count": {"field": "properties.publishingProfile.targetRegions[*]",
                      "where": {"field": "properties.publishingProfile.targetRegions[*].name", "equals": "westeurope"}}, "greater": 0}
    verdict = holds(res, cond)
    assert verdict.holds is None and verdict.exhausted and verdict.where is None


def test_field_paths() -> None:
    assert parse_field("tags['cost-center']") == ("tags", "cost-center")
    assert parse_field("properties.features[*].name") == ("properties", "features", "[*]", "name")
    assert parse_field("tags.owner") == ("tags", "owner")
    assert parse_field(".name") is None


def test_apply_compares_numbers_and_dates() -> None:
    assert apply("greater", 3, 2.5) is True
    assert apply("less", "2026-01-01T00:00:00Z", "2027-01-01") is True
    assert apply("greater", "3", 2) is False  # a string is not a number
    assert apply("equals", True, "true") is True


def test_powershell_tags_are_fields() -> None:
    text = "New-AzGallery -ResourceGroupName rg -Name condPsTagGallery -Location westeurope -Tag @{Owner='platform'}\n"
    gallery = next(r for r in _load("tags.ps1", text) if r.type_name == GALLERY)
    verdict = holds(gallery, {"field": "tags.owner", "equals": "platform"}, (GALLERY,))
    assert verdict.holds is True and verdict.where is not None and verdict.where.column == 94  # 'platform'
    unknown = "New-AzGallery -ResourceGroupName rg -Name condPsTagGallery -Location westeurope -Tag $fromElsewhere\n"
    gallery = next(r for r in _load("tags.ps1", unknown) if r.type_name == GALLERY)
    assert holds(gallery, {"field": "tags.owner", "exists": True}, (GALLERY,)).holds is None
