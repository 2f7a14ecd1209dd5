"""SIG404–SIG405: feature names and values against the documented ones."""

from __future__ import annotations

import pytest
from lint_text import lint, template

from sigcheck.model.findings import Severity


def definition(*features: tuple[str, str]) -> str:
    return template({
        "type": "Microsoft.Compute/galleries/images", "apiVersion": "2024-03-03", "name": "g404/d",
        "location": "westeurope",
        "properties": {"osType": "Linux", "osState": "Generalized", "hyperVGeneration": "V2",
                       "identifier": {"publisher": "p", "offer": "o", "sku": "s"},
                       "features": [{"name": n, "value": v} for n, v in features]},
    })


@pytest.mark.parametrize("value", ["True", "true", "False", "false"])
def test_both_documented_boolean_spellings_are_accepted(value: str) -> None:
    assert lint(definition(("IsHibernateSupported", value)), "SIG404") == []


@pytest.mark.parametrize("value", ["ConfidentialVmSupported", "ConfidentialVMSupported", "TrustedLaunchandConfidentialVMSupported"])
def test_spellings_the_sources_use_are_accepted(value: str) -> None:
    assert lint(definition(("SecurityType", value)), "SIG404") == []


@pytest.mark.parametrize(
    ("feature", "severity", "words"),
    [
        (("SecurityType", "trustedlaunch"), Severity.NOTE, "written 'TrustedLaunch'"),
        (("SecurityType", "TrustedLaunchSupport"), Severity.WARNING, "did you mean 'TrustedLaunchSupported'?"),
        (("DiskControllerType", "SCSI"), Severity.WARNING, "the feature is 'DiskControllerTypes'"),
        (("DiskControllerTypes", "NVMe, SCSI"), None, ""),
        (("DiskControllerTypes", "scsi"), Severity.NOTE, "written 'SCSI'"),
        (("DiskControllerTypes", "SCSI,SCSI"), Severity.WARNING, "twice"),
        (("IsMeasuredBootSupported", "true"), Severity.WARNING, "az CLI help example"),
        (("HibernateSupported", "true"), Severity.WARNING, "did you mean 'IsHibernateSupported'?"),
    ],
)
def test_feature_findings(feature: tuple[str, str], severity: Severity | None, words: str) -> None:
    found = lint(definition(feature), "SIG404")
    if severity is None:
        assert found == []
    else:
        assert [(f.severity, words in f.message) for f in found] == [(severity, True)]


def test_duplicates_compare_names_ignoring_case() -> None:
    found = lint(definition(("SecurityType", "TrustedLaunchSupported"), ("SECURITYTYPE", "Standard")), "SIG405")
    assert len(found) == 1 and "already given at line" in found[0].message
