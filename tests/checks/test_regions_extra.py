"""SIG002, SIG203, SIG208, SIG209: region lookups and what is reported when values are unknown."""

from __future__ import annotations

import datetime as _dt

from lint_text import messages, template


def version(location: str, *regions: str, name: str = "g208/d/1.0.0") -> dict:
    return {
        "type": "Microsoft.Compute/galleries/images/versions", "apiVersion": "2024-03-03", "name": name, "location": location,
        "properties": {"publishingProfile": {"targetRegions": [{"name": r} for r in regions]},
                       "storageProfile": {"source": {"id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/b"}}},
    }


def test_cross_cloud_without_a_known_source_reports_the_minority_after_the_first() -> None:
    text = template(version("[parameters('l')]", "eastus", "westus", "usgovvirginia"))
    text = text.replace('"resources"', '"parameters": {"l": {"type": "string"}}, "resources"')
    [message] = messages(text, "SIG208")
    assert message.startswith("SIG208 target region 'usgovvirginia' is in Azure Government, but target region 'eastus'")


def test_unknown_regions_belong_to_no_cloud() -> None:
    assert messages(template(version("westeurope", "westeurope", "chinanorth9")), "SIG208") == []


def test_retirement_is_judged_on_the_date_of_the_check() -> None:
    text = template(version("chinanorth2", "chinanorth2", "chinaeast"))
    assert messages(text, "SIG209", today=_dt.date(2026, 6, 30)) == []
    assert len(messages(text, "SIG209", today=_dt.date(2026, 7, 1))) == 1


def test_one_unresolved_name_is_noted_once() -> None:
    res = version("westeurope", "westeurope", name="[format('{0}/d/{1}', parameters('g'), parameters('v'))]")
    text = template(res).replace('"resources"', '"parameters": {"g": {"type": "string"}, "v": {"type": "string"}}, "resources"')
    found = messages(text, "SIG002")
    assert len(found) == 1 and "the name of this image version" in found[0]
