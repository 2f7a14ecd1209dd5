"""Azure REST API examples (the `x-ms-examples` files of azure-rest-api-specs): JSON with
`parameters` (names, `api-version`, the request body) and `responses`.

The request body is a resource like any other; response bodies become resources marked
`is_response` (read-only data the service returned; the engine does not run rules on them).

Some published examples name the API version `version` instead of `api-version` (the 2025-03-03
gallery examples): the value is an API version all the same, so it is used, located at its value.
"""

from __future__ import annotations

from typing import Any

import os
import re

from sigcheck.model import diagnostics
from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile, parse_json
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.model import resources as m
from sigcheck.inputs.rest.normalize import build_resource
from sigcheck.syntax.placeholders import has_placeholder

# Request-body parameter → (resource type, the name parameters, parent first).
_BODIES = {
    "gallery": (m.GALLERY, ("galleryName",)),
    "galleryImage": (m.IMAGE_DEFINITION, ("galleryName", "galleryImageName")),
    "galleryImageVersion": (m.IMAGE_VERSION, ("galleryName", "galleryImageName", "galleryImageVersionName")),
    "galleryApplication": (m.APPLICATION, ("galleryName", "galleryApplicationName")),
    "galleryApplicationVersion": (
        m.APPLICATION_VERSION, ("galleryName", "galleryApplicationName", "galleryApplicationVersionName")),
}
# Without a request body (GET/list examples): the deepest name parameter tells the type.
_BY_NAMES = [
    (("galleryName", "galleryImageName", "galleryImageVersionName"), m.IMAGE_VERSION),
    (("galleryName", "galleryApplicationName", "galleryApplicationVersionName"), m.APPLICATION_VERSION),
    (("galleryName", "galleryImageName"), m.IMAGE_DEFINITION),
    (("galleryName", "galleryApplicationName"), m.APPLICATION),
    (("galleryName",), m.GALLERY),
]
_LIST_CHILD = {
    m.IMAGE_DEFINITION: m.IMAGE_VERSION,
    m.APPLICATION: m.APPLICATION_VERSION,
}
# Example files of read operations (azure-rest-api-specs naming: `GetAGallery…`, `Gallery_Get`,
# `ListGalleryImages…`). A GET sends no body: a body parameter in such a file (some old examples
# carry one) is never a request, so only the responses are read.
_READ_OPERATION = re.compile(r"(?:^|[_.])(?:Get|List)(?=[A-Z_.]|$)")


class _Reader:
    def load(self, source: SourceFile, options: LoadOptions) -> LoadResult:
        doc = parse_json(source)
        if isinstance(doc, LoadResult):
            return doc
        result = LoadResult()
        result.comments = doc.comments
        for key, first, again in doc.duplicate_keys:
            result.findings.append(diagnostics.duplicate_key(key, first, again))
        root = doc.root
        if root is None or not root.is_object:
            return result
        params = root.get("parameters")
        if params is None or not params.is_object:
            return result
        api = params.get("api-version")
        if api is None:
            api = params.get("version")  # a known slip of some published examples
        api_version = _located(api, "apiVersion") if api is not None else None

        request_type = None
        read_only = source.path.lower().endswith(".json") and \
            _READ_OPERATION.search(os.path.basename(source.path).rsplit("__", 1)[-1]) is not None
        for key, (type_name, name_keys) in _BODIES.items():
            body = params.get(key)
            if body is None or not body.is_object or read_only:
                continue
            request_type = (type_name, name_keys)
            names = _names(params, name_keys, body.span)
            result.resources.append(
                build_resource(type_name, names, api_version, body, source.path, body.span, options.context, "rest-example",
                               partial=body.get_ci("location") is None)
            )
            break
        if request_type is None:
            for name_keys, type_name in _BY_NAMES:
                if all(params.get(k) is not None for k in name_keys):
                    request_type = (type_name, name_keys)
                    break
        responses = root.get("responses")
        if request_type is None or responses is None or not responses.is_object:
            return result
        type_name, name_keys = request_type
        for _, response in responses.items():
            body = response.get("body") if response.is_object else None
            if body is None or not body.is_object:
                continue
            listed = body.get("value")
            if listed is not None and listed.is_array:
                for item in listed.value:
                    self._response(item, _list_item_type(type_name, item), params, name_keys, api_version, source.path, options, result, listed=True)
            else:
                self._response(body, type_name, params, name_keys, api_version, source.path, options, result, listed=False)
        return result

    def _response(
        self, body: Node, type_name: str | None, params: Node, name_keys: tuple[str, ...], api_version: Located[Any] | None,
        path: str, options: LoadOptions, result: LoadResult, listed: bool,
    ) -> None:
        if type_name is None or not body.is_object or body.get("properties") is None:
            return
        depth = type_name.count("/")
        parents = _names(params, name_keys, body.span)[: depth - 1] if listed else _names(params, name_keys, body.span)[:-1]
        own = body.get("name")
        if own is not None and isinstance(own.value, str):
            own_name = _located(own, "name")
        else:
            given = _names(params, name_keys, body.span)
            own_name = given[-1] if not listed and given else Located(UNKNOWN, body.span, None, "name")
        names = (parents + [own_name])[-depth:]
        result.resources.append(
            build_resource(type_name, names, api_version, body, path, body.span, options.context, "rest-example", is_response=True)
        )


def _located(node: Node, path: str) -> Located[Any]:
    value = node.value
    if not isinstance(value, str) or has_placeholder(value):
        value = UNKNOWN
    return Located(value, node.span, None, path)


def _names(params: Node, keys: tuple[str, ...], fallback: Span) -> list[Located[Any]]:
    out = []
    for key in keys:
        node = params.get(key)
        out.append(_located(node, "name") if node is not None else Located(UNKNOWN, fallback, None, "name"))
    return out


def _list_item_type(listed_under: str, item: Node) -> str | None:
    """The type of an item of a list response, from its id or its properties."""
    ident = item.get("id") if item.is_object else None
    if ident is not None and isinstance(ident.value, str):
        lowered = ident.value.lower()
        for marker, type_name in (("/applications/", m.APPLICATION), ("/images/", m.IMAGE_DEFINITION)):
            if marker in lowered:
                return m.APPLICATION_VERSION if "/versions/" in lowered and type_name == m.APPLICATION else (
                    m.IMAGE_VERSION if "/versions/" in lowered else type_name)
    if listed_under in _LIST_CHILD:
        return _LIST_CHILD[listed_under]
    if listed_under == m.GALLERY:
        props = item.get("properties") if item.is_object else None
        if props is not None and props.is_object and props.get_ci("supportedOSType") is not None:
            return m.APPLICATION
        return m.IMAGE_DEFINITION
    return None


def load(source: SourceFile, options: LoadOptions) -> LoadResult:
    """The request and response resources of one REST API example."""
    return _Reader().load(source, options)
