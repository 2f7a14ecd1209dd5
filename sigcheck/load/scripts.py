"""The plugin that registers the REST, REST-example, az CLI, PowerShell and Markdown loaders.

Only recognition lives here, so that a run over one ARM template does not pay for the import of
what reads the other kinds: each loader imports its implementation (`sigcheck.load.rest`,
`.rest_examples`, `.shell`, `.powershell`, `.markdown`) when it first loads a file of its kind.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING

from sigcheck.hookspecs import hookimpl

if TYPE_CHECKING:
    from sigcheck.load.api import LoadOptions, LoadResult, SourceFile

SHELL_SUFFIXES = (".sh", ".bash", ".zsh", ".azcli", ".ksh")
POWERSHELL_SUFFIXES = (".ps1", ".psm1")
REST_SUFFIXES = (".http", ".rest")
MARKDOWN_SUFFIXES = (".md", ".markdown")


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    return {
        "shebang": re.compile(r"\A#![^\n]*\b(?:ba|z|k|da|a)?sh\b"),
        "az_sig": re.compile(r"\baz\s+sig\b"),
        "az_rest": re.compile(r"\baz\s+rest\b"),
        "az_any": re.compile(r"\baz\s+(?:sig|rest)\b"),
        "cmdlet": re.compile(
            r"\b(?:New-AzGallery(?:ImageDefinition|ImageVersion|Application|ApplicationVersion)?|Update-AzGalleryImageVersion)\b",
            re.IGNORECASE),
        "rest_cmdlet": re.compile(r"\bInvoke-AzRestMethod\b", re.IGNORECASE),
        "example_names": re.compile(r'"(galleryName|galleryImageName|galleryApplicationName)"'),
    }


def shell_has_gallery_command(text: str) -> bool:
    p = _patterns()
    return p["az_sig"].search(text) is not None or (p["az_rest"].search(text) is not None and "galleries" in text.lower())


def is_shell_script(path: str, text: str) -> bool:
    return path.lower().endswith(SHELL_SUFFIXES) or _patterns()["shebang"].match(text) is not None


def powershell_has_gallery_command(text: str) -> bool:
    p = _patterns()
    return (p["cmdlet"].search(text) is not None or p["az_any"].search(text) is not None
            or (p["rest_cmdlet"].search(text) is not None and "galleries" in text.lower()))


def is_rest_example(path: str, text: str) -> bool:
    if not path.lower().endswith((".json", ".jsonc")) and not text.lstrip().startswith("{"):
        return False
    head = text[:4096]
    if "deploymentTemplate.json" in head or "deploymentParameters.json" in head:
        return False
    return '"parameters"' in text and '"responses"' in text and _patterns()["example_names"].search(text) is not None


class _Lazy:
    name = ""
    priority = 60
    module = ""

    def load(self, source: SourceFile, options: LoadOptions) -> LoadResult:
        return import_module(self.module).load(source, options)


class RestFileLoader(_Lazy):
    """`.http` / `.rest` request files."""

    name = "rest"
    priority = 45
    module = "sigcheck.load.rest"

    def claims(self, path: str, text: str) -> bool:
        if not path.lower().endswith(REST_SUFFIXES):
            return False
        return not text or "galleries" in text.lower()


class RestExampleLoader(_Lazy):
    """Azure REST API examples; asked before the ARM loader (50), which must never read them."""

    name = "rest-example"
    priority = 40
    module = "sigcheck.load.rest_examples"

    def claims(self, path: str, text: str) -> bool:
        return is_rest_example(path, text)


class ShellLoader(_Lazy):
    """az CLI scripts."""

    name = "shell"
    priority = 60
    module = "sigcheck.load.shell"

    def claims(self, path: str, text: str) -> bool:
        if not text:
            return path.lower().endswith(SHELL_SUFFIXES)
        return is_shell_script(path, text) and shell_has_gallery_command(text)


class PowerShellLoader(_Lazy):
    """PowerShell scripts."""

    name = "powershell"
    priority = 60
    module = "sigcheck.load.powershell"

    def claims(self, path: str, text: str) -> bool:
        if not path.lower().endswith(POWERSHELL_SUFFIXES):
            return False
        return not text or powershell_has_gallery_command(text)


class MarkdownLoader(_Lazy):
    """Fenced code blocks of Markdown files."""

    name = "markdown"
    priority = 60
    module = "sigcheck.load.markdown"

    def claims(self, path: str, text: str) -> bool:
        if not path.lower().endswith(MARKDOWN_SUFFIXES) or not text:
            return False
        lowered = text.lower()
        return ("```" in text or "~~~" in text) and (
            "az sig" in lowered or "azgallery" in lowered or "microsoft.compute/galleries" in lowered
            or "/galleries/" in lowered or '"galleryname"' in lowered)


@hookimpl
def sigcheck_loaders() -> list[_Lazy]:
    return [RestExampleLoader(), RestFileLoader(), ShellLoader(), PowerShellLoader(), MarkdownLoader()]
