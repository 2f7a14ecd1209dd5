"""PowerShell parse errors, each at the character that causes it, with its cause named."""

from __future__ import annotations

import pytest

from sigcheck.inputs.scripts.powershell_syntax import problems


@pytest.mark.parametrize(("text", "at", "cause"), [
    ("New-AzGallery -Name g\n}\n", "}", "unexpected token '}'"),
    ("if ($a) { Get-X -Y 1) }\n", ") }", "unexpected token ')'"),
    ("New-AzGallery -Name 'g -Location eastus\n", "'g", "missing its terminator"),
    ('$x = "abc $(Get-Date)\n', '"', "missing its terminator"),
    ("New-AzGallery -Name g ` \n  -Location eastus\n", "` ", "backtick followed by trailing whitespace"),
    ("function f {\n  Get-X\n", "{", "missing closing '}'"),
    ("$h = @'\nnever closed\n", "@'", "here-string"),
    ("<# no end\n", "<#", "block comment"),
])
def test_each_cause_at_its_character(text: str, at: str, cause: str) -> None:
    [found] = problems(text)
    assert found.start == text.index(at)
    assert cause in found.message


@pytest.mark.parametrize("text", [
    "Write-Host \"a `\" b $(if ($x) { ')' }) c\"\n",
    "$s = @\"\n } ) ' \"\n\"@\n$t = 'it''s'\n",
    "$v = ${env:ProgramFiles(x86)}; $a#b = 1 # it's a comment (\n",
    "Get-X -Name ‘typographic’ -Other “quotes”\n",
    "New-AzGallery -Name g `\n  -Location eastus\n",
    "Write-Host \"done\"# it's a comment after a string\n",
])
def test_scripts_that_parse(text: str) -> None:
    assert problems(text) == []
