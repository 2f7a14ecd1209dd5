"""The built-in rules, registered as a plugin like any third-party rule pack."""

from sigcheck.checks import api_versions, arm_expressions, cli_usage, consumers, encryption, features, input, lifecycle, names, regions, schema, security, storage, suppressions
from sigcheck.checks.api import Rule
from sigcheck.hookspecs import hookimpl


@hookimpl
def sigcheck_rules() -> list[Rule]:
    return [*input.RULES, *arm_expressions.RULES, *cli_usage.RULES, *suppressions.RULES, *names.RULES, *regions.RULES, *storage.RULES, *security.RULES, *api_versions.RULES, *encryption.RULES, *features.RULES, *consumers.RULES, *schema.RULES, *lifecycle.RULES]
