"""REST request files (.http/.rest) and REST API examples."""

from __future__ import annotations


import pytest

from sigcheck.inputs.rest import http as rest
from sigcheck.inputs.rest import examples as rest_examples
from sigcheck.inputs.api import LoadOptions, SourceFile
from sigcheck.inputs.recognize import is_rest_example
from sigcheck.inputs.rest import RestExampleLoader, RestFileLoader
from sigcheck.syntax.located import UNKNOWN
from sigcheck.model import resources as m
from conftest import SHARED

CORPUS = SHARED / "corpus" / "rest"

URL = "https://management.azure.com/subscriptions/{{sub}}/resourceGroups/rg/providers/Microsoft.Compute/galleries"


def load_http(text: str, path: str = "req.http"):
    return rest.load(SourceFile(path, text), LoadOptions())


def test_several_requests_variables_and_url_spans() -> None:
    text = (
        "@sub = 0000\n@loc = West US 2\n@g = myGallery\n"
        "### first\n"
        f"PUT {URL}/{{{{g}}}}/images/déf/versions/1.0.0?api-version=2022-03-03\n"
        "Content-Type: application/json\n\n"
        '{\n  "location": "{{loc}}",\n  "properties": {"publishingProfile": {"targetRegions": [{"name": "eastus"}]}}\n}\n'
        "###\n"
        f"GET {URL}/other?api-version=2022-03-03\n"
        "###\n"
        f"PATCH {URL}/second?api-version=2019-03-01 # a comment\n\n"
        '{"properties": {}}\n'
    )
    result = load_http(text)
    assert not result.findings
    version, gallery = result.resources
    assert isinstance(version, m.ImageVersion) and isinstance(gallery, m.Gallery)
    names = [n.value for n in version.names]
    assert names == ["myGallery", "déf", "1.0.0"]
    # `{{g}}` is located at the reference; the non-ASCII name at its characters.
    line5 = text.splitlines()[4]
    assert version.names[0].span.line == 5 and version.names[0].span.column == line5.index("{{g}}") + 1
    assert version.names[1].span.column == line5.index("déf") + 1 and version.names[1].span.end_column == line5.index("déf") + 4
    assert version.api_version.value == "2022-03-03"
    assert version.api_version.span.column == line5.index("2022-03-03") + 1
    assert version.location.value == "West US 2" and version.location.span.line == 9
    assert "{{loc}}" in version.location.origin
    assert gallery.partial and gallery.location.value is UNKNOWN
    assert gallery.api_version.value == "2019-03-01"
    assert any("# a comment" in c[1] for c in result.comments)


def test_unresolved_variables_are_unknown_not_errors() -> None:
    text = f"PUT {URL}/{{{{name}}}}/images/d?api-version={{{{api}}}}\n\n" '{"location": "eastus", "properties": {"osType": {{os}}}}\n'
    result = load_http(text)
    assert not result.findings
    [definition] = result.resources
    assert definition.names[0].value is UNKNOWN and definition.api_version.value is UNKNOWN
    assert definition.os_type.value is UNKNOWN


def test_query_on_following_line_and_bad_json() -> None:
    text = f"PUT {URL}/g\n    ?api-version=2024-03-03\n\n" '{"location": "eastus",, }\n'
    result = load_http(text)
    [finding] = result.findings
    assert finding.rule_id == "SIG001" and finding.span.line == 4
    assert not result.resources


def test_body_from_file_and_non_gallery_urls() -> None:
    text = f"PUT {URL}/g?api-version=2024-03-03\n\n< ./gallery.json\n###\nPUT https://example.com/galleries/x\n\n{{}}\n"
    result = load_http(text)
    [gallery] = result.resources
    assert gallery.body is None and gallery.names[0].value == "g"


def test_claims() -> None:
    loader = RestFileLoader()
    assert loader.claims("a.http", f"PUT {URL}/g")
    assert loader.claims("a.rest", "")
    assert not loader.claims("a.http", "GET https://example.com/")
    assert not loader.claims("a.json", f"PUT {URL}/g")


# -- REST API examples ---------------------------------------------------------------------

EXAMPLE = """{
  "parameters": {
    "subscriptionId": "{subscription-id}",
    "resourceGroupName": "myResourceGroup",
    "version": "2025-03-03",
    "galleryName": "myGalleryName",
    "galleryImageName": "myGalleryImageName",
    "galleryImageVersionName": "1.0.0",
    "galleryImageVersion": {
      "location": "West US",
      "properties": {"publishingProfile": {"targetRegions": [{"name": "West US"}]}}
    }
  },
  "responses": {
    "200": {"body": {"name": "1.0.0", "location": "West US", "properties": {"provisioningState": "Succeeded"}}},
    "201": {"body": {"name": "1.0.0", "location": "West US", "properties": {}}}
  }
}
"""


def test_example_request_and_responses() -> None:
    result = rest_examples.load(SourceFile("GalleryImageVersion_Create.json", EXAMPLE), LoadOptions())
    request, *responses = result.resources
    assert not request.is_response and all(r.is_response for r in responses) and len(responses) == 2
    assert [n.value for n in request.names] == ["myGalleryName", "myGalleryImageName", "1.0.0"]
    # "version" instead of "api-version": taken as the API version, located at its value.
    assert request.api_version.value == "2025-03-03" and request.api_version.span.line == 5
    assert request.names[0].span.line == 6


def test_get_examples_read_only_responses() -> None:
    result = rest_examples.load(SourceFile("GetAGalleryImageVersion.json", EXAMPLE), LoadOptions())
    assert result.resources and all(r.is_response for r in result.resources)


def test_example_detection_does_not_overlap_arm() -> None:
    from sigcheck.inputs.arm.loader import ArmLoader

    assert RestExampleLoader().priority < ArmLoader().priority
    assert is_rest_example("x.json", EXAMPLE)
    template = '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "parameters": {"galleryName": {}}, "resources": []}'
    assert not is_rest_example("t.json", template)
    assert not is_rest_example("package.json", '{"name": "x"}')


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus not present")
def test_every_corpus_example_is_claimed_and_loads() -> None:
    files = sorted(p for p in CORPUS.rglob("*.json"))
    assert len(files) >= 100
    requests = 0
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        assert is_rest_example(str(path), text), path.name
        result = rest_examples.load(SourceFile(path.name, text), LoadOptions())
        assert not any(f.rule_id == "SIG001" for f in result.findings), path.name
        requests += sum(not r.is_response for r in result.resources)
    assert requests >= 60
