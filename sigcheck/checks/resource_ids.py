"""SIG309: resource ids outside an image version's sources — disk encryption sets, the storage
accounts that hold VHDs, and the gallery image a VM or scale set is created from — must be fully
qualified ids of the right type.

(The sources of an image version are SIG304's.) The types each property accepts are data:
rules/resource_ids.json.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterator

from sigcheck.checks.values import present
from sigcheck.engine.rules import CheckContext, Hit, rule
from sigcheck.model import facts
from sigcheck.model import resources as m
from sigcheck.model.findings import Severity
from sigcheck.model.ids import reference_target
from sigcheck.syntax.located import Located

# Inputs whose tool accepts a resource name where the request needs an id and builds the id itself.
_NAME_OR_ID_KINDS = ("cli",)


def _table() -> dict[str, Any]:
    table: dict[str, Any] = facts.load("resource_ids")
    return table


def _encryption_ids(encryption: m.RegionEncryption | None) -> Iterator[Located[Any]]:
    """The disk encryption set ids of one region's encryption settings."""
    if encryption is None:
        return
    disks = ([encryption.os_disk_image] if encryption.os_disk_image is not None else []) + list(encryption.data_disk_images)
    for disk in disks:
        for found in (disk.disk_encryption_set_id, disk.secure_vm_disk_encryption_set_id):
            if found is not None:
                yield found


def _ids(res: m.Resource) -> Iterator[tuple[Located[Any], str]]:
    if isinstance(res, m.VirtualMachine):
        if res.image_id is not None:
            yield res.image_id, "vm_image"
        return
    if isinstance(res, m.ImageVersion):
        disks = ([res.os_disk] if res.os_disk is not None else []) + list(res.data_disks)
        for disk in disks:
            if disk.storage_account_id is not None:
                yield disk.storage_account_id, "storage_account"
    if isinstance(res, m.Replicated):
        for encryption in res.encryptions:  # every target region's and extended location's
            for found in _encryption_ids(encryption):
                yield found, "disk_encryption_set"


def id_problem(value: str, types: list[str], words: str, name_allowed: bool) -> str | None:
    """What is wrong with `value` as the id of one of `types`, in words, or None."""
    evaluated = isinstance(getattr(value, "type", None), str)
    if not evaluated:
        lowered = value.lower()
        if lowered.startswith(("http://", "https://")):
            return (f"'{value}' is a URL, not a resource id; give the id alone ('/subscriptions/…'). "
                    f"The service: \"{_table()['fully_qualified_message']}\"")
        if not lowered.startswith(("/subscriptions/", "/providers/")):
            if name_allowed and "/" not in value:
                return None
            if lowered.startswith(("subscriptions/", "providers/")):
                return f"'{value}' lacks the leading '/'; a resource id starts with '/subscriptions/'"
            return f"'{value}' is not a fully qualified resource id. The service: \"{_table()['fully_qualified_message']}\""
        if "//" in value:
            return f"'{value}' has an empty segment ('//'); it is not a valid resource id"
    target = reference_target(value)
    if target is None:
        return f"'{value}' is not the id of a resource; it must be the id of {words}"
    if target[0].lower() in {t.lower() for t in types}:
        return None
    close = difflib.get_close_matches(target[0].lower(), [t.lower() for t in types], n=1, cutoff=0.85)
    if close:
        wanted = next(t for t in types if t.lower() == close[0])
        return f"the resource type {target[0]} does not exist; did you mean {wanted}?"
    return f"the id points at a {target[0]} resource; it must be the id of {words}"


@rule(
    "SIG309", "resource-id-format", Severity.ERROR,
    "A disk encryption set id, the storage account id of a VHD source, or a VM's image id is not a fully qualified resource id of the right type.",
    applies_to=(m.ImageVersion, m.ApplicationVersion, m.VirtualMachine, m.VirtualMachineScaleSet),
)
def resource_id_format(res: m.Resource, ctx: CheckContext) -> Iterator[Hit]:
    table = _table()["properties"]
    for item, kind in _ids(res):
        if not item.known or not isinstance(item.value, str) or not present(item):
            continue
        spec = table[kind]
        problem = id_problem(item.value, spec["types"], spec["words"], res.source_kind in _NAME_OR_ID_KINDS)
        if problem is not None:
            prop = item.path.split("properties.", 1)[-1] if item.path else "id"
            example = "" if "did you mean" in problem else f" (for example {spec['example']})"
            yield Hit(item, f"{prop}: {problem}{example}")


RULES = [resource_id_format]
