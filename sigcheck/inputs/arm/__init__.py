"""ARM input: JSON templates (comments allowed), parameter files, and the evaluator of template
expressions, copy loops, conditions and nested deployments."""

from __future__ import annotations

from sigcheck.hookimpl import hookimpl
from sigcheck.inputs.arm.loader import ArmLoader


@hookimpl
def sigcheck_loaders() -> list[ArmLoader]:
    return [ArmLoader()]
