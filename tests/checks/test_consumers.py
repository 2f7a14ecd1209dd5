"""SIG407, SIG503, SIG704, SIG705: VMs and scale sets judged against the images they use."""

from __future__ import annotations

from lint_text import messages, template


def definition(os_state: str = "Generalized", security: str = "TrustedLaunchSupported") -> dict:
    return {
        "type": "Microsoft.Compute/galleries/images", "apiVersion": "2024-03-03", "name": "g704/d", "location": "westeurope",
        "properties": {"osType": "Linux", "osState": os_state, "hyperVGeneration": "V2",
                       "identifier": {"publisher": "p", "offer": "o", "sku": "s"},
                       "features": [{"name": "SecurityType", "value": security}]},
    }


def vm(image: str = "[resourceId('Microsoft.Compute/galleries/images', 'g704', 'd')]", **properties: object) -> dict:
    body = {"storageProfile": {"imageReference": {"id": image}}}
    body.update(properties)
    return {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2024-07-01", "name": "vm704", "location": "westeurope",
            "properties": body}


def test_an_unresolved_os_profile_may_be_null() -> None:
    text = template(definition("Specialized"), vm(osProfile="[if(parameters('s'), null(), variables('p'))]"))
    text = text.replace('"resources"', '"parameters": {"s": {"type": "bool"}}, "variables": {"p": {}}, "resources"')
    assert messages(text, "SIG704") == []


def test_declarations_that_disagree_are_not_judged() -> None:
    other = definition("Specialized")
    other["apiVersion"] = "2023-07-03"
    assert messages(template(definition("Generalized"), other, vm()), "SIG704") == []


def test_a_json_null_os_profile_is_no_os_profile() -> None:
    assert len(messages(template(definition("Generalized"), vm(osProfile=None)), "SIG704")) == 1


def test_security_type_of_a_scale_set_is_read_from_its_vm_profile() -> None:
    vmss = {
        "type": "Microsoft.Compute/virtualMachineScaleSets", "apiVersion": "2024-07-01", "name": "ss704", "location": "westeurope",
        "properties": {"virtualMachineProfile": {
            "storageProfile": {"imageReference": {"id": "[resourceId('Microsoft.Compute/galleries/images', 'g704', 'd')]"}},
            "securityProfile": {"securityType": "trustedlaunch"},
            "osProfile": {"computerNamePrefix": "web"},
        }},
    }
    assert messages(template(definition(security="TrustedLaunch"), vmss), "SIG407", "SIG704") == []


def test_consumer_api_version_needs_a_gallery_image() -> None:
    old = vm(image="/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/managed", osProfile={})
    old["apiVersion"] = "2017-03-30"
    assert messages(template(definition(), old), "SIG503") == []
    old["properties"]["storageProfile"]["imageReference"]["id"] = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/x/images/y"
    assert len(messages(template(definition(), old), "SIG503")) == 1
