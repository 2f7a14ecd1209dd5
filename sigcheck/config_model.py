"""What a configuration may hold, as pydantic models: `[tool.sigcheck]` in pyproject.toml or the whole
of `.sigcheck.yaml`, with the organisation policy and custom rules (docs/policy.md).

pydantic validates what users write here (sigcheck/config.py turns its errors into
file:line:col messages) and publishes the JSON Schema editors use, `sigcheck/config_schema.json`
(written by scripts/gen_config_schema.py; a test fails when the two differ). Imported only to
validate a configuration the cache has not seen valid before, never on the path of a repeat run.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema, field_validator,
                      model_validator)
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

RULE_PATTERN = r"^[A-Za-z][A-Za-z0-9]*$"
RuleId = Annotated[str, StringConstraints(pattern=RULE_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1)]
SeverityName = Literal["error", "warning", "note"]
KindName = Literal["gallery", "image-definition", "image-version", "application", "application-version"]
# The storage account types, security types and sharing permissions a policy may name (domain.md
# §3 and §4: the values the service accepts).
StorageType = Literal["Standard_LRS", "Standard_ZRS", "Premium_LRS", "PremiumV2_LRS", "StandardSSD_LRS"]
SecurityType = Literal["Standard", "TrustedLaunch", "TrustedLaunchSupported", "ConfidentialVM",
                       "ConfidentialVmSupported", "TrustedLaunchAndConfidentialVmSupported"]
Sharing = Literal["Private", "Groups", "Community"]


def _one_or_many(value: Any) -> Any:
    """`select = "ALL"` and `ignore = "SIG2, SIG706"` are lists of one or more ids."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


Rules = Annotated[
    list[RuleId],
    BeforeValidator(_one_or_many),
    WithJsonSchema({
        "oneOf": [
            {"type": "array", "items": {"type": "string", "pattern": RULE_PATTERN}},
            {"type": "string", "description": 'One id or prefix, or several separated by commas: "ALL", "SIG2, SIG706".'},
        ],
    }),
]


class _Table(BaseModel):
    """A table of the configuration: only its own keys, values of exactly their type (a YAML
    string is not read as a number), keys spelt as users write them (`extend-select`). A key is
    optional but never null: `select:` with nothing after it is a mistake, not "unset"."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("null_value", "the key has no value")
        return value


class _NonEmpty(_Table):
    """A table that must set at least one of its keys."""

    @model_validator(mode="before")
    @classmethod
    def _some_key(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data:
            raise ValueError("set at least one of " + ", ".join(f"'{f.alias or n}'" for n, f in cls.model_fields.items()))
        return data


class StaleApiVersion(_Table):
    max_age_days: int | None = Field(None, alias="max-age-days", ge=1,
                                     description="API versions older than this many days before the date of the check are reported.")


class Replicas(_NonEmpty):
    min: int | None = Field(None, ge=1)
    max: int | None = Field(None, ge=1)


class EndOfLife(_NonEmpty):
    required: bool | None = Field(None)
    max_days: int | None = Field(None, alias="max-days", ge=1)


class Naming(_NonEmpty):
    gallery: Text | None = Field(None)
    image_definition: Text | None = Field(None, alias="image-definition")
    image_version: Text | None = Field(None, alias="image-version")
    application: Text | None = Field(None)
    application_version: Text | None = Field(None, alias="application-version")


class Policy(_Table):
    """Organisation policy: each key set turns on its SIG8xx rule (docs/policy.md)."""

    allowed_regions: list[Text] | None = Field(
        None, alias="allowed-regions", min_length=1,
        description="SIG801: the regions (locations and target regions) resources may use.")
    min_target_regions: int | None = Field(
        None, alias="min-target-regions", ge=1,
        description="SIG802: the fewest target regions an image or application version replicates to.")
    replicas: Replicas | None = Field(None, description="SIG803: bounds of each region's effective replica count.")
    storage_account_types: list[StorageType] | None = Field(
        None, alias="storage-account-types", min_length=1,
        description="SIG804: the storage account types a region's replicas may use.")
    end_of_life: EndOfLife | None = Field(
        None, alias="end-of-life",
        description="SIG805: an end-of-life date is required, and at most max-days after the date of the check.")
    naming: Naming | None = Field(
        None, description="SIG806: a regular expression (Python syntax) each name must fully match, per kind of resource.")
    security_types: list[SecurityType] | None = Field(
        None, alias="security-types", min_length=1,
        description="SIG807: the effective security types image definitions may have.")
    required_tags: list[Text] | None = Field(
        None, alias="required-tags", min_length=1,
        description="SIG808: tags every gallery resource must carry (names compared ignoring case).")
    sharing: list[Sharing] | None = Field(None, min_length=1, description="SIG809: the sharing permissions galleries may have.")
    min_api_version: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = Field(
        None, alias="min-api-version", description="SIG810: the oldest gallery API version allowed (YYYY-MM-DD).")


class CustomRule(_Table):
    """A rule written as data: a condition in Azure Policy's syntax over the resource's ARM
    properties (docs/policy.md)."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9]*[0-9]$")] = Field(
        description="Your own prefix and a number, e.g. CONTOSO001; not a SIG id.")
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
    severity: SeverityName
    message: Text
    help_uri: Text | None = Field(None, alias="help-uri")
    resources: list[KindName] = Field(min_length=1, json_schema_extra={"uniqueItems": True})
    condition: dict[str, Any]

    @model_validator(mode="after")
    def _distinct_resources(self) -> CustomRule:
        if len(set(self.resources)) != len(self.resources):
            raise ValueError("resources names a kind twice")
        return self


