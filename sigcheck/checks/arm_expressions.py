"""SIG005: ARM template expressions the deployment would reject (reported while evaluating)."""

from sigcheck.checks.api import pipeline_rule
from sigcheck.findings import Severity

ARM_EXPRESSION_ERROR = pipeline_rule(
    "SIG005", "arm-expression-error", Severity.ERROR,
    "An ARM template expression calls an unknown function, passes the wrong number or type of arguments, or names a parameter or variable the template does not declare.",
)

RULES = [ARM_EXPRESSION_ERROR]
