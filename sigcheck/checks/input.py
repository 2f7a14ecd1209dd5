"""SIG0xx: problems with the input itself, reported by the loaders."""

from sigcheck.checks.api import pipeline_rule
from sigcheck.findings import Severity

PARSE_ERROR = pipeline_rule(
    "SIG001", "parse-error", Severity.ERROR,
    "The file cannot be read or parsed (malformed JSON, bad encoding, binary).",
)
DUPLICATE_KEY = pipeline_rule(
    "SIG004", "duplicate-key", Severity.WARNING,
    "A JSON object repeats a key; only the last value is used.",
)

RULES = [PARSE_ERROR, DUPLICATE_KEY]
