"""The `policy:` table and the `custom-rules:` list of a configuration: checked beyond what the
JSON Schema can say (regular expressions compile, regions exist, conditions use known operators and
fields that some gallery API version defines, custom ids do not collide), each problem a
`ConfigError` at the file:line:col of the value at fault; and the scope that tells the rules which
configuration's policy governs each checked file.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, Iterable

from sigcheck.engine.policy import KIND_KEYS, CustomRule, Policy, Setting, Source
from sigcheck.model import facts
from sigcheck.model.findings import Severity
from sigcheck.model.regions import normalize_region

if TYPE_CHECKING:
    from sigcheck.config import Locator

POLICY_KEYS = ("policy", "custom-rules")


def read_policy(data: dict[str, Any], path: str, locate: Locator, builtin_ids: Iterable[str]) -> Policy:
    """The policy of a validated configuration (empty when it sets none)."""
    from sigcheck.config import ConfigError, _dotted
    from sigcheck.engine.condition import ConditionError, compile_condition

    def error(message: str, where: tuple[Any, ...], value: Any = None, key: bool = False) -> ConfigError:
        line, column = (locate.key(where, None) if key else locate(where, value))
        return ConfigError(f"invalid configuration: {_dotted(where)}: {message}", path, line, column)

    policy = Policy(path)
    table = data.get("policy") or {}
    for key, value in table.items():
        line, column = locate.key(("policy", key), None)
        members = tuple((str(sub), Source(path, *locate.key(("policy", key, sub), None)))
                        for sub in value) if isinstance(value, dict) else ()
        policy.settings[key] = Setting(key, value, Source(path, line, column), members)
    replicas = table.get("replicas") or {}
    if "min" in replicas and "max" in replicas and replicas["min"] > replicas["max"]:
        raise error(f"min ({replicas['min']}) is greater than max ({replicas['max']})", ("policy", "replicas", "min"), replicas["min"])
    for kind, pattern in (table.get("naming") or {}).items():
        try:
            re.compile(pattern)
        except re.error as exc:
            raise error(f"invalid regular expression: {exc}", ("policy", "naming", kind), pattern) from None
    for i, region in enumerate(table.get("allowed-regions") or []):
        problem = _unknown_region(str(region))
        if problem:
            raise error(problem, ("policy", "allowed-regions", i), region)

    builtin = {b.upper() for b in builtin_ids}
    for i, entry in enumerate(data.get("custom-rules") or []):
        rule_id = str(entry["id"]).upper()
        if rule_id in builtin or rule_id.startswith("SIG"):
            owner = "a built-in rule" if rule_id.startswith("SIG") else "an installed plugin's rule (see 'sigcheck rules')"
            raise error(f"id '{entry['id']}' is taken by {owner}; give custom rules your own prefix (such as CONTOSO001)",
                        ("custom-rules", i, "id"), entry["id"])
        if rule_id in policy.custom:
            raise error(f"id '{entry['id']}' is defined twice (also at {policy.custom[rule_id].source})",
                        ("custom-rules", i, "id"), entry["id"])
        kinds = tuple(entry["resources"])
        types = tuple(KIND_KEYS[k].type_name for k in kinds)
        try:
            condition = compile_condition(entry["condition"], types)
        except ConditionError as exc:
            where = ("custom-rules", i, "condition") + exc.where
            is_key = exc.message.startswith("unknown operator") or exc.message.startswith("unknown key")
            raise error(exc.message, where, None, key=is_key) from None
        line, column = locate(("custom-rules", i), None)
        policy.custom[rule_id] = CustomRule(
            rule_id, str(entry["name"]), Severity.parse(str(entry["severity"])), str(entry["message"]),
            str(entry.get("help-uri", "")), kinds, condition, Source(path, line, column),
        )
    return policy


def _unknown_region(name: str) -> str | None:
    data = facts.load("regions")
    known = set(data["regions"]) | set(data.get("referenced_elsewhere", {}))
    wanted = normalize_region(name)
    if wanted in known:
        return None
    if wanted in set(data["logical_names"]):
        return f"'{name}' is a geography, not a region"
    import difflib

    hint = difflib.get_close_matches(wanted, sorted(known), n=1)
    return f"unknown region '{name}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")


class NearestPolicy:
    """Which policy governs a file: that of the nearest configuration above it that has a
    `policy` table or `custom-rules` (so each folder of a repository may have its own), else the
    run's; with `--config`, the run's for every file. Configurations are read once per folder.
    Problems with the configurations read this way are collected in `problems` (exit code 2)."""

    def __init__(self, primary: Policy | None, primary_path: str | None, fixed: bool, known_ids: frozenset[str],
                 registered: frozenset[str], cache_dir: str | None = None) -> None:
        self.primary = primary
        self.cache_dir = cache_dir
        self.primary_path = os.path.abspath(primary_path) if primary_path else None
        self.fixed = fixed
        self.known_ids = known_ids
        self.registered = registered  # custom rule ids this run registered (the run's configuration's)
        self.problems: list[str] = []
        self._by_folder: dict[str, Policy | None] = {}
        self._by_file: dict[str, Policy | None] = {}
        self._by_path: dict[tuple[str, str], Policy | None] = {}

    def for_path(self, path: str) -> Policy | None:
        if self.fixed:
            return self.primary
        # Asked for every resource by every policy rule: the answer is kept by the path as given
        # (relative to the working directory, which an embedding program may change).
        key = (os.getcwd(), path)
        if key in self._by_path:
            return self._by_path[key]
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self._by_folder:
            self._by_folder[folder] = self._nearest(folder)
        found = self._by_path[key] = self._by_folder[folder]
        return found

    def _nearest(self, folder: str) -> Policy | None:
        from sigcheck.config import find_config

        while True:
            found = find_config(folder)
            if found is None:
                return self.primary
            found = os.path.abspath(found)
            if found == self.primary_path:
                return self.primary
            policy = self._read(found)
            if policy is not None and (policy.settings or policy.custom):
                return policy
            parent = os.path.dirname(os.path.dirname(found))
            if parent == os.path.dirname(found):
                return self.primary
            folder = parent

    def _read(self, config_path: str) -> Policy | None:
        from sigcheck.config import ConfigError, load

        if config_path in self._by_file:
            return self._by_file[config_path]
        policy: Policy | None = None
        try:
            policy = load(config_path, self.known_ids, self.cache_dir).policy
        except ConfigError as exc:
            self.problems.append(str(exc))
        if policy is not None:
            for rule_id, rule in policy.custom.items():
                if rule_id not in self.registered:
                    self.problems.append(
                        f"{rule.source}: custom rule {rule_id} is not defined in the run's configuration "
                        f"({self.primary_path or 'none'}), so it cannot be reported; check that folder on its own "
                        "or define the rule in the run's configuration too")
        self._by_file[config_path] = policy
        return policy
