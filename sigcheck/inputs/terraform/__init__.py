"""Terraform input: `.tf`, `.tf.json` and variable files (azurerm and azapi gallery resources)."""

from __future__ import annotations

from sigcheck.hookspecs import hookimpl
from sigcheck.inputs.api import LazyLoader

SUFFIXES = (".tf", ".tf.json", ".tfvars", ".tfvars.json")


class TerraformLoader(LazyLoader):
    name = "terraform"
    priority = 30  # before the ARM loader (50), which must not read .tf.json files
    module = "sigcheck.inputs.terraform.loader"

    def claims(self, path: str, text: str) -> bool:
        return path.lower().endswith(SUFFIXES)


@hookimpl
def sigcheck_loaders() -> list[LazyLoader]:
    return [TerraformLoader()]
