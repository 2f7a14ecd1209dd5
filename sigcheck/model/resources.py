"""The gallery model: typed, slotted classes for gallery resources and the resources that use them.

Every field that comes from the user's file is a `Located` value (value or UNKNOWN, plus span), so a
rule can always point at the exact token. A `Located[str]` holds a string or UNKNOWN: the mapping
from the body (`from_body`) leaves out a value of another JSON type (the schema rules report it).
Where the rules tell "written as null or as something else" from "not written" (a null
`hyperVGeneration` is not a missing one; a region's null `storageAccountType` does not inherit the
profile's), the field is a `Located[object]`: whatever was written, read with the helpers of
`sigcheck.checks.values` (`text`, `integer`, `present`).
Where a rule needs to know how a list or object was written (an unresolved expression, JSON null),
the model keeps its `Shape`. The located body (`body`) is kept for the schema rules (SIG308,
SIG5xx/SIG6xx), which walk it path by path; every other rule reads the typed fields.

Plain dataclasses, not pydantic: the model is built for every resource of every run and its import
is on the start-up path of a one-file run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span

GALLERY = "Microsoft.Compute/galleries"
IMAGE_DEFINITION = "Microsoft.Compute/galleries/images"
IMAGE_VERSION = "Microsoft.Compute/galleries/images/versions"
APPLICATION = "Microsoft.Compute/galleries/applications"
APPLICATION_VERSION = "Microsoft.Compute/galleries/applications/versions"
VIRTUAL_MACHINE = "Microsoft.Compute/virtualMachines"
SCALE_SET = "Microsoft.Compute/virtualMachineScaleSets"
DISK = "Microsoft.Compute/disks"
SNAPSHOT = "Microsoft.Compute/snapshots"
MANAGED_IMAGE = "Microsoft.Compute/images"

GALLERY_TYPES = (GALLERY, IMAGE_DEFINITION, IMAGE_VERSION, APPLICATION, APPLICATION_VERSION)

# The JSON kind of a written list or object property: "object", "array", "null", "string",
# "number", "boolean", or UNKNOWN when it is an unresolved expression.
Shape = Located[str]


def shape_is(shape: Shape | None, kind: str) -> bool:
    return shape is not None and shape.value == kind


def unreadable(shape: Shape | None, kind: str) -> bool:
    """Whether a property is given (not absent, not null) but is not the `kind` expected, so
    what is inside cannot be read (an unresolved expression counts)."""
    return shape is not None and shape.value != "null" and shape.value != kind


def unresolved(shape: Shape | None) -> bool:
    return shape is not None and shape.value is UNKNOWN


@dataclass(slots=True, kw_only=True)
class DeploymentContext:
    """What the deployment target supplies: unset means unknown, never guessed."""

    location: Located[str] | None = None
    resource_group: str | None = None
    subscription_id: str | None = None


@dataclass(slots=True, kw_only=True, eq=False)
class Resource:
    """Common to every resource: where it was declared and how it is addressed."""

    type_name: ClassVar[str] = ""

    source_kind: str  # arm | rest | cli | powershell | ...
    path: str
    span: Span
    names: list[Located[str]]
    api_version: Located[str] | None = None
    location: Located[object] | None = None
    # Whether the body states a location (a request may leave it out: an update keeps it).
    location_in_body: bool = True
    # The `properties` key of the body, where a finding about something missing points.
    properties_key: Located[str] | None = None
    # `tags`: each tag name as written (located at its key), and how the tags were written
    # (an unresolved expression leaves every tag unknown).
    tags: list[Located[str]] = field(default_factory=list)
    tags_shape: Shape | None = None
    tags_key: Located[str] | None = None
    body: Node | None = None
    is_response: bool = False
    # A partial update (PATCH): properties it leaves out keep their current values, so absent
    # required properties are not missing.
    partial: bool = False
    context: DeploymentContext = field(default_factory=DeploymentContext)
    # Set after normalization when the parent is declared in the same run.
    parent: Resource | None = None

    @property
    def name(self) -> Located[str] | None:
        return self.names[-1] if self.names else None

    @property
    def full_name(self) -> str:
        return "/".join(str(n.value) if n.known else "?" for n in self.names)

    @property
    def effective_location(self) -> Located[object] | None:
        """The resource's own location, else the configured resource-group location."""
        return self.location if self.location is not None else self.context.location


