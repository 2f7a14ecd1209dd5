"""Configuration files from strangers: alias bombs, deep nesting, files that are not configuration."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import CliResult


def _bomb(levels: int = 9) -> str:
    # Each anchor is a list of nine aliases of the previous one: 9**levels values from ~500 bytes.
    lines = ['  a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, levels + 1):
        lines.append(f"  a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "per-path-ignores:\n" + "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_fast_at_the_alias(run_cli, tmp_path: Path) -> None:
    config = tmp_path / "bomb.yaml"
    config.write_text(_bomb())
    assert len(config.read_bytes()) < 600
    started = time.monotonic()
    result: CliResult = run_cli("check", "--config", str(config), "fixtures/SIG101")
    assert time.monotonic() - started < 5
    assert result.code == 2
    assert "aliases expand the configuration past 100,000 values" in result.err
    # The alias that goes over: line 7 (a6), inside its list.
    assert f"{config}:7:" in result.err and result.err.count("\n") == 1


def test_aliases_within_reason_still_work(run_cli, tmp_path: Path) -> None:
    config = tmp_path / "ok.yaml"
    config.write_text("select: &rules [SIG1]\nextend-select: *rules\n")
    result = run_cli("check", "--config", str(config), "fixtures/SIG101")
    assert result.code in (0, 1) and "error:" not in result.err


def test_deep_nesting_is_refused_without_recursion(run_cli, tmp_path: Path) -> None:
    config = tmp_path / "deep.yaml"
    config.write_text("select: " + "[" * 5000 + "]" * 5000 + "\n")
    result = run_cli("check", "--config", str(config), "fixtures/SIG101")
    assert result.code == 2 and "nested deeper than 100 levels" in result.err and ":1:" in result.err


def test_a_file_that_is_not_configuration_is_not_echoed(run_cli, tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    passwd.write_text("".join(f"user{i}:x:{i}:{i}:secret-{i}:/home/u:/bin/sh\n" for i in range(40)))
    result = run_cli("check", "--config", str(passwd), "fixtures/SIG101")
    assert result.code == 2
    assert "not a sigcheck configuration" in result.err
    assert "secret-" not in result.err


def test_a_long_bad_value_is_shortened(run_cli, tmp_path: Path) -> None:
    config = tmp_path / "long.yaml"
    config.write_text("exclude: " + "y" * 5000 + "\n")
    result = run_cli("check", "--config", str(config), "fixtures/SIG101")
    assert result.code == 2 and len(result.err) < 500


def test_a_number_too_long_to_convert_is_a_configuration_error(run_cli, tmp_path: Path) -> None:
    # Found by the fuzzing harness: ruamel.yaml and tomllib raise ValueError past 4,300 digits.
    for name, text in (("c.yaml", "select: " + "9" * 5000 + "\n"), ("c.toml", "select = " + "9" * 5000 + "\n")):
        config = tmp_path / name
        config.write_text(text)
        result = run_cli("check", "--config", str(config), "fixtures/SIG101")
        assert result.code == 2 and "a number too long to read" in result.err and f"{config}:1:" in result.err


def test_a_nul_in_yaml_is_one_line_with_its_place(run_cli, tmp_path: Path) -> None:
    config = tmp_path / "nul.yaml"
    config.write_text("select: [SIG1]\n\x00x: 1\n")
    result = run_cli("check", "--config", str(config), "fixtures/SIG101")
    assert result.code == 2 and f"{config}:2:1: invalid YAML: unacceptable character" in result.err
    assert result.err.count("\n") == 1
