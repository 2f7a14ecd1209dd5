"""Write the Bicep twin of an ARM JSON fixture: fixtures/<RULE>/<name>.json -> <name>.bicep.

The Bicep is what an author would write for the same template (params, vars, one `resource` per
resource, the same expressions as Bicep operators and functions), laid out line for line like the
JSON so the `expect:` markers keep their lines. Templates this cannot express faithfully (copy
loops, nested deployments, user functions, symbolic names, parameter files) are skipped: their
Bicep twins, where they exist, are written by hand. The pair is then checked by
tests/inputs/bicep/test_equivalence.py: the same findings (rules, resources, property paths).

    .venv/bin/python scripts/arm_fixture_to_bicep.py fixtures/SIG201/fires-x.json [...]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from sigcheck.inputs.arm import expression as e
from sigcheck.syntax.jsonc import Node, parse

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
KEYWORDS = {"resource", "param", "var", "module", "output", "if", "for", "in", "true", "false", "null",
            "existing", "targetScope", "import", "type", "func", "metadata"}
OPS = {"equals": "==", "less": "<", "lessorequals": "<=", "greater": ">", "greaterorequals": ">=",
       "add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%", "and": "&&", "or": "||"}


class Skip(Exception):
    pass


def bstr(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'").replace("${", "\\${").replace("\n", "\\n") + "'"


def ident(name: str) -> str:
    if not IDENT.match(name) or name in KEYWORDS:
        raise Skip(f"name {name!r} is not a Bicep identifier")
    return name


def expr(node: e.Expr) -> str:
    if isinstance(node, e.Literal):
        v = node.value
        if isinstance(v, str):
            return bstr(v)
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v)
    if isinstance(node, e.Member):
        return f"{expr(node.target)}.{node.name}"
    if isinstance(node, e.Index):
        return f"{expr(node.target)}[{expr(node.index)}]"
    name = node.name.lower()
    args = node.args
    if name in ("parameters", "variables"):
        if len(args) != 1 or not isinstance(args[0], e.Literal) or not isinstance(args[0].value, str):
            raise Skip("computed parameter name")
        return ident(args[0].value)
    if name in OPS and len(args) == 2:
        return f"({expr(args[0])} {OPS[name]} {expr(args[1])})"
    if name == "not" and len(args) == 1:
        return f"!({expr(args[0])})"
    if name == "if" and len(args) == 3:
        return f"({expr(args[0])} ? {expr(args[1])} : {expr(args[2])})"
    if name in ("true", "false", "null") and not args:
        return name
    if name == "createarray":
        return "[" + ", ".join(expr(a) for a in args) + "]"
    if name == "createobject":
        pairs = []
        for k, v in zip(args[::2], args[1::2]):
            if not isinstance(k, e.Literal) or not isinstance(k.value, str):
                raise Skip("computed key")
            pairs.append(f"{bstr(k.value)}: {expr(v)}")
        return "{ " + ", ".join(pairs) + " }" if pairs else "{}"
    if name in ("copyindex", "lambda", "lambdavariables") or "." in name:
        raise Skip(f"{name}() has no direct Bicep form")
    return f"{node.name}({', '.join(expr(a) for a in args)})"


class Writer:
    def __init__(self, comments: list[tuple[Any, str]]) -> None:
        self.lines: list[str] = []
        self.comments = sorted(comments, key=lambda c: (c[0].line, c[0].column))
        self.used: set[int] = set()
        self.code_lines: set[int] = set()

    def trailing(self, json_line: int) -> str:
        out = [text for i, (span, text) in enumerate(self.comments) if span.line == json_line and i not in self.used and span.line in self.code_lines]
        for i, (span, _) in enumerate(self.comments):
            if span.line == json_line and span.line in self.code_lines:
                self.used.add(i)
        return (" " + " ".join(out)) if out else ""

    def standalone(self, before_line: int, indent: str) -> None:
        for i, (span, text) in enumerate(self.comments):
            if i not in self.used and span.line < before_line and span.line not in self.code_lines:
                self.used.add(i)
                self.lines.append(indent + text)

    def emit(self, indent: str, text: str, json_line: int) -> None:
        self.standalone(json_line, indent)
        self.code_lines.add(json_line)
        self.lines.append(indent + text + self.trailing(json_line))


def value(node: Node, indent: str, w: Writer) -> str:
    """A value's Bicep text; multi-line containers emit their inner lines through `w`."""
    if node.is_object:
        if node.span.line == node.span.end_line or not node.value:
            inner = ", ".join(f"{key(k)}: {value(v, indent, w)}" for k, v in node.items())
            return "{ " + inner + " }" if inner else "{}"
        return "\0object"
    if node.is_array:
        if node.span.line == node.span.end_line or not node.value:
            return "[" + ", ".join(value(v, indent, w) for v in node.value) + "]"
        return "\0array"
    v = node.value
    if isinstance(v, str):
        if e.is_expression(v):
            return expr(e.parse(v))
        return bstr(e.unescape_literal(v))
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        raise Skip("floating point value")
    return str(v)


