"""The kind-neutral HCL reader and evaluator."""

from __future__ import annotations

from sigcheck.inputs.hcl import syntax as s
from sigcheck.inputs.hcl.evaluate import Evaluator, reference
from sigcheck.inputs.hcl.values import lazy, plain
from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Span


def _locals(src: str) -> tuple[dict[str, Node], s.HclFile]:
    hcl = s.parse(src, "x.tf")
    attributes = hcl.body.blocks_of("locals")[0].body.attributes

    def resolve(name: str, span: Span) -> Node | None:
        if name == "local":
            return lazy(lambda n, at: reference(ev.value(attributes[n].expr), at, f"from local.{n}") if n in attributes else None, span, "local")
        if name == "var":
            return lazy(lambda n, at: reference(Node("westeurope", at), at, f"default of variable {n}"), span, "var")
        return None

    ev = Evaluator(resolve)
    return {n: ev.value(a.expr) for n, a in attributes.items()}, hcl


def test_expressions_evaluate() -> None:
    values, hcl = _locals('''
locals {
  m = { a = "x", b = "y" }
  a = [for k, v in local.m : upper(v) if k != "b"]
  b = {for k, v in local.m : v => k}
  d = "pre-${local.m.a}-%{ if true }yes%{ else }no%{ endif }"
  e = <<-EOT
    hello ${local.m.b}
      x
  EOT
  f = -1 + 2 * 3 >= 4 && !false
  g = format("%s-%03d", "v", 7)
  h = join(",", concat(["a"], ["b"]))
  i = lookup(local.m, "c", "dflt")
  j = try(local.m.zz, "fallback")
  k = formatdate("YYYYMMDD", "2024-01-02T03:04:05Z")
  l = replace("a-b-c", "/-/", "_")
  n = [for x in ["a","b"] : x][1]
  o = merge(local.m, {c = 1})
  p = "%{for x in ["a","b"]}${x};%{endfor}"
  q = split(",", "a,b")
  r = element(["x","y"], 3)
  t = timestamp()
  u = length(local.m)
  v = distinct(["a", "a", "b"])
  w = flatten([["a"], [["b"]]])
  x = "a\\"b\\u00e9$${literal}"
  y = coalesce("", null, "z")
  z = ["westus", "eastus"][*]
  aa = [{n = 1}, {n = 2}][*].n
  bb = keys({b = 1, a = 2})
  cc = contains(["a"], var.region) ? "yes" : "no"
  dd = trimspace("  a ")
  ee = startswith("abc", "ab")
  ff = toset(["b", "a", "b"])
  gg = values({b = 1, a = 2})
}
''')
    assert hcl.problems == []
    got = {k: plain(v) for k, v in values.items()}
    assert got["a"] == ["X"]
    assert got["b"] == {"x": "a", "y": "b"}
    assert got["d"] == "pre-x-yes"
    assert got["e"] == "hello y\n  x\n"
    assert got["f"] is True
    assert got["g"] == "v-007"
    assert got["h"] == "a,b"
    assert got["i"] == "dflt"
    assert got["j"] == "fallback"
    assert got["k"] == "20240102"
    assert got["l"] == "a_b_c"
    assert got["n"] == "b"
    assert got["o"] == {"a": "x", "b": "y", "c": 1}
    assert got["p"] == "a;b;"
    assert got["q"] == ["a", "b"]
    assert got["r"] == "y"
    assert got["t"] is UNKNOWN
    assert got["u"] == 2
    assert got["v"] == ["a", "b"]
    assert got["w"] == ["a", "b"]
    assert got["x"] == 'a"bé${literal}'
    assert got["y"] == "z"
    assert got["aa"] == [1, 2]
    assert got["bb"] == ["a", "b"]
    assert got["cc"] == "no"
    assert got["dd"] == "a"
    assert got["ee"] is True
    assert got["ff"] == ["a", "b"]
    assert got["gg"] == [2, 1]


def test_values_keep_positions_and_provenance() -> None:
    values, _ = _locals('locals {\n  r = ["westus", "eastus"]\n  s = local.r\n  v = var.loc\n  c = concat(["northeurope"], local.r)\n}\n')
    assert values["r"].value[1].span.line == 2 and values["r"].value[1].span.column == 18
    # Through a reference: at the reference, with where it came from.
    s_item = values["s"].value[0]
    assert (s_item.span.line, s_item.span.column, s_item.origin) == (3, 7, "from local.r")
    assert values["v"].origin == "default of variable loc"
    c = values["c"].value
    assert c[0].origin is None and c[0].span.line == 5 and c[1].origin == "from local.r"


def test_unknown_stays_unknown() -> None:
    values, _ = _locals('locals {\n  a = data.x.y.name\n  b = "${data.x.y.name}-x"\n  c = upper(data.x.y)\n  d = data.x.y == "a"\n  e = [for r in data.x.y : r]\n}\n')
    assert all(v.value is UNKNOWN for v in values.values())


