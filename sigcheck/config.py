"""Configuration: `[tool.sigcheck]` in pyproject.toml or a `.sigcheck.yaml`, found upward from the
checked path, or named with `--config`. Validated by the pydantic models of config_model.py
(which publish `config_schema.json`); a bad configuration is a `ConfigError` that names the file,
line and column.

Only runs that have a configuration pay for reading one: a plain `sigcheck check x.json` imports
neither ruamel.yaml nor pydantic (the discovery below reads file names and, for pyproject.toml,
its text), and a configuration the cache has seen valid is not validated again.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable

from sigcheck.syntax.budget import abbreviate
from sigcheck.syntax.text import line_and_column, split_lines

if TYPE_CHECKING:
    from sigcheck.engine.policy import Policy

YAML_NAMES = (".sigcheck.yaml", ".sigcheck.yml")
PYPROJECT = "pyproject.toml"
_SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "config_schema.json")
MAX_MESSAGE = 500  # characters of a configuration error, the file's name and place aside
_PYPROJECT_SECTION = re.compile(r"^\s*\[\s*tool\s*\.\s*sigcheck\s*[\].]", re.MULTILINE)

# (line, column), both 1-based, of the value at a path of keys and indexes in the file; the
# value itself helps where the format keeps no positions (TOML).
@dataclass(frozen=True)
class Locator:
    """Where a path of the configuration is written (1-based line and column): its value, or
    with `key`, the key that names it."""

    value: Callable[[tuple[Any, ...], Any], tuple[int, int]]
    key_of: Callable[[tuple[Any, ...], Any], tuple[int, int]]

    def __call__(self, where: tuple[Any, ...], instance: Any = None) -> tuple[int, int]:
        return self.value(where, instance)

    def key(self, where: tuple[Any, ...], instance: Any = None) -> tuple[int, int]:
        return self.key_of(where, instance)


class ConfigError(Exception):
    """A configuration that cannot be used; str() is `file:line:col: message`."""

    def __init__(self, message: str, path: str, line: int | None = None, column: int | None = None) -> None:
        # Parsers quote what they could not read, which may be a whole file's worth: one line, cut.
        message = abbreviate(" ".join(message.split()), MAX_MESSAGE)
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.message}"


@dataclass
class Config:
    path: str | None = None  # the file read, None when there is none
    root: str = "."  # the folder globs are relative to: the configuration file's folder
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    location: str | None = None
    location_at: tuple[int, int] = (1, 1)
    resource_group: str | None = None
    subscription_id: str | None = None
    # Options of individual rules, by rule name: {"stale-api-version": {"max-age-days": 365}}.
    rule_settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    file_timeout: float | None = None  # seconds per file
    # Organisation policy (`policy:` and `custom-rules:`), None when the file sets neither.
    policy: Policy | None = None
    # The rule ids known when it was read (a folder's own configuration is read with the same).
    known_ids: frozenset[str] = frozenset()
    # Named with --config: its policy then governs every checked file.
    explicit: bool = False
    # Where validated configurations are remembered (the run's cache folder; None: nowhere).
    cache_dir: str | None = None


# -- discovery ----------------------------------------------------------------
def configurations_above(path: str) -> list[str]:
    """Every configuration file in the folders above `path`, nearest first (each folder of a
    repository may have its own policy): what a cached result for `path` depends on."""
    found: list[str] = []
    start = os.path.dirname(os.path.abspath(path))
    while True:
        config = find_config(start)
        if config is None:
            return found
        found.append(os.path.abspath(config))
        folder = os.path.dirname(os.path.abspath(config))
        parent = os.path.dirname(folder)
        if parent == folder:
            return found
        start = parent


def find_config(start: str) -> str | None:
    """The nearest configuration file in `start`'s folder or above: a `.sigcheck.yaml` first,
    else a pyproject.toml that has a `[tool.sigcheck]` table."""
    folder = os.path.abspath(start)
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    while True:
        for name in YAML_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                return candidate
        candidate = os.path.join(folder, PYPROJECT)
        if os.path.isfile(candidate) and _has_sigcheck_table(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_sigcheck_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            return _PYPROJECT_SECTION.search(handle.read()) is not None
    except (OSError, UnicodeDecodeError):
        return False


def discover(start: str, rule_ids: Iterable[str], cache_dir: str | None = None) -> Config:
    """The configuration that applies to `start`, or the empty one."""
    path = find_config(start)
    rule_ids = frozenset(rule_ids)
    return load(path, rule_ids, cache_dir) if path is not None else Config(known_ids=rule_ids)


# -- reading --------------------------------------------------------------------
def load(path: str, rule_ids: Iterable[str], cache_dir: str | None = None) -> Config:
    """Read, validate and return the configuration in `path` (YAML, or TOML by its extension).
    With `cache_dir`, a configuration validated once is not validated again (see _validate)."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except OSError as exc:
        raise ConfigError(f"cannot read configuration: {exc.strerror}", path) from None
    except UnicodeDecodeError:
        raise ConfigError("cannot read configuration: not UTF-8 text", path) from None
    path = _shown(path)
    try:
        if path.lower().endswith(".toml"):
            data, locate = _read_toml(text, path)
        else:
            data, locate = _read_yaml(text, path)
        _validate(data, path, locate, cache_dir)
    except RecursionError:
        # The readers and the validator recurse on nesting; a condition nested thousands deep is
        # the user's mistake, not a crash (policy conditions allow 16 levels).
        raise ConfigError("invalid configuration: nested too deeply to read", path) from None
    data = _lists(data)
    config = _build(data, path)
    config.cache_dir = cache_dir
    known = frozenset(rule_ids)
    config.known_ids = known
    if any(key in data for key in ("policy", "custom-rules")):
        from sigcheck.config_policy import read_policy

        config.policy = read_policy(data, path, locate, known)
        known = known | frozenset(config.policy.custom)
    _check_rule_ids(config, data, path, locate, set(known))
    if config.location is not None:
        config.location_at = locate(("location",), config.location)
    return config


