"""SIG407, SIG503, SIG704, SIG705: VMs and scale sets that are created from a gallery image.

A consumer is judged against the image definition or version it references only when that
resource is declared in the files checked together; otherwise nothing about it is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

from sigcheck.model import facts
from sigcheck.engine.rules import AnyRule, CheckContext, Hit, rule
from sigcheck.checks.values import declared, present, related, text, where_words
from sigcheck.model.findings import Severity
from sigcheck.syntax.located import Located
from sigcheck.model import resources as m
from sigcheck.model.ids import reference_of
from sigcheck.model.regions import normalize_region

_CONSUMERS: tuple[type[m.VirtualMachine], ...] = (m.VirtualMachine, m.VirtualMachineScaleSet)
_IMAGE_TYPES = (m.IMAGE_DEFINITION, m.IMAGE_VERSION)


@dataclass
class _Image:
    """What a consumer's image reference points at in the gallery."""

    reference: Located[str]  # the imageReference.id
    type_name: str  # image definition or image version
    names: list[str]
    definitions: list[m.ImageDefinition]  # declarations of the definition in the run
    versions: list[m.ImageVersion]  # declarations of the version (empty for a definition reference)

    @property
    def label(self) -> str:
        kind = "image version" if self.type_name.lower() == m.IMAGE_VERSION.lower() else "image definition"
        if not self.names:
            where = f" of the image definition declared in this template (line {self.definitions[0].span.line})" if self.definitions else ""
            return f"the {kind}{where}"
        return f"{kind} '{'/'.join(self.names)}'"


def _image(vm: m.VirtualMachine, ctx: CheckContext) -> _Image | None:
    ref = vm.image_id
    target = reference_of(ref, _IMAGE_TYPES)
    if ref is None or target is None:
        return None
    type_name, names = target
    if not names:
        return _same_template_image(vm, ref, type_name, ctx)
    definitions = [d for d in declared(ctx.find(m.IMAGE_DEFINITION, names[:2]), m.ImageDefinition) if related(vm, d)]
    versions = []
    if type_name.lower() == m.IMAGE_VERSION.lower():
        versions = [v for v in declared(ctx.find(m.IMAGE_VERSION, names[:3]), m.ImageVersion) if related(vm, v)]
    return _Image(ref, type_name, list(names), definitions, versions)


def _same_template_image(vm: m.VirtualMachine, ref: Located[str], type_name: str, ctx: CheckContext) -> _Image:
    """A reference whose names are unknown (`resourceId(type, parameters(…), …)`): the image
    definition it uses is known only when the VM's own template declares exactly one."""
    definitions = [d for d in declared(ctx.resources, m.ImageDefinition) if d.path == vm.path and d.source_kind == vm.source_kind]
    if len(definitions) != 1:
        definitions = []
    return _Image(ref, type_name, [], definitions, [])


def _agreed(values: Sequence[str | None]) -> str | None:
    """The one value every declaration agrees on (compared ignoring case), else None."""
    known = {v.lower() for v in values if v is not None}
    if len(known) != 1 or any(v is None for v in values):
        return None
    return next(v for v in values if v is not None)


def _security_type(definition: m.ImageDefinition) -> str | None:
    feature = definition.feature("SecurityType")
    return text(feature.value) if feature is not None else None


@rule(
    "SIG407", "vm-security-mismatch", Severity.ERROR,
    "A VM or scale set uses a gallery image that only supports Trusted Launch or confidential VMs, without the matching security type.",
    applies_to=_CONSUMERS,
    needs=("features", "security_type"),
)
def vm_security_mismatch(res: m.VirtualMachine, ctx: CheckContext) -> Iterator[Hit]:
    image = _image(res, ctx)
    if image is None or not image.definitions:
        return
    required = _agreed([_security_type(d) for d in image.definitions])
    only = {v.lower(): v for v in facts.load("features")["private_only_security_types"]}
    if required is None or required.lower() not in only:
        return
    wanted = only[required.lower()]
    vm_kind = "scale set" if isinstance(res, m.VirtualMachineScaleSet) else "VM"
    have = res.security_type
    if have is None or have.value is None:
        yield Hit(image.reference, f"{image.label} has SecurityType {wanted}, so only {wanted} VMs can be created from it; this {vm_kind} sets no securityProfile.securityType (set it to {wanted})")
    elif (written := text(have)) is not None and written.lower() != wanted.lower():
        yield Hit(have, f"securityType '{have.value}' does not match {image.label}, whose SecurityType {wanted} allows only {wanted} VMs")


@rule(
    "SIG503", "consumer-api-version", Severity.WARNING,
    "A VM or scale set that is created from a gallery image uses a Compute API version older than 2018-04-01.",
    applies_to=_CONSUMERS,
    needs=("api_version",),
)
def consumer_api_version(res: m.VirtualMachine, ctx: CheckContext) -> Iterator[Hit]:
    if reference_of(res.image_id, _IMAGE_TYPES) is None:
        return
    api = res.api_version
    minimum = facts.load("api_versions")["consumer_min_api_version"]["min"]
    if api is not None and api.known and api.value[:10] < minimum:
        kind = "scale set" if isinstance(res, m.VirtualMachineScaleSet) else "VM"
        yield Hit(api, f"API version {api.value} is older than {minimum}, the oldest recommended for a {kind} created from a gallery image")


@rule(
    "SIG704", "os-profile-vs-os-state", Severity.ERROR,
    "A VM or scale set built from a specialized gallery image has an `osProfile`, or one built from a generalized image has none.",
    applies_to=_CONSUMERS,
)
def os_profile_vs_os_state(res: m.VirtualMachine, ctx: CheckContext) -> Iterator[Hit]:
    image = _image(res, ctx)
    if image is None or not image.definitions:
        return
    state = _agreed([text(d.os_state) for d in image.definitions])
    profile = res.os_profile
    if state is None or (profile is not None and not profile.known):
        return  # an unresolved osProfile may be null
    if state.lower() == "specialized" and profile is not None and present(profile):
        yield Hit(profile, f"{image.label} is Specialized, so the VM keeps the source machine's identity and accounts; remove osProfile")
    elif state.lower() == "generalized" and not present(profile):
        yield Hit(image.reference, f"{image.label} is Generalized, so the VM needs an osProfile (computer name and administrator account); add one")


@rule(
    "SIG705", "version-not-in-vm-region", Severity.ERROR,
    "A VM or scale set is deployed in a region that the image version it uses is not replicated to.",
    applies_to=_CONSUMERS,
)
def version_not_in_vm_region(res: m.VirtualMachine, ctx: CheckContext) -> Iterator[Hit]:
    image = _image(res, ctx)
    if image is None or len(image.versions) != 1:
        return
    version = image.versions[0]
    if version.target_regions is None:
        return  # where a version without target regions is replicated is not stated
    regions = [name for r in version.target_regions if (name := text(r.name)) is not None]
    if len(regions) != len(version.target_regions):
        return
    location = text(res.effective_location)
    if location is None or normalize_region(location) in {normalize_region(r) for r in regions}:
        return
    where = res.location if res.location is not None else image.reference
    listed = Located(None, version.target_regions_span or version.span)
    yield Hit(where, f"{image.label} is replicated to {', '.join(regions)} ({where_words(res, listed)}), not to '{location}'; add '{location}' to its target regions or deploy the VM where the image is")


RULES: list[AnyRule] = [vm_security_mismatch, consumer_api_version, os_profile_vs_os_state, version_not_in_vm_region]
