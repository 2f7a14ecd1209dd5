"""Code blocks as documentation writes them: prompts, output, tags and untagged blocks."""

from __future__ import annotations

import pytest

from sigcheck.inputs.markdown.layout import commands_only, detect, is_synopsis, kind_of


def test_prompts_blanked_output_skipped_columns_kept() -> None:
    block = ("PS C:\\> $t = @{\n>>   Owner = 'x'\n>> }\nPS C:\\> New-AzGallery -Name g `\n>>   -Location eastus\n"
             "Name : g\nLocation : eastus\nPS> Get-AzGallery")
    out = commands_only("powershell", block)
    assert len(out) == len(block) and out.count("\n") == block.count("\n")
    lines = out.split("\n")
    assert lines[0] == "        $t = @{"
    assert lines[3].index("New-AzGallery") == block.split("\n")[3].index("New-AzGallery")
    assert lines[4].strip() == "-Location eastus"
    assert lines[5].strip() == "" and lines[6].strip() == ""  # output
    assert lines[7] == "    Get-AzGallery"


def test_console_prompts_and_json_output() -> None:
    block = '$ az sig create -g rg -r g \\\n>   -l eastus\n{\n  "name": "g"\n}'
    out = commands_only("shell", block).split("\n")
    assert out[0].startswith("  az sig create") and out[1].strip() == "-l eastus"
    assert all(not line.strip() for line in out[2:])


def test_terminal_prompts() -> None:
    block = "azureuser@myVM:~$ az sig list -o table\nName    ResourceGroup\n------  ------"
    out = commands_only("shell", block).split("\n")
    assert out[0] == " " * len("azureuser@myVM:~$ ") + "az sig list -o table"
    assert not out[1].strip() and not out[2].strip()


def test_blocks_without_prompts_are_kept_whole() -> None:
    block = "New-AzGallery -Name g -Location eastus\nGet-AzGallery"
    assert commands_only("powershell", block) == block


@pytest.mark.parametrize(("tag", "content", "kind"), [
    ("azurecli-interactive", "az sig create -g rg -r g", "shell"),
    ("azurepowershell-interactive", "New-AzGallery -Name g", "powershell"),
    ("pwsh", "New-AzGallery -Name g", "powershell"),
    ("ps1", "New-AzGallery -Name g", "powershell"),
    ("console", "PS C:\\> New-AzGallery -Name g", "powershell"),
    ("console", "$ az sig create -g rg -r g", "shell"),
    ("shell", "az sig create -g rg -r g", "shell"),
    ("", "New-AzGalleryImageVersion -Name 1.0.0", "powershell"),
    ("", "PUT https://management.azure.com/subscriptions/s", "http"),
    ("", '{ "location": "eastus" }', "json"),
    ("output", "New-AzGallery -Name g", None),
    ("python", "print('az sig create')", None),
    ("", "New-AzGallery [-ResourceGroupName] <String> [-Name] <String> [<CommonParameters>]", None),
])
def test_kinds(tag: str, content: str, kind: str | None) -> None:
    assert kind_of(tag, content) == kind


def test_synopsis_of_az() -> None:
    assert is_synopsis("az sig create --gallery-name --resource-group [--description] [--location]")
    assert detect("echo hello") is None
