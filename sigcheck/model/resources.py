"""pydantic models of gallery resources and of the resources that consume them.

Every field that comes from the user's file is a `Located` value (value or UNKNOWN, plus span),
so a rule can always point at the exact token. The located body (`body`) is kept as well: the
schema-driven rules walk it path by path.
"""

from typing import Any, ClassVar, Optional

from pydantic import BaseModel, ConfigDict, Field

from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import Located, Span

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

# Fields are annotated with the bare `Located` class: subscripted generics and string annotations
# make pydantic's class construction several times slower, and start-up time is a feature here.
LStr = Optional[Located]
LAny = Optional[Located]


class _Model(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True, extra="forbid", defer_build=True)


class DeploymentContext(_Model):
    """What the deployment target supplies: unset means unknown, never guessed."""

    location: LStr = None
    resource_group: Optional[str] = None
    subscription_id: Optional[str] = None


class Resource(_Model):
    """Common to every resource: where it was declared and how it is addressed."""

    type_name: ClassVar[str] = ""

    source_kind: str  # arm | rest | cli | powershell | ...
    path: str
    span: Span
    names: list[Located]
    api_version: LStr = None
    location: LStr = None
    body: Optional[Node] = None
    is_response: bool = False
    # A partial update (PATCH): properties it leaves out keep their current values, so absent
    # required properties are not missing.
    partial: bool = False
    context: DeploymentContext = Field(default_factory=DeploymentContext)
    # Set after normalization when the parent is declared in the same run.
    parent: Optional[Any] = None

    @property
    def name(self) -> Optional[Located]:
        return self.names[-1] if self.names else None

    @property
    def full_name(self) -> str:
        return "/".join(str(n.value) if n.known else "?" for n in self.names)

    @property
    def effective_location(self) -> LStr:
        """The resource's own location, else the configured resource-group location."""
        return self.location if self.location is not None else self.context.location


class Feature(_Model):
    name: Located
    value: LAny = None
    span: Span


class Gallery(Resource):
    type_name: ClassVar[str] = GALLERY

    sharing_permission: LStr = None
    community_info: Optional[Node] = None


class ImageDefinition(Resource):
    type_name: ClassVar[str] = IMAGE_DEFINITION

    os_type: LStr = None
    os_state: LStr = None
    hyper_v_generation: LStr = None
    architecture: LStr = None
    features: list[Feature] = Field(default_factory=list)
    publisher: LStr = None
    offer: LStr = None
    sku: LStr = None
    end_of_life_date: LStr = None
    vcpus_min: LAny = None
    vcpus_max: LAny = None
    memory_min: LAny = None
    memory_max: LAny = None

    def feature(self, name: str) -> Optional[Feature]:
        """The last feature of that name (compared case-insensitively, as the service does)."""
        found = None
        for feature in self.features:
            if feature.name.known and isinstance(feature.name.value, str) and feature.name.value.lower() == name.lower():
                found = feature
        return found


class TargetRegion(_Model):
    name: Located
    replica_count: LAny = None
    storage_account_type: LAny = None
    exclude_from_latest: LAny = None
    encryption: Optional[Node] = None
    span: Span


class DiskImage(_Model):
    """An OS or data disk of an image version, with its source."""

    lun: LAny = None
    source_id: LAny = None
    source_uri: LAny = None
    storage_account_id: LAny = None
    size_in_gb: LAny = None
    span: Span


class _Replicated(Resource):
    """What image versions and application versions share: the publishing profile."""

    target_regions: Optional[list[TargetRegion]] = None
    target_regions_span: Optional[Span] = None
    replica_count: LAny = None
    storage_account_type: LAny = None
    storage_account_strategy: LAny = None
    replication_mode: LAny = None
    exclude_from_latest: LAny = None
    end_of_life_date: LStr = None


class ImageVersion(_Replicated):
    type_name: ClassVar[str] = IMAGE_VERSION

    source_id: LAny = None  # storageProfile.source.id (managed image, VM or gallery image version)
    source_vm_id: LAny = None  # storageProfile.source.virtualMachineId (2023-07-03+)
    source_uri: LAny = None  # storageProfile.source.uri (VHD, 2020-09-30 … 2022-01-03)
    community_image_id: LAny = None
    legacy_managed_image_id: LAny = None  # publishingProfile.source.managedImage.id (< 2019-07-01)
    os_disk: Optional[DiskImage] = None
    data_disks: list[DiskImage] = Field(default_factory=list)


class GalleryApplication(Resource):
    type_name: ClassVar[str] = APPLICATION

    supported_os_type: LStr = None
    end_of_life_date: LStr = None


class ApplicationVersion(_Replicated):
    type_name: ClassVar[str] = APPLICATION_VERSION

    media_link: LAny = None


class Disk(Resource):
    """A managed disk or snapshot; sizes feed the disk-size rule."""

    type_name: ClassVar[str] = DISK

    size_in_gb: LAny = None


class Snapshot(Disk):
    type_name: ClassVar[str] = SNAPSHOT


class VirtualMachine(Resource):
    type_name: ClassVar[str] = VIRTUAL_MACHINE

    image_id: LAny = None  # storageProfile.imageReference.id
    security_type: LAny = None
    has_os_profile: bool = False
    os_profile: LAny = None  # properties.osProfile (virtualMachineProfile.osProfile for a scale set)
    os_disk_size_in_gb: LAny = None
    data_disk_sizes: list[DiskImage] = Field(default_factory=list)


class VirtualMachineScaleSet(VirtualMachine):
    type_name: ClassVar[str] = SCALE_SET


class ManagedImage(Resource):
    type_name: ClassVar[str] = MANAGED_IMAGE

    os_disk_size_in_gb: LAny = None
    data_disk_sizes: list[DiskImage] = Field(default_factory=list)


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
