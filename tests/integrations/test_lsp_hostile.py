"""The language server under hostile or careless clients, spoken to over pipes in real frames:
oversized and malformed frames are refused and the server goes on; a slow document does not
block the message loop; a storm of edits is checked once; a crash is a diagnostic."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from conftest import FIXTURES  # noqa: E402
from test_lsp import CLEAN, FIRING, TIMEOUT, Client  # noqa: E402


@pytest.fixture
def client(tmp_path: Path):  # type: ignore[no-untyped-def]
    started = Client(tmp_path)
    yield started
    started.close()


def _raw(client: Client, data: bytes) -> None:
    assert client.proc.stdin is not None
    client.proc.stdin.write(data)
    client.proc.stdin.flush()


def _initialize(client: Client, tmp_path: Path) -> None:
    init = client.request("initialize", {"processId": os.getpid(), "rootUri": tmp_path.as_uri(), "capabilities": {}})
    assert init["result"]["serverInfo"]["name"] == "sigcheck"
    client.notify("initialized", {})


def test_an_oversized_frame_is_refused_and_the_server_goes_on(client: Client, tmp_path: Path) -> None:
    _raw(client, b"Content-Length: 99999999999\r\n\r\n{\"jsonrpc\": \"2.0\", \"method\": \"x\"}")
    _initialize(client, tmp_path)
    assert client.proc.poll() is None
    uri = (tmp_path / "g.json").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": FIRING}})
    assert any(d["code"] == "SIG101" for d in client.diagnostics(uri)["diagnostics"])


@pytest.mark.parametrize("frame", [
    b"Content-Length: abc\r\n\r\n",
    b"Content-Type: application/json\r\n\r\n{}",
    b"Content-Length: 5\r\n\r\n{{{{{",  # not JSON
    b"Content-Length: 2\r\n\r\n42",  # JSON, not a message
    b"X-Long: " + b"a" * 20000 + b"\r\nContent-Length: 2\r\n\r\n{}",
    b"no colon at all\r\n\r\n",
    b"Content-Length: -1\r\n\r\n",
])
def test_malformed_frames_are_skipped(client: Client, tmp_path: Path, frame: bytes) -> None:
    _raw(client, frame)
    _initialize(client, tmp_path)
    assert "error" not in client.request("shutdown", None)


def test_a_slow_document_does_not_block_the_message_loop(client: Client, tmp_path: Path) -> None:
    _initialize(client, tmp_path)
    slow = (FIXTURES / "SIG001" / "fires-budget-nested-copies.json").read_text()
    uri = (tmp_path / "slow.json").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": slow}})
    order: list[str] = []
    # A request the loop answers itself (no such method): it must not wait for the check.
    client.next_id += 1
    asked = client.next_id
    client.send({"id": asked, "method": "sigcheck/nothing", "params": {}})
    client.wait(lambda m: (m.get("id") == asked and order.append("answer") is None and False)
                or (m.get("method") == "textDocument/publishDiagnostics" and order.append("diagnostics") is None))
    assert order[0] == "answer", order


def test_a_storm_of_edits_is_checked_once_for_the_last_text(client: Client, tmp_path: Path) -> None:
    _initialize(client, tmp_path)
    uri = (tmp_path / "storm.json").as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": CLEAN}})
    assert client.diagnostics(uri)["version"] == 1
    for version in range(2, 52):
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                 "contentChanges": [{"text": FIRING if version == 51 else CLEAN}]})
    published: list[dict[str, Any]] = []
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            message = client.messages.get(timeout=0.2)
        except Exception:  # noqa: BLE001 - queue.Empty: nothing more yet
            continue
        if message and message.get("method") == "textDocument/publishDiagnostics":
            published.append(message["params"])
            if message["params"]["version"] == 51:
                break
    assert published and published[-1]["version"] == 51
    assert any(d["code"] == "SIG101" for d in published[-1]["diagnostics"])
    # Debounced: far fewer checks than the 50 edits (the writes above take well under 150 ms).
    assert len(published) <= 5, [p["version"] for p in published]


class _PipeClient:
    """The server in this process (so a check can be made to crash), over two OS pipes."""

    def __init__(self) -> None:
        from sigcheck.lsp import serve

        to_server, self._write = os.pipe()
        self._read, from_server = os.pipe()
        self._stdin = os.fdopen(to_server, "rb")
        self._stdout = os.fdopen(from_server, "wb")
        self._out = os.fdopen(self._write, "wb")
        self._in = os.fdopen(self._read, "rb")
        self.thread = threading.Thread(target=serve, args=(self._stdin, self._stdout), daemon=True)
        self.thread.start()
        self.next_id = 0

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self._out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._out.flush()

    def receive(self) -> dict[str, Any]:
        length = 0
        while True:
            line = self._in.readline()
            if not line.strip():
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self._in.read(length))  # type: ignore[no-any-return]

    def wait(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            message = self.receive()
            if message.get("method") == method:
                return message
        raise AssertionError(f"no {method}")

    def close(self) -> None:
        self.send({"method": "exit", "params": None})
        self.thread.join(TIMEOUT)
        for handle in (self._out, self._in):
            handle.close()


def test_a_crash_in_a_check_is_a_diagnostic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from sigcheck.library import Linter

    def broken(self: Linter, text: str | bytes, filename: str) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(Linter, "lint_text", broken)
    client = _PipeClient()
    try:
        client.send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": {}}})
        uri = (tmp_path / "g.json").as_uri()
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": FIRING}}})
        [diagnostic] = client.wait("textDocument/publishDiagnostics")["params"]["diagnostics"]
        assert diagnostic["code"] == "SIG008" and "RuntimeError: boom" in diagnostic["message"]
    finally:
        client.close()


def test_the_frame_reader_never_allocates_what_a_header_claims() -> None:
    import io

    from sigcheck.lsp import FrameReader

    good = b'{"jsonrpc": "2.0", "method": "ok"}'
    stream = io.BytesIO(b"Content-Length: 99999999999\r\n\r\n" + b"x" * 100 + b"Content-Length: %d\r\n\r\n" % len(good) + good)
    logged: list[str] = []
    reader = FrameReader(stream, logged.append)
    assert reader.readline() == b"Content-Length: %d\r\n" % len(good)
    assert reader.readline() == b"\r\n"
    assert reader.read(len(good)) == good
    assert reader.readline() == b""
    assert reader.rejected == 1 and "over the" in logged[0]
