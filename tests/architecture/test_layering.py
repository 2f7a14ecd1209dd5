"""The pipeline's direction, read from the imports (static ones, including those inside functions
and under TYPE_CHECKING): syntax <- model <- inputs <- engine <- checks, report; the application
modules (CLI, language server, configuration, library entry points) sit on top of everything."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "sigcheck"

# What each part may import besides itself. Top-level modules not listed are the application.
# `hookimpl` is the built-ins' mark of a hook implementation: it imports nothing.
ALLOWED: dict[str, set[str]] = {
    "syntax": set(),
    "hookimpl": set(),
    "model": {"syntax"},
    "inputs": {"syntax", "model", "hookspecs", "hookimpl"},
    "engine": {"syntax", "model", "inputs", "hookspecs", "hookimpl"},
    "hookspecs": {"syntax", "model", "inputs", "engine", "hookimpl"},
    "plugin": {"syntax", "model", "inputs", "engine", "hookspecs", "hookimpl"},
    "checks": {"syntax", "model", "engine", "hookspecs", "plugin", "hookimpl"},
    "report": {"syntax", "model", "engine", "hookspecs", "hookimpl"},
}


def _part(module: str) -> str:
    bits = module.split(".")
    if len(bits) == 1:
        return "__init__"
    if not (PACKAGE / bits[1]).is_dir() and not (PACKAGE / f"{bits[1]}.py").exists():
        return "__init__"  # a name defined in the package root (__version__), not a module
    return bits[1]


def _imports(path: Path, module: str) -> set[str]:
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names if target == "sigcheck")
    return {name for name in found if name == "sigcheck" or name.startswith("sigcheck.")}


def _modules() -> list[tuple[Path, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        out.append((path, ".".join(rel.parts).removesuffix(".__init__")))
    return out


def test_no_stage_imports_a_later_one() -> None:
    wrong = []
    for path, module in _modules():
        part = _part(module)
        if part not in ALLOWED:
            continue
        for target in _imports(path, module):
            other = _part(target)
            # The package root holds constants only (its library functions import lazily).
            if other in (part, "__init__", "data") or other in ALLOWED[part]:
                continue
            wrong.append(f"{module} imports {target}")
    assert not wrong, "imports against the pipeline's direction:\n" + "\n".join(sorted(wrong))


def test_the_syntax_base_imports_nothing_of_ours() -> None:
    for path, module in _modules():
        if _part(module) == "syntax":
            assert all(_part(t) == "syntax" for t in _imports(path, module)), module


def test_checks_reach_no_input_kind() -> None:
    """A rule reads the model, whichever input it came from."""
    for path, module in _modules():
        if _part(module) == "checks":
            assert not any(_part(t) == "inputs" for t in _imports(path, module)), module
