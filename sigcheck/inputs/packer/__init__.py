"""Packer input: HCL2 templates (`.pkr.hcl`, `.pkr.json`, with `.pkrvars.hcl` values) and legacy JSON templates whose
`builders` hold an `azure-arm` builder. Each `azure-arm` source that publishes to a gallery is the
image version Packer will create (sigcheck.inputs.packer.azure_arm)."""

from __future__ import annotations

import re

from sigcheck.hookspecs import hookimpl
from sigcheck.inputs.api import LazyLoader

_JSON_BUILDERS = re.compile(r'"builders"\s*:\s*\[')
_AZURE_ARM = re.compile(r'"type"\s*:\s*"azure-arm"')


def is_packer_json(path: str, text: str) -> bool:
    """A legacy JSON template with an azure-arm builder. Asked before the ARM loader, which must
    never read one (a Packer template has no `resources`/`apiVersion`, but a provisioner may
    mention them)."""
    lowered = path.lower()
    if not lowered.endswith((".json", ".pkr.json")) and not text.lstrip().startswith("{"):
        return False
    if "deploymentTemplate.json" in text[:4096] or "deploymentParameters.json" in text[:4096]:
        return False
    return _JSON_BUILDERS.search(text) is not None and _AZURE_ARM.search(text) is not None


class PackerJsonLoader(LazyLoader):
    name = "packer-json"
    priority = 45
    module = "sigcheck.inputs.packer.legacy_json"

    def claims(self, path: str, text: str) -> bool:
        return is_packer_json(path, text)


class PackerHclLoader(LazyLoader):
    name = "packer-hcl"
    priority = 45
    module = "sigcheck.inputs.packer.hcl2"

    def claims(self, path: str, text: str) -> bool:
        # Variable files hold values, not sources: they are read with the templates beside them.
        lowered = path.lower()
        if lowered.endswith(".pkr.json"):
            return _JSON_BUILDERS.search(text) is None  # HCL2 in JSON, not a legacy template
        return lowered.endswith(".pkr.hcl")


@hookimpl
def sigcheck_loaders() -> list[LazyLoader]:
    return [PackerJsonLoader(), PackerHclLoader()]
