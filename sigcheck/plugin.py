"""The public API for sigcheck plugins: everything a rule pack, an input loader or an output
format needs, from one module. A plugin imports `sigcheck.plugin` and nothing else of sigcheck;
what is not listed in `__all__` may change without notice.

A plugin is a Python distribution with an entry point in the group `sigcheck` naming a module
that defines hook implementations (decorated with `hookimpl`):

    sigcheck_rules() -> list[Rule]            rules declared with @rule or @run_rule
    sigcheck_loaders() -> list[Loader]        input kinds (subclass LazyLoader)
    sigcheck_formatters() -> list[Formatter]  output formats (an object with `name` and `render`)

See docs/plugins.md for a tutorial and examples/plugin/ for the finished example.
"""

from __future__ import annotations

import json
from importlib import resources as _resources
from typing import Any

from sigcheck.engine.result import Formatter, RunResult
from sigcheck.engine.rules import CheckContext, Hit, Rule, rule, run_rule
from sigcheck.hookspecs import hookimpl
from sigcheck.inputs.api import LazyLoader, Loader, LoadOptions, LoadResult, SourceFile
from sigcheck.model import facts as _facts
from sigcheck.model.diagnostics import parse_error
from sigcheck.model.findings import Finding, RuleMeta, Severity
from sigcheck.model.from_body import build
from sigcheck.model.resources import (
    APPLICATION,
    APPLICATION_VERSION,
    DISK,
    GALLERY,
    GALLERY_TYPES,
    IMAGE_DEFINITION,
    IMAGE_VERSION,
    MANAGED_IMAGE,
    MODEL_BY_TYPE,
    SCALE_SET,
    SNAPSHOT,
    VIRTUAL_MACHINE,
    ApplicationVersion,
    DeploymentContext,
    Disk,
    Gallery,
    GalleryApplication,
    ImageDefinition,
    ImageVersion,
    ManagedImage,
    Resource,
    Snapshot,
    VirtualMachine,
    VirtualMachineScaleSet,
)
from sigcheck.syntax.jsonc import JsonSyntaxError, Node
from sigcheck.syntax.jsonc import parse as parse_json
from sigcheck.syntax.located import UNKNOWN, Located, Span, known
from sigcheck.syntax.text import DecodeError, LineIndex, decode
from sigcheck.syntax.words import Body, arr, obj, put, scalar

__all__ = [
    # rules
    "rule", "run_rule", "Rule", "Hit", "CheckContext", "Severity", "RuleMeta", "Finding",
    # the model: resource classes, type names, and the builder from an ARM-shaped located body
    "Resource", "Gallery", "ImageDefinition", "ImageVersion", "GalleryApplication", "ApplicationVersion",
    "Disk", "Snapshot", "VirtualMachine", "VirtualMachineScaleSet", "ManagedImage", "DeploymentContext",
    "GALLERY", "IMAGE_DEFINITION", "IMAGE_VERSION", "APPLICATION", "APPLICATION_VERSION", "DISK", "SNAPSHOT",
    "VIRTUAL_MACHINE", "SCALE_SET", "MANAGED_IMAGE", "GALLERY_TYPES", "MODEL_BY_TYPE", "build",
    # loaders
    "Loader", "LazyLoader", "LoadOptions", "LoadResult", "SourceFile", "parse_error",
    "decode", "DecodeError", "LineIndex", "parse_json", "JsonSyntaxError",
    # located values and bodies
    "Located", "Span", "UNKNOWN", "known", "Node", "Body", "obj", "arr", "scalar", "put",
    # output formats
    "Formatter", "RunResult",
    # registration and data
    "hookimpl", "load_facts", "sigcheck_facts",
]


def load_facts(package: str, name: str) -> Any:
    """A data file shipped inside the plugin's own package: `load_facts(__package__, "naming.json")`.
    JSON, or YAML (safe loading: no tags, nothing executed) for `.yaml`/`.yml`. Read on every
    call; a plugin caches what it reads often."""
    text = _resources.files(package).joinpath(name).read_text(encoding="utf-8")
    if name.lower().endswith((".yaml", ".yml")):
        from ruamel.yaml import YAML

        return YAML(typ="safe", pure=True).load(text)
    return json.loads(text)


def sigcheck_facts(name: str) -> Any:
    """One of sigcheck's own fact files, `rules/<name>.json` ("regions", "api_versions", ...),
    read once per process. Treat it as read-only: it is shared with the built-in rules."""
    return _facts.load(name)
