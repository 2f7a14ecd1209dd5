"""Resource ids: the text of one built from its parts, and matching a reference such as a
version's source to a resource declared nearby."""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from sigcheck.syntax.located import Located

# What the text of an id shows for a part that is not known: for display, never for matching.
SUBSCRIPTION_PLACEHOLDER = "{subscriptionId}"
RESOURCE_GROUP_PLACEHOLDER = "{resourceGroupName}"


def provider_path(type_name: str, names: Sequence[str]) -> str:
    """`Microsoft.Compute/galleries/g/images/i`: the namespace, then each type segment and its name."""
    segments = type_name.split("/")
    return segments[0] + "".join(f"/{segment}/{name}" for segment, name in zip(segments[1:], names))


def resource_id(
    type_name: str,
    names: Sequence[str],
    *,
    subscription: str | None = None,
    resource_group: str | None = None,
    parent: str | None = None,
) -> str:
    """The text of a resource id: below `parent` (an extension resource), else in
    `resource_group` of `subscription`, in `subscription`, or at the tenant (neither given)."""
    path = provider_path(type_name, names)
    if parent is not None:
        return f"{parent}/providers/{path}"
    scope = "" if subscription is None else f"/subscriptions/{subscription}"
    if resource_group is not None:
        scope += f"/resourceGroups/{resource_group}"
    return f"{scope}/providers/{path}"


def reference_target(value: Any) -> tuple[str, list[str]] | None:
    """The (type, names) a resource id points at, or None when it is not a readable id.

    Accepts fully qualified id strings and evaluated `resourceId()` values, which carry `.type`
    and `.names` even when the subscription or resource group is unknown. When only the names are
    unknown the names are `[]`: the type is known, which resource is not.
    """
    # An evaluated resourceId() (sigcheck.inputs.arm.functions.ResourceId) knows its type and names
    # even when its subscription or resource group text is a placeholder.
    type_name = getattr(value, "type", None)
    names = getattr(value, "names", None)
    if isinstance(type_name, str) and getattr(value, "names_known", True) is False:
        return type_name, []  # the kind of resource is known, which one is not
    if isinstance(type_name, str) and isinstance(names, (list, tuple)) and all(isinstance(n, str) for n in names):
        return type_name, list(names)
    if not isinstance(value, str):
        return None
    parts = [p for p in value.split("/") if p]
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        return None
    at = len(lowered) - 1 - lowered[::-1].index("providers")
    rest = parts[at + 1 :]
    if len(rest) < 3 or len(rest) % 2 == 0:
        return None
    namespace, pairs = rest[0], rest[1:]
    types = pairs[0::2]
    names = pairs[1::2]
    return f"{namespace}/{'/'.join(types)}", names


def reference_of(item: Located[Any] | None, types: Iterable[str]) -> tuple[str, list[str]] | None:
    """The (type, names) of a known located id when it points at one of `types` (compared
    ignoring case, as ARM does), else None."""
    if item is None or not item.known:
        return None
    target = reference_target(item.value)
    if target is None or target[0].lower() not in {t.lower() for t in types}:
        return None
    return target
