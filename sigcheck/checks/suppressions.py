"""SIG006, SIG007: in-source suppressions that cannot be honoured or that suppress nothing.

The pipeline reports them (sigcheck/suppress.py, applied by the engine after the rules ran): a
suppression is only as good as its reason, and one that outlived its finding hides the next one.
"""

from sigcheck.checks.api import pipeline_rule
from sigcheck.findings import Severity

INVALID_SUPPRESSION = pipeline_rule(
    "SIG006", "invalid-suppression", Severity.ERROR,
    "A suppression comment or `metadata.sigcheck.ignore` entry is malformed or gives no reason, so it suppresses nothing.",
)
UNUSED_SUPPRESSION = pipeline_rule(
    "SIG007", "unused-suppression", Severity.WARNING,
    "A suppression names a rule that reports nothing where the suppression applies.",
)

RULES = [INVALID_SUPPRESSION, UNUSED_SUPPRESSION]
