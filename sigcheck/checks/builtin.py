"""The built-in rules, registered as a plugin like any third-party rule pack."""

from sigcheck.checks import api_versions, input, names, regions, security, storage
from sigcheck.checks.api import Rule
from sigcheck.hookspecs import hookimpl


@hookimpl
def sigcheck_rules() -> list[Rule]:
    return [*input.RULES, *names.RULES, *regions.RULES, *storage.RULES, *security.RULES, *api_versions.RULES]
