"""REST calls to model resources: the resource type, names and API version come from the
management URL, the rest from the JSON body. Shared by `.http` files, REST API examples,
`az rest` and `Invoke-AzRestMethod`.
"""

from __future__ import annotations

from typing import Any

from dataclasses import dataclass

from sigcheck.model import diagnostics
from sigcheck.model import resources as m
from sigcheck.model.findings import Finding
from sigcheck.model.from_body import build
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.syntax.placeholders import has_placeholder
from sigcheck.syntax.words import Word, parse_json_word

# Child collections below Microsoft.Compute/galleries that sigcheck models.
_TYPES = {
    ("galleries",): m.GALLERY,
    ("galleries", "images"): m.IMAGE_DEFINITION,
    ("galleries", "images", "versions"): m.IMAGE_VERSION,
    ("galleries", "applications"): m.APPLICATION,
    ("galleries", "applications", "versions"): m.APPLICATION_VERSION,
}


@dataclass
class Target:
    """What a management URL addresses."""

    type_name: str
    names: list[Located[Any]]
    api_version: Located[Any] | None


def _located(word: Word, what: str) -> Located[Any]:
    value = word.value
    if isinstance(value, str) and (has_placeholder(value) or not value):
        value = UNKNOWN
    return Located(value, word.span, word.origin, what)


def parse_url(url: Word) -> Target | None:
    """The gallery resource a management URL addresses, or None when it addresses none."""
    text = url.text
    lowered = text.lower()
    query_at = text.find("?")
    path_end = query_at if query_at >= 0 else len(text)
    marker = "/providers/microsoft.compute/"
    at = lowered.rfind(marker, 0, path_end)
    if at < 0:
        return None
    rest = url.slice(at + len(marker), path_end)
    parts = [p for p in rest.split("/")]
    while parts and parts[-1].text == "":
        parts.pop()  # a trailing slash
    if len(parts) < 2 or len(parts) % 2:
        return None
    collections = tuple(p.text.lower() for p in parts[0::2])
    type_name = _TYPES.get(collections)
    if type_name is None:
        return None
    names = [_located(p, "name") for p in parts[1::2]]
    api_version = None
    if query_at >= 0:
        query = url.slice(query_at + 1)
        for item in query.split("&"):
            key, sep, value = item.text.partition("=")
            if sep and key.strip().lower() == "api-version":
                api_version = _located(item.slice(len(key) + 1), "apiVersion")
    return Target(type_name, names, api_version)


def script_body(word: Word, what: str, findings: list[Finding]) -> tuple[Node | None, bool]:
    """The JSON body a script sends as written (`az rest --body`, `-Payload`), and whether it is
    JSON. When it is not, SIG001 at the fault, unless the text is built from values sigcheck
    cannot resolve: then the fault may lie in the guess, not in what the user wrote."""
    root, error, _ = parse_json_word(word)
    if error is None:
        return root, True
    if word.known:
        findings.append(diagnostics.parse_error(error.span, f"invalid JSON in {what}: {error.message}"))
    return None, False


def build_resource(
    target_type: str,
    names: list[Located[Any]],
    api_version: Located[Any] | None,
    body: Node | None,
    path: str,
    span: Span,
    context: m.DeploymentContext,
    source_kind: str = "rest",
    is_response: bool = False,
    partial: bool = False,
) -> m.Resource:
    """The model object of a REST request (or response) body."""
    cls = m.MODEL_BY_TYPE[target_type.lower()]
    common = {
        "source_kind": source_kind,
        "path": path,
        "span": span,
        "names": names,
        "api_version": api_version,
        "context": context,
        "is_response": is_response,
        "partial": partial,
        "body": body if body is not None and body.is_object else None,
    }
    location = body.get_ci("location") if body is not None and body.is_object else None
    if location is None:
        # A REST call has no resource-group default: a PUT without location is rejected, and a
        # PATCH keeps the location the resource has. Either way it is not known here.
        common["location"] = Located(UNKNOWN, span, None, "location")
    return build(cls, common, body if body is not None and body.is_object else None)
