"""Bicep input: `.bicep` templates and `.bicepparam` parameter files, compiled to located ARM
template values and evaluated by the ARM evaluator. The parser is imported only when a Bicep
file is read."""

from __future__ import annotations

from sigcheck.hookspecs import hookimpl
from sigcheck.inputs.api import LazyLoader

SUFFIXES = (".bicep", ".bicepparam")


class BicepLoader(LazyLoader):
    name = "bicep"
    priority = 40
    module = "sigcheck.inputs.bicep.loader"

    def claims(self, path: str, text: str) -> bool:
        return path.lower().endswith(SUFFIXES)


@hookimpl
def sigcheck_loaders() -> list[BicepLoader]:
    return [BicepLoader()]
