"""The shared half of command binding: the same command written for az and for Az.Compute
yields the same body, names and SIG003 handling, because one binder reads both tables."""

from __future__ import annotations

from sigcheck.engine.registry import default_registry
from sigcheck.engine.run import Engine, Options
from sigcheck.model import resources as m

AZ = """az sig image-definition create -g rg -r gal -i img --publisher P --offer O --sku S \\
  --os-type Linux --hyper-v-generation V2 --location westus2
"""
PS = """New-AzGalleryImageDefinition -ResourceGroupName rg -GalleryName gal -Name img -Publisher P -Offer O -Sku S `
  -OsType Linux -OsState Generalized -HyperVGeneration V2 -Location westus2
"""


def _definition(path: str, text: str) -> m.ImageDefinition:
    engine = Engine(default_registry(), Options())
    loaded = engine.load_text(path, text)
    assert loaded is not None and not engine.internal_errors
    (resource,) = loaded.resources
    assert isinstance(resource, m.ImageDefinition)
    return resource


def test_both_tools_bind_the_same_body() -> None:
    az, ps = _definition("a.azcli", AZ), _definition("a.ps1", PS)
    assert [n.value for n in az.names] == [n.value for n in ps.names] == ["gal", "img"]
    for field in ("publisher", "offer", "sku", "os_type", "hyper_v_generation", "location"):
        a, p = getattr(az, field), getattr(ps, field)
        assert a is not None and p is not None and a.value == p.value, field
    # Each tool adds its default security type to a V2 definition that states none (domain §3).
    az_security, ps_security = az.feature("SecurityType"), ps.feature("SecurityType")
    assert az_security is not None and ps_security is not None
    assert az_security.value is not None and az_security.value.value == "TrustedLaunchSupported"
    assert ps_security.value is not None and ps_security.value.value == "TrustedLaunchSupported"
    assert az_security.value.origin is not None and az_security.value.origin.startswith("az CLI")
    assert ps_security.value.origin is not None and ps_security.value.origin.startswith("Az.Compute")


def test_a_value_points_at_the_token_in_either_tool() -> None:
    az, ps = _definition("a.azcli", AZ), _definition("a.ps1", PS)
    az_column = AZ.index("--publisher P") + len("--publisher ") + 1
    ps_column = PS.index("-Publisher P") + len("-Publisher ") + 1
    assert az.publisher is not None and (az.publisher.span.line, az.publisher.span.column) == (1, az_column)
    assert ps.publisher is not None and (ps.publisher.span.line, ps.publisher.span.column) == (1, ps_column)
