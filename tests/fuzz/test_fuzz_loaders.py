"""Property-based fuzzing of every reader: whatever the input, no exception escapes, sigcheck's
own failures (SIG008, internal errors) never appear, every report format stays valid (SARIF
against its schema), and each file finishes within its time budget.

`make test` runs a short deterministic pass (a few seconds); `make fuzz` a long random one
(SIGCHECK_FUZZ_EXAMPLES inputs per property) and prints how many inputs ran.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, strategies as st  # noqa: E402

import fuzz_inputs as fz  # noqa: E402
from conftest import SHARED  # noqa: E402

fz.configure()

from sigcheck.syntax.budget import DEFAULT_SECONDS  # noqa: E402

# Past the file's own deadline: the time one check of a whole file may take, start to finish
# (rules stop at the deadline; the slack is for the machine being shared).
LIMIT = DEFAULT_SECONDS + 3.0
RAN: Counter[str] = Counter()
LAST_INPUT = Path(__file__).with_name(".last-input")


@pytest.fixture(scope="module", autouse=True)
def _count(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    total = sum(RAN.values())
    line = f"fuzz: {total:,} inputs ran (" + ", ".join(f"{k} {v:,}" for k, v in sorted(RAN.items())) + ")"
    if reporter is not None:
        reporter.write_line(line)
    summary = Path(__file__).with_name(".last-run.txt")
    try:
        summary.write_text(line + "\n", encoding="utf-8")
    except OSError:
        pass


_ENGINE: Any = None
_SARIF: Any = None


def _engine() -> Any:
    global _ENGINE
    if _ENGINE is None:
        from sigcheck.engine.registry import default_registry
        from sigcheck.engine.run import Engine, Options

        # Every rule, those off by default too: each must hold on any input.
        _ENGINE = Engine(default_registry(), Options(extend_select=["ALL"], today=_dt.date(2026, 11, 22)))
    return _ENGINE


def _sarif_validator() -> Any:
    global _SARIF
    if _SARIF is None:
        schema = SHARED / "sarif" / "sarif-schema-2.1.0.json"
        if not schema.exists():
            _SARIF = False
        else:
            from jsonschema import validators

            document = json.loads(schema.read_text(encoding="utf-8"))
            _SARIF = validators.validator_for(document)(document)
    return _SARIF


def check_file(kind: str, name: str, text: str | bytes) -> None:
    """One file through the whole pipeline and every format, with the harness's assertions."""
    from sigcheck.engine.registry import default_registry

    RAN[kind] += 1
    if fz.examples():
        # A long run keeps the input being checked, so that a crash of the interpreter itself (a
        # native parser's segfault, which no assertion catches) leaves it behind to reproduce.
        LAST_INPUT.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    engine = _engine()
    engine.internal_errors.clear()
    started = time.monotonic()
    run = engine.run_text(name, text)
    elapsed = time.monotonic() - started
    assert not engine.internal_errors, engine.internal_errors
    assert elapsed < LIMIT, f"{name}: {elapsed:.1f} s"
    assert not [f for f in run.findings if f.rule_id == "SIG008"], [f.message for f in run.findings if f.rule_id == "SIG008"]
    decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    lines = len(re.split(r"\r\n|\r|\n", decoded)) + 1  # every line-end convention counts
    for finding in run.findings:
        assert finding.span.path == name
        assert 1 <= finding.span.line <= lines + 1 and finding.span.column >= 1, finding
        assert len(finding.message) <= 1000
    formatters = default_registry().formatters
    for fmt in ("text", "json", "github", "sarif"):
        out = formatters[fmt].render(run)
        out.encode("utf-8")  # writable as UTF-8: no lone surrogates
        if fmt == "json":
            assert len(json.loads(out)) == len(run.findings)
        elif fmt == "sarif":
            validator = _sarif_validator()
            if validator:
                errors = sorted(validator.iter_errors(json.loads(out)), key=str)
                assert not errors, errors[0].message
        elif fmt == "text":
            assert out.count("\n") == sum(1 for f in run.findings if f.suppression is None) + 1


