"""Legacy Packer JSON templates: `builders` of type `azure-arm`.

Template functions (`{{user `x`}}`, `{{env `X`}}`, `{{timestamp}}`) are evaluated by Packer at build
time, and `${x}` marks a file that another tool renders first (Terraform's `templatefile`): a
string holding either is unknown, never guessed.
"""

from __future__ import annotations

import re

from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile
from sigcheck.inputs.packer.azure_arm import image_version, packer_facts
from sigcheck.model import diagnostics
from sigcheck.syntax.jsonc import JsonSyntaxError, Node, parse
from sigcheck.syntax.located import UNKNOWN

_TEMPLATED = re.compile(r"\{\{.*?\}\}|\$\{[^}]*\}", re.DOTALL)


def load(source: SourceFile, options: LoadOptions) -> LoadResult:
    result = LoadResult()
    try:
        doc = parse(source.text, source.path, source.first_line)
    except JsonSyntaxError as exc:
        result.findings.append(diagnostics.parse_error(exc.span, f"invalid JSON in a Packer template: {exc.message}"))
        return result
    root = doc.root
    builders = root.get("builders") if root is not None and root.is_object else None
    if builders is None or not builders.is_array:
        result.relevant = False
        return result
    kind = packer_facts()["builder_type"]
    found = False
    for i, builder in enumerate(builders.value):
        if not builder.is_object:
            continue
        type_node = builder.get("type")
        if type_node is None or type_node.value != kind:
            continue
        found = True
        _unknown_templates(builder)
        name_node = builder.get("name")
        name = name_node.value if name_node is not None and isinstance(name_node.value, str) else f"builders[{i}] ({kind})"
        versions, findings = image_version(builder, name, source.path, options.context)
        result.resources.extend(versions)
        result.findings.extend(findings)
    if not found:
        result.relevant = False
        return result
    result.comments = doc.comments
    result.findings.extend(diagnostics.duplicate_key(key, first, again) for key, first, again in doc.duplicate_keys)
    return result


def _unknown_templates(node: Node) -> None:
    stack = [node]
    while stack:
        item = stack.pop()
        if item.is_object:
            stack.extend(value for _, value in item.items())
        elif item.is_array:
            stack.extend(item.value)
        elif isinstance(item.value, str) and (match := _TEMPLATED.search(item.value)) is not None:
            who = "Packer evaluates when it runs" if match.group().startswith("{{") else "the tool that renders this file fills in"
            item.origin = f"'{item.value}', which {who}"
            item.value = UNKNOWN