def key(k: str) -> str:
    return k if IDENT.match(k) else bstr(k)


def emit_member(prefix: str, node: Node, indent: str, w: Writer, line: int) -> None:
    text = value(node, indent, w)
    if text == "\0object":
        w.emit(indent, prefix + "{", line)
        for k, v in node.items():
            emit_member(f"{key(k)}: ", v, indent + "  ", w, node.key_spans[k].line)  # type: ignore[index]
        w.emit(indent, "}", node.span.end_line)
    elif text == "\0array":
        w.emit(indent, prefix + "[", line)
        for item in node.value:
            emit_member("", item, indent + "  ", w, item.span.line)
        w.emit(indent, "]", node.span.end_line)
    else:
        w.emit(indent, prefix + text, line)


def convert(path: Path) -> str:
    text = path.read_text(encoding="utf-8-sig")
    doc = parse(text, str(path))
    root = doc.root
    if root is None or not root.is_object:
        raise Skip("not a template")
    if path.with_name(path.name.replace(".json", ".parameters.json")).exists():
        raise Skip("has a parameter file")
    for k, _ in root.items():
        if k.lower() in ("functions", "languageversion", "definitions"):
            raise Skip(f"uses {k}")
    w = Writer(doc.comments)
    params = root.get_ci("parameters")
    for name, decl in params.items() if params is not None else ():
        line = params.key_spans[name].line  # type: ignore[index]
        t = (decl.get_ci("type").value if decl.get_ci("type") is not None else "string").lower()
        btype = {"securestring": "string", "secureobject": "object"}.get(t, t)
        if t.startswith("secure"):
            w.emit("", "@secure()", line)
        allowed = decl.get_ci("allowedValues")
        if allowed is not None:
            w.emit("", f"@allowed({value(allowed, '', w) if allowed.span.line == allowed.span.end_line else '[' + ', '.join(value(a, '', w) for a in allowed.value) + ']'})", line)
        default = decl.get_ci("defaultValue")
        if default is None:
            w.emit("", f"param {ident(name)} {btype}", line)
        else:
            emit_member(f"param {ident(name)} {btype} = ", default, "", w, default.span.line)
    variables = root.get_ci("variables")
    for name, v in variables.items() if variables is not None else ():
        if name.lower() == "copy":
            raise Skip("variable copy")
        emit_member(f"var {ident(name)} = ", v, "", w, variables.key_spans[name].line)  # type: ignore[index]
    resources = root.get_ci("resources")
    if resources is None or not resources.is_array:
        raise Skip("no resources array")
    count = 0
    queue: list[tuple[Node, str, str]] = [(r, "", "") for r in resources.value]
    while queue:
        res, parent_type, parent_name = queue.pop(0)
        for k, _ in res.items():
            if k.lower() in ("copy",):
                raise Skip("copy loop")
        type_ = res.get_ci("type").value  # type: ignore[union-attr]
        if type_.lower() == "microsoft.resources/deployments":
            raise Skip("nested deployment")
        api = res.get_ci("apiVersion").value  # type: ignore[union-attr]
        if not isinstance(api, str) or e.is_expression(api) or e.is_expression(type_):
            raise Skip("computed type or API version")
        name_node = res.get_ci("name")
        if parent_type:
            type_ = f"{parent_type}/{type_}"
            if name_node is None or e.is_expression(name_node.value) or e.is_expression(parent_name):
                raise Skip("child with a computed name")
            name_override = f"{parent_name}/{name_node.value}"
        else:
            name_override = None
        count += 1
        cond = res.get_ci("condition")
        head = f"resource res{count} '{type_}@{api}' = "
        if cond is not None:
            head += f"if ({value(cond, '', w)}) "
        w.emit("", head + "{", res.span.line)
        for k, v in res.items():
            low = k.lower()
            if low in ("type", "apiversion", "dependson", "condition", "comments", "resources"):
                continue
            line = res.key_spans[k].line  # type: ignore[index]
            if low == "name" and name_override is not None:
                w.emit("  ", f"name: {bstr(name_override)}", line)
                continue
            emit_member(f"{key(k)}: ", v, "  ", w, line)
        w.emit("", "}", res.span.end_line)
        children = res.get_ci("resources")
        if children is not None and children.is_array:
            own_name = name_override or (name_node.value if name_node is not None else "")
            queue.extend((c, type_, own_name) for c in children.value)
    w.standalone(10**9, "")
    return "\n".join(w.lines) + "\n"


def main(argv: list[str]) -> int:
    for arg in argv:
        path = Path(arg)
        try:
            out = convert(path)
        except Skip as exc:
            print(f"skip {path}: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001
            print(f"skip {path}: {type(exc).__name__}: {exc}")
            continue
        target = path.with_suffix(".bicep")
        target.write_text(out, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