@pytest.mark.parametrize("kind", sorted(fz.KINDS))
def test_every_loader_holds_on_any_input(kind: str) -> None:
    suffix = fz.KINDS[kind]

    @given(text=fz.any_text(kind), as_bytes=st.booleans())
    def run(text: str, as_bytes: bool) -> None:
        # Some inputs as the bytes of a file (decoding included, surrogates as invalid UTF-8).
        data: str | bytes = text.encode("utf-8", "surrogatepass") if as_bytes else text
        check_file(kind, f"fuzz{suffix}", data)

    run()


@given(expressions=st.lists(fz.EXPRESSIONS | fz.BROKEN_EXPRESSIONS, min_size=1, max_size=3))
def test_arm_expressions_in_a_template(expressions: list[str]) -> None:
    check_file("arm-template", "fuzz.json", fz.template_with(expressions))


@given(expression=fz.EXPRESSIONS | fz.BROKEN_EXPRESSIONS)
def test_arm_expression_evaluation(expression: str) -> None:
    from sigcheck.inputs.arm.evaluate import Scope, evaluate

    RAN["arm-expression"] += 1
    scope = Scope(parameters={"p": "value"}, variables={"v": "[concat('a', 'b')]"})
    started = time.monotonic()
    result = evaluate(expression, scope)
    assert time.monotonic() - started < LIMIT
    internal = [issue.message for issue in result.issues if issue.kind == "internal"]
    assert not internal, internal


@given(text=fz.any_text("json") | st.text(max_size=300))
def test_json_with_comments_parser(text: str) -> None:
    from sigcheck.syntax.jsonc import JsonSyntaxError, parse

    RAN["jsonc"] += 1
    started = time.monotonic()
    try:
        parse(text, "fuzz.json")
    except JsonSyntaxError as error:
        assert str(error)
    assert time.monotonic() - started < LIMIT


@pytest.mark.parametrize("fmt", ["yaml", "toml"])
def test_configuration_files(fmt: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    from sigcheck.config import ConfigError, load
    from sigcheck.engine.registry import default_registry

    folder = tmp_path_factory.mktemp("config")
    path = folder / (".sigcheck.yaml" if fmt == "yaml" else "sigcheck.toml")
    rule_ids = list(default_registry().rules)

    @given(text=fz.yaml_configs() if fmt == "yaml" else fz.TOML_CONFIGS)
    def run(text: str) -> None:
        RAN[f"config-{fmt}"] += 1
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        started = time.monotonic()
        try:
            load(str(path), rule_ids)
        except ConfigError as error:
            message = str(error)
            assert "\n" not in message and len(message) < 2000, fz.shorten(message)
        assert time.monotonic() - started < 5.0

    run()


@given(data=st.binary(max_size=400) | st.lists(st.sampled_from([
    b"Content-Length: 2\r\n\r\n{}", b"Content-Length: 99999999999\r\n\r\n", b"Content-Length: x\r\n",
    b"\r\n", b"Content-Type: y\r\n", b"{", b"a" * 9000, b"\n"]), max_size=12).map(b"".join))
def test_language_server_frames(data: bytes) -> None:
    from sigcheck.lsp import MAX_FRAME, FrameReader

    RAN["lsp-frames"] += 1
    reader = FrameReader(io.BytesIO(data), lambda message: None)
    for _ in range(10_000):
        header = reader.readline()
        if not header:
            break
        assert header.startswith(b"Content-Length: ")
        length = int(header.split(b":")[1])
        assert length <= MAX_FRAME
        assert reader.readline() == b"\r\n"
        assert len(reader.read(length)) == length
    else:
        raise AssertionError("the reader did not reach the end")


@given(text=st.one_of(*(fz.any_text(kind) for kind in fz.KINDS)))
def test_nameless_input_kind(text: str) -> None:
    from sigcheck.inputs.recognize import suffix_for

    RAN["stdin-kind"] += 1
    assert suffix_for(text) in {".json", ".sh", ".ps1", ".http", ".md", ".tf", ".pkr.hcl", ".bicep"}