def _shown(path: str) -> str:
    """Relative to the working directory when below it, as file names in messages are."""
    absolute, cwd = os.path.abspath(path), os.getcwd()
    return os.path.relpath(absolute, cwd) if absolute.startswith(cwd + os.sep) else path


_NOT_LINE_BREAKS = str.maketrans({"\x85": " ", "\u2028": " ", "\u2029": " "})


def _read_yaml(text: str, path: str) -> tuple[Any, Locator]:
    # The round-trip loader builds only maps, lists and scalars (no Python objects from tags), so
    # it is as safe as the safe loader, and it remembers where each key and item was written.
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    # YAML 1.2 (§5.4) counts only LF and CR as line breaks; ruamel's reader also breaks lines at
    # NEL, LS and PS (YAML 1.1), so one in a comment would start a line of YAML the editor does not
    # show. A configuration has no use for them: they are read as spaces, one character for one,
    # which keeps every line and column where the editor has it.
    text = text.translate(_NOT_LINE_BREAKS)
    try:
        _check_expansion(text, path)
        with warnings.catch_warnings():
            # A reused anchor name is legal YAML (the later one wins); ruamel's warning about it
            # would print a multi-line Python warning in the middle of the report.
            warnings.simplefilter("ignore")
            data = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {' '.join(str(exc.problem or exc.context).split())}"
        if mark is None:
            raise ConfigError(message, path) from None
        raise ConfigError(message, path, mark.line + 1, mark.column + 1) from None
    except ValueError:
        raise _long_number(text, path, "YAML") from None
    except YAMLError as exc:
        # ruamel's reader errors (a NUL, a control character) carry a position on a second line.
        found = re.search(r"position (\d+)", str(exc))
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if found:
            offset = min(int(found.group(1)), len(text))
            raise ConfigError(f"invalid YAML: {first}", path, *line_and_column(text, offset)) from None
        raise ConfigError(f"invalid YAML: {first}", path) from None
    if data is None:
        data = {}

    def locate(where: tuple[Any, ...], instance: Any = None) -> tuple[int, int]:
        node, at = data, (0, 0)
        for step in where:
            lc = getattr(node, "lc", None)
            try:
                if isinstance(node, dict) and step in node:
                    at = (lc.value(step) if lc is not None else None) or at
                    node = node[step]
                elif isinstance(node, list) and isinstance(step, int) and step < len(node):
                    at = (lc.item(step) if lc is not None else None) or at
                    node = node[step]
                else:
                    break
            except (KeyError, AttributeError, TypeError):
                break
        return at[0] + 1, at[1] + 1

    def locate_key(where: tuple[Any, ...], instance: Any = None) -> tuple[int, int]:
        parent = locate(where[:-1]) if len(where) > 1 else (1, 1)
        node = data
        for step in where[:-1]:
            node = node[step] if isinstance(node, (dict, list)) else None
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and lc is not None and where and where[-1] in node:
            line, column = lc.key(where[-1])
            return line + 1, column + 1
        return parent

    return data, Locator(locate, locate_key)


