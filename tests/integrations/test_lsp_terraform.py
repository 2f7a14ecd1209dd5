"""The language server on Terraform files: diagnostics of a `.tf` buffer that reads its
directory's other files from disk, at the token, with the unsaved buffer's text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from test_lsp import Client  # noqa: E402 - the JSON-RPC client of the other LSP tests

from sigcheck.lsp import EngineCache, findings_for  # noqa: E402

VARIABLES = 'variable "gallery_name" {\n  default = "contoso-images"\n}\n'
MAIN = '''resource "azurerm_shared_image_gallery" "g" {
  name                = var.gallery_name
  resource_group_name = "rg"
  location            = "westeurope"
}
'''


def test_findings_for_a_tf_buffer(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text(VARIABLES)
    main = tmp_path / "main.tf"
    main.write_text("")  # the editor's buffer is what counts, not the file on disk
    findings, _, _ = findings_for(EngineCache(), str(main), MAIN)
    [finding] = [f for f in findings if f.rule_id == "SIG101"]
    assert (finding.span.line, finding.span.column) == (2, 25)
    assert "default of variable gallery_name" in finding.message


@pytest.fixture
def client(tmp_path: Path):
    started = Client(tmp_path)
    yield started
    started.close()


def test_lsp_publishes_terraform_diagnostics(client: Client, tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text(VARIABLES)
    path = tmp_path / "main.tf"
    path.write_text(MAIN)
    uri = path.as_uri()
    client.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "terraform", "version": 1, "text": MAIN}})
    [diagnostic] = [d for d in client.diagnostics(uri)["diagnostics"] if d["code"] == "SIG101"]
    # `var.gallery_name` on line 2 (0-based 1), from character 24.
    assert diagnostic["range"]["start"] == {"line": 1, "character": 24}
    assert "terraform plan would also stop this" in diagnostic["message"]
    fixed = MAIN.replace("var.gallery_name", '"contoso_images"')
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]})
    assert [d for d in client.diagnostics(uri)["diagnostics"] if d["code"] == "SIG101"] == []
    client.request("shutdown", None)
    client.notify("exit", None)
