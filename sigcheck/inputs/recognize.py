"""Recognising input kinds from a file's name and content, shared by the loaders that claim files
and by the Markdown reader that dispatches fenced blocks. Kept free of any parser import, so
that a run over one ARM template does not pay for what reads the other kinds."""

from __future__ import annotations

import re
from functools import cache

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
        "az_any": az_gallery_command(),
        "cmdlet": gallery_cmdlet(),
        "rest_cmdlet": re.compile(r"\bInvoke-AzRestMethod\b", re.IGNORECASE),
        "example_names": re.compile(r'"(galleryName|galleryImageName|galleryApplicationName)"'),
    }


@cache
def gallery_cmdlet() -> re.Pattern[str]:
    """A gallery cmdlet of Az.Compute (or of the retired AzureRM.Compute), by name."""
    return re.compile(
        r"\b(?:New-Az(?:ureRm)?Gallery(?:ImageDefinition|ImageVersion|Application|ApplicationVersion)?|Update-Az(?:ureRm)?Gallery(?:ImageDefinition|ImageVersion)?)\b",
        re.IGNORECASE)


@cache
def az_gallery_command() -> re.Pattern[str]:
    """An az command that may concern galleries: `az sig …` or `az rest …`."""
    return re.compile(r"\baz\s+(?:sig|rest)\b")


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




_REQUEST_LINE = re.compile(r"^(?:GET|PUT|POST|PATCH|DELETE|HEAD)\s+\S+", re.MULTILINE)
_HTTP_VARIABLE = re.compile(r"^@[\w.-]+\s*=", re.MULTILINE)
_FENCE = re.compile(r"^\s{0,3}(?:```|~~~)", re.MULTILINE)
_BICEP = re.compile(r"^\s*(?:targetScope\s*=|resource\s+\w+\s+'[\w./-]+@|module\s+\w+\s+'|param\s+\w+\s+(?:string|int|bool|object|array)\b)", re.MULTILINE)
_PACKER = re.compile(r'^\s*(?:source\s+"azure-arm"|packer\s*\{|build\s*\{)', re.MULTILINE)
_TERRAFORM = re.compile(r'^\s*(?:resource|data|module|provider|variable|locals|terraform)\s*(?:"[\w-]+"\s*)*\{', re.MULTILINE)
_PS_SYNTAX = re.compile(r"^\s*\$[\w:]+\s*=|\b[A-Z][a-z]+-Az[A-Z]\w*\b|\s-[A-Z]\w+\s+[\"'$]", re.MULTILINE)


def suffix_for(text: str) -> str:
    """The file extension content like `text` would have: for input without a name (standard
    input without --stdin-filename, /dev/stdin, a pipe), so a PowerShell or shell script piped
    in is read as one instead of failing to be JSON. '.json' when nothing else fits."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")):
        return ".json"
    if _BICEP.search(text) is not None:  # before comments: Bicep has JSON's
        return ".bicep"
    if stripped.startswith(("//", "/*")):
        return ".json"
    if _patterns()["shebang"].match(stripped):
        return ".sh"
    if _FENCE.search(text) is not None and stripped.startswith(("#", "```", "~~~")):
        return ".md"
    if _REQUEST_LINE.search(text) is not None or _HTTP_VARIABLE.search(text) is not None:
        return ".http"
    if _BICEP.search(text) is not None:
        return ".bicep"
    if _PACKER.search(text) is not None:
        return ".pkr.hcl"
    if _TERRAFORM.search(text) is not None:
        return ".tf"
    if gallery_cmdlet().search(text) is not None or _PS_SYNTAX.search(text) is not None:
        return ".ps1"
    if shell_has_gallery_command(text):
        return ".sh"
    if _FENCE.search(text) is not None:
        return ".md"
    return ".json"
