"""Write sigcheck/config_schema.json, the JSON Schema editors use for `.sigcheck.yaml` and
`[tool.sigcheck]`, from the pydantic models that validate the configuration (sigcheck.config_model).

Run after changing the models (`make docs` runs it); tests/engine/test_config.py fails when the
file is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "sigcheck" / "config_schema.json"


def render() -> str:
    from sigcheck.config_model import json_schema

    return json.dumps(json_schema(), indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    from generated import write_if_changed

    sys.exit(write_if_changed(TARGET, render()))
