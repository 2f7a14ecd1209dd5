"""Terraform input: `.tf`, `.tf.json` and variable files (azurerm and azapi gallery resources)."""

from __future__ import annotations

from sigcheck.hookspecs import hookimpl
from sigcheck.inputs.api import LazyLoader

CONFIG_SUFFIXES = (".tf", ".tf.json")
VAR_SUFFIXES = (".tfvars", ".tfvars.json")
# A configuration file declares a gallery resource or consumer only if one of these appears in
# it (a local module call can bring one in); the others are read only as siblings of such files.
_MARKERS = ("azurerm_shared_image", "azurerm_gallery_application", "azapi_", "source_image_id", "module")


class TerraformLoader(LazyLoader):
    name = "terraform"
    priority = 30  # before the ARM loader (50), which must not read .tf.json files
    module = "sigcheck.inputs.terraform.loader"

    def claims(self, path: str, text: str) -> bool:
        lowered = path.lower()
        if lowered.endswith(VAR_SUFFIXES):
            return True
        if not lowered.endswith(CONFIG_SUFFIXES):
            return False
        return not text or any(marker in text for marker in _MARKERS)


@hookimpl
def sigcheck_loaders() -> list[LazyLoader]:
    return [TerraformLoader()]
