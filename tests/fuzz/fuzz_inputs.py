"""Inputs for the fuzzing harness: the fixtures mutated with the tokens that broke sigcheck
before (nesting, doubling variables, huge numbers, odd line ends, NULs, quotes left open), and
small grammars for what mutation rarely reaches (ARM expressions, configuration files).

Hypothesis shrinks a failing input to a small one; `make fuzz` runs many more of them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import settings, strategies as st

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"

# Kinds by the extension their loader claims; each fuzzed file is checked under such a name.
KINDS = {
    "json": ".json",
    "http": ".http",
    "shell": ".azcli",
    "powershell": ".ps1",
    "markdown": ".md",
    "terraform": ".tf",
    "packer": ".pkr.hcl",
    "bicep": ".bicep",
}
_SUFFIXES = {".json": "json", ".http": "http", ".azcli": "shell", ".sh": "shell", ".ps1": "powershell", ".md": "markdown",
             ".tf": "terraform", ".hcl": "packer", ".bicep": "bicep"}


def _seeds() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for path in sorted(FIXTURES.rglob("*")):
        kind = _SUFFIXES.get(path.suffix)
        if kind is None or not path.is_file() or path.stat().st_size > 20_000:
            continue
        text = path.read_bytes().decode("utf-8", "replace")
        found[kind].append(text)
    return found


SEEDS = _seeds()

# What broke sigcheck before, or what each reader treats specially.
TOKENS = [
    "{", "}", "[", "]", ",", ":", '"', "'", "\\", "\\u", "\\ud800", "\\\"", "//", "/*", "*/",
    "\r", "\r\n", "\n", "\x00", "\ufeff", "\t", " ", "é", "\U0001F600", "\x1b[31m",
    "9" * 4400, "-0.5e999", "1e400", "18446744073709551616", "-5", "100000000",
    "[concat(", "[[", "')]", "copyIndex()", "[reduce(range(0, 50), '', lambda('a', 'b', concat(lambdaVariables('a'), lambdaVariables('a'))))]",
    '"copy": {"name": "c", "count": 800, "input": "[copyIndex(\'c\')]"}',
    "$V1$V1", "${V1}${V1}", "$(", "`", "@'", "'@", "<#", "#>", "#", "& ", "| ", "\\\n",
    "{{v1}}{{v1}}", "@v1 = x\n", "@v2 = {{v1}}{{v1}}\n", "###\n", "PUT ", "?api-version=", "{{",
    "```json\n", "```bash\n", "```powershell\n", "```\n", "~~~\n",
    "az sig create --resource-group rg --gallery-name g-1 --location westus2\n",
    "az sig image-version create --target-regions ", "New-AzGallery -ResourceGroupName rg -Name g-1 -Location westus2\n",
    "@(", "@{", "(" * 40, ")" * 40, "[" * 300, "]" * 300, "{" * 300,
    '${', '%{', '}', '<<EOF\n', '\nEOF\n', 'for_each = ', 'count = 100000', 'dynamic "x" {', '[for x in range(100000) : x]',
    'resource "azurerm_shared_image_gallery" "g" {\n', 'source "azure-arm" "x" {\n', "var.", "local.", "format(",
    "param p string = ", "var v = ", "resource r 'Microsoft.Compute/galleries@2024-03-03' = {\n",
    "for i in range(0, 100000): ", "'''", "@description(", "existing", "?? ", ".?",
    "sigcheck-disable-line", "SIGCHECK-DISABLE-NEXT-LINE SIG101", "# sigcheck-disable SIG1\n",
    '"type": "Microsoft.Compute/galleries"', '"apiVersion": "2024-03-03"', '"name": "[parameters(\'p\')]"',
]


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> str:
    """A fixture of `kind` with a few edits: tokens inserted, spans deleted or repeated."""
    seeds = SEEDS[kind] or [""]
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(("insert", "insert", "delete", "repeat", "text")))
        if action == "insert":
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif action == "text":
            text = text[:at] + draw(st.text(max_size=12)) + text[at:]
        else:
            end = min(len(text), at + draw(st.integers(1, 200)))
            if action == "delete":
                text = text[:at] + text[end:]
            else:
                text = text[:end] + text[at:end] * draw(st.integers(1, 8)) + text[end:]
    return text


def any_text(kind: str) -> st.SearchStrategy[str]:
    """Mutated fixtures mostly; some free text and some generated token soup."""
    soup = st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), max_size=30).map("".join)
    return st.one_of(mutated(kind), mutated(kind), mutated(kind), soup, st.text(max_size=200))


# -- ARM expressions -----------------------------------------------------------------
def _functions() -> list[str]:
    from sigcheck.inputs.arm.functions import BUILTINS

    return sorted(BUILTINS)


_ATOMS = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.text(alphabet=st.characters(exclude_characters="'"), max_size=8).map(lambda s: f"'{s}'"),
    st.sampled_from(["true", "false", "null", "''''", "'a''b'", "9" * 4400, "-9223372036854775809"]),
    st.sampled_from(["parameters('p')", "variables('v')", "copyIndex()", "lambdaVariables('x')", "resourceGroup().location"]),
)


def _call(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    name = st.sampled_from(_functions() + ["lambda", "nope", "ns.fn"])
    arguments = st.lists(children, max_size=4).map(", ".join)
    call = st.tuples(name, arguments).map(lambda pair: f"{pair[0]}({pair[1]})")
    suffix = st.sampled_from(["", ".name", "[0]", "['k']", ".properties.x", "[", ")"])
    return st.tuples(call, suffix).map("".join)


EXPRESSIONS = st.recursive(_ATOMS, _call, max_leaves=25).map(lambda body: f"[{body}]")
BROKEN_EXPRESSIONS = st.tuples(EXPRESSIONS, st.integers(0, 200), st.sampled_from(["", "(", "'", ",", ")", "]", "[["])).map(
    lambda t: t[0][: t[1]] + t[2] + t[0][t[1]:])


def template_with(expressions: list[str]) -> str:
    """An ARM template whose gallery's name, location and a variable are these expressions."""
    import json

    names = expressions + ["x"] * (3 - len(expressions))
    return json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"p": {"type": "string", "defaultValue": names[2]}},
        "variables": {"v": names[1], "w": "[variables('v')]"},
        "resources": [{"type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": names[0],
                       "location": "[variables('w')]", "properties": {"description": names[1]}}],
    }, indent=2)


