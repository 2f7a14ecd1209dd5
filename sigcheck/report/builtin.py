"""The built-in output formats, registered as a plugin. Each format's module is imported when a
report is rendered in it: a text run does not import the SARIF or GitLab code."""

from __future__ import annotations

from importlib import import_module

from sigcheck.engine.result import Formatter, RunResult
from sigcheck.hookimpl import hookimpl

# name -> (module, class)
FORMATS = {
    "text": ("sigcheck.report.text", "TextFormatter"),
    "json": ("sigcheck.report.json_format", "JsonFormatter"),
    "github": ("sigcheck.report.github", "GithubFormatter"),
    "sarif": ("sigcheck.report.sarif", "SarifFormatter"),
    "gitlab": ("sigcheck.report.gitlab", "GitlabFormatter"),
}


class DeferredFormatter:
    """A built-in format known by name, its module imported on first use."""

    def __init__(self, name: str, module: str, cls: str) -> None:
        self.name = name
        self._where = (module, cls)
        self._formatter: Formatter | None = None

    @property
    def formatter(self) -> Formatter:
        if self._formatter is None:
            module, cls = self._where
            self._formatter = getattr(import_module(module), cls)()
        return self._formatter

    def render(self, result: RunResult) -> str:
        return self.formatter.render(result)


@hookimpl
def sigcheck_formatters() -> list[Formatter]:
    return [DeferredFormatter(name, module, cls) for name, (module, cls) in FORMATS.items()]
