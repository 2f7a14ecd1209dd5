"""What the scripts that write a generated file share: write it only when its text changes, and say
which happened (a `make docs` run lists what it touched)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def write_if_changed(target: Path, text: str) -> int:
    """Write `text` to `target` unless it already holds exactly that; 0, for the script's exit."""
    if target.exists() and target.read_text(encoding="utf-8") == text:
        print(f"unchanged  {target.relative_to(REPO)}")
    else:
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target.relative_to(REPO)}")
    return 0