def test_syntax_error_located() -> None:
    hcl = s.parse('resource "a" "b" {\n  x = 1 +\n}\nresource "c" "d" {\n  y = 2\n}\n', "bad.tf")
    assert hcl.problems
    problem = hcl.problems[0]
    assert problem.span.line == 2
    # Error recovery keeps the rest.
    assert [b.labels[0][0] for b in hcl.body.blocks_of("resource")][-1] == "c"


def test_deep_nesting_is_capped() -> None:
    depth = 2000
    hcl = s.parse("x = " + "[" * depth + "]" * depth + "\n", "deep.tf")
    assert any("nested" in p.message for p in hcl.problems) or hcl.problems
    ev = Evaluator(lambda n, sp: None)
    ev.value(hcl.body.attributes["x"].expr) if "x" in hcl.body.attributes else None


def test_budget_is_enforced() -> None:
    hcl = s.parse('x = [for a in [1,2,3,4,5,6,7,8,9,10] : [for b in [1,2,3,4,5,6,7,8,9,10] : [for c in [1,2,3,4,5,6,7,8,9,10] : a*b*c]]]\n', "b.tf")
    ev = Evaluator(lambda n, sp: None, budget=500)
    ev.value(hcl.body.attributes["x"].expr)
    assert ev.exhausted


def test_syntax_error_messages_point_at_the_cause() -> None:
    cases = {
        'resource "a" "b" {\n  x = 1\n': (1, 1, "'}' expected to close the block that starts here"),
        'resource "a" "b" {\n  x = "abc\n  y = 2\n}\n': (2, 7, "unterminated string"),
        'resource "a" "b" {\n  x "v"\n}\n': (2, 3, "'{' expected after this block header"),
        'resource "a" "b" {\n  x = 1 2\n}\n': (2, 9, "unexpected '2'"),
        'locals {\n  x = lower("a"\n}\n': (2, 7, "')' expected"),
        'locals {\n  x = <<EOT\n  abc\n}\n': (2, 7, "unterminated heredoc"),
        '}\nresource "a" "b" {}\n': (1, 1, "unexpected '}'"),
        'resource "a" "b" {\n  x =\n}\n': (2, 5, "a value is expected after '='"),
    }
    for text, (line, column, words) in cases.items():
        problem = s.parse(text, "f.tf").problems[0]
        assert (problem.span.line, problem.span.column) == (line, column), (text, problem)
        assert words in problem.message, (text, problem.message)


def test_operands_keep_their_traversals() -> None:
    # The grammar lists an operand's attribute and index accesses as siblings of its first term.
    values, hcl = _locals('''
locals {
  v    = { a = "x", b = [1, 2], c = { d = true } }
  eq   = local.v.a == "x"
  both = local.v.c.d && local.v.b[1] == 2
  not  = !local.v.c.d
  sum  = local.v.b[0] + local.v.b[1] * 2
  par  = (local.v.c).d == true
  kept = { for k, x in local.v : k => x if k != "a" && local.v.c.d }
}
''')
    assert not hcl.problems
    got = {n: plain(values[n]) for n in ("eq", "both", "not", "sum", "par")}
    assert got == {"eq": True, "both": True, "not": False, "sum": 5, "par": True}
    assert sorted(plain(values["kept"])) == ["b", "c"]


def test_numbers_are_exact_or_unknown_never_rounded() -> None:
    """Terraform's numbers are 512-bit floats: a 30-digit integer is exact there, and was rounded
    through a Python float here; a number of thousands of digits became the text "inf" (and
    format("%d") of it an OverflowError, found by the fuzzer)."""
    long = "9" * 4400
    values, _ = _locals(f'''
locals {{
  exact   = 123456789012345678901234567890
  text    = "v${{123456789012345678901234567890 + 1}}"
  parsed  = tonumber("123456789012345678901234567890") - 1
  decimal = 2.5 * 2
  huge    = {long}
  huge2   = "v${{{long}}}"
  inf     = 1.0e400
  product = 1{"0" * 100} * 1{"0" * 100}
  fmt_d   = format("%d", {long})
  fmt_w   = format("%{long}d", 1)
  fmt_p   = format("%[{long}]d", 1)
  fmt_ok  = format("%05d|%.2f", 42, 1.005e2)
}}
''')
    assert values["exact"].value == 123456789012345678901234567890
    assert values["text"].value == "v123456789012345678901234567891"
    assert values["parsed"].value == 123456789012345678901234567889
    assert values["decimal"].value == 5.0
    assert values["fmt_ok"].value == "00042|100.50"
    for name in ("huge", "huge2", "inf", "product", "fmt_d", "fmt_w", "fmt_p"):
        assert values[name].value is UNKNOWN, name
