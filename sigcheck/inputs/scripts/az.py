"""`az` command lines to model resources, whatever shell they were written in.

The script loaders turn a command into resolved `Word`s (quotes, escapes and variables done);
this module parses them the way azure-cli 2.91.0 does (option tables in rules/cli_options.json, as
its argparse parser builds them, abbreviations included; behaviour from reference/domain.md §5),
reports what the CLI itself would reject (SIG003), and
synthesises the REST body the command sends, every value located at the word it came from.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sigcheck.model import facts
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Located, Span
from sigcheck.model import resources as m
from sigcheck.model.from_body import build
from sigcheck.model.ids import RESOURCE_GROUP_PLACEHOLDER, SUBSCRIPTION_PLACEHOLDER, resource_id
from sigcheck.inputs.rest.normalize import build_resource, parse_url, script_body
from sigcheck.inputs.scripts.binder import CommandResult, Binding, Bound, adds_default_security, default_security_feature
from sigcheck.syntax.words import Body, Word, arr, obj, put, scalar

AZ_VERSION = "2.91.0"
# An entry of the option tables (rules/cli_options.json): JSON as written there.
Spec = dict[str, Any]


@cache
def table() -> Spec:
    return facts.section("cli_options", "az")


@cache
def _tool_api_versions() -> Spec:
    return facts.section("api_versions", "tool_api_versions", "az")


@cache
def _tool_defaults() -> Spec:
    return facts.section("api_versions", "default_image_definition_security_by_tool", "az")


@dataclass
class AzEnv:
    """What earlier commands of the same script established: `az configure --defaults`."""

    defaults: dict[str, Word] = field(default_factory=dict)


@dataclass
class Occurrence:
    option: Word  # the option as written (for `--opt=value`, the `--opt` part)
    values: list[Word]
    explicit: bool = False


@dataclass
class Parsed:
    command: str
    spec: Spec
    values: dict[str, list[Occurrence]]
    problems: list[tuple[Span, str]]
    # What az warns about and still runs: a deprecated name of an option.
    warnings: list[tuple[Span, str]] = field(default_factory=list)
    # Options written on the line, with or without an acceptable value: one written without its
    # value has its own finding and is not reported as missing as well.
    named: set[str] = field(default_factory=set)

    def last(self, dest: str) -> Occurrence | None:
        found = self.values.get(dest)
        return found[-1] if found else None

    def words(self, dest: str) -> list[Word] | None:
        occurrence = self.last(dest)
        return occurrence.values if occurrence is not None else None

    def one(self, dest: str) -> Word | None:
        occurrence = self.last(dest)
        return occurrence.values[0] if occurrence is not None and occurrence.values else None


def _looks_like_option(word: Word) -> bool:
    text = word.text
    if len(text) < 2 or not text.startswith("-"):
        return False
    try:
        float(text)
        return False  # a negative number is a value
    except ValueError:
        return True


def _span_of(words: list[Word]) -> Span:
    first, last = words[0], words[-1]
    return first.index.span(first.token_start, last.token_end)


def _option_strings(spec: Spec) -> dict[str, Spec]:
    """Every option string of the command, in the order azure-cli's parser registers them
    (global options first, the command's own, then the global policy options): argparse lists
    the candidates of an ambiguous prefix in that order."""
    globals_ = table()["global_options"]
    ordered = ([o for o in globals_ if o.get("registered") != "last"] + spec["options"]
               + [o for o in globals_ if o.get("registered") == "last"])
    out: dict[str, Spec] = {}
    for option in ordered:
        for name in option["names"]:
            out[name] = option
    return out


def _display(option: Spec) -> str:
    return "/".join(option["names"])


@dataclass
class _Resolved:
    """An argument argparse reads as an option: the option it binds to (None when the command
    has none by that name), the option as written, and a value attached to it."""

    option: Spec | None
    name_word: Word
    explicit: Word | None
    canonical: str | None = None
    problem: str | None = None


def _resolve(word: Word, strings: dict[str, Spec]) -> _Resolved | None:
    """What argparse makes of one argument (Lib/argparse.py _parse_optional and
    _get_option_tuples, 3.11-3.13): None for a value. azure-cli's parser and knack's leave
    `allow_abbrev` at its default (rules/cli_options.json _meta.abbreviations), so an
    unambiguous prefix of a long option binds to it, a short option may carry its value
    (`-rMyGallery`), and a prefix that several option strings start with is refused."""
    text = word.text
    if not text or text[0] != "-":
        return None
    if text in strings:
        return _Resolved(strings[text], word, None, text)
    if len(text) == 1:
        return None
    if "=" in text:
        head, value = word.split("=", 1)
        if head.text in strings:
            return _Resolved(strings[head.text], head, value, head.text)
    matches: list[tuple[str, Word, Word | None]] = []
    if text[1] == "-":
        prefix, explicit = word.split("=", 1) if "=" in text else (word, None)
        matches = [(name, prefix, explicit) for name in strings if name.startswith(prefix.text)]
    else:
        for name in strings:
            if name == text[:2]:
                matches.append((name, word.slice(0, 2), word.slice(2)))
            elif name.startswith(text):
                matches.append((name, word, None))
    if len(matches) > 1:
        shown = ", ".join(name for name, _, _ in matches)
        return _Resolved(None, word, None, problem=f"ambiguous option: {text} could match {shown}")
    if len(matches) == 1:
        match, name_word, explicit = matches[0]
        return _Resolved(strings[match], name_word, explicit, match)
    try:
        float(text)
        return None  # a negative number is a value
    except ValueError:
        pass
    if " " in text:
        return None  # argparse reads an unknown word with a space as a value
    unknown, explicit = word.split("=", 1) if "=" in text else (word, None)
    return _Resolved(None, unknown, explicit)


def _hint(command: str, name: str, strings: dict[str, Spec]) -> str:
    """What the user probably meant: the same option on a sibling command (an option of
    `create` given to `update`), else a close name of this command's."""
    group = command.rsplit(" ", 1)[0]
    for other, spec in table()["commands"].items():
        if other != command and other.rsplit(" ", 1)[0] == group and any(name in o["names"] for o in spec["options"]):
            return f"; {name} is an option of az {other}, not of az {command}"
    # 0.7, as azure-cli's own suggestions use: lower cut-offs propose unrelated options.
    close = difflib.get_close_matches(name, [n for n in strings if n.startswith("--")], n=1, cutoff=0.7)
    return f"; did you mean '{close[0]}'?" if close else ""


def _is_value(word: Word, strings: dict[str, Spec]) -> bool:
    if not word.known:
        return not _looks_like_option(word)
    return _resolve(word, strings) is None


def parse_options(command: str, spec: Spec, args: list[Word]) -> Parsed:
    """Parse `args` as argparse would for this command's options (plus the global ones)."""
    strings = _option_strings(spec)
    parsed = Parsed(command, spec, {}, [])
    i = 0
    while i < len(args):
        word = args[i]
        i += 1
        if not word.known:
            if _looks_like_option(word):
                while i < len(args) and _is_value(args[i], strings):
                    i += 1  # an option whose name is not known, and its values
            continue
        found = _resolve(word, strings)
        if found is None:
            parsed.problems.append((word.span, f"unrecognized argument '{word.text}' (az {command} takes no positional arguments)"))
            continue
        option = found.option
        if option is None:
            if found.problem is not None:
                parsed.problems.append((word.span, found.problem))
            else:
                name = found.name_word.text
                parsed.problems.append((found.name_word.span, f"unrecognized argument '{name}' for az {command}{_hint(command, name, strings)}"))
            while i < len(args) and _is_value(args[i], strings):
                i += 1  # its values, so that they are not reported one by one
            continue
        name_word, explicit = found.name_word, found.explicit
        parsed.named.add(option["dest"])
        deprecated = option.get("deprecated_names", {}).get(found.canonical)
        if deprecated is not None:
            # knack's Deprecated.message, as az prints it before running the command.
            parsed.warnings.append((name_word.span, f"Option '{found.canonical}' has been deprecated and will be removed in "
                                                    f"version '{deprecated['expires']}'. Use '{deprecated['use']}' instead."))
        nargs = option.get("nargs", "1")
        values: list[Word] = []
        if explicit is not None:
            if nargs == "0":
                parsed.problems.append((explicit.span, f"argument {_display(option)}: ignored explicit argument '{explicit.text}'"))
                continue
            values = [explicit]
        elif nargs == "1":
            if i < len(args) and _is_value(args[i], strings):
                values = [args[i]]
                i += 1
            else:
                parsed.problems.append((name_word.span, f"argument {_display(option)}: expected one argument"))
                continue
        elif nargs == "?":
            if i < len(args) and _is_value(args[i], strings):
                values = [args[i]]
                i += 1
        elif nargs in ("+", "*"):
            while i < len(args) and _is_value(args[i], strings):
                values.append(args[i])
                i += 1
            if nargs == "+" and not values:
                parsed.problems.append((name_word.span, f"argument {_display(option)}: expected at least one argument"))
                continue
        if option.get("ignored"):
            # azure-cli's IgnoreAction: the parser knows `--cmd` but refuses it when used.
            shown = " ".join(w.text for w in values)
            parsed.problems.append((name_word.span, f"unrecognized argument: {found.canonical} {shown}".rstrip()))
            continue
        occurrence = Occurrence(name_word, values, explicit is not None)
        if option.get("repeat"):
            parsed.values.setdefault(option["dest"], []).append(occurrence)
        else:
            parsed.values[option["dest"]] = [occurrence]
        _check_value(option, occurrence, parsed)
    return parsed


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _not_allowed(parsed: Parsed, option: Spec, value: Word, allowed: list[str]) -> None:
    parsed.problems.append((value.span, f"az {parsed.command}: '{value.text}' is not a valid value for '{option['names'][0]}'. "
                                        f"Allowed values: {', '.join(allowed)}."))


def _check_value(option: Spec, occurrence: Occurrence, parsed: Parsed) -> None:
    choices = option.get("choices")
    kind = option.get("type")
    for value in occurrence.values:
        if not value.known:
            continue
        if choices and value.text.lower() not in {c.lower() for c in choices}:
            _not_allowed(parsed, option, value, choices)
        elif kind == "int" and _int(value.text) is None:
            parsed.problems.append((value.span, f"argument {_display(option)}: invalid int value: '{value.text}'"))
        elif kind == "bool":
            # get_three_state_flag() options take true/false only; AAZ boolean options more.
            allowed = table()["three_state_values" if option.get("three_state") else "bool_values"]
            if value.text.lower() not in allowed:
                _not_allowed(parsed, option, value, allowed)


def _check_required(parsed: Parsed, env: AzEnv, command_span: Span) -> None:
    spec = parsed.spec
    ids = spec.get("ids_option")
    if ids and parsed.last(ids) is not None:
        return
    missing = []
    for option in spec["options"]:
        if not option.get("required") or parsed.last(option["dest"]) is not None or option["dest"] in parsed.named:
            continue
        default = option.get("configured_default")
        if default and default in env.defaults:
            continue
        missing.append(_display(option))
    if missing:
        parsed.problems.append((command_span, f"the following arguments are required: {', '.join(missing)}"))


def _check_groups(parsed: Parsed) -> None:
    spec = parsed.spec
    by_dest = {o["dest"]: o for o in spec["options"]}
    for group in spec.get("at_most_one", []):
        given = [(occ, d) for occ, d in ((parsed.last(d), d) for d in group["dests"]) if occ is not None]
        given.sort(key=lambda t: (t[0].option.token_start))
        if len(given) > 1:
            first = given[0][1]
            for occ, dest in given[1:]:
                a, b = by_dest[first]["names"][0], by_dest[dest]["names"][0]
                if dest == "os_snapshot" or first == "os_snapshot" or "os_vhd_uri" in (dest, first):
                    # The CLI does not stop these: it sends both storageProfile.source and
                    # osDiskImage.source, and the service refuses the version (SIG303), one finding.
                    continue
                why = f"{a} and {b}: please specify only one of the --managed-image\\--virtual-machine\\--image-version arguments"
                parsed.problems.append((occ.option.span, f"several OS sources: {why}"))
    for a, b in spec.get("together", []):
        occ_a, occ_b = parsed.last(a), parsed.last(b)
        alone = occ_a or occ_b
        if (occ_a is None) != (occ_b is None) and alone is not None:
            parsed.problems.append((alone.option.span,
                                    f"{by_dest[a]['names'][0]} and {by_dest[b]['names'][0]} should be used together"))
    for dependent, needed in spec.get("requires", []):
        needing = parsed.last(dependent)
        if needing is not None and parsed.last(needed) is None:
            parsed.problems.append((needing.option.span, f"usage error: {by_dest[dependent]['names'][0]} must be used together with {by_dest[needed]['names'][0]}"))
    for dests in spec.get("same_length", []):
        given = [(d, found) for d in dests if (found := parsed.last(d)) is not None]
        if len(given) < 2 or any(not w.known for _, found in given for w in found.values):
            continue
        lengths = {d: len(found.values) for d, found in given}
        if len(set(lengths.values())) > 1:
            names = ", ".join(f"{by_dest[d]['names'][0]} ({n})" for d, n in lengths.items())
            _, last = max(given, key=lambda pair: pair[1].option.token_start)
            parsed.problems.append((last.option.span, f"usage error: the lengths of {names} must be equal"))


# -- the command ----------------------------------------------------------------------------

def normalize_az(
    args: list[Word], az_word: Word, whole: Span, path: str, context: m.DeploymentContext, env: AzEnv,
    source_kind: str = "cli",
) -> CommandResult:
    """One `az …` command line (args after `az`) to resources and SIG003/SIG001 findings."""
    result = CommandResult()
    head: list[Word] = []
    for word in args:
        if not word.known or _looks_like_option(word):
            break
        head.append(word)
    words = [w.text for w in head]
    if words[:1] == ["configure"]:
        _configure(args[len(head):], env)
        return result
    if words[:1] == ["rest"]:
        _rest(args[len(head):], path, context, result)
        return result
    if words[:2] in (["disk", "create"], ["snapshot", "create"]):
        _disk(words[0], head, args[len(head):], path, context, result, source_kind)
        return result
    if words[:1] != ["sig"]:
        return result
    commands = table()["commands"]
    command = None
    for k in range(len(words), 1, -1):
        candidate = " ".join(words[:k])
        if candidate in commands:
            command = candidate
            break
    if command is None:
        return result  # other `az sig` commands (show, list, delete…) create nothing
    used = len(command.split())
    command_span = az_word.index.span(az_word.token_start, head[used - 1].token_end)
    spec = commands[command]
    parsed = parse_options(command, spec, args[used:])
    _check_required(parsed, env, command_span)
    if not parsed.problems:
        # The command's validators run only once argparse has accepted the line.
        for group in spec.get("one_of_required", []):
            if not any(parsed.last(d) is not None for d in group["dests"]):
                parsed.problems.append((command_span, group["message"]))
        _check_groups(parsed)
    if spec.get("validate_only"):
        # `az sig update`, `az sig share …`: read for what az itself refuses; what they change is
        # not modelled, so they declare no resource for the body rules.
        binding = Binding(spec, command_span, whole, problems=parsed.problems, warnings=parsed.warnings)
        result.findings.extend(binding.findings(None))
        return result
    builder = _Builder(parsed, command, command_span, whole, path, context, env, source_kind)
    resource = builder.build()
    result.findings.extend(builder.binding.findings(resource))
    if not builder.binding.rejected:
        result.resources.append(resource)
    return result


class _Builder:
    """The REST body an `az sig …` command sends, located at the words it came from."""

    def __init__(self, parsed: Parsed, command: str, command_span: Span, whole: Span, path: str,
                 context: m.DeploymentContext, env: AzEnv, source_kind: str) -> None:
        self.p = parsed
        self.command = command
        self.command_span = command_span
        self.path = path
        self.context = context
        self.env = env
        self.source_kind = source_kind
        self.options = {o["dest"]: o for o in parsed.spec["options"]}
        self.binding = Binding(parsed.spec, command_span, whole, problems=parsed.problems, warnings=parsed.warnings)
        self.body = self.binding.body
        for dest, option in self.options.items():
            occ = parsed.last(dest)
            if occ is not None:
                self.binding.bound[dest] = Bound(option, occ.option.span, self.value_node(option, occ))

    def problem(self, span: Span, message: str) -> None:
        self.binding.problem(span, message)

    def default_origin(self, what: str) -> str:
        return f"az CLI {AZ_VERSION} default: {what}"

    def absent(self, option: Spec) -> Node | None:
        """What the CLI sends for an option left out: the configured location, or its default."""
        if option["dest"] == "location":
            default = self.env.defaults.get("location")
            return default.node(origin=f"az configure --defaults location={default.text}") if default is not None else None
        if "default" in option:
            return scalar(option["default"], self.command_span, self.default_origin(f"{option['names'][0]} not given"))
        return None

    def value_node(self, option: Spec, occ: Occurrence) -> Node | None:
        nargs = option.get("nargs", "1")
        kind = option.get("type")
        if nargs in ("+", "*"):
            items = [w.node() for w in occ.values]
            return arr(_span_of(occ.values) if occ.values else occ.option.span, items)
        if not occ.values:
            return scalar(True, occ.option.span) if kind == "bool" else None
        word = occ.values[0]
        if not word.known:
            return word.node()
        if kind == "int":
            number = _int(word.text)
            return word.node(number) if number is not None else None
        if kind == "bool":
            lowered = word.text.lower()
            if lowered in ("true", "1", "yes", "y", "on", "t"):
                return word.node(True)
            if lowered in ("false", "0", "no", "n", "off", "f"):
                return word.node(False)
            return None
        return word.node()

    def tags(self) -> None:
        """`--tags KEY[=VALUE] ...` as the body's `tags` (policy SIG808 and custom rules read them)."""
        occ = self.p.last("tags") if "tags" in self.options else None
        if occ is None:
            return
        if any(not word.known for word in occ.values):
            self.body.set("tags", scalar(UNKNOWN, occ.option.span), occ.option.span)
            return
        tags = obj(_span_of(occ.values) if occ.values else occ.option.span)
        for word in occ.values:
            key, _, value = word.text.partition("=")
            if key:  # `--tags ""` clears the tags
                put(tags, key, scalar(value, word.span), word.span)
        self.body.set("tags", tags, occ.option.span)

    def api_version(self) -> Located[str] | None:
        version = _tool_api_versions().get(self.command)
        if not version:
            return None  # domain.md does not state the version this command sends
        return Located(version, self.command_span, f"the API version az {self.command} sends (azure-cli {AZ_VERSION})", "apiVersion")

    # -- per command ----------------------------------------------------------------------
    def build(self) -> m.Resource:
        self.binding.fill_body(list(self.options.values()), "dest", self.absent)
        self.tags()
        kind = self.p.spec["resource"]
        if kind == m.IMAGE_DEFINITION and not self.p.spec.get("update"):
            self.image_definition()  # the defaults a create sends; an update keeps what the definition has
        elif kind == m.IMAGE_VERSION:
            self.image_version()
        elif kind == m.APPLICATION_VERSION:
            self.application_version()
        return self.binding.resource(self.source_kind, self.path, self.context, self.api_version())

    def image_definition(self) -> None:
        defaults = _tool_defaults()
        gen = self.body.get("properties.hyperVGeneration")
        if gen is None:
            gen = self.body.set("properties.hyperVGeneration",
                                scalar(defaults["hyperVGeneration"], self.command_span, self.default_origin("--hyper-v-generation not given")))
        occ = self.p.last("features")
        features: list[Node] = []
        security_given = False
        drop_standard = False
        features_unknown = False
        if occ is not None and occ.values:
            word = occ.values[0]
            if not word.known and word.text.strip() == word.text and "=" not in word.text:
                features_unknown = True
            else:
                for item in word.split_whitespace():
                    if "=" not in item.text:
                        if item.known:
                            self.problem(item.span, f"usage error: --features KEY=VALUE [KEY=VALUE ...]: '{item.text}' has no '='")
                        continue
                    key, value = item.split("=", 1)
                    if key.known and key.text == "SecurityType":
                        security_given = True
                        if value.known and value.text == "Standard":
                            drop_standard = True  # the CLI removes it from the payload (§5.2)
                            continue
                    feature = obj(item.span)
                    put(feature, "name", key.node(), key.span)
                    put(feature, "value", value.node(), value.span)
                    features.append(feature)
        if not features_unknown and not security_given and not drop_standard and adds_default_security(gen, defaults):
            features.append(default_security_feature(
                self.command_span, defaults, self.default_origin("SecurityType added for a V2 definition without one"),
                self.default_origin("SecurityType added for a V2 definition")))
        if features_unknown and occ is not None:
            # The whole list is an unresolved value: carried as such, so that rules see features
            # that cannot be read rather than none at all.
            self.body.set("properties.features", occ.values[0].node(), occ.option.span)
        elif features:
            span = occ.values[0].span if occ is not None and occ.values else self.command_span
            self.body.set("properties.features", arr(span, features), occ.option.span if occ is not None else self.command_span)

    def resolved_id(self, dest: str, word: Word) -> Node:
        """A name given where the CLI expects an id is turned into an id in the command's
        subscription and resource group (custom.py create_image_version)."""
        kind = table()["name_resolution"].get(dest)
        if kind is None or not word.known or word.text.startswith("/"):
            return word.node()
        rg = self.p.one("resource_group") or self.env.defaults.get("group")
        provider = kind if "/" in kind else f"Microsoft.Compute/{kind}"
        value = resource_id(provider, [word.text], subscription=SUBSCRIPTION_PLACEHOLDER,
                            resource_group=rg.text if rg is not None and rg.known else RESOURCE_GROUP_PLACEHOLDER)
        return word.node(value, origin=f"'{word.text}' resolved by az to {value}")

    def image_version(self) -> None:
        p = self.p
        regions = self.target_regions()
        location = self.body.get("location")
        if regions is None and location is not None and not p.spec.get("update"):
            origin = self.default_origin("--target-regions not given: the version's location")
            region = obj(location.span, origin)
            put(region, "name", Node(location.value, location.span, None, location.origin or origin))
            self.body.set("properties.publishingProfile.targetRegions", arr(location.span, [region]), self.command_span)
        self.encryption(regions)
        self.edge_zones()
        for dest, target in (("managed_image", "properties.storageProfile.source.id"),
                             ("image_version", "properties.storageProfile.source.id"),
                             ("virtual_machine", "properties.storageProfile.source.virtualMachineId"),
                             ("os_snapshot", "properties.storageProfile.osDiskImage.source.id"),
                             ("os_vhd_uri", "properties.storageProfile.osDiskImage.source.uri"),
                             ("os_vhd_storage_account", "properties.storageProfile.osDiskImage.source.storageAccountId")):
            occ = p.last(dest)
            if occ is not None and occ.values:
                self.body.set(target, self.resolved_id(dest, occ.values[0]), occ.option.span)
        disks: list[Node] = []
        for sources, luns, key in (("data_snapshots", "data_snapshot_luns", "id"), ("data_vhds_uris", "data_vhds_luns", "uri")):
            occ = p.last(sources)
            if occ is None:
                continue
            lun_words = p.words(luns)
            accounts = p.words("data_vhds_storage_accounts") if key == "uri" else None
            for i, word in enumerate(occ.values):
                disk = obj(word.span)
                if lun_words is not None and i < len(lun_words):
                    lun_word = lun_words[i]
                    number = _int(lun_word.text) if lun_word.known else None
                    if lun_word.known and number is None:
                        self.problem(lun_word.span, f"LUN '{lun_word.text}' is not an integer")
                    put(disk, "lun", lun_word.node(number if number is not None else UNKNOWN), lun_word.span)
                elif lun_words is None:
                    put(disk, "lun", scalar(i, word.span, self.default_origin("LUNs 0..n-1 when none are given")), word.span)
                source = obj(word.span)
                put(source, key, self.resolved_id(sources, word) if key == "id" else word.node(), word.span)
                if accounts is not None and i < len(accounts):
                    put(source, "storageAccountId", self.resolved_id("data_vhds_storage_accounts", accounts[i]), accounts[i].span)
                put(disk, "source", source, word.span)
                disks.append(disk)
        if disks:
            self.body.set("properties.storageProfile.dataDiskImages", arr(disks[0].span, disks), self.command_span)

    def target_regions(self) -> list[Node] | None:
        occ = self.p.last("target_regions")
        if occ is None:
            return None
        types = table()["target_regions"]["storage_account_types"]
        regions: list[Node] = []
        for token in occ.values:
            regions.append(self.region_token(token, types))
        self.body.set("properties.publishingProfile.targetRegions",
                      arr(_span_of(occ.values) if occ.values else occ.option.span, regions), occ.option.span)
        return regions

    def region_token(self, token: Word, types: list[str]) -> Node:
        """`region[=count][=storage type]` (domain §5.3: `t.split('=', 2)`)."""
        region = obj(token.span)
        parts = token.split("=", 2)
        name = parts[0]
        put(region, "name", name.node(), name.span)
        shown = token.text if token.known else "the token"
        allowed = ", ".join(types)
        if len(parts) >= 2:
            second = parts[1]
            number = _int(second.text) if second.known else None
            if not second.known:
                pass
            elif number is not None:
                put(region, "regionalReplicaCount", second.node(number), second.span)
            elif len(parts) == 2 and second.text.lower() in types:
                put(region, "storageAccountType", second.node(), second.span)
            elif len(parts) == 2:
                self.problem(second.span, f"usage error: {shown} is an invalid target region argument. The second part is neither "
                                          f"an integer replica count or a valid storage account type. Storage account types must be one of {allowed}.")
            else:
                self.problem(second.span, f"usage error: {shown} is an invalid target region argument. The second part must be a "
                                          f"valid integer replica count (the order is region=count=type).")
                return region  # the CLI stops at the first error of a token
        if len(parts) == 3:
            third = parts[2]
            if third.known and third.text.lower() not in types:
                self.problem(third.span, f"usage error: {shown} is an invalid target region argument. The third part is not a "
                                         f"valid storage account type. Storage account types must be one of {allowed}.")
            else:
                put(region, "storageAccountType", third.node(), third.span)
        return region

    def encryption(self, regions: list[Node] | None) -> None:
        occ = self.p.last("target_region_encryption")
        if occ is not None:
            count = len(regions) if regions is not None else 1
            if all(w.known for w in occ.values) and len(occ.values) != count:
                self.problem(occ.option.span, "usage error: Length of --target-region-encryption should be as same as length of target regions")
            for i, spec in enumerate(occ.values):
                if not spec.known:
                    continue
                parts = spec.split(",")
                data = parts[1:]
                if len(data) % 2:
                    self.problem(spec.span, "usage error: LUN and disk encryption set for data disk should appear in pair in "
                                            "--target-region-encryption. Example: osdes,0,datades0,1,datades1")
                    continue
                if regions is None or i >= len(regions):
                    continue
                enc = obj(spec.span)
                if parts[0].text and parts[0].text.lower() != "null":
                    os_disk = obj(parts[0].span)
                    put(os_disk, "diskEncryptionSetId", parts[0].node(), parts[0].span)
                    put(enc, "osDiskImage", os_disk, parts[0].span)
                if data:
                    items = []
                    for j in range(0, len(data), 2):
                        lun, des = data[j], data[j + 1]
                        item = obj(lun.span)
                        number = _int(lun.text)
                        put(item, "lun", lun.node(number if number is not None else lun.value), lun.span)
                        put(item, "diskEncryptionSetId", des.node(), des.span)
                        items.append(item)
                    put(enc, "dataDiskImages", arr(data[0].span, items), data[0].span)
                put(regions[i], "encryption", enc, spec.span)
        occ = self.p.last("target_region_cvm_encryption")
        if occ is not None:
            types = table()["target_regions"]["cvm_encryption_types"]
            for i, spec in enumerate(occ.values):
                if not spec.known:
                    continue
                parts = spec.split(",")
                if len(parts) != 2:
                    self.problem(spec.span, "usage error: --target-region-cvm-encryption takes <os_cvm_encryption_type>,<os_cvm_des>: "
                                            "Both os_cvm_encryption_type and os_cvm_des parameters are required.")
                    continue
                if parts[0].text not in types:
                    self.problem(parts[0].span, f"usage error: '{parts[0].text}' is not a CVM encryption type (one of {', '.join(types)})")
                    continue
                if regions is None or i >= len(regions):
                    continue
                enc = regions[i].value.get("encryption") or obj(spec.span)
                os_disk = enc.value.get("osDiskImage") or obj(spec.span)
                profile = obj(spec.span)
                put(profile, "confidentialVMEncryptionType", parts[0].node(), parts[0].span)
                if parts[1].text:
                    put(profile, "secureVMDiskEncryptionSetId", parts[1].node(), parts[1].span)
                put(os_disk, "securityProfile", profile, spec.span)
                put(enc, "osDiskImage", os_disk, spec.span)
                put(regions[i], "encryption", enc, spec.span)

    def edge_zones(self) -> None:
        occ = self.p.last("target_edge_zones")
        if occ is None:
            return
        types = table()["target_regions"]["edge_zone_storage_account_types"]
        zones = []
        for token in occ.values:
            if not token.known:
                continue
            parts = token.split("=", 3)
            if len(parts) < 2:
                continue  # the CLI ignores such tokens
            item = obj(token.span)
            put(item, "name", parts[0].node(), parts[0].span)
            ext = obj(parts[1].span)
            put(ext, "name", parts[1].node(), parts[1].span)
            put(ext, "type", scalar("EdgeZone", parts[1].span), parts[1].span)
            put(item, "extendedLocation", ext, parts[1].span)
            if len(parts) >= 3:
                number = _int(parts[2].text)
                if number is None:
                    self.problem(parts[2].span, f"usage error: {token.text} is an invalid --target-edge-zones argument: the third part must be an integer replica count")
                else:
                    put(item, "extendedLocationReplicaCount", parts[2].node(number), parts[2].span)
            if len(parts) == 4:
                if parts[3].text.lower() not in types:
                    self.problem(parts[3].span, f"usage error: {token.text} is an invalid --target-edge-zones argument: the fourth part "
                                                f"must be a storage account type ({', '.join(types)})")
                else:
                    put(item, "storageAccountType", parts[3].node(), parts[3].span)
            zones.append(item)
        enc = self.p.last("target_edge_zone_encryption")
        if enc is not None and all(w.known for w in enc.values) and all(w.known for w in occ.values) and len(enc.values) != len(occ.values):
            self.problem(enc.option.span, "usage error: the number of --target-edge-zone-encryption values must equal the number of --target-edge-zones")
        if zones:
            self.body.set("properties.publishingProfile.targetExtendedLocations", arr(_span_of(occ.values), zones), occ.option.span)

    def application_version(self) -> None:
        occ = self.p.last("target_regions")
        if occ is None:
            return
        regions = []
        for word in occ.values:
            items = self.shorthand(word)
            if items is None:
                continue
            regions.extend(items)
        self.body.set("properties.publishingProfile.targetRegions",
                      arr(_span_of(occ.values) if occ.values else occ.option.span, regions), occ.option.span)

    def shorthand(self, word: Word) -> list[Node] | None:
        """aaz shorthand objects: `[{name:eastus,regional-replica-count:1}]` or `{…}` per word."""
        if not word.known:
            return None
        spec = table()["target_regions"]
        keys = {k.lower(): v for k, v in spec["application_keys"].items()}
        keys.update({v.lower(): v for v in spec["application_keys"].values()})
        parsed = _parse_shorthand(word)
        if parsed is None:
            self.problem(word.span, f"invalid --target-regions value '{word.text}': expected shorthand objects such as "
                                    "[{name:eastus,regional-replica-count:1,storage-account-type:Standard_LRS}]")
            return None
        out = []
        for item_span, pairs in parsed:
            region = obj(item_span)
            for key, value in pairs:
                target = keys.get(key.text.lower())
                if target is None:
                    self.problem(key.span, f"unknown key '{key.text}' in a --target-regions item (known: {', '.join(spec['application_keys'])})")
                    continue
                node = value.node()
                if target == "regionalReplicaCount":
                    number = _int(value.text)
                    if number is None:
                        self.problem(value.span, f"regional-replica-count '{value.text}' is not an integer")
                        continue
                    node = value.node(number)
                elif target == "storageAccountType" and value.text.lower() not in {t.lower() for t in spec["application_storage_account_types"]}:
                    self.problem(value.span, f"storage-account-type '{value.text}' is not one of {', '.join(spec['application_storage_account_types'])}")
                put(region, target, node, key.span)
            if region.value.get("name") is None:
                self.problem(item_span, "a --target-regions item needs a name")
                continue
            out.append(region)
        return out


def _parse_shorthand(word: Word) -> list[tuple[Span, list[tuple[Word, Word]]]] | None:
    """Objects of a shorthand value, each with its (key, value) words; None when malformed."""
    text = word.text
    i = 0
    n = len(text)
    out: list[tuple[Span, list[tuple[Word, Word]]]] = []

    def skip() -> None:
        nonlocal i
        while i < n and text[i].isspace():
            i += 1

    def take(ch: str) -> bool:
        """Past `ch` when it comes next (after white space)."""
        nonlocal i
        skip()
        if i < n and text[i] == ch:
            i += 1
            return True
        return False

    def next_item(closer: str) -> bool:
        """Past the comma or the `closer` after an item; True at the closer (the last item)."""
        if take(","):
            return False
        if take(closer):
            return True
        raise ValueError

    def scalar_word(stops: str) -> Word:
        nonlocal i
        skip()
        if i < n and text[i] in "'\"":
            quote = text[i]
            end = text.find(quote, i + 1)
            if end < 0:
                raise ValueError
            piece = word.slice(i + 1, end)
            i = end + 1
            return piece
        start = i
        while i < n and text[i] not in stops:
            i += 1
        piece = word.slice(start, i)
        stripped_start = start + (len(piece.text) - len(piece.text.lstrip()))
        stripped_end = i - (len(piece.text) - len(piece.text.rstrip()))
        return word.slice(stripped_start, stripped_end)

    def parse_object() -> None:
        nonlocal i
        start = i
        i += 1  # {
        pairs = []
        while not take("}"):  # a trailing comma is allowed
            key = scalar_word(":,}")
            if not take(":"):
                raise ValueError
            pairs.append((key, scalar_word(",}")))
            if next_item("}"):
                break
        out.append((word.slice(start, i).span, pairs))

    try:
        if take("["):
            while not take("]"):
                skip()
                if i >= n or text[i] != "{":
                    raise ValueError
                parse_object()
                if next_item("]"):
                    break
        elif i < n and text[i] == "{":
            parse_object()
        else:
            raise ValueError
        skip()
        if i != n:
            raise ValueError
    except ValueError:
        return None
    return out


# -- other az commands that matter ----------------------------------------------------------

def _pairs(args: list[Word]) -> dict[str, list[Word]]:
    """Options and their values, without a table (for commands sigcheck does not validate)."""
    out: dict[str, list[Word]] = {}
    current: str | None = None
    for word in args:
        if _looks_like_option(word) and word.known:
            name, sep, _ = word.text.partition("=")
            current = name
            out.setdefault(name, [])
            if sep:
                out[name].append(word.split("=", 1)[1])
            continue
        if current is not None:
            out[current].append(word)
    return out


def _configure(args: list[Word], env: AzEnv) -> None:
    options = _pairs(args)
    for word in options.get("--defaults", []) + options.get("-d", []):
        if not word.known or "=" not in word.text:
            continue
        key, value = word.split("=", 1)
        if key.text in ("group", "location") and value.text:
            env.defaults[key.text] = value


def _first(options: dict[str, list[Word]], *names: str) -> Word | None:
    for name in names:
        values = options.get(name)
        if values:
            return values[0]
    return None


def _rest(args: list[Word], path: str, context: m.DeploymentContext, result: CommandResult) -> None:
    """`az rest --method put --url …/galleries/…?api-version=… --body '{…}'`.

    The body is sent as written, with the API version of the URL: a request like those of a
    `.http` file (source kind `rest`), not one the CLI builds and fills with its defaults."""
    options = _pairs(args)
    method = _first(options, "--method", "-m")
    url = _first(options, "--url", "--uri", "-u")
    if method is None or url is None or not method.known or method.text.lower() not in ("put", "patch"):
        return
    target = parse_url(url)
    if target is None:
        return
    api_version = target.api_version
    if api_version is None:
        for word in options.get("--uri-parameters", []) + options.get("--url-parameters", []):
            key, sep, value = word.text.partition("=")
            if sep and key.lower() == "api-version":
                piece = word.slice(len(key) + 1)
                api_version = Located(piece.value, piece.span, piece.origin, "apiVersion")
    body_word = _first(options, "--body", "-b")
    body = None
    if body_word is not None and not body_word.text.startswith("@"):
        body, readable = script_body(body_word, "az rest --body", result.findings)
        if not readable:
            return
    span = url.span
    result.resources.append(build_resource(target.type_name, target.names, api_version, body, path, span, context, "rest",
                                           partial=method.text.lower() == "patch"))


def _disk(kind: str, head: list[Word], args: list[Word], path: str, context: m.DeploymentContext, result: CommandResult,
          source_kind: str) -> None:
    """`az disk create` / `az snapshot create` with --size-gb: sizes for the disk-size rule."""
    options = _pairs(args)
    name = _first(options, "--name", "-n")
    size = _first(options, "--size-gb", "-z")
    if name is None:
        return
    span = head[0].index.span(head[0].token_start, head[-1].token_end)
    body = Body(span)
    if size is not None:
        number = _int(size.text) if size.known else None
        body.set("properties.diskSizeGB", size.node(number if number is not None else UNKNOWN), span)
    location = _first(options, "--location", "-l")
    if location is not None:
        body.set("location", location.node())
    cls = m.Snapshot if kind == "snapshot" else m.Disk
    common = {
        "source_kind": source_kind, "path": path, "span": span,
        "names": [Located(name.value, name.span, name.origin, "name")], "context": context,
    }
    result.resources.append(build(cls, common, body.root))
