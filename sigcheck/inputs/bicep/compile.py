"""Bicep declarations to the ARM template the Bicep compiler would emit, located in the .bicep file.

Bicep compiles to ARM JSON, so sigcheck compiles it the same way and lets the ARM evaluator
(functions, UNKNOWN semantics, budgets, origins) do the evaluation: every expression becomes the
ARM expression string Bicep would write (`location` -> `[parameters('location')]`, `'${a}-x'` ->
`[format('{0}-x', …)]`, `a ?? b` -> `[coalesce(a, b)]`), held in a `Node` whose span is the Bicep
expression's, so a finding lands on the token the author wrote. Literal objects and arrays stay
Node trees with their own spans; a loop in a property becomes an ARM property `copy`.

Problems Bicep itself would reject while compiling (an unknown name or function, a wrong argument
count) are SIG005 findings at the token; the value is then UNKNOWN.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Callable

from sigcheck.inputs.arm.functions import BUILTINS, is_arm_function, suggest_function
from sigcheck.inputs.bicep import syntax as s
from sigcheck.model.diagnostics import ARM_EXPRESSION_ERROR, duplicate_key
from sigcheck.model.findings import Finding
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import Span
from sigcheck.syntax.text import LineIndex

# What an expression whose value cannot be known compiles to: ARM's evaluator treats reference()
# as service-computed (UNKNOWN) without complaint.
UNKNOWN_EXPR = "reference('sigcheck-bicep-unknown')"
# loadTextContent / loadJsonContent / loadYamlContent: Bicep's own ceiling is 1 MiB for JSON.
MAX_LOADED_FILE = 1024 * 1024
MAX_LOADED_DEPTH = 64
FUNCTION_NAMESPACE = "__bicep"

# Bicep functions that are not ARM functions and whose value is not known statically.
_UNKNOWN_FUNCTIONS = {
    "getsecret", "readenvironmentvariable", "externalinput", "builduri", "parseuri", "deployer",
    "loadresourcefunction", "loaddirectoryfilecontent", "fail",
}  # fmt: skip
_SCOPE_FUNCTIONS = {"resourcegroup", "subscription", "managementgroup"}
_LOADERS = {"loadtextcontent", "loadjsoncontent", "loadyamlcontent", "loadfileasbase64"}
_SIMPLE_TYPES = {"string": "string", "int": "int", "bool": "bool", "array": "array", "object": "object"}
# Each Bicep operator as the ARM function call the compiler writes for it.
_BINARY_FORMS = {
    "??": "coalesce({0}, {1})", "&&": "and({0}, {1})", "||": "or({0}, {1})",
    "==": "equals({0}, {1})", "!=": "not(equals({0}, {1}))",
    "=~": "equals(toLower({0}), toLower({1}))", "!~": "not(equals(toLower({0}), toLower({1})))",
    "<": "less({0}, {1})", "<=": "lessOrEquals({0}, {1})", ">": "greater({0}, {1})", ">=": "greaterOrEquals({0}, {1})",
    "+": "add({0}, {1})", "-": "sub({0}, {1})", "*": "mul({0}, {1})", "/": "div({0}, {1})", "%": "mod({0}, {1})",
}  # fmt: skip


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def literal_expr(value: Any, depth: int = 0) -> str:
    """A plain JSON value as ARM expression text."""
    if depth > MAX_LOADED_DEPTH:
        return UNKNOWN_EXPR
    if value is None:
        return "null()"
    if value is True:
        return "true()"
    if value is False:
        return "false()"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"json({quote(json.dumps(value))})"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "createArray(" + ", ".join(literal_expr(v, depth + 1) for v in value) + ")"
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            parts.append(quote(str(k)))
            parts.append(literal_expr(v, depth + 1))
        return "createObject(" + ", ".join(parts) + ")"
    return UNKNOWN_EXPR


def literal_string(text: str) -> str:
    """A literal string as a JSON template value (escaping one that looks like an expression)."""
    if text.startswith("[") and text.endswith("]"):
        return "[" + text
    return text


@dataclass
class ResInfo:
    """A resource declaration with what is needed to name it from anywhere."""

    decl: s.Decl
    type_name: str  # full type, relative child types resolved
    api_version: str
    parent: ResInfo | None  # the lexical parent (nested declaration)
    env: dict[str, str]  # loop variables of enclosing declarations
    loop: s.For | None
    condition: s.Expr | None
    body: s.Object | None
    children: dict[str, ResInfo] = field(default_factory=dict)
    parent_expr: s.Expr | None = None  # the `parent:` property
    outer_env: dict[str, str] = field(default_factory=dict)  # env without this resource's own loop

    @property
    def loop_name(self) -> str:
        return self.decl.name


@dataclass
class Imported:
    """What `import` brought from another local file: values and functions by name."""

    values: dict[str, str] = field(default_factory=dict)  # name -> ARM expression text
    functions: dict[str, str] = field(default_factory=dict)  # name -> namespaced ARM function


class Compiler:
    """One Bicep file's declarations compiled to located ARM template values."""

    def __init__(self, program: s.Program, text: str, path: str, read_file: Callable[[str], str | None],
                 loading: tuple[str, ...] = (), partial: bool = False, first_line: int = 1) -> None:
        self.program = program
        self.path = path
        self.lines = LineIndex(path, text, first_line)  # first_line: a Markdown block's place in its file
        self.read_file = read_file  # a local file's text relative to this file, or None
        self.loading = loading  # files being compiled above this one (imports), for cycles
        # Some declarations were lost to a syntax error: a name not found may be one of them.
        self.partial = partial
        self.findings: list[Finding] = []
        self.unresolved: list[tuple[Span, str]] = []  # (where, what): SIG002 material
        self.params: dict[str, s.Decl] = {}
        self.vars: dict[str, s.Decl] = {}
        self.funcs: dict[str, s.Decl] = {}
        self.modules: dict[str, s.Decl] = {}
        self.resources: dict[str, ResInfo] = {}
        self.all_resources: list[ResInfo] = []
        self.imported_values: dict[str, str] = {}
        self.imported_functions: dict[str, str] = {}
        self.namespaces: dict[str, Imported] = {}
        self.extra_functions: dict[str, dict[str, Any]] = {}  # namespace -> members (imported functions)
        self.target_scope = "resourceGroup"
        self._lambda_count = 0
        self.function_namespace = FUNCTION_NAMESPACE  # where this file's own functions are declared
        self._inline_vars = False  # for imported files: variables are inlined, not variables('x')
        self._inlining: list[str] = []
        self._collect()

    # -- spans and problems -------------------------------------------------------------------
    def span(self, start: int, end: int) -> Span:
        return self.lines.span(start, end)

    def espan(self, expr: s.Expr) -> Span:
        return self.lines.span(expr.start, expr.end)

    def problem(self, start: int, end: int, message: str) -> str:
        self.findings.append(ARM_EXPRESSION_ERROR.at(self.span(start, end), message))
        return UNKNOWN_EXPR

    # -- declarations --------------------------------------------------------------------------
    def _collect(self) -> None:
        for decl in self.program.decls:
            key = decl.name.lower()
            if decl.keyword == "param":
                self.params[key] = decl
            elif decl.keyword == "var":
                self.vars[key] = decl
            elif decl.keyword == "func":
                self.funcs[key] = decl
            elif decl.keyword == "module":
                self.modules[key] = decl
            elif decl.keyword == "targetScope" and isinstance(decl.value, s.Str) and decl.value.literal:
                self.target_scope = decl.value.literal
        for decl in self.program.decls:
            if decl.keyword == "import":
                self._import(decl)
        for decl in self.program.decls:
            if decl.keyword == "resource":
                self._declare_resource(decl, None)
        # Loop variables bind once every symbol is known (a loop may iterate over anything).
        for info in self.all_resources:
            info.outer_env = dict(info.parent.env) if info.parent is not None else {}
            info.env = dict(info.outer_env)
            if info.loop is not None:
                self._bind_loop(info.env, info.loop, f"copyIndex({quote(info.loop_name)})", info.outer_env)

    def _declare_resource(self, decl: s.Decl, parent: ResInfo | None) -> ResInfo:
        assert decl.target is not None
        written = decl.target.literal or ""
        type_name, _, api = written.partition("@")
        if parent is not None and "/" not in type_name:
            type_name = f"{parent.type_name}/{type_name}"
        body: s.Expr | None = decl.value
        loop = condition = None
        if isinstance(body, s.For):
            loop = body
            condition = body.condition
            body = body.body
        if isinstance(body, s.IfBody):
            condition = body.condition if condition is None else condition
            body = body.body
        info = ResInfo(decl, type_name, api, parent, {}, loop, condition,
                       body if isinstance(body, s.Object) else None)
        if info.body is not None:
            prop = info.body.get("parent")
            info.parent_expr = prop.value if prop is not None else None
        if parent is None:
            self.resources[decl.name.lower()] = info
        else:
            parent.children[decl.name.lower()] = info
        self.all_resources.append(info)
        for nested in info.body.resources if info.body is not None else ():
            self._declare_resource(nested, info)
        return info

    def _bind_loop(self, env: dict[str, str], loop: s.For, index: str, outer: dict[str, str]) -> None:
        iterable = self.arm(loop.iterable, outer)
        if loop.item is not None:
            env[loop.item] = f"{iterable}[{index}]"
        if loop.index is not None:
            env[loop.index] = index

    def _import(self, decl: s.Decl) -> None:
        target = decl.target.literal if decl.target is not None else None
        if not decl.imports or target is None:
            return  # a provider/extension import
        if target.startswith(("br:", "br/", "ts:", "ts/")) or not target.lower().endswith(".bicep"):
            for name, alias in decl.imports:
                if name == "*":
                    self.namespaces[alias.lower()] = Imported()
                else:
                    self.imported_values[alias.lower()] = UNKNOWN_EXPR
            return
        imported = self._compile_import(decl, target)
        for name, alias in decl.imports:
            if name == "*":
                self.namespaces[alias.lower()] = imported
            elif name.lower() in imported.functions:
                self.imported_functions[alias.lower()] = imported.functions[name.lower()]
            elif name.lower() in imported.values:
                self.imported_values[alias.lower()] = imported.values[name.lower()]
            else:
                self.imported_values[alias.lower()] = UNKNOWN_EXPR  # a type, or not exported

    def _compile_import(self, decl: s.Decl, target: str) -> Imported:
        assert decl.target is not None
        resolved = os.path.normpath(os.path.join(os.path.dirname(self.path), target))
        if resolved in self.loading or len(self.loading) > 8:
            self.problem(decl.target.start, decl.target.end, f"'{target}' imports itself (an import cycle)")
            return Imported()
        text = self.read_file(target)
        if text is None:
            self.unresolved.append((self.espan(decl.target), f"the imported file '{target}' (not found)"))
            return Imported()
        try:
            program = s.parse_strict(text)
        except s.BicepSyntaxError:
            self.unresolved.append((self.espan(decl.target), f"the imported file '{target}' (it does not parse)"))
            return Imported()
        base = os.path.dirname(target)

        def read_relative(path: str) -> str | None:
            return self.read_file(os.path.join(base, path))

        other = Compiler(program, text, resolved, read_relative, self.loading + (self.path,))
        other._inline_vars = True
        namespace = f"{FUNCTION_NAMESPACE}{len(self.extra_functions) + 1}"
        other.function_namespace = namespace
        imported = Imported()
        members: dict[str, Any] = {}
        for key, fn in other.funcs.items():
            members[fn.name] = other.function_definition(fn)
            if fn.has_decorator("export"):
                imported.functions[key] = f"{namespace}.{fn.name}"
        for key, var in other.vars.items():
            if var.has_decorator("export"):
                imported.values[key] = other.inline_var(key)
        self.extra_functions[namespace] = members
        self.extra_functions.update(other.extra_functions)
        return imported

    # -- the template skeleton ---------------------------------------------------------------------
    def template(self) -> Node:
        """{parameters, variables, functions} as a located Node, for NodeEvaluator.for_template."""
        params: dict[str, Node] = {}
        param_spans: dict[str, Span] = {}
        for decl in self.params.values():
            declaration: dict[str, Node] = {}
            span = self.span(decl.name_start, decl.name_end)
            simple = decl.type_text.strip().rstrip("?").strip().lower()
            if decl.has_decorator("secure") and simple in ("string", "object"):
                declaration["type"] = Node("secure" + simple, span)
            elif simple in _SIMPLE_TYPES:
                declaration["type"] = Node(_SIMPLE_TYPES[simple], span)
            allowed = next((d for d in decl.decorators if s.decorator_name(d) == "allowed"), None)
            if isinstance(allowed, s.Call) and len(allowed.args) == 1 and isinstance(allowed.args[0], s.Array):
                declaration["allowedValues"] = self.node(allowed.args[0], {})
            if decl.value is not None:
                declaration["defaultValue"] = self.node(decl.value, {})
            elif decl.nullable:
                declaration["nullable"] = Node(True, span)
            params[decl.name] = Node(declaration, span, {k: span for k in declaration})
            param_spans[decl.name] = span
        variables: dict[str, Node] = {}
        var_spans: dict[str, Span] = {}
        for decl in self.vars.values():
            if decl.value is None:
                continue
            variables[decl.name] = self.node(decl.value, {})
            var_spans[decl.name] = self.span(decl.name_start, decl.name_end)
        members: dict[str, Any] = {fn.name: self.function_definition(fn) for fn in self.funcs.values()}
        sections = [{"namespace": FUNCTION_NAMESPACE, "members": members}]
        sections += [{"namespace": ns, "members": m} for ns, m in self.extra_functions.items()]
        root_span = self.span(0, 0)
        functions = _plain_node(sections, root_span)
        value = {"parameters": Node(params, root_span, param_spans),
                 "variables": Node(variables, root_span, var_spans),
                 "functions": functions}
        return Node(value, root_span, {k: root_span for k in value})

    def function_definition(self, fn: s.Decl) -> dict[str, Any]:
        env = {p: f"parameters({quote(p)})" for p in fn.params}
        output = "[" + self.arm(fn.value, env) + "]" if fn.value is not None else None
        return {"parameters": [{"name": p, "type": "any"} for p in fn.params],
                "output": {"type": "any", "value": output}}

    # -- tree-level values -----------------------------------------------------------------------
    def node(self, expr: s.Expr, env: dict[str, str]) -> Node:
        """A located template value: literal containers stay trees, the rest are expressions."""
        span = self.espan(expr)
        if isinstance(expr, s.Str) and expr.literal is not None:
            return Node(literal_string(expr.literal), span)
        if isinstance(expr, s.Lit):
            return Node(expr.value, span)
        if isinstance(expr, s.Object) and not expr.spreads and all(p.key_expr is None for p in expr.props):
            values: dict[str, Node] = {}
            spans: dict[str, Span] = {}
            loops: list[Node] = []
            first_spans: dict[str, Span] = {}
            for prop in expr.props:
                key_span = self.span(prop.key_start, prop.key_end)
                if prop.key.lower() in first_spans:
                    # Bicep refuses a property given twice; report it as for JSON templates.
                    self.findings.append(duplicate_key(prop.key, first_spans[prop.key.lower()], key_span))
                    continue
                first_spans[prop.key.lower()] = key_span
                if isinstance(prop.value, s.For) and prop.value.condition is None:
                    loops.append(self._property_copy(prop, prop.value, env))
                    continue
                values[prop.key] = self.node(prop.value, env)
                spans[prop.key] = key_span
            if loops:
                values["copy"] = Node(loops, span)
                spans["copy"] = span
            return Node(values, span, spans)
        if isinstance(expr, s.Array) and not any(isinstance(i, s.Spread) for i in expr.items):
            return Node([self.node(item, env) for item in expr.items], span)
        if isinstance(expr, s.NonNull):
            return self.node(expr.value, env)
        return Node("[" + self.arm(expr, env) + "]", span)

    def _property_copy(self, prop: s.Prop, loop: s.For, env: dict[str, str]) -> Node:
        """`key: [for x in xs: body]` as ARM's property copy {name, count, input}."""
        span = self.espan(loop)
        inner = dict(env)
        iterable = self.arm(loop.iterable, env)
        index = f"copyIndex({quote(prop.key)})"
        if loop.item is not None:
            inner[loop.item] = f"{iterable}[{index}]"
        if loop.index is not None:
            inner[loop.index] = index
        entry = {
            "name": Node(prop.key, self.span(prop.key_start, prop.key_end)),
            "count": Node(f"[length({iterable})]", self.espan(loop.iterable)),
            "input": self.node(loop.body, inner),
        }
        return Node(entry, span, {k: span for k in entry})

    # -- expressions --------------------------------------------------------------------------------
    def arm(self, expr: s.Expr, env: dict[str, str]) -> str:
        """ARM expression text (without the brackets) for a Bicep expression."""
        if isinstance(expr, s.Lit):
            return literal_expr(expr.value)
        if isinstance(expr, s.Str):
            literal = expr.literal
            if literal is not None:
                return quote(literal)
            pattern: list[str] = []
            args: list[str] = []
            for part in expr.parts:
                if isinstance(part, str):
                    pattern.append(part.replace("{", "{{").replace("}", "}}"))
                else:
                    pattern.append("{" + str(len(args)) + "}")
                    args.append(self.arm(part, env))
            return f"format({quote(''.join(pattern))}, {', '.join(args)})"
        if isinstance(expr, s.Ident):
            return self.identifier(expr, env)
        if isinstance(expr, s.Array):
            return self._array(expr, env)
        if isinstance(expr, s.Object):
            return self._object(expr, env)
        if isinstance(expr, s.Unary):
            operand = self.arm(expr.operand, env)
            if expr.op == "!":
                return f"not({operand})"
            if expr.op == "-":
                return f"sub(0, {operand})"
            return operand
        if isinstance(expr, s.Binary):
            return self._binary(expr, env)
        if isinstance(expr, s.Ternary):
            return f"if({self.arm(expr.cond, env)}, {self.arm(expr.then, env)}, {self.arm(expr.other, env)})"
        if isinstance(expr, s.NonNull):
            return self.arm(expr.value, env)
        if isinstance(expr, s.Call):
            return self.call(expr, env)
        if isinstance(expr, s.Member):
            return self.member(expr, env)
        if isinstance(expr, s.Index):
            return self.access(expr, env)
        if isinstance(expr, s.ChildRef):
            return UNKNOWN_EXPR
        if isinstance(expr, s.Lambda):
            inner = dict(env)
            for p in expr.params:
                inner[p] = f"lambdaVariables({quote(p)})"
            params = ", ".join(quote(p) for p in expr.params)
            return f"lambda({params}, {self.arm(expr.body, inner)})"
        if isinstance(expr, s.For):
            return self._for_expression(expr, env)
        if isinstance(expr, s.Spread):
            return self.arm(expr.value, env)
        return self.problem(expr.start, expr.end, "this expression cannot be used here")

    def _array(self, expr: s.Array, env: dict[str, str]) -> str:
        if any(isinstance(i, s.Spread) for i in expr.items):
            parts = [self.arm(i, env) if isinstance(i, s.Spread) else f"createArray({self.arm(i, env)})" for i in expr.items]
            return f"flatten(createArray({', '.join(parts)}))"
        return "createArray(" + ", ".join(self.arm(i, env) for i in expr.items) + ")"

    def _object(self, expr: s.Object, env: dict[str, str]) -> str:
        pieces: list[str] = []
        for prop in expr.props:
            key = self.arm(prop.key_expr, env) if prop.key_expr is not None else quote(prop.key)
            pieces.append(key)
            pieces.append(self.arm(prop.value, env))
        plain = "createObject(" + ", ".join(pieces) + ")"
        if not expr.spreads:
            return plain
        # Spreads and properties merge in written order; later wins (shallow), as Bicep does.
        ordered: list[tuple[int, str]] = [(sp.start, self.arm(sp.value, env)) for sp in expr.spreads]
        for prop in expr.props:
            key = self.arm(prop.key_expr, env) if prop.key_expr is not None else quote(prop.key)
            ordered.append((prop.key_start, f"createObject({key}, {self.arm(prop.value, env)})"))
        ordered.sort(key=lambda item: item[0])
        return "shallowMerge(createArray(" + ", ".join(text for _, text in ordered) + "))"

    def _binary(self, expr: s.Binary, env: dict[str, str]) -> str:
        return _BINARY_FORMS[expr.op].format(self.arm(expr.left, env), self.arm(expr.right, env))

    def _for_expression(self, loop: s.For, env: dict[str, str]) -> str:
        """A loop used as a value: map() with an (item, index) lambda, over the items themselves
        (an index expression per item would recompute the array every time)."""
        self._lambda_count += 1
        item, index = f"__x{self._lambda_count}", f"__i{self._lambda_count}"
        iterable = self.arm(loop.iterable, env)
        inner = dict(env)
        if loop.condition is None:
            if loop.item is not None:
                inner[loop.item] = f"lambdaVariables({quote(item)})"
            if loop.index is not None:
                inner[loop.index] = f"lambdaVariables({quote(index)})"
            return f"map({iterable}, lambda({quote(item)}, {quote(index)}, {self.arm(loop.body, inner)}))"
        # Filtered: the index stays the item's index in the whole array, as in Bicep.
        pair = f"lambdaVariables({quote(item)})"
        if loop.item is not None:
            inner[loop.item] = f"{pair}.v"
        if loop.index is not None:
            inner[loop.index] = f"{pair}.i"
        pairs = f"map({iterable}, lambda('v', 'i', createObject('v', lambdaVariables('v'), 'i', lambdaVariables('i'))))"
        kept = f"filter({pairs}, lambda({quote(item)}, {self.arm(loop.condition, inner)}))"
        return f"map({kept}, lambda({quote(item)}, {self.arm(loop.body, inner)}))"

    def identifier(self, expr: s.Ident, env: dict[str, str]) -> str:
        name = expr.name
        if name in env:
            return env[name]
        key = name.lower()
        if key in self.params and name == self.params[key].name:
            return f"parameters({quote(self.params[key].name)})"
        if key in self.vars and name == self.vars[key].name:
            if self._inline_vars:
                return self.inline_var(key)
            return f"variables({quote(self.vars[key].name)})"
        if key in self.imported_values:
            return self.imported_values[key]
        if key in self.resources or key in self.modules:
            return UNKNOWN_EXPR  # a resource or module as a whole value
        if self.partial:
            return UNKNOWN_EXPR
        return self.problem(expr.start, expr.end, f"'{name}' is not declared in this file (no param, var, resource or module of that name)")

    def inline_var(self, key: str) -> str:
        """An imported file's variable as an expression (its variables are not in our template)."""
        decl = self.vars[key]
        if key in self._inlining or len(self._inlining) > 16 or decl.value is None:
            return UNKNOWN_EXPR
        self._inlining.append(key)
        try:
            return self.arm(decl.value, {})
        finally:
            self._inlining.pop()

    # -- calls ------------------------------------------------------------------------------------
    def call(self, expr: s.Call, env: dict[str, str]) -> str:
        callee = expr.callee
        if isinstance(callee, s.Member):
            owner = callee.obj
            if isinstance(owner, s.Ident) and owner.name.lower() in self.namespaces and owner.name not in env:
                fn = self.namespaces[owner.name.lower()].functions.get(callee.name.lower())
                if fn is None:
                    return UNKNOWN_EXPR
                return f"{fn}({', '.join(self.arm(a, env) for a in expr.args)})"
            if isinstance(owner, s.Ident) and owner.name in ("sys", "az") and owner.name not in env \
                    and owner.name.lower() not in self.params and owner.name.lower() not in self.vars:
                return self.function(callee.name, callee.name_start, callee.end, expr, env)
            return UNKNOWN_EXPR  # a resource method such as listKeys()
        if not isinstance(callee, s.Ident):
            return self.problem(expr.start, expr.end, "only functions can be called")
        return self.function(callee.name, callee.start, callee.end, expr, env)

    def function(self, name: str, start: int, end: int, expr: s.Call, env: dict[str, str]) -> str:
        key = name.lower()
        args = expr.args
        if key in self.funcs:
            namespace = self.function_namespace
            fn = self.funcs[key]
            if len(args) != len(fn.params):
                return self.problem(start, expr.end, f"'{name}' takes {len(fn.params)} argument(s), not {len(args)}")
            return f"{namespace}.{fn.name}({', '.join(self.arm(a, env) for a in args)})"
        if key in self.imported_functions:
            return f"{self.imported_functions[key]}({', '.join(self.arm(a, env) for a in args)})"
        if key == "any":
            if len(args) != 1:
                return self.problem(start, expr.end, f"'any' takes 1 argument, not {len(args)}")
            return self.arm(args[0], env)
        if key in _LOADERS:
            return self.load_file(key, name, expr, env)
        if key == "nameof":
            target = args[0] if len(args) == 1 else None
            if isinstance(target, s.Ident):
                return quote(target.name)
            if isinstance(target, s.Member):
                return quote(target.name)
            return self.problem(start, expr.end, "'nameof' takes one symbol or property reference")
        if key in _SCOPE_FUNCTIONS and args:
            for arg in args:
                self.arm(arg, env)
            return UNKNOWN_EXPR  # another deployment scope (resourceGroup('rg'), subscription('id'))
        if key in _UNKNOWN_FUNCTIONS:
            for arg in args:
                self.arm(arg, env)  # still report problems inside the arguments
            return UNKNOWN_EXPR
        if not is_arm_function(name):
            suggestion = suggest_function(name)
            hint = f"; did you mean '{suggestion}'?" if suggestion else ""
            return self.problem(start, end, f"'{name}' is not a Bicep function{hint}")
        builtin = BUILTINS.get(key)
        if builtin is not None:
            low, high = builtin.min_args, builtin.max_args
            if len(args) < low or (high is not None and len(args) > high):
                wanted = f"{low}" if low == high else (f"at least {low}" if high is None else f"{low} to {high}")
                return self.problem(start, expr.end, f"'{builtin.name}' takes {wanted} argument(s), not {len(args)}")
        texts = [self.arm(a, env) for a in args]
        return f"{name}({', '.join(texts)})"

    def load_file(self, key: str, name: str, expr: s.Call, env: dict[str, str]) -> str:
        """loadTextContent & co.: read at compile time, as Bicep does, relative to this file."""
        if not expr.args:
            return self.problem(expr.start, expr.end, f"'{name}' needs a file path")
        if not isinstance(expr.args[0], s.Str) or expr.args[0].literal is None:
            # A path built from compile-time constants: not followed here.
            self.unresolved.append((self.espan(expr.args[0]), f"the file read by {name}() (its path is computed)"))
            return UNKNOWN_EXPR
        relative = expr.args[0].literal
        if os.path.isabs(relative) or ":" in relative or relative.startswith("\\"):
            # Bicep reads files relative to the template; anything else (an absolute path, a URL) is
            # not read here either.
            return self.problem(expr.args[0].start, expr.args[0].end, f"'{name}' reads files relative to the template, not '{relative}'")
        text = self.read_file(relative)
        if text is not None and len(text) > MAX_LOADED_FILE:
            text = None
        if text is None:
            self.unresolved.append((self.espan(expr.args[0]), f"the file '{relative}' read by {name}() (not found or too large)"))
            return UNKNOWN_EXPR
        if key == "loadtextcontent":
            return quote(text)
        if key == "loadfileasbase64":
            import base64

            return quote(base64.b64encode(text.encode("utf-8")).decode("ascii"))
        try:
            if key == "loadjsoncontent":
                value = json.loads(text)
            else:
                from ruamel.yaml import YAML  # only when a template reads YAML

                value = _plain_yaml(YAML(typ="safe", pure=True).load(text))
        except Exception as exc:  # noqa: BLE001 - any parse failure of the loaded file
            return self.problem(expr.args[0].start, expr.args[0].end, f"'{relative}' cannot be parsed: {type(exc).__name__}")
        if len(expr.args) > 1 and isinstance(expr.args[1], s.Str) and expr.args[1].literal:
            return UNKNOWN_EXPR  # a JSONPath selection: not modelled
        return literal_expr(value)

    # -- resources ------------------------------------------------------------------------------
    def resource_ref(self, expr: s.Expr) -> tuple[ResInfo, s.Expr | None] | None:
        """The resource (and index expression) a symbol reference names: `r`, `r[i]`, `r::c`."""
        index: s.Expr | None = None
        if isinstance(expr, s.Index):
            index = expr.index
            expr = expr.obj
        if isinstance(expr, s.Ident):
            info = self.resources.get(expr.name.lower())
            return (info, index) if info is not None else None
        if isinstance(expr, s.ChildRef):
            outer = self.resource_ref(expr.obj)
            if outer is None:
                return None
            child = outer[0].children.get(expr.name.lower())
            return (child, index) if child is not None else None
        return None

    def member(self, expr: s.Member, env: dict[str, str]) -> str:
        return self.access(expr, env)

    def special(self, expr: s.Member | s.Index, env: dict[str, str]) -> str | None:
        """What a member of an import namespace, a module or a resource compiles to, else None."""
        if isinstance(expr, s.Index):
            return UNKNOWN_EXPR if self.resource_ref(expr.obj) is not None else None
        owner = expr.obj
        if isinstance(owner, s.Ident) and owner.name not in env:
            key = owner.name.lower()
            if key in self.namespaces and key not in self.params and key not in self.vars:
                return self.namespaces[key].values.get(expr.name.lower(), UNKNOWN_EXPR)
            if key in self.modules and key not in self.params and key not in self.vars:
                return UNKNOWN_EXPR  # module outputs are computed by the deployment
        ref = self.resource_ref(owner) if not (isinstance(owner, s.Ident) and owner.name in env) else None
        if ref is None:
            return None
        info, index = ref
        prop = expr.name
        if prop == "name":
            return self.resource_name(info, index, env)
        if prop == "type":
            return quote(info.type_name)
        if prop == "apiVersion":
            return quote(info.api_version)
        if prop == "id":
            return self.resource_id(info, index, env)
        return UNKNOWN_EXPR  # properties, location, … are read back from the deployment

    def access(self, expr: s.Member | s.Index, env: dict[str, str]) -> str:
        """A chain of `.name` and `[index]` accesses. After a safe one (`.?`, `[?`) every later
        access is safe too, as Bicep compiles `a.?b.c` to `tryGet(a, 'b', 'c')`."""
        steps: list[s.Member | s.Index] = []
        node: s.Expr = expr
        base: str | None = None
        while isinstance(node, (s.Member, s.Index)):
            base = self.special(node, env)
            if base is not None:
                break
            steps.append(node)
            node = node.obj
        if base is None:
            base = self.arm(node, env)
        text = base
        safe_keys: list[str] | None = None
        for step in reversed(steps):
            key = quote(step.name) if isinstance(step, s.Member) else self.arm(step.index, env)
            if safe_keys is None and step.safe:
                safe_keys = []
            if safe_keys is not None:
                safe_keys.append(key)
            elif isinstance(step, s.Member) and step.name.isidentifier():
                text = f"{text}.{step.name}"
            else:
                text = f"{text}[{key}]"
        return f"tryGet({text}, {', '.join(safe_keys)})" if safe_keys else text

    def own_env(self, info: ResInfo, index: s.Expr | None, env: dict[str, str]) -> dict[str, str]:
        """The environment to compile `info`'s own properties in, seen from `env`."""
        if info.loop is None or index is None:
            return info.env
        bound = dict(info.outer_env)
        self._bind_loop(bound, info.loop, self.arm(index, env), info.outer_env)
        return bound

    def resource_name(self, info: ResInfo, index: s.Expr | None, env: dict[str, str]) -> str:
        prop = info.body.get("name") if info.body is not None else None
        if prop is None:
            return UNKNOWN_EXPR
        return self.arm(prop.value, self.own_env(info, index, env))

    def name_chain(self, info: ResInfo, index: s.Expr | None, env: dict[str, str], depth: int = 0) -> list[str] | None:
        """ARM expression texts of every name segment, parents first."""
        if depth > 16:
            return None
        own = [self.resource_name(info, index, env)]
        parent = self.parent_of(info)
        if parent is None:
            return own
        parent_info, parent_index = parent
        above = self.name_chain(parent_info, parent_index, self.own_env(info, index, env), depth + 1)
        return None if above is None else above + own

    def parent_of(self, info: ResInfo) -> tuple[ResInfo, s.Expr | None] | None:
        if info.parent is not None:
            return info.parent, None
        if info.parent_expr is not None:
            return self.resource_ref(info.parent_expr)
        return None

    def resource_id(self, info: ResInfo, index: s.Expr | None, env: dict[str, str]) -> str:
        names = self.name_chain(info, index, env)
        if names is None:
            return UNKNOWN_EXPR
        depth = info.type_name.count("/")
        if len(names) == 1 and depth > 1:
            names = [f"split({names[0]}, '/')[{i}]" for i in range(depth)]
        prefix: list[str] = []
        scope = info.body.get("scope") if info.body is not None else None
        if scope is not None:
            value = scope.value
            if isinstance(value, s.Call) and isinstance(value.callee, s.Ident) and value.callee.name == "resourceGroup" and value.args:
                prefix = [self.arm(a, self.own_env(info, index, env)) for a in value.args]
            else:
                return UNKNOWN_EXPR
        return f"resourceId({', '.join(prefix + [quote(info.type_name)] + names)})"


def _plain_node(value: Any, span: Span) -> Node:
    if isinstance(value, dict):
        return Node({k: _plain_node(v, span) for k, v in value.items()}, span, {k: span for k in value})
    if isinstance(value, list):
        return Node([_plain_node(v, span) for v in value], span)
    return Node(value, span)


def _plain_yaml(value: Any, depth: int = 0) -> Any:
    """YAML's values as JSON ones (dates and other tags become strings)."""
    if depth > MAX_LOADED_DEPTH:
        raise ValueError("nested too deeply")
    if isinstance(value, dict):
        return {str(k): _plain_yaml(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_yaml(v, depth + 1) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
