"""sigcheck: a static linter for Azure Compute Gallery resources.

The library entry points (`lint_paths`, `lint_text`, `Linter`, `LintResult`, `LintError`) are
imported on first use, so `import sigcheck` stays cheap for the command line and for plugins.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

# Where each rule's documentation page lives (docs/rules/<ID>.md in the repository).
DOCS_URL = "https://github.com/sigcheck/sigcheck/blob/main/docs/rules"
INFORMATION_URI = "https://github.com/sigcheck/sigcheck"

_LIBRARY = ("lint_paths", "lint_text", "Linter", "LintResult", "LintError")
__all__ = ["__version__", "DOCS_URL", "INFORMATION_URI", *_LIBRARY]


def __getattr__(name: str) -> Any:
    if name in _LIBRARY:
        from importlib import import_module

        return getattr(import_module("sigcheck.library"), name)
    raise AttributeError(f"module 'sigcheck' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
