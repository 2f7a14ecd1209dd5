"""The README as a newcomer reads it: the usage block lists every option of `sigcheck check`, and
the install section gives the ways to install just the tool."""

from __future__ import annotations

import re
from pathlib import Path

from sigcheck.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _usage_block() -> str:
    match = re.search(r"## Usage\s*```\n(.*?)```", README, re.S)
    assert match, "README has no usage block"
    return match.group(1)


def test_usage_lists_every_check_option() -> None:
    parser = build_parser()
    check = next(a for a in parser._subparsers._group_actions[0].choices.items() if a[0] == "check")[1]  # type: ignore[union-attr]
    block = _usage_block()
    options = {s for action in check._actions for s in action.option_strings if s not in ("-h", "--help")}
    missing = sorted(o for o in options if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", block))
    assert not missing, f"the README's usage block does not mention {missing}"
    assert "none means '.'" in block
    formats = re.search(r"--format ([a-z|]+)", block)
    assert formats is not None
    from sigcheck.engine.registry import default_registry

    assert set(formats.group(1).split("|")) == set(default_registry().formatters)


def test_install_just_the_tool() -> None:
    section = README[README.index("## Install"):README.index("## Development set-up")]
    assert "pipx install" in section and "pip install" in section and ".whl" in section
