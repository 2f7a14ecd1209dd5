"""Regression tests of issue 16 that no fixture pins: integers too long for Python to convert in
every input kind, Markdown with thousands of blocks, one finding per root cause."""

from __future__ import annotations

import json
import time
from pathlib import Path

import sigcheck

N = "9" * 5000  # over Python's 4,300-digit int-to-string limit
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
REST = ("PUT https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/"
        "g1?api-version=2023-07-03\nContent-Type: application/json\n\n")


def _findings(path: Path, **options: object) -> list[str]:
    result = sigcheck.lint_paths([str(path)], config=False, **options)  # type: ignore[arg-type]
    assert not result.internal_errors, result.internal_errors
    return [f"{f.span.line}:{f.span.column} {f.rule_id} {f.message}" for f in result.findings]


def test_long_integers_in_a_template_its_expressions_and_parameter_file(tmp_path: Path) -> None:
    template = tmp_path / "big.json"
    template.write_text(
        '{"$schema": "' + SCHEMA + '", "contentVersion": "1.0.0.0",\n'
        ' "parameters": {"n": {"type": "int"}},\n'
        ' "variables": {"a": "[add(' + N + ', 1)]", "b": "[int(\'' + N + '\')]"},\n'
        ' "resources": [{"type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": "g",'
        ' "location": "westus2", "properties": {"description": "[string(variables(\'b\'))]", "x": ' + N + '}}]}\n')
    (tmp_path / "big.parameters.json").write_text(
        '{"$schema": "' + SCHEMA.replace("Template", "Parameters") + '", "contentVersion": "1.0.0.0", '
        '"parameters": {"n": {"value": ' + N + '}}}')
    found = _findings(template)
    assert any("SIG001" in f and "64-bit" in f for f in found), found  # the literal in add()
    assert any("SIG005" in f and "int(): integer overflow" in f for f in found), found
    # Blamed on the parameter file, and as what it is (not "a string").
    params = sigcheck.lint_paths([str(template)], config=False).findings
    blamed = [f for f in params if f.span.path.endswith("big.parameters.json")]
    assert blamed and "integer of 5,000 digits" in blamed[0].message


def test_long_integers_in_http_markdown_and_rest_examples(tmp_path: Path) -> None:
    (tmp_path / "big.http").write_text(REST + '{"location": "westus2", "properties": {"x": ' + N + "}}\n")
    (tmp_path / "big.md").write_text(
        "# x\n\n```json\n" + json.dumps({"$schema": SCHEMA, "resources": [{"type": "Microsoft.Compute/galleries",
        "apiVersion": "2024-03-03", "name": "g", "location": "westus2"}]})[:-3] + ', "properties": {"x": ' + N + "}}]}\n```\n")
    (tmp_path / "example.json").write_text(
        '{"parameters": {"galleryName": "g", "api-version": "2023-07-03", "gallery": {"location": "westus2",'
        ' "properties": {"x": ' + N + '}}}, "responses": {"200": {"body": {}}}}')
    found = _findings(tmp_path)
    assert found is not None  # read to the end, no internal error (asserted in _findings)


def test_four_thousand_markdown_blocks_are_read_in_linear_time(tmp_path: Path) -> None:
    blocks = "".join(f"```bash\naz sig create -g rg --gallery-name gal{i} -l westus2\n```\n\n" for i in range(4000))
    (tmp_path / "many.md").write_text("# many\n\n" + blocks + "```bash\naz sig create -g rg --gallery-name bad-one -l westus2\n```\n")
    started = time.monotonic()
    found = _findings(tmp_path / "many.md")
    assert time.monotonic() - started < 8  # was 18 s; about 1-2 s on a shared machine
    assert [f.split()[1] for f in found] == ["SIG101"] and found[0].startswith("16004:")


def test_a_chain_of_variables_from_one_bad_value_is_one_finding(tmp_path: Path) -> None:
    variables = {"v0": "[int('abc')]"}
    variables.update({f"v{i}": f"[concat(string(variables('v{i - 1}')), '-', string(variables('v{i - 1}')))]" for i in range(1, 80)})
    (tmp_path / "chain.json").write_text(json.dumps({
        "$schema": SCHEMA, "contentVersion": "1.0.0.0", "variables": variables,
        "resources": [{"type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": "[variables('v79')]",
                       "location": "westus2"}]}, indent=1))
    found = _findings(tmp_path / "chain.json")
    assert len([f for f in found if " SIG005 " in f]) == 1, found
    assert all(len(f) < 1100 for f in found)


