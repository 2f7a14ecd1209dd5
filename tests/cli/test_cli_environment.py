"""Output and environment errors: exit 2 with one line, never a traceback or exit 1; inputs that
are not plain files (pipes, /dev/stdin, standard input without a name) read by their content."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO

FIRES = FIXTURES / "SIG101" / "fires-cr-line-ends.json"


def _one_error_line(err: str, text: str) -> None:
    assert err.count("\n") == 1 and err.startswith("sigcheck: error: ") and text in err, err


@pytest.mark.parametrize("where, reason", [("missing/report.txt", "No such file or directory"), (".", "Is a directory")])
def test_an_unwritable_output_is_exit_2(run_cli, tmp_path: Path, where: str, reason: str) -> None:
    result = run_cli("check", str(FIRES), "--output", str(tmp_path / where))
    assert result.code == 2
    _one_error_line(result.err, reason)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_output_without_permission_is_exit_2(run_cli, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = run_cli("check", str(FIRES), "--output", str(locked / "r.txt"))
    assert result.code == 2
    _one_error_line(result.err, "Permission denied")


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "sigcheck", *args], cwd=REPO, capture_output=True,
                          timeout=60, check=False, **kwargs)  # type: ignore[call-overload]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_disk_is_exit_2() -> None:
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "sigcheck", "check", str(FIRES)], cwd=REPO, stdout=full,
                              stderr=subprocess.PIPE, timeout=60, check=False)
    assert proc.returncode == 2
    _one_error_line(proc.stderr.decode(), "No space left on device")


def test_a_closed_standard_output_is_exit_2() -> None:
    read, write = os.pipe()
    os.close(read)  # as `sigcheck check x | head -0`: the reader is gone before anything is written
    try:
        proc = subprocess.run([sys.executable, "-m", "sigcheck", "check", str(FIRES)], cwd=REPO, stdout=write,
                              stderr=subprocess.PIPE, timeout=60, check=False)
    finally:
        os.close(write)
    assert proc.returncode == 2
    _one_error_line(proc.stderr.decode(), "standard output was closed")


def test_parameters_that_are_a_directory_or_binary_are_named_as_such(run_cli, tmp_path: Path) -> None:
    result = run_cli("check", str(FIRES), "--parameters", str(tmp_path))
    assert result.code == 2
    _one_error_line(result.err, "is a directory")
    binary = tmp_path / "p.json"
    binary.write_bytes(b"\x00\x01\x02ELF")
    result = run_cli("check", str(FIRES), "--parameters", str(binary))
    assert result.code == 2
    _one_error_line(result.err, "is not text")
    result = run_cli("check", str(FIRES), "--parameters", str(tmp_path / "none.json"))
    _one_error_line(result.err, "does not exist")


def test_an_unknown_location_is_a_warning_with_close_matches(run_cli) -> None:
    result = run_cli("check", str(FIRES), "--location", "westeurop")
    assert result.code == 1  # the run went on: the file's own finding
    assert "sigcheck: warning: --location 'westeurop' is not a known Azure region; close matches: westeurope" in result.err
    assert run_cli("check", str(FIRES), "--location", "West Europe").err == ""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_named_explicitly_is_read(run_cli, tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)

    def feed() -> None:
        with open(pipe, "wb") as handle:
            handle.write(FIRES.read_bytes())

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    result = run_cli("check", str(pipe))
    writer.join(10)
    assert result.code == 1 and "pipe:5:10: SIG101" in result.out


@pytest.mark.skipif(not os.path.exists("/dev/stdin"), reason="no /dev/stdin here")
def test_dev_stdin_named_explicitly_is_read() -> None:
    ps1 = FIXTURES / "SIG101" / "fires-gallery-name.ps1"
    with open(ps1, "rb") as handle:
        proc = _run(["check", "/dev/stdin"], stdin=handle)
    assert proc.returncode == 1, proc.stderr
    assert b"/dev/stdin:2:55: SIG101" in proc.stdout


@pytest.mark.parametrize("name, where", [("fires-gallery-name.ps1", "stdin.ps1:2:55"), ("fires-gallery-name.azcli", "stdin.sh:2:59"),
                                         ("fires-gallery-name.md", "stdin.md:4:59"), ("fires-gallery-name-url.http", "stdin.http:"),
                                         ("fires-hyphen.json", "stdin.json:")])
def test_standard_input_without_a_name_is_read_by_its_content(run_cli, name: str, where: str) -> None:
    result = run_cli("check", "-", stdin=(FIXTURES / "SIG101" / name).read_bytes())
    assert result.code == 1 and where in result.out, result.out


def test_a_socket_is_refused_clearly(run_cli, tmp_path: Path) -> None:
    import socket

    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
    except OSError:
        pytest.skip("no Unix sockets here")
    try:
        result = run_cli("check", str(path))
    finally:
        server.close()
    assert result.code == 2 and "not a file sigcheck can read" in result.err


def test_file_timeout_flag_and_key(run_cli, tmp_path: Path) -> None:
    source = FIXTURES / "SIG101" / "fires-hyphen.json"
    assert "took longer" not in run_cli("check", str(source)).out
    result = run_cli("check", str(source), "--file-timeout", "0.000001")
    assert result.code == 1 and "SIG001" in result.out and "took longer than its 1e-06 s" in result.out
    assert run_cli("check", str(source), "--file-timeout", "0").code == 2
    config = tmp_path / ".sigcheck.yaml"
    config.write_text("file-timeout: 0.000001\n")
    result = run_cli("check", str(source), "--config", str(config))
    assert result.code == 1 and "took longer than its 1e-06 s" in result.out
    # The flag wins over the file.
    assert "took longer" not in run_cli("check", str(source), "--config", str(config), "--file-timeout", "60").out
    config.write_text("file-timeout: -1\n")
    assert run_cli("check", str(source), "--config", str(config)).code == 2
