"""SIG0xx: problems with the input itself, reported by the loaders."""

from sigcheck.checks.api import pipeline_rule
from sigcheck.findings import Severity

PARSE_ERROR = pipeline_rule(
    "SIG001", "parse-error", Severity.ERROR,
    "A file that looks like a gallery input cannot be read or parsed, so none of its resources can be checked.",
)
DUPLICATE_KEY = pipeline_rule(
    "SIG004", "duplicate-key", Severity.WARNING,
    "A JSON object repeats a key, so one of the two values is silently ignored.",
)

RULES = [PARSE_ERROR, DUPLICATE_KEY]
