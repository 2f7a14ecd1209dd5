"""ARM parameter files (deploymentParameters): `--parameters FILE`, or `x.parameters.json` found
beside `x.json` by convention."""

from __future__ import annotations

import os
from typing import Any

from sigcheck.model import diagnostics
from sigcheck.syntax.jsonc import JsonSyntaxError, parse
from sigcheck.syntax.text import DecodeError, decode, unify_line_breaks
from sigcheck.model.findings import Finding
from sigcheck.syntax.located import UNKNOWN, Span


def conventional_path(template_path: str) -> str | None:
    """`x.parameters.json` beside `x.json`, when it exists."""
    stem, ext = os.path.splitext(template_path)
    if stem.lower().endswith(".parameters"):
        return None
    candidate = f"{stem}.parameters{ext}"
    return candidate if os.path.isfile(candidate) else None


def read_values(path: str, spans: dict[str, Span] | None = None) -> tuple[dict[str, tuple[Any, str]], list[Finding]]:
    """name -> (value, where it came from); a Key Vault reference is UNKNOWN. `spans`, when
    given, receives where each value is written, for findings about the file's values."""
    shown = os.path.relpath(path) if not os.path.isabs(path) or path.startswith(os.getcwd()) else path
    try:
        with open(path, "rb") as handle:
            text = unify_line_breaks(decode(handle.read()))
        doc = parse(text, shown)
    except OSError as exc:
        return {}, [diagnostics.parse_error(Span.at(shown), f"cannot read parameter file: {exc.strerror}")]
    except DecodeError as exc:
        return {}, [diagnostics.parse_error(Span.at(shown, exc.line, exc.column), exc.message)]
    except JsonSyntaxError as exc:
        return {}, [diagnostics.parse_error(exc.span, f"invalid JSON in parameter file: {exc.message}")]
    root = doc.root
    parameters = root.get_ci("parameters") if root is not None else None
    values: dict[str, tuple[Any, str]] = {}
    label = os.path.basename(path)
    for name, wrapper in parameters.items() if parameters is not None else ():
        value = wrapper.get_ci("value")
        values[name] = (value.plain() if value is not None else UNKNOWN, f"parameter '{name}' from {label}")
        if spans is not None:
            spans[name] = value.span if value is not None else wrapper.span
    return values, []
