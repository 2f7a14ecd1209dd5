"""The built-in rules, registered as a plugin like any third-party rule pack."""

from sigcheck.checks import api_versions, consumers, encryption, exclusive, features, input, lifecycle, names, regions, schema, security, storage
from sigcheck.checks import immutable, resource_ids
from sigcheck.engine.rules import AnyRule, declared
from sigcheck.hookspecs import hookimpl
from sigcheck.model.diagnostics import PIPELINE_DIAGNOSTICS


@hookimpl
def sigcheck_rules() -> list[AnyRule]:
    return [
        *(declared(meta) for meta in PIPELINE_DIAGNOSTICS),
        *input.RULES, *names.RULES, *regions.RULES, *storage.RULES, *security.RULES, *api_versions.RULES,
        *encryption.RULES, *features.RULES, *consumers.RULES, *schema.RULES, *lifecycle.RULES, *exclusive.RULES,
        *resource_ids.RULES, *immutable.RULES,
    ]