@dataclass(slots=True, kw_only=True, eq=False)
class Feature:
    name: Located[str]
    value: Located[str] | None = None
    span: Span


@dataclass(slots=True, kw_only=True, eq=False)
class CommunityGalleryInfo:
    """sharingProfile.communityGalleryInfo: what a community gallery shows the public."""

    span: Span
    eula: Located[str] | None = None
    public_name_prefix: Located[str] | None = None
    publisher_contact: Located[str] | None = None
    publisher_uri: Located[str] | None = None


@dataclass(slots=True, kw_only=True, eq=False)
class Gallery(Resource):
    type_name: ClassVar[str] = GALLERY

    sharing_permission: Located[str] | None = None
    community_info: CommunityGalleryInfo | None = None


@dataclass(slots=True, kw_only=True, eq=False)
class ImageDefinition(Resource):
    type_name: ClassVar[str] = IMAGE_DEFINITION

    os_type: Located[str] | None = None
    os_state: Located[str] | None = None
    hyper_v_generation: Located[object] | None = None
    architecture: Located[str] | None = None
    features: list[Feature] = field(default_factory=list)
    features_shape: Shape | None = None  # how `features` was written
    # The whole `identifier` object (publisher, offer, sku), for findings about the combination.
    identifier: Located[object] | None = None
    publisher: Located[str] | None = None
    offer: Located[str] | None = None
    sku: Located[str] | None = None
    end_of_life_date: Located[str] | None = None
    # Numbers; strings of digits are kept as written (the range is wrong either way).
    vcpus_min: Located[object] | None = None
    vcpus_max: Located[object] | None = None
    memory_min: Located[object] | None = None
    memory_max: Located[object] | None = None

    def feature(self, name: str) -> Feature | None:
        """The last feature of that name (compared case-insensitively, as the service does)."""
        found = None
        for feature in self.features:
            if feature.name.known and isinstance(feature.name.value, str) and feature.name.value.lower() == name.lower():
                found = feature
        return found


@dataclass(slots=True, kw_only=True, eq=False)
class DiskEncryption:
    """The encryption of one disk in one target region: `encryption.osDiskImage` or an entry of
    `encryption.dataDiskImages`."""

    span: Span
    shape: Shape  # an "object" unless unresolved or mistyped
    lun: Located[object] | None = None  # data disks only
    disk_encryption_set_id: Located[object] | None = None
    # osDiskImage.securityProfile (2021-10-01+): confidential VM encryption.
    confidential_vm_encryption_type: Located[str] | None = None
    secure_vm_disk_encryption_set_id: Located[object] | None = None


@dataclass(slots=True, kw_only=True, eq=False)
class RegionEncryption:
    """`encryption` of a target region or extended location: disk encryption sets by disk."""

    key: Located[str]  # the property name `encryption`
    shape: Shape
    os_disk_image: DiskEncryption | None = None
    data_disk_images: list[DiskEncryption] = field(default_factory=list)
    data_disk_images_shape: Shape | None = None


@dataclass(slots=True, kw_only=True, eq=False)
class TargetRegion:
    name: Located[object]  # a string, or whatever a bare array item was
    replica_count: Located[object] | None = None
    storage_account_type: Located[object] | None = None
    exclude_from_latest: Located[object] | None = None
    encryption: RegionEncryption | None = None
    span: Span


@dataclass(slots=True, kw_only=True, eq=False)
class TargetExtendedLocation:
    """An edge zone a version is replicated to (`targetExtendedLocations`)."""

    name: Located[str] | None = None  # extendedLocation.name
    storage_account_type: Located[str] | None = None
    encryption: RegionEncryption | None = None
    span: Span


@dataclass(slots=True, kw_only=True, eq=False)
class DiskImage:
    """An OS or data disk of an image version, with its source; or, for a VM or managed image,
    one of its disks with its size."""

    lun: Located[object] | None = None
    source_id: Located[object] | None = None
    source_uri: Located[object] | None = None
    storage_account_id: Located[object] | None = None
    size_in_gb: Located[object] | None = None
    span: Span


