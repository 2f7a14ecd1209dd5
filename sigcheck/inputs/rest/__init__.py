"""REST input: `.http` / `.rest` request files and Azure REST API example JSON."""

from __future__ import annotations

from sigcheck.hookimpl import hookimpl
from sigcheck.inputs.api import LazyLoader
from sigcheck.inputs.recognize import REST_SUFFIXES, is_rest_example


class RestFileLoader(LazyLoader):
    """`.http` / `.rest` request files."""

    name = "rest"
    # The outcome depends on the file's content alone (sigcheck.engine.cache may keep it).
    cacheable = True
    priority = 45
    module = "sigcheck.inputs.rest.http"

    def claims(self, path: str, text: str) -> bool:
        if not path.lower().endswith(REST_SUFFIXES):
            return False
        return not text or "galleries" in text.lower()


class RestExampleLoader(LazyLoader):
    """Azure REST API examples; asked before the ARM loader (50), which must never read them."""

    name = "rest-example"
    # The outcome depends on the file's content alone (sigcheck.engine.cache may keep it).
    cacheable = True
    priority = 40
    module = "sigcheck.inputs.rest.examples"

    def claims(self, path: str, text: str) -> bool:
        return is_rest_example(path, text)


@hookimpl
def sigcheck_loaders() -> list[LazyLoader]:
    return [RestExampleLoader(), RestFileLoader()]