class Configuration(_Table):
    """sigcheck configuration: [tool.sigcheck] in pyproject.toml, or the whole of .sigcheck.yaml.
    Rule ids or prefixes: SIG201, SIG2, ALL."""

    model_config = ConfigDict(title="sigcheck configuration")

    select: Rules | None = Field(None, description="Only these rules (ids or prefixes) instead of the default set.")
    ignore: Rules | None = Field(None, description="Turn these rules (ids or prefixes) off.")
    extend_select: Rules | None = Field(
        None, alias="extend-select",
        description="Turn these rules (ids or prefixes) on in addition to the selected ones, e.g. rules that are off by default.")
    severity: dict[RuleId, SeverityName] | None = Field(
        None, description="Severity overrides: rule id or prefix to error, warning or note.")
    per_path_ignores: dict[Text, Rules] | None = Field(
        None, alias="per-path-ignores",
        description="Rules (ids or prefixes) ignored in the files a glob matches; globs are relative to the configuration file's folder.")
    exclude: list[Text] | None = Field(
        None, description="gitignore-style globs of files and folders not to check, relative to the configuration file's folder.")
    file_timeout: float | None = Field(
        None, alias="file-timeout", gt=0, le=3600,
        description="Seconds one file may take (reading it and its rules); past it, one SIG001 on the file and the rest of the run goes on.")
    location: Text | None = Field(None, description="The deployment's resource-group location, for resources that set none.")
    resource_group: Text | None = Field(
        None, alias="resource-group",
        description="The deployment's resource group name (resourceGroup().name, resourceId() of resources in it).")
    subscription_id: Text | None = Field(
        None, alias="subscription-id", description="The deployment's subscription id (subscription().subscriptionId, resourceId()).")
    stale_api_version: StaleApiVersion | None = Field(
        None, alias="stale-api-version",
        description="Options of SIG504 stale-api-version (off by default; deprecated, use policy.min-api-version, SIG810).")
    policy: Policy | None = Field(None)
    custom_rules: list[CustomRule] | None = Field(None, alias="custom-rules")


def tables() -> dict[tuple[str, ...], list[str]]:
    """The keys each table of the configuration allows, by its path (`*` for any list item)."""
    def keys(model: type[BaseModel]) -> list[str]:
        return [field.alias or name for name, field in model.model_fields.items()]

    return {(): keys(Configuration), ("policy",): keys(Policy), ("policy", "replicas"): keys(Replicas),
            ("policy", "end-of-life"): keys(EndOfLife), ("policy", "naming"): keys(Naming),
            ("stale-api-version",): keys(StaleApiVersion), ("custom-rules", "*"): keys(CustomRule)}


SCHEMA_ID = "https://github.com/sigcheck/sigcheck/blob/main/sigcheck/config_schema.json"


class _Published(GenerateJsonSchema):
    """The schema as users write the file: an optional key is one that may be left out, not one
    that may be null, and keys carry descriptions rather than titles made from their names."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def json_schema() -> dict[str, Any]:
    """The JSON Schema editors use for the configuration (config_schema.json)."""
    schema = Configuration.model_json_schema(by_alias=True, schema_generator=_Published)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}
