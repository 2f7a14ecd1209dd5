"""SIG604: two properties that the declared API version accepts only one at a time.

Emitted by the inputs that know such pairs: Image Builder's SharedImage distributions
(`replicationRegions` or `targetRegions`; a distribution-level `storageAccountType` only with
`replicationRegions`), from the pairs in rules/imagebuilder/distribute.json. Declared here so it
is listed, documented and selectable like every rule.
"""

from __future__ import annotations

from sigcheck.engine.rules import Rule, declared
from sigcheck.model.findings import RuleMeta, Severity
from sigcheck.model.resources import Resource

EXCLUSIVE_PROPERTIES = RuleMeta(
    "SIG604", "exclusive-properties", Severity.ERROR,
    "Two properties that the declared API version accepts only one at a time are both given.",
    emitted_by_pipeline=True,
)

RULES: list[Rule[Resource]] = [declared(EXCLUSIVE_PROPERTIES)]
