"""The built-in output formats, registered as a plugin."""

from sigcheck.hookspecs import hookimpl
from sigcheck.engine.result import Formatter
from sigcheck.report.github import GithubFormatter
from sigcheck.report.gitlab import GitlabFormatter
from sigcheck.report.json_format import JsonFormatter
from sigcheck.report.sarif import SarifFormatter
from sigcheck.report.text import TextFormatter


@hookimpl
def sigcheck_formatters() -> list[Formatter]:
    return [TextFormatter(), JsonFormatter(), GithubFormatter(), SarifFormatter(), GitlabFormatter()]
