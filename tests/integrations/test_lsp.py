"""`sigcheck lsp` driven as an editor drives it: a subprocess spoken to in LSP JSON-RPC over stdio
(Content-Length framing). Every read is bounded by a timeout, so a broken server fails the test
instead of hanging the suite."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

TIMEOUT = 20.0
FIRING = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Compute/galleries",
      "apiVersion": "2024-03-03",
      "name": "contoso-images",
      "location": "westeurope",
      "properties": { "description": "Golden images" }
    }
  ]
}
"""
CLEAN = FIRING.replace("contoso-images", "contoso_images")


class Client:
    def __init__(self, cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sigcheck", "lsp"], cwd=cwd,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.messages.put(json.loads(body))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)

    def notify(self, method: str, params: Any) -> None:
        self.send({"method": method, "params": params})

    def wait(self, wanted: Any) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no expected message from the server within {TIMEOUT} s")
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if message is None:
                stderr = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                raise AssertionError(f"the server closed its output: {stderr[-2000:]}")
            if wanted(message):
                return message

    def diagnostics(self, uri: str) -> dict[str, Any]:
        return self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)["params"]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=TIMEOUT)


@pytest.fixture
def client(tmp_path: Path):
    started = Client(tmp_path)
    yield started
    started.close()


def test_lsp_publishes_diagnostics_on_open_and_change(client: Client, tmp_path: Path) -> None:
    started = time.monotonic()
    path = tmp_path / "gallery.json"
    path.write_text(FIRING, encoding="utf-8")
    uri = path.as_uri()
    init = client.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {}})
    assert init["result"]["serverInfo"]["name"] == "sigcheck"
    client.notify("initialized", {})

    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": FIRING}})
    published = client.diagnostics(uri)
    [diagnostic] = [d for d in published["diagnostics"] if d["code"] == "SIG101"]
    assert diagnostic["code"] == "SIG101"
    assert diagnostic["codeDescription"]["href"].endswith("/docs/rules/SIG101.md")
    assert diagnostic["severity"] == 1
    assert diagnostic["source"] == "sigcheck"
    # contoso-images inside its quotes on line 8 (0-based 7): characters 15 to 29 (end exclusive).
    assert diagnostic["range"] == {"start": {"line": 7, "character": 15}, "end": {"line": 7, "character": 29}}

    client.notify("textDocument/didChange", {
        "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": CLEAN}],
    })
    assert client.diagnostics(uri)["diagnostics"] == []
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert client.diagnostics(uri)["diagnostics"] == []

    # A file no loader claims gets no diagnostics.
    other = (tmp_path / "package.json").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": other, "languageId": "json", "version": 1, "text": '{"name": "x"}'}})
    assert client.diagnostics(other)["diagnostics"] == []

    assert "error" not in client.request("shutdown", None)
    client.notify("exit", None)
    assert client.proc.wait(timeout=TIMEOUT) == 0
    print(f"LSP round trip: {time.monotonic() - started:.2f} s")


def test_lsp_positions_count_utf16_code_units(client: Client, tmp_path: Path) -> None:
    # An emoji (two UTF-16 code units, one character) before the name on the same line.
    text = FIRING.replace('"name": "contoso-images"', '"description": "\U0001F600", "name": "contoso-images"')
    uri = (tmp_path / "emoji.json").as_uri()
    client.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}})
    [diagnostic] = [d for d in client.diagnostics(uri)["diagnostics"] if d["code"] == "SIG101"]
    line = text.splitlines()[7]
    characters = line.index("contoso-images")  # in characters; the emoji is one of them
    assert diagnostic["range"]["start"] == {"line": 7, "character": characters + 1}
    assert diagnostic["range"]["end"] == {"line": 7, "character": characters + 1 + len("contoso-images")}


def test_lsp_reads_the_configuration_of_the_document(client: Client, tmp_path: Path) -> None:
    (tmp_path / ".sigcheck.yaml").write_text("severity:\n  SIG101: warning\n", encoding="utf-8")
    uri = (tmp_path / "sub" / "gallery.json").as_uri()
    client.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": FIRING}})
    [diagnostic] = [d for d in client.diagnostics(uri)["diagnostics"] if d["code"] == "SIG101"]
    assert diagnostic["severity"] == 2


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("deploy.sh", "#!/bin/bash\naz sig create -g rg --gallery-name legacy-gallery -l westeurope\n", 1),
        ("deploy.ps1", "New-AzGallery -ResourceGroupName rg -Name legacy-gallery -Location westeurope\n", 0),
        ("main.bicep", "resource g 'Microsoft.Compute/galleries@2024-03-03' = {\n  name: 'legacy-gallery'\n  location: 'westeurope'\n}\n", 1),
    ],
)
def test_lsp_checks_scripts_too(client: Client, tmp_path: Path, name: str, text: str, line: int) -> None:
    uri = (tmp_path / name).as_uri()
    client.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "shellscript", "version": 1, "text": text}})
    [diagnostic] = [d for d in client.diagnostics(uri)["diagnostics"] if d["code"] == "SIG101"]
    start = text.splitlines()[line].index("legacy-gallery")
    assert diagnostic["range"]["start"] == {"line": line, "character": start}


PACKER_HCL = """source "azure-arm" "ubuntu" {
  location = "westeurope"
  shared_image_gallery_destination {
    resource_group = "images-rg"
    gallery_name   = "lspgallery"
    image_name     = "ubuntu2204"
    image_version  = "1.0"
  }
}
"""
PACKER_JSON = """{
  "builders": [{
    "type": "azure-arm",
    "location": "westeurope",
    "shared_image_gallery_destination": {
      "resource_group": "images-rg", "gallery_name": "lspgallery", "image_name": "ubuntu2204", "image_version": "1.0"
    }
  }]
}
"""
IMAGE_BUILDER = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [{
    "type": "Microsoft.VirtualMachineImages/imageTemplates", "apiVersion": "2024-02-01", "name": "t", "location": "westeurope",
    "properties": { "distribute": [{ "type": "SharedImage", "runOutputName": "a",
      "galleryImageId": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0",
      "targetRegions": [{ "name": "westeurope" }] }] }
  }]
}
"""


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [("build.pkr.hcl", PACKER_HCL, 6), ("build.json", PACKER_JSON, 5), ("aib.json", IMAGE_BUILDER, 6)],
)
def test_lsp_checks_packer_and_image_builder(client: Client, tmp_path: Path, name: str, text: str, line: int) -> None:
    uri = (tmp_path / name).as_uri()
    client.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}})
    [diagnostic] = [d for d in client.diagnostics(uri)["diagnostics"] if d["code"] == "SIG103"]
    start = text.splitlines()[line].rindex("1.0")
    assert diagnostic["range"]["start"] == {"line": line, "character": start}
    assert diagnostic["range"]["end"] == {"line": line, "character": start + 3}
