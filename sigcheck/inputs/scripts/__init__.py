"""Script input: az CLI commands in bash/zsh/`.azcli` scripts and Az.Compute cmdlets (and az
commands) in PowerShell, read with tree-sitter and bound by one option table."""

from __future__ import annotations

from sigcheck.hookimpl import hookimpl
from sigcheck.inputs.api import LazyLoader
from sigcheck.inputs.recognize import (
    POWERSHELL_SUFFIXES,
    SHELL_SUFFIXES,
    is_shell_script,
    powershell_has_gallery_command,
    shell_has_gallery_command,
)


class ShellLoader(LazyLoader):
    """az CLI scripts."""

    name = "shell"
    # The outcome depends on the file's content alone (sigcheck.engine.cache may keep it).
    cacheable = True
    priority = 60
    module = "sigcheck.inputs.scripts.shell"

    def claims(self, path: str, text: str) -> bool:
        if not text:
            return path.lower().endswith(SHELL_SUFFIXES)
        return is_shell_script(path, text) and shell_has_gallery_command(text)


class PowerShellLoader(LazyLoader):
    """PowerShell scripts."""

    name = "powershell"
    # The outcome depends on the file's content alone (sigcheck.engine.cache may keep it).
    cacheable = True
    priority = 60
    module = "sigcheck.inputs.scripts.powershell"

    def claims(self, path: str, text: str) -> bool:
        if not path.lower().endswith(POWERSHELL_SUFFIXES):
            return False
        return not text or powershell_has_gallery_command(text)


@hookimpl
def sigcheck_loaders() -> list[LazyLoader]:
    return [ShellLoader(), PowerShellLoader()]