@dataclass(slots=True, kw_only=True, eq=False)
class Replicated(Resource):
    """What image versions and application versions share: the publishing profile."""

    target_regions: list[TargetRegion] | None = None
    target_regions_shape: Shape | None = None
    # The `encryption` of every entry of targetRegions and targetExtendedLocations, in the order
    # written; this includes the entries without a name, which `target_regions` leaves out.
    encryptions: list[RegionEncryption] = field(default_factory=list)
    target_extended_locations: list[TargetExtendedLocation] = field(default_factory=list)
    publishing_profile_key: Located[str] | None = None
    replica_count: Located[object] | None = None
    storage_account_type: Located[object] | None = None
    storage_account_strategy: Located[object] | None = None
    replication_mode: Located[str] | None = None
    exclude_from_latest: Located[object] | None = None
    end_of_life_date: Located[str] | None = None

    @property
    def target_regions_span(self) -> Span | None:
        return self.target_regions_shape.span if self.target_regions_shape is not None else None


@dataclass(slots=True, kw_only=True, eq=False)
class ImageVersion(Replicated):
    type_name: ClassVar[str] = IMAGE_VERSION

    storage_profile_key: Located[str] | None = None
    source_id: Located[object] | None = None  # storageProfile.source.id (managed image, VM or gallery image version)
    source_vm_id: Located[object] | None = None  # storageProfile.source.virtualMachineId (2023-07-03+)
    source_uri: Located[object] | None = None  # storageProfile.source.uri (VHD, 2020-09-30 … 2022-01-03)
    community_image_id: Located[object] | None = None
    legacy_managed_image_id: Located[object] | None = None  # publishingProfile.source.managedImage.id (< 2019-07-01)
    # Whether some container on the way to a source is given but unreadable (an unresolved
    # expression), so that the source cannot be known to be absent.
    source_hidden: bool = False
    os_disk: DiskImage | None = None
    data_disks: list[DiskImage] = field(default_factory=list)
    data_disks_shape: Shape | None = None  # how storageProfile.dataDiskImages was written


@dataclass(slots=True, kw_only=True, eq=False)
class GalleryApplication(Resource):
    type_name: ClassVar[str] = APPLICATION

    supported_os_type: Located[str] | None = None
    end_of_life_date: Located[str] | None = None


@dataclass(slots=True, kw_only=True, eq=False)
class ApplicationVersion(Replicated):
    type_name: ClassVar[str] = APPLICATION_VERSION

    media_link: Located[str] | None = None


@dataclass(slots=True, kw_only=True, eq=False)
class Disk(Resource):
    """A managed disk or snapshot; sizes feed the disk-size rule."""

    type_name: ClassVar[str] = DISK

    size_in_gb: Located[object] | None = None


@dataclass(slots=True, kw_only=True, eq=False)
class Snapshot(Disk):
    type_name: ClassVar[str] = SNAPSHOT


@dataclass(slots=True, kw_only=True, eq=False)
class VirtualMachine(Resource):
    type_name: ClassVar[str] = VIRTUAL_MACHINE

    image_id: Located[str] | None = None  # storageProfile.imageReference.id
    security_type: Located[object] | None = None
    has_os_profile: bool = False
    os_profile: Located[object] | None = None  # properties.osProfile (virtualMachineProfile.osProfile for a scale set)
    os_disk_size_in_gb: Located[object] | None = None
    data_disk_sizes: list[DiskImage] = field(default_factory=list)


@dataclass(slots=True, kw_only=True, eq=False)
class VirtualMachineScaleSet(VirtualMachine):
    type_name: ClassVar[str] = SCALE_SET


@dataclass(slots=True, kw_only=True, eq=False)
class ManagedImage(Resource):
    type_name: ClassVar[str] = MANAGED_IMAGE

    os_disk_size_in_gb: Located[object] | None = None
    data_disk_sizes: list[DiskImage] = field(default_factory=list)


MODEL_BY_TYPE: dict[str, type[Resource]] = {
    cls.type_name.lower(): cls
    for cls in (
        Gallery,
        ImageDefinition,
        ImageVersion,
        GalleryApplication,
        ApplicationVersion,
        Disk,
        Snapshot,
        VirtualMachine,
        VirtualMachineScaleSet,
        ManagedImage,
    )
}
