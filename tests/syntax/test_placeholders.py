"""Placeholders are unknown values, one notion for every input."""

from __future__ import annotations

import pytest

from sigcheck.syntax.located import UNKNOWN
from sigcheck.syntax.placeholders import has_placeholder, is_placeholder, mask_script_placeholders, resolved


@pytest.mark.parametrize("text", ["{region}", "{subscriptionId}", "<Subscription ID>", "<region>", "<your-gallery>", "$(var)", "%VAR%"])
def test_whole_placeholders(text: str) -> None:
    assert is_placeholder(text)
    assert resolved(text) is UNKNOWN


@pytest.mark.parametrize("text", ["eastus", "West Europe", "my_gallery", "100%", "a<b", "{}", "$var", "<br/>"])
def test_real_values(text: str) -> None:
    assert not is_placeholder(text)
    assert resolved(text) == text


def test_inside_text() -> None:
    assert has_placeholder("https://<account>.blob.core.windows.net/vhds/os.vhd")
    assert resolved("gallery-{env}") is UNKNOWN


def test_ids_keep_their_type() -> None:
    ident = "/subscriptions/{subscriptionId}/resourceGroups/{rg}/providers/Microsoft.Compute/diskEncryptionSet/{des}"
    assert resolved(ident) == ident


def test_masked_script_keeps_columns() -> None:
    line = "az sig create -g <resource-group> --gallery-name <Your Gallery> -l '<region>'"
    masked = mask_script_placeholders(line)
    assert len(masked) == len(line)
    assert "$resource_group_" in masked and "$Your_Gallery_" in masked
    assert "'<region>'" in masked  # a quoted one is a string, unknown where it enters the model
    assert mask_script_placeholders("cat < input.txt > out") == "cat < input.txt > out"
