"""Readers of located values that rules share: a rule judges only what is known, and these say
what is (a string, an integer, a date) or whether something is there at all."""

from __future__ import annotations

from typing import Any, Callable, Hashable, Iterable, Iterator, TypeVar

from sigcheck.syntax.located import Located
from sigcheck.model import resources as m


GALLERY_RESOURCES: tuple[type[m.Resource], ...] = (
    m.Gallery, m.ImageDefinition, m.ImageVersion, m.GalleryApplication, m.ApplicationVersion,
)
R = TypeVar("R", bound=m.Resource)
T = TypeVar("T")
KIND_WORDS = {
    m.GALLERY: "gallery",
    m.IMAGE_DEFINITION: "image definition",
    m.IMAGE_VERSION: "image version",
    m.APPLICATION: "gallery application",
    m.APPLICATION_VERSION: "application version",
}

# Inputs whose request bodies a tool builds from a command line (az CLI, PowerShell): the tool
# chooses the API version and fills in what the command leaves out.
SCRIPT_KINDS = frozenset({"cli", "powershell", "terraform"})  # terraform: azurerm builds the body
# Template deployments (Bicep compiles to one): what ARM itself requires of a resource declaration.
TEMPLATE_KINDS = frozenset({"arm", "bicep"})


def authored(res: m.Resource) -> bool:
    """Whether the resource's body was written by a person (a template, a request), not built
    by a tool from a command line."""
    return res.source_kind not in SCRIPT_KINDS


def text(item: Located[Any] | None) -> str | None:
    """The value when it is a known string."""
    if item is None or not item.known or not isinstance(item.value, str):
        return None
    return item.value


def integer(item: Located[Any] | None) -> int | None:
    """The value when it is a known integer (booleans are not numbers here)."""
    if item is None or not item.known or isinstance(item.value, bool) or not isinstance(item.value, int):
        return None
    return item.value


def present(item: Located[Any] | None) -> bool:
    """Whether a property is given: written, and not JSON null. An unknown value counts as given."""
    return item is not None and item.value is not None


def surely_present(item: Located[Any] | None) -> bool:
    """Whether a property is given with a known, non-null value."""
    return item is not None and item.known and item.value is not None


def same(item: Located[Any] | None, expected: str) -> bool:
    """Whether the value is the string `expected`, compared as the service does (ignoring case)."""
    value = text(item)
    return value is not None and value.lower() == expected.lower()


def api_at_least(res: m.Resource, version: str) -> bool | None:
    """Whether the resource's API version is `version` or later; None when it is not known."""
    api = text(res.api_version)
    if api is None:
        return None
    return api[:10] >= version


def declared(resources: Iterable[m.Resource], kind: type[R]) -> list[R]:
    """The resources of type `kind` a run declares: response bodies describe what exists, not
    what is asked for."""
    return [res for res in resources if not res.is_response and isinstance(res, kind)]


def number(item: Located[Any] | None) -> int | float | None:
    """The value when it is a known number (booleans are not numbers here)."""
    if item is None or not item.known or isinstance(item.value, bool) or not isinstance(item.value, (int, float)):
        return None
    return item.value


def first_repeats(items: Iterable[T], key: Callable[[T], Hashable | None]) -> Iterator[tuple[T, T]]:
    """(repeat, first) for every item whose key was seen before; items whose key is None (not
    known) are not compared. What SIG202, SIG302 and SIG405 share: each reports a repeat at the
    repeat, naming where the first one is."""
    seen: dict[Hashable, T] = {}
    for item in items:
        found = key(item)
        if found is None:
            continue
        if found in seen:
            yield item, seen[found]
        else:
            seen[found] = item


def folded(item: Located[Any] | None) -> str | None:
    """A known string lower-cased, for comparing names as the service does."""
    value = text(item)
    return value.lower() if value is not None else None


def related(res: m.Resource, other: m.Resource) -> bool:
    """Whether two resources can belong to one deployment. A REST API example file documents one
    operation on its own: its placeholder names ("myGalleryName") say nothing about the resources
    of any other file."""
    if "rest-example" in (res.source_kind, other.source_kind):
        return res.path == other.path
    return True


def where_words(here: m.Resource, item: Located[Any] | m.Resource) -> str:
    """`line N` for a place in the file of `here`, `path:N` for a place in another file."""
    span = item.span
    return f"line {span.line}" if span.path == here.path else f"{span.path}:{span.line}"