def _long_number(text: str, path: str, kind: str) -> ConfigError:
    """The error for an integer Python refuses to convert (over 4,300 digits), where it is."""
    found = re.search(r"\d{4000,}", text)
    if found is None:
        return ConfigError(f"invalid {kind}: a number too long to read", path)
    start = found.start()
    return ConfigError(f"invalid {kind}: a number too long to read", path, *line_and_column(text, start))


# A configuration is a few dozen settings. Aliases may repeat a list (`ignore: *common`), but
# nine nested aliases of nine items each expand to 387 million values from 500 bytes: the
# expanded size is counted from the parser's events, before anything is built or validated.
MAX_YAML_NODES = 100_000
MAX_YAML_DEPTH = 100


def _check_expansion(text: str, path: str) -> None:
    """Refuse YAML whose aliases expand past MAX_YAML_NODES values, or nested past MAX_YAML_DEPTH
    (the composer recurses on depth), at the alias or collection that goes over."""
    from ruamel.yaml import YAML
    from ruamel.yaml.events import (AliasEvent, CollectionEndEvent, CollectionStartEvent,
                                    NodeEvent)

    sizes: dict[str, int] = {}  # anchor -> values it expands to
    open_: list[tuple[str | None, int]] = []  # (anchor, values so far) of each open collection
    total = 0
    for event in YAML(typ="safe").parse(text):
        if isinstance(event, CollectionEndEvent):
            anchor, count = open_.pop()
            if anchor is not None:
                sizes[anchor] = count
            if open_:
                parent, seen = open_[-1]
                open_[-1] = (parent, seen + count)
            continue
        if not isinstance(event, NodeEvent):
            continue
        if isinstance(event, AliasEvent):
            added = sizes.get(str(event.anchor), 1)
        elif isinstance(event, CollectionStartEvent):
            added = 1
        else:
            added = 1
        total += added
        if total > MAX_YAML_NODES:
            mark = event.start_mark
            raise ConfigError(
                f"invalid YAML: aliases expand the configuration past {MAX_YAML_NODES:,} values", path,
                mark.line + 1, mark.column + 1)
        if isinstance(event, CollectionStartEvent):
            if len(open_) >= MAX_YAML_DEPTH:
                mark = event.start_mark
                raise ConfigError(f"invalid YAML: nested deeper than {MAX_YAML_DEPTH} levels", path,
                                  mark.line + 1, mark.column + 1)
            open_.append((str(event.anchor) if event.anchor is not None else None, 1))
        elif open_:
            anchor, seen = open_[-1]
            open_[-1] = (anchor, seen + added)