def _text(name: str, text: str) -> list[str]:
    from sigcheck.engine.registry import default_registry
    from sigcheck.engine.run import Engine, Options

    engine = Engine(default_registry(), Options(extend_select=["ALL"]))
    result = engine.run_text(name, text)
    assert not engine.internal_errors, engine.internal_errors
    return [f"{f.span.line}:{f.span.column} {f.rule_id} {f.message}" for f in result.findings]


def _gallery(description: str) -> str:
    return json.dumps({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [
        {"type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": "g1", "location": "westus2",
         "properties": {"description": description}}]})


def test_long_numbers_and_non_ascii_digits_elsewhere() -> None:
    """Found while writing the Terraform long-number regression test (December 2026): '²' passes
    str.isdigit() but not int(), and numbers of thousands of digits in format items, Bicep
    literals, version names and PowerShell doubles were converted (internal errors, SIG008)."""
    # ARM: '²' where a literal may start; format() items of thousands of digits.
    assert any("SIG001 invalid ARM expression: expected a function call or a value, found '²'" in f
               for f in _text("t.json", _gallery("[add(², 1)]")))
    assert any("SIG001 invalid ARM expression: expected a property name after '.', found '²'" in f
               for f in _text("t.json", _gallery("[variables('a').²]")))
    assert any("SIG005 format(): format item {999999999999…} has no argument" in f
               for f in _text("t.json", _gallery("[format('{" + N + "}', 1)]")))
    assert any("SIG005 format(): format alignment is too wide" in f
               for f in _text("t.json", _gallery("[format('{0," + N + "}', 1)]")))
    for spec in ("D²", "D" + N):  # not a precision sigcheck builds: the value is unknown
        assert not [f for f in _text("t.json", _gallery(f"[format('{{0:{spec}}}', 1)]")) if "SIG005" in f]
    # Bicep: 64-bit integers (BCP010), ASCII digits.
    assert _text("t.bicep", f"var x = {N}\n") == ["1:9 SIG001 invalid Bicep: expected a valid 64-bit signed integer"]
    assert _text("t.bicep", "var x = -9223372036854775808\nvar y = 9223372036854775809\n") == [
        "2:9 SIG001 invalid Bicep: expected a valid 64-bit signed integer"]
    assert _text("t.bicep", "var x = ²\n") == ["1:9 SIG001 invalid Bicep: unexpected character '²'"]
    # A version name of thousands of digits is out of the int32 range (SIG104), no conversion.
    found = _text("t.azcli", f"az sig image-version create -g rg -r g -i i -e {N}.0.0 --managed-image x\n")
    assert any(f.startswith("1:48 SIG104") for f in found), found
    found = _text("t.azcli", f"az sig image-version create -g rg -r g -i i -e 0{N}.00.0 --managed-image x\n")
    assert any(f.startswith("1:48 SIG107") for f in found), found  # its message cut at 1,000 characters
    # PowerShell: 1e400 is past the double range: unknown, not infinity cast to int.
    assert _text("t.ps1", "$x = [int]1e400\nNew-AzGallery -ResourceGroupName rg -Name g1 -Location westus2 -Description $x\n") == []
    _text("t.ps1", "New-AzGalleryImageVersion -ResourceGroupName rg -GalleryName g -GalleryImageDefinitionName i "
                   "-Name 1.0.0 -Location westus2 -ReplicaCount 1e400 -SourceImageId x\n")
    # Packer: a replica count of '²' or thousands of digits is unknown.
    for count in ("²", N):
        _text("t.pkr.hcl", 'source "azure-arm" "x" {\n  shared_image_gallery_destination {\n'
                           f'    replica_count = "{count}"\n  }}\n}}\n')


def test_base64_of_what_is_not_ascii_and_lone_surrogate_escapes() -> None:
    """Found by the long fuzz run (December 2026): base64ToJson('\\x80') raised ValueError (not
    ASCII) from the decoder; a Bicep '\\u{D800}' escape made a string that UTF-8 cannot encode."""
    for call in ("base64ToJson('\\u0080')", "base64ToString('\\u00e9')", "dataUriToString('data:;base64,\\u00e9')"):
        found = _text("t.json", _gallery(f"[{call}]"))
        assert any(f"SIG005 {call.split('(')[0]}(): the value is not valid base64-encoded UTF-8" in f for f in found), found
    assert _text("t.bicep", "var y = base64('\\u{D800}')\n") == ["1:17 SIG001 invalid Bicep: invalid \\u{…} escape in a string"]
    assert _text("t.bicep", "var y = '\\u{ 41}'\n") == ["1:10 SIG001 invalid Bicep: invalid \\u{…} escape in a string"]
