"""Inputs the long fuzz runs found, kept: each goes through the harness's own `check_file` (whole
pipeline, every format, no internal error, within the time budget) on every run."""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, reproduce_failure, strategies as st  # noqa: E402
from hypothesis.errors import DidNotReproduce  # noqa: E402

import fuzz_inputs as fz  # noqa: E402
from test_fuzz_loaders import check_file  # noqa: E402

DIGITS = "9" * 4400  # past Python's 4,300-digit limit on converting text to int

# The Terraform input of `@reproduce_failure('6.170.17', b'AEEAQQBBA0EAQQJBAUIBOUEAQQBCATlBAEEZAA==')`
# (December 2026): fixtures/SIG001/clean-terraform-heredoc.tf mutated, its first character gone and
# `local.` followed by 4,400 digits: an index `local.999…` that was converted with int() (ValueError).
TERRAFORM_BLOB = (b"AEEAQQBBA0EAQQJBAUIBOUEAQQBCATlBAEEZAA==")
TERRAFORM_FOUND = (
    'ocals {\n  notes = <<-EOT\n    A heredoc with ${"interpolation"} and %{ if true }a directive%{ endif }.\n  EOT\n}\n\n'
    'resource "azurerm_shared_image_gallery" "tf001clean" {\n  name                = "tf001clean_gallery"\n'
    '  resource_group_name = "rg-tf001"\n  location            = "westeurope"\n'
    f"  description         = local.{DIGITS}{{notes\n}}\n"
)

GALLERY = 'resource "azurerm_shared_image_gallery" "g" {{\n  name = "g1"\n  resource_group_name = "rg"\n  location = "westeurope"\n{}\n}}\n'
# The places an HCL number of thousands of digits can stand, by hand.
LONG_NUMBERS = {
    "literal": f"  description = {DIGITS}",
    "negative": f"  description = -{DIGITS}",
    "arithmetic": f"  description = {DIGITS} + 1 * {DIGITS}",
    "comparison": f"  description = {DIGITS} > 1 ? \"a\" : \"b\"",
    "template": f'  description = "v${{{DIGITS}}}"',
    "format": f'  description = format("%d", {DIGITS})',
    "tostring": f"  description = tostring({DIGITS})",
    "index": f"  description = [1, 2][{DIGITS}]",
    "local index": f"  description = local.l[{DIGITS}]",
    "attribute": f"  description = local.{DIGITS}",
    "splat index": f"  description = var.v[*].a[{DIGITS}]",
    "tags": f"  tags = {{ a = {DIGITS} }}",
    "fractional": f"  description = {DIGITS}.{DIGITS}e{DIGITS}",
}


def test_the_terraform_long_number_input_holds() -> None:
    check_file("terraform", "fuzz.tf", TERRAFORM_FOUND)
    check_file("terraform", "fuzz.tf", TERRAFORM_FOUND.encode("utf-8"))


@pytest.mark.skipif(hypothesis.__version__ != "6.170.17", reason="the blob replays only on the hypothesis that wrote it")
def test_the_exact_terraform_fuzz_reproducer_passes() -> None:
    seen: list[str] = []

    @reproduce_failure("6.170.17", TERRAFORM_BLOB)
    @given(text=fz.any_text("terraform"), as_bytes=st.booleans())
    def run(text: str, as_bytes: bool) -> None:
        seen.append(text)
        check_file("terraform", f"fuzz{fz.KINDS['terraform']}", text.encode("utf-8", "surrogatepass") if as_bytes else text)

    # Hypothesis says "did not reproduce" when the replayed input passes.
    with pytest.raises(DidNotReproduce):
        run()
    assert seen == [TERRAFORM_FOUND], "the blob no longer decodes to the input it found (the strategies changed)"


@pytest.mark.parametrize("where", sorted(LONG_NUMBERS))
def test_hcl_numbers_of_thousands_of_digits_hold(where: str) -> None:
    check_file("terraform", "fuzz.tf", GALLERY.format(LONG_NUMBERS[where]))
    packer = ('source "azure-arm" "x" {{\n  image_publisher = "p"\n{}\n}}\nbuild {{\n  sources = ["source.azure-arm.x"]\n}}\n')
    check_file("packer", "fuzz.pkr.hcl", packer.format(LONG_NUMBERS[where].replace("description", "image_offer")
                                                       .replace("tags", "azure_tags")))


@pytest.mark.skipif(hypothesis.__version__ != "6.170.17", reason="the blobs replay only on the hypothesis that wrote them")
def test_the_long_runs_other_reproducers_pass() -> None:
    """The two failures of the 14,251-input run of December 2026 (`make fuzz FUZZ_EXAMPLES=1000`)."""
    seen: list[object] = []

    @reproduce_failure("6.170.17", b"AEEAQQBBAUEAQQBBGQA=")
    @given(text=fz.any_text("bicep"), as_bytes=st.booleans())
    def bicep(text: str, as_bytes: bool) -> None:
        seen.append(text)
        check_file("bicep", "fuzz.bicep", text.encode("utf-8", "surrogatepass") if as_bytes else text)

    @reproduce_failure("6.170.17", b"AAFBAEEBQQQBQQGCwoAAQQAA")
    @given(expressions=st.lists(fz.EXPRESSIONS | fz.BROKEN_EXPRESSIONS, min_size=1, max_size=3))
    def arm(expressions: list[str]) -> None:
        seen.append(expressions)
        check_file("arm-template", "fuzz.json", fz.template_with(expressions))

    for replay in (bicep, arm):
        with pytest.raises(DidNotReproduce):
            replay()
    # 4,400 digits before fixtures/SIG001/clean-current-syntax.bicep; an ARM call on a non-ASCII string.
    assert len(seen) == 2, seen
    assert isinstance(seen[0], str) and seen[0].startswith(DIGITS + "// Today's syntax"), "the blobs changed meaning"
    assert seen[1] == ["[base64tojson('\x80')]"], "the blobs changed meaning"
