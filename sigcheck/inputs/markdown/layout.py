"""Code blocks as documentation writes them: which language a block holds, and its commands
without the prompts and the output shown with them.

Azure PowerShell help pages prefix commands with `PS C:\\> ` (or `PS>`, `PS /home/user> `) and
continuation lines with `>> `, and follow each command with the output it printed; console
blocks of az docs prefix commands with `$ ` (or a terminal's `azureuser@myVM:~$ `). In a block
that uses prompts, a line is a command when it has a prompt or continues the one before (a
trailing backtick, backslash or pipe, or a bracket still open); every other line is output.
Prompts and output are blanked with spaces of
equal length, so every position still maps to the Markdown file.

The language tag says what a block holds when it names a language sigcheck reads; a block
with no tag or a generic one (`console`, `shell`, `text`, `output`…) is judged by its content.
A command synopsis (`New-AzGallery [-ResourceGroupName] <String> …`, `az sig create
--gallery-name [--description]`) shows the syntax, not a command to check.
"""

from __future__ import annotations

import re

from sigcheck.inputs.recognize import gallery_cmdlet
from sigcheck.syntax.text import split_lines

SHELL_TAGS = frozenset({"azurecli", "azurecli-interactive", "azure-cli", "azcli", "bash", "sh", "zsh"})
POWERSHELL_TAGS = frozenset({"powershell", "azurepowershell", "azurepowershell-interactive", "pwsh", "ps1", "ps", "posh",
                             "ps1con", "pscon", "powershell-interactive"})
JSON_TAGS = frozenset({"json", "jsonc", "json5"})
HTTP_TAGS = frozenset({"http", "rest", "https"})
HCL_TAGS = frozenset({"hcl", "terraform", "tf", "hcl2", "packer"})
# Tags that say nothing about the language: the content decides.
GENERIC_TAGS = frozenset({"", "console", "shell", "shell-session", "terminal", "text", "txt", "plaintext", "none", "cmd",
                          "bat", "batch", "output", "code", "azurecli-interactive-output", "sh-session"})
# Output blocks hold what a command printed, never a command to check.
OUTPUT_TAGS = frozenset({"output", "azurecli-interactive-output"})

_PS_PROMPT = re.compile(r"^([ \t]*)(PS(?:[ \t][^\n>]*)?>[ \t]?)")
_PS_CONTINUATION = re.compile(r"^([ \t]*)(>>[ \t]?)")
# `$ ` or `user@host:~$ ` (a prompt copied from a terminal).
_SH_PROMPT = re.compile(r"^([ \t]*)((?:[\w.-]+@[\w.-]+(?::[^$\n]*)?)?\$[ \t])")
_SH_CONTINUATION = re.compile(r"^([ \t]*)(>[ \t])")
_AZ = re.compile(r"^[ \t]*(?:sudo[ \t]+)?az[ \t]+(?:sig|rest)\b", re.M)
_CMDLET = gallery_cmdlet()
_PS_ASSIGNMENT = re.compile(r"^[ \t]*\$[A-Za-z_][\w:]*[ \t]*=", re.M)
_HTTP_LINE = re.compile(r"^[ \t]*(?:PUT|PATCH|POST|GET|DELETE)[ \t]+(?:https?://|/subscriptions/)", re.I)
_SYNOPSIS = re.compile(r"\[-[A-Za-z]+(?:\]| <)|\[<CommonParameters>\]|<String(?:\[\])?>|\[--[a-z][\w-]*")


def kind_of(tag: str, content: str) -> str | None:
    """What a block holds: shell | powershell | json | http | hcl | bicep, or None for anything else."""
    if tag in OUTPUT_TAGS:
        return None
    if is_synopsis(content):
        return None
    if tag in POWERSHELL_TAGS:
        return "powershell"
    if tag in SHELL_TAGS:
        return "shell"
    if tag in JSON_TAGS:
        return "json"
    if tag in HTTP_TAGS:
        return "http"
    if tag in HCL_TAGS:
        return "hcl"
    if tag == "bicep":
        return "bicep"
    if tag in GENERIC_TAGS:
        return detect(content)
    return None


def detect(content: str) -> str | None:
    """The language of an untagged or generic block, from what it holds."""
    lines = split_lines(content)
    if any(_PS_PROMPT.match(line) for line in lines):
        return "powershell"
    if _CMDLET.search(content) or (_PS_ASSIGNMENT.search(content) and "Invoke-AzRestMethod" in content):
        return "powershell"
    if _AZ.search(content) or any(_SH_PROMPT.match(line) and "az " in line for line in lines):
        return "shell"
    first = next((line for line in lines if line.strip()), "")
    if _HTTP_LINE.match(first):
        return "http"
    if first.lstrip().startswith(("{", "[")):
        return "json"
    return None


def is_synopsis(content: str) -> bool:
    """Whether the block shows a command's syntax rather than a command."""
    return len(_SYNOPSIS.findall(content)) >= 2


def mentions_gallery_command(content: str) -> bool:
    """Whether a block holds a gallery command (for blocks sigcheck cannot read)."""
    return _CMDLET.search(content) is not None or _AZ.search(content) is not None


def mentions_gallery_resource(content: str) -> bool:
    """Whether a block declares a gallery resource by its type (a Bicep or YAML block, say)."""
    return "microsoft.compute/galleries" in content.lower()


def commands_only(kind: str, content: str) -> str:
    """The block with its prompts and output lines blanked (same length, same line breaks)."""
    if kind == "powershell":
        prompt, continuation, joiner = _PS_PROMPT, _PS_CONTINUATION, "`"
    elif kind == "shell":
        prompt, continuation, joiner = _SH_PROMPT, _SH_CONTINUATION, "\\"
    else:
        return content
    lines = content.split("\n")
    if not any(prompt.match(line) for line in lines):
        return content
    out: list[str] = []
    continues = False
    depth = 0
    for line in lines:
        match = prompt.match(line) or (continuation.match(line) if continues or depth > 0 else None)
        if match is not None:
            line = line[: match.start(2)] + " " * len(match.group(2)) + line[match.end(2):]
        elif not (continues or depth > 0):
            out.append(_blank(line))
            continue
        out.append(line)
        code = line.rstrip("\r").rstrip()
        continues = code.endswith((joiner, "|"))
        depth = max(0, depth + _balance(code))
    return "\n".join(out)


def _blank(line: str) -> str:
    return re.sub(r"[^\r]", " ", line)


def _balance(code: str) -> int:
    """Opened minus closed brackets on a line, outside quotes (a rough count, enough to tell a
    hashtable's next line from output)."""
    count = 0
    quote = ""
    for ch in code:
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "#":
            break
        elif ch in "({[":
            count += 1
        elif ch in ")}]":
            count -= 1
    return count
