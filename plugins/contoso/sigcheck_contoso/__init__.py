"""sigcheck-contoso: Contoso's house rules (CON001, CON002) and its image catalogue format
(`*.contoso` files), registered with sigcheck through the entry point in pyproject.toml."""

from __future__ import annotations

from typing import Any

from sigcheck.plugin import LazyLoader, Loader, Rule, hookimpl

from sigcheck_contoso.rules import RULES


class CatalogueLoader(LazyLoader):
    """Claims `*.contoso` files. Recognition runs for every file of a run, so it is cheap and
    lives here; the reading code (`module`) is imported when the first catalogue is read."""

    name = "contoso-catalogue"
    priority = 50
    module = "sigcheck_contoso.catalogue"

    def claims(self, path: str, text: str) -> bool:
        return path.lower().endswith(".contoso")


@hookimpl
def sigcheck_rules() -> list[Rule[Any]]:
    return list(RULES)


@hookimpl
def sigcheck_loaders() -> list[Loader]:
    return [CatalogueLoader()]