def _read_toml(text: str, path: str) -> tuple[Any, Locator]:
    import tomllib

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = "invalid TOML: " + re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        if found:
            raise ConfigError(message, path, int(found.group(1)), int(found.group(2))) from None
        if "(at end of document)" in str(exc):
            raise ConfigError(message + " at the end of the file", path, *line_and_column(text, len(text))) from None
        raise ConfigError(message, path) from None
    except ValueError:
        raise _long_number(text, path, "TOML") from None
    tool = document.get("tool")
    if isinstance(tool, dict) and "sigcheck" in tool:
        section: tuple[str, ...] = ("tool", "sigcheck")
        data = tool["sigcheck"]
    elif os.path.basename(path).lower() == PYPROJECT:
        raise ConfigError("no [tool.sigcheck] table", path)
    else:  # a dedicated sigcheck.toml: the whole document is the configuration
        data, section = document, ()
    lines = split_lines(text)

    def locate(where: tuple[Any, ...], instance: Any = None) -> tuple[int, int]:
        # tomllib keeps no positions: search the text, key by key, from the table's header.
        line, column = 0, 1
        if section:
            header = re.compile(r"^\s*\[\s*tool\s*\.\s*sigcheck\s*[\].]")
            line = next((i for i, text_line in enumerate(lines) if header.search(text_line)), 0)
            column = 1
        for step in where:
            if isinstance(step, str):
                key = re.escape(step)
                pattern = re.compile(rf"""(?:"{key}"|'{key}'|(?<![\w"'-]){key}(?![\w-]))\s*[=\]]""")
            elif isinstance(instance, str):
                pattern = re.compile(rf"""(?:"{re.escape(instance)}"|'{re.escape(instance)}')""")
            else:
                continue
            for i in range(line, len(lines)):
                found = pattern.search(lines[i])
                if found:
                    line, column = i, found.start() + 1
                    break
        if where and isinstance(where[-1], str) and isinstance(instance, str) and line < len(lines):
            # A string value on its key's line: point inside its quotes.
            value = re.compile(rf"""["']{re.escape(instance)}["']""").search(lines[line], column - 1)
            if value:
                column = value.start() + 2
        return line + 1, column

    return data, Locator(locate, locate)  # the key's line is the value's line


# -- validation -----------------------------------------------------------------
def schema() -> dict[str, Any]:
    with open(_SCHEMA, encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def _validate(data: Any, path: str, locate: Locator, cache_dir: str | None = None) -> None:
    if not isinstance(data, dict):
        # Not a table of settings (another kind of file named by mistake, such as --config
        # /etc/passwd): say what it holds, never echo it.
        kind = "a list" if isinstance(data, list) else "a single value"
        raise ConfigError(f"not a sigcheck configuration: the file holds {kind}, not a table of settings", path, 1, 1)
    # The same settings validated against the same schema before: valid again. Importing
    # pydantic is a third of a one-file run's time, and pre-commit and the editor read the same
    # configuration on every run. Only success is remembered: an error is always found afresh.
    marker = _validated_marker(data, cache_dir)
    if marker is not None and os.path.exists(marker):
        return
    from pydantic import ValidationError

    from sigcheck.config_model import Configuration

    try:
        Configuration.model_validate(_plain(data))
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: ([str(step) for step in e["loc"]], e["msg"]))
        message, line_col = _explain(errors[0], locate)
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        # pydantic quotes the offending value whole: a long one is cut, not echoed.
        raise ConfigError(f"invalid configuration: {abbreviate(message, 300)}{more}", path, *line_col) from None
    if marker is not None:
        try:
            os.makedirs(os.path.dirname(marker), exist_ok=True)
            with open(marker, "wb"):
                pass
        except OSError:
            pass  # an unwritable cache only costs time


def _plain(data: Any) -> Any:
    """The settings as plain Python values (the YAML reader's maps, lists and scalars are
    subclasses that carry positions), built without recursion."""
    def scalar(value: Any) -> Any:
        for kind in (bool, int, float, str):
            if isinstance(value, kind):
                return kind(value)
        return value

    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(data, root, 0)]
    while stack:
        value, parent, key = stack.pop()
        if isinstance(value, dict):
            made: Any = {}
            for k, v in value.items():
                made[scalar(k)] = None
                stack.append((v, made, scalar(k)))
        elif isinstance(value, list):
            made = [None] * len(value)
            stack.extend((v, made, i) for i, v in enumerate(value))
        else:
            made = scalar(value)
        parent[key] = made
    return root[0]


# The JSON Schema names of the types pydantic reports, as the messages say them.
_TYPE_WORDS = {"string_type": "a string", "list_type": "a list", "dict_type": "a table", "model_type": "a table",
               "model_attributes_type": "a table", "int_type": "an integer", "float_type": "a number",
               "bool_type": "true or false"}
_JSON_TYPES = {"string_type": "string", "list_type": "array", "dict_type": "object", "model_type": "object",
               "model_attributes_type": "object", "int_type": "integer", "float_type": "number", "bool_type": "boolean"}


