"""Access to the fact data under rules/ (installed as sigcheck.data), loaded once per process."""

from __future__ import annotations

import json
import os
from functools import cache
from typing import Any

import sigcheck.data

_ROOT = os.path.dirname(sigcheck.data.__file__)


@cache
def load(name: str) -> Any:
    """The parsed JSON data file `rules/<name>.json` (name may contain '/')."""
    with open(os.path.join(_ROOT, f"{name}.json"), encoding="utf-8") as handle:
        return json.load(handle)


def section(name: str, *keys: str) -> dict[str, Any]:
    """The JSON object at `keys` inside the data file `rules/<name>.json`, as a typed mapping."""
    found: Any = load(name)
    for key in keys:
        found = found[key]
    if not isinstance(found, dict):
        raise TypeError(f"rules/{name}.json: {'.'.join(keys)} is not an object")
    return found