# -- configuration -------------------------------------------------------------------
_CONFIG_KEYS = ["select", "ignore", "extend-select", "severity", "per-path-ignores", "exclude", "location",
                "resource-group", "subscription-id", "stale-api-version", "file-timeout", "policy", "custom-rules", "bogus"]
# Keys of the tables below the top level (policy, custom rules and their parts), for `map` lines.
_TABLE_KEYS = st.sampled_from(["allowed-regions", "min-target-regions", "replicas", "min", "max", "storage-account-types",
                               "end-of-life", "required", "max-days", "naming", "gallery", "image-version", "security-types",
                               "required-tags", "sharing", "min-api-version", "id", "name", "severity", "message",
                               "help-uri", "resources", "condition", "field", "equals", "count", "where", "max-age-days",
                               "SIG101"])
_YAML_SCALARS = st.sampled_from(["SIG1", "SIG101", "ALL", "error", "warning", "westus2", "'*.json'", "1", "-1", "0.5", "null",
                                 "~", "yes", "[]", "{}", "'", '"', "&a", "*a", "!!python/object:os.system", "|", ">", "9" * 4400])


@st.composite
def yaml_configs(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 6))):
        key = draw(st.sampled_from(_CONFIG_KEYS))
        shape = draw(st.sampled_from(("scalar", "flow", "block", "map", "anchor", "alias")))
        if shape == "scalar":
            lines.append(f"{key}: {draw(_YAML_SCALARS)}")
        elif shape == "flow":
            lines.append(f"{key}: [{', '.join(draw(st.lists(_YAML_SCALARS, max_size=4)))}]")
        elif shape == "block":
            lines.append(f"{key}:")
            lines.extend(f"  - {item}" for item in draw(st.lists(_YAML_SCALARS, max_size=4)))
        elif shape == "map":
            lines.append(f"{key}:")
            keys = st.one_of(_YAML_SCALARS, _TABLE_KEYS)
            values = st.one_of(_YAML_SCALARS, st.lists(_YAML_SCALARS, max_size=3).map(lambda xs: f"[{', '.join(xs)}]"),
                               st.tuples(_TABLE_KEYS, _YAML_SCALARS).map(lambda kv: f"{{{kv[0]}: {kv[1]}}}"))
            prefix = draw(st.sampled_from(("  ", "  - ")))  # a table, or a list of tables (custom-rules)
            lines.extend(f"{prefix}{k}: {v}" for k, v in draw(st.lists(st.tuples(keys, values), max_size=3)))
        elif shape == "anchor":
            lines.append(f"{key}: &a{len(lines)} [{', '.join(['SIG1'] * draw(st.integers(1, 9)))}]")
        else:
            lines.append(f"{key}: [{', '.join(f'*a{draw(st.integers(0, 8))}' for _ in range(draw(st.integers(1, 9))))}]")
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(TOKENS + ["\t", ": ", "- ", "---\n", "...\n", "%YAML 1.1\n"])) + text[at:]
    return text


TOML_CONFIGS = st.lists(st.tuples(st.sampled_from(_CONFIG_KEYS), st.sampled_from(
    ['["SIG1"]', '"SIG101"', "1", "-1", "0.5", "{}", "[", '"', "9" * 4400, '{ SIG1 = "error" }', "true"])), max_size=6).map(
    lambda pairs: "[tool.sigcheck]\n" + "".join(f"{k} = {v}\n" for k, v in pairs))


# -- run sizes -----------------------------------------------------------------------
def examples() -> int:
    """Examples per property: a short deterministic run by default (part of `make test`);
    SIGCHECK_FUZZ_EXAMPLES=N for a long one (`make fuzz`)."""
    return int(os.environ.get("SIGCHECK_FUZZ_EXAMPLES", "0") or 0)


def configure() -> None:
    long_run = examples()
    settings.register_profile(
        "sigcheck-short", max_examples=12, derandomize=True, deadline=None, database=None, print_blob=True,
        suppress_health_check=list(__import__("hypothesis").HealthCheck))
    settings.register_profile(
        "sigcheck-long", max_examples=max(long_run, 1), derandomize=False, deadline=None, database=None, print_blob=True,
        suppress_health_check=list(__import__("hypothesis").HealthCheck))
    settings.load_profile("sigcheck-long" if long_run else "sigcheck-short")


def shorten(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