def _explain(error: Any, locate: Locator) -> tuple[str, tuple[int, int]]:
    """A pydantic error in the words of the configuration and where it is written: the key for a
    bad or unknown key, else the value."""
    from sigcheck.config_model import RULE_PATTERN, tables

    loc = tuple(error["loc"])
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    on_key = bool(loc) and loc[-1] == "[key]"  # a key of a table of free keys (`severity`) is bad
    if on_key:
        loc = loc[:-1]
    where = loc[:-1] if on_key or kind in ("extra_forbidden", "missing") else loc
    shown = repr(value)
    if kind == "extra_forbidden":
        import difflib

        allowed = tables().get(tuple("*" if isinstance(step, int) else step for step in where), [])
        extra = str(loc[-1])
        hint = difflib.get_close_matches(extra, allowed, n=1)
        message = f"unknown key '{extra}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
        if allowed:
            message += f"; allowed keys: {', '.join(allowed)}"
        line_col = _locate_key(locate, where + (loc[-1],))
    elif kind == "missing":
        message = f"'{loc[-1]}' is a required property"
        line_col = locate(where, None)
    else:
        if kind == "literal_error":
            message = f"{shown} is not one of {ctx.get('expected')}"
        elif kind == "string_pattern_mismatch":
            message = (f"{'key ' if on_key else ''}{shown} is not a rule id or prefix (such as SIG201 or SIG2)"
                       if ctx.get("pattern") == RULE_PATTERN else f"{shown} does not match {ctx.get('pattern')}")
        elif kind in _JSON_TYPES:
            message = f"{shown} is not of type '{_JSON_TYPES[kind]}' (expected {_TYPE_WORDS[kind]})"
        elif kind == "too_short":
            message = f"{shown} is empty" if ctx.get("min_length") == 1 else f"{shown} is too short"
        elif kind == "greater_than_equal":
            message = f"{shown} is less than the minimum of {ctx.get('ge')}"
        elif kind == "greater_than":
            message = f"{shown} is not more than {ctx.get('gt', 0):g}"
        elif kind == "less_than_equal":
            message = f"{shown} is more than the maximum of {ctx.get('le')}"
        elif kind == "null_value":
            message = "the key has no value (leave it out to take the default)"
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
        # A bad key, or a key with no value at all, is shown at the key.
        line_col = _locate_key(locate, loc) if on_key or kind == "null_value" else locate(where, value)
    if where:
        message = f"{_dotted(where)}: {message}"
    return message, line_col


def _validated_marker(data: dict[str, Any], cache_dir: str | None) -> str | None:
    """The file that records these settings as valid against this schema (config_schema.json, the
    published form of sigcheck.config_model); None without a cache, or for settings that have no
    canonical text (keys of mixed types)."""
    if cache_dir is None:
        return None
    import hashlib

    try:
        settings = json.dumps(data, sort_keys=True, ensure_ascii=False, default=repr)
        with open(_SCHEMA, "rb") as handle:
            digest = hashlib.sha256(handle.read())
    except (TypeError, ValueError, OSError):
        return None
    digest.update(settings.encode("utf-8", "surrogatepass"))
    key = digest.hexdigest()
    return os.path.join(cache_dir, "valid-configurations", key[:2], key)


def _locate_key(locate: Locator, where: tuple[Any, ...]) -> tuple[int, int]:
    """Where a key (rather than its value) is written."""
    return locate.key(where, None)


def _dotted(where: tuple[Any, ...]) -> str:
    out = ""
    for step in where:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


# Configuration tables that hold a rule's options, named after the rule.
RULE_SETTINGS = ("stale-api-version",)


def _lists(data: dict[str, Any]) -> dict[str, Any]:
    """Rule selections written as one string (`select = "ALL"`, `ignore = "SIG2, SIG5"`) as lists."""
    out = dict(data)
    for key in ("select", "ignore", "extend-select"):
        if isinstance(out.get(key), str):
            out[key] = [part.strip() for part in out[key].split(",") if part.strip()]
    if isinstance(out.get("per-path-ignores"), dict):
        out["per-path-ignores"] = {
            glob: [p.strip() for p in ids.split(",") if p.strip()] if isinstance(ids, str) else ids
            for glob, ids in out["per-path-ignores"].items()
        }
    return out


def _build(data: dict[str, Any], path: str) -> Config:
    def ids(values: Iterable[str]) -> list[str]:
        return [str(v).upper() for v in values]

    return Config(
        path=path,
        root=os.path.dirname(os.path.abspath(path)),
        select=ids(data.get("select", [])),
        ignore=ids(data.get("ignore", [])),
        extend_select=ids(data.get("extend-select", [])),
        severity={str(k).upper(): str(v) for k, v in data.get("severity", {}).items()},
        per_path_ignores={str(k): ids(v) for k, v in data.get("per-path-ignores", {}).items()},
        exclude=[str(p) for p in data.get("exclude", [])],
        location=str(data["location"]) if "location" in data else None,
        resource_group=str(data["resource-group"]) if "resource-group" in data else None,
        subscription_id=str(data["subscription-id"]) if "subscription-id" in data else None,
        rule_settings={key: dict(data[key]) for key in RULE_SETTINGS if key in data},
        file_timeout=float(data["file-timeout"]) if "file-timeout" in data else None,
    )


def _check_rule_ids(config: Config, data: dict[str, Any], path: str, locate: Locator, known: set[str]) -> None:
    """Every id or prefix must name at least one installed rule: a typo would silently do nothing."""

    def unknown(pattern: str) -> bool:
        return pattern != "ALL" and not any(rule_id.startswith(pattern) for rule_id in known)

    for key in ("select", "ignore", "extend-select"):
        for i, value in enumerate(data.get(key, [])):
            if unknown(str(value).upper()):
                raise ConfigError(f"{key}[{i}]: no rule matches '{value}' (see 'sigcheck rules')", path, *locate((key, i), value))
    for value in data.get("severity", {}):
        if unknown(str(value).upper()):
            raise ConfigError(f"severity: no rule matches '{value}' (see 'sigcheck rules')", path, *_locate_key(locate, ("severity", value)))
    for glob, values in data.get("per-path-ignores", {}).items():
        for i, value in enumerate(values):
            if unknown(str(value).upper()):
                raise ConfigError(
                    f"per-path-ignores.{glob}[{i}]: no rule matches '{value}' (see 'sigcheck rules')", path,
                    *locate(("per-path-ignores", glob, i), value),
                )


# -- applying -------------------------------------------------------------------
def configure(options: Any, config: Config) -> None:
    """Give the engine's `Options` what the configuration says. Settings the command line gave
    win: its select/ignore/extend-select apply on top of the file's, and --location replaces the
    file's `location`."""
    from sigcheck.engine.run import RuleSelection, display_path
    from sigcheck.model.findings import Severity
    from sigcheck.syntax.located import Located, Span

    options.configured = RuleSelection(config.select, config.ignore, config.extend_select)
    options.severity = {rule: Severity.parse(level) for rule, level in config.severity.items()}
    options.per_path_ignores = dict(config.per_path_ignores)
    options.exclude = list(config.exclude)
    options.root = config.root
    options.settings = dict(config.rule_settings)
    if config.file_timeout is not None and options.file_timeout is None:
        options.file_timeout = config.file_timeout
    _configure_policy(options, config)
    if config.location is not None and options.context.location is None and config.path is not None:
        line, column = config.location_at
        span = Span(display_path(config.path), line, column, line, column + len(config.location))
        located = Located(config.location, span, origin=f"location in {os.path.basename(config.path)}")
        options.context = dataclasses.replace(options.context, location=located)
    # The rest of the deployment context: what resourceGroup() and subscription() can know.
    update = {key: value for key, value in (("resource_group", config.resource_group), ("subscription_id", config.subscription_id))
              if value is not None and getattr(options.context, key) is None}
    if update:
        options.context = dataclasses.replace(options.context, **update)


def _configure_policy(options: Any, config: Config) -> None:
    """Custom rules join the run's rules; the rules find each file's policy through the scope.
    Policy rules cost nothing when no configuration sets a policy, so the scope is only built
    when there is a configuration to read from."""
    from sigcheck.config_policy import NearestPolicy
    from sigcheck.engine.policy import SETTINGS_NAME, custom_rule

    custom = config.policy.custom if config.policy is not None else {}
    options.extra_rules = [custom_rule(definition.meta()) for definition in custom.values()]
    options.settings[SETTINGS_NAME] = {"scope": NearestPolicy(
        config.policy, config.path, config.explicit, config.known_ids or frozenset(), frozenset(custom),
        cache_dir=config.cache_dir)}
