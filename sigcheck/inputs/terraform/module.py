"""A Terraform module as Terraform reads it: every `.tf` / `.tf.json` file of a directory, the
directory's `terraform.tfvars` and `*.auto.tfvars`, and the `-var-file`s given.

Grouping: Terraform refuses a directory in which two files declare the same address (a
resource, data source, variable, local, module or output). A folder where that happens is a
folder of separate examples kept side by side, not a broken module, so its files are grouped into
modules the way they were written: each file on its own, joined with the files that declare
what it uses (a `main.tf` with the `variables.tf` it reads), as long as the join adds no clash.

Evaluation is lazy and memoised: a value is computed when something reads it (a resource
attribute, a local, a variable, a module output), with cycle detection; `count`, `for_each` and
`dynamic` blocks expand into instances. Data sources and modules from registries are unknown;
local modules (`source = "./x"`) are evaluated with the inputs the call passes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import UNKNOWN, Span
from sigcheck.inputs.hcl import syntax as s
from sigcheck.inputs.hcl.evaluate import Evaluator, Meter, reference
from sigcheck.inputs.hcl.values import (
    Lazy, ResourceId, SetItems, is_list, is_object, is_unknown, lazy, object_of, relocate, scalar, to_number, to_text, tuple_of, unknown,
)
from sigcheck.inputs.hcl.variables import Variables, convert

CONFIG_SUFFIXES = (".tf", ".tf.json")
MAX_MODULE_DEPTH = 8  # local module calls nested deeper than this are not followed

# Top-level block types and how many labels make their address.
_ADDRESSED = {"resource": 2, "data": 2, "variable": 1, "module": 1, "output": 1}


def is_config(name: str) -> bool:
    return name.endswith(CONFIG_SUFFIXES) and not name.endswith(("_override.tf", "_override.tf.json")) and name != "override.tf"


def is_var_file(name: str) -> bool:
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith((".auto.tfvars", ".auto.tfvars.json"))


# -- declarations and grouping ----------------------------------------------------------------


def declarations(body: s.Body) -> dict[str, Span]:
    """Addresses a file declares ("resource.t.n", "var.x", "local.y", …) with their spans."""
    out: dict[str, Span] = {}
    for block in body.blocks:
        count = _ADDRESSED.get(block.type)
        if count is not None and len(block.labels) == count:
            prefix = {"resource": "", "data": "data.", "variable": "var.", "module": "module.", "output": "output."}[block.type]
            out[prefix + ".".join(label for label, _ in block.labels)] = block.labels[-1][1]
        elif block.type == "locals":
            for name, attribute in block.body.attributes.items():
                out[f"local.{name}"] = attribute.name_span
        elif block.type == "terraform":
            # Terraform refuses a provider required twice, as it refuses a repeated address.
            for required in block.body.blocks_of("required_providers"):
                for name, attribute in required.body.attributes.items():
                    out[f"required_providers.{name}"] = attribute.name_span
        elif block.type == "provider" and len(block.labels) == 1 and block.body.attr("alias") is None:
            out[f"provider.{block.labels[0][0]}"] = block.labels[0][1]
    return out


def references(body: s.Body) -> set[str]:
    """Addresses a file reads, in the same spelling as `declarations` (iterative walk)."""
    found: set[str] = set()
    exprs: list[s.Expr] = []
    bodies = [body]
    while bodies:
        current = bodies.pop()
        exprs.extend(a.expr for a in current.attributes.values())
        bodies.extend(b.body for b in current.blocks)
    while exprs:
        expr = exprs.pop()
        chain = _traversal(expr)
        if chain:
            root = chain[0]
            if root in ("var", "local", "module") and len(chain) > 1:
                found.add(f"{root}.{chain[1]}")
            elif root == "data" and len(chain) > 2:
                found.add(f"data.{chain[1]}.{chain[2]}")
            elif "_" in root and len(chain) > 1:
                found.add(f"{root}.{chain[1]}")
        for value in _children(expr):
            exprs.append(value)
    return found


def _traversal(expr: s.Expr) -> list[str]:
    names: list[str] = []
    while isinstance(expr, s.GetAttr):
        names.append(expr.name)
        expr = expr.target
    if isinstance(expr, s.Variable):
        names.append(expr.name)
        return names[::-1]
    return []


def _children(expr: s.Expr) -> Iterator[s.Expr]:
    for name in expr.__slots__ if hasattr(expr, "__slots__") else ():
        value = getattr(expr, name, None)
        yield from _exprs_in(value)


def _exprs_in(value: Any) -> Iterator[s.Expr]:
    if isinstance(value, s.Expr):
        yield value
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, tuple):
                yield from (x for x in item if isinstance(x, s.Expr))
            elif isinstance(item, s.Expr):
                yield item


def group_files(files: list[s.HclFile]) -> list[list[s.HclFile]]:
    """The modules a directory's files make (see the module docstring)."""
    declared = [declarations(f.body) for f in files]
    seen: dict[str, int] = {}
    clash = False
    for i, names in enumerate(declared):
        for name in names:
            if name in seen and seen[name] != i:
                clash = True
            seen.setdefault(name, i)
    if not clash:
        return [files] if files else []
    used = [references(f.body) for f in files]
    parent = list(range(len(files)))
    members: dict[int, set[int]] = {i: {i} for i in range(len(files))}
    names_of: dict[int, set[str]] = {i: set(declared[i]) for i in range(len(files))}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    changed = True
    while changed:
        changed = False
        for i in range(len(files)):
            a = root(i)
            missing = {u for u in used[i] if u not in names_of[a]}
            for j in range(len(files)):
                b = root(j)
                if a == b or not (missing & names_of[b]):
                    continue
                if names_of[a] & names_of[b]:
                    continue  # joining would declare something twice
                parent[b] = a
                members[a] |= members.pop(b)
                names_of[a] |= names_of.pop(b)
                missing -= names_of[a]
                changed = True
    groups = [[files[k] for k in sorted(members[r])] for r in sorted(members)]
    return groups


# -- evaluation ----------------------------------------------------------------------------------


@dataclass
class Problem:
    span: Span
    message: str


@dataclass
class Instance:
    """One instance of a resource block: its scope (`each`, `count`) and the key that names it."""

    block: s.Block
    scope: dict[str, Node]
    key: Any = None  # count index or for_each key; None for a single instance


@dataclass
class EvaluatedBlock:
    """A block with its attributes evaluated and its nested (and dynamic) blocks expanded."""

    block: s.Block
    attributes: dict[str, tuple[Node, s.Attribute]] = field(default_factory=dict)
    blocks: dict[str, list[EvaluatedBlock]] = field(default_factory=dict)
    span: Span | None = None  # for a block made by `dynamic`: the dynamic block's header


class Module:
    def __init__(
        self,
        files: list[s.HclFile],
        var_files: list[s.HclFile] = (),  # type: ignore[assignment]
        meter: Meter | None = None,
        inputs: dict[str, Node] | None = None,
        call_name: str | None = None,
        depth: int = 0,
        problems: list[Problem] | None = None,
        read_dir: Callable[[str], list[s.HclFile]] | None = None,
    ) -> None:
        self.files = files
        # One meter (budget and depth) for a module and the local modules it calls.
        self.evaluator = Evaluator(self.resolve, meter=meter)
        self.depth = depth
        self.call_name = call_name
        self.problems: list[Problem] = problems if problems is not None else []
        self.read_dir = read_dir
        self.variables = Variables()
        self.locals: dict[str, s.Attribute] = {}
        self.resources: dict[tuple[str, str], s.Block] = {}
        self.modules: dict[str, s.Block] = {}
        self.outputs: dict[str, s.Block] = {}
        self.resource_types: set[str] = set()
        for hcl in files:
            self.variables.declare(hcl.body)
            for block in hcl.body.blocks:
                if block.type == "locals":
                    self.locals.update(block.body.attributes)
                elif block.type == "resource" and len(block.labels) == 2:
                    self.resources[(block.labels[0][0], block.labels[1][0])] = block
                    self.resource_types.add(block.labels[0][0])
                elif block.type == "module" and len(block.labels) == 1:
                    self.modules[block.labels[0][0]] = block
                elif block.type == "output" and len(block.labels) == 1:
                    self.outputs[block.labels[0][0]] = block
        for var_file in var_files:
            self.variables.supply(var_file, self.evaluator)
        if inputs:
            self.variables.supply_values(inputs, "input {name} of module " + (call_name or "?"))
        self._cache: dict[tuple[str, ...], Node] = {}
        self._active: list[tuple[str, ...]] = []
        self._reported_cycles: set[tuple[str, ...]] = set()
        self._children: dict[str, Module | None] = {}

    # -- names ---------------------------------------------------------------------------------
    def resolve(self, name: str, span: Span) -> Node | None:
        if name == "var":
            return lazy(self._variable, span, "var")
        if name == "local":
            return lazy(self._local, span, "local")
        if name == "module":
            return lazy(self._module_output, span, "module")
        if name in self.resource_types:
            return lazy(lambda n, at: self._resource(name, n, at), span, name)
        return None  # data, path, terraform, self, count/each outside a resource: unknown

    def _memo(self, key: tuple[str, ...], span: Span, compute: Callable[[], Node]) -> Node:
        found = self._cache.get(key)
        if found is not None:
            return found
        if key in self._active:
            cycle = self._active[self._active.index(key):] + [key]
            signature = tuple(sorted(".".join(k) for k in cycle))
            if signature not in self._reported_cycles:
                self._reported_cycles.add(signature)
                shown = " -> ".join(".".join(k) for k in cycle)
                self.problems.append(Problem(span, f"cycle: {shown}; Terraform refuses a configuration whose values depend on themselves"))
            return unknown(span)
        self._active.append(key)
        try:
            value = compute()
        finally:
            self._active.pop()
        self._cache[key] = value
        return value

    def _variable(self, name: str, span: Span) -> Node | None:
        declared = self.variables.declared.get(name)
        supplied = self.variables.supplied.get(name)
        type_attr = declared.block.body.attr("type") if declared is not None else None
        if supplied is not None:
            given = supplied.value
            origin = supplied.origin
        elif declared is not None and declared.default is not None:
            default = declared.default
            given = self._memo(("var", name), span, lambda: self.evaluator.value(default.expr))
            origin = f"default of variable {name}"
        else:
            return unknown(span)
        if type_attr is not None:
            type_expr = type_attr.expr
            given = self._memo(("var-typed", name), span, lambda: convert(given, type_expr, self.evaluator))
        return reference(given, span, origin)

    def _local(self, name: str, span: Span) -> Node | None:
        attribute = self.locals.get(name)
        if attribute is None:
            return unknown(span)
        value = self._memo(("local", name), attribute.name_span, lambda: self.evaluator.value(attribute.expr))
        return reference(value, span, f"from local.{name}")

    # -- resources -------------------------------------------------------------------------------
    def instances(self, block: s.Block) -> list[Instance]:
        """The instances of a resource (or module) block: one, `count` of them, or one per
        `for_each` element; one instance with unknown `count`/`each` when that is unknown."""
        count_attr = block.body.attr("count")
        each_attr = block.body.attr("for_each")
        if count_attr is not None:
            count = self.evaluator.value(count_attr.expr)
            number = to_number(count) if not is_unknown(count) else None
            if not isinstance(number, int) or number < 0:
                return [Instance(block, {"count": unknown(count_attr.expr.span)})]
            return [Instance(block, {"count": _count_object(i, count_attr.expr.span)}, i) for i in range(min(number, 1000))]
        if each_attr is not None:
            collection = self.evaluator.value(each_attr.expr)
            if is_unknown(collection):
                return [Instance(block, {"each": unknown(each_attr.expr.span, collection.origin)})]
            pairs: list[tuple[str, Node, Node]] = []
            if is_object(collection):
                assert collection.key_spans is not None
                pairs = [(k, scalar(k, collection.key_spans[k], collection.origin), v) for k, v in collection.value.items()]
            elif is_list(collection):
                for item in collection.value:  # a set of strings: key and value are the element
                    text = to_text(item)
                    if text is None:
                        return [Instance(block, {"each": unknown(each_attr.expr.span)})]
                    pairs.append((text, item, item))
            else:
                return [Instance(block, {"each": unknown(each_attr.expr.span)})]
            return [Instance(block, {"each": _each_object(key_node, value, "for_each")}, key) for key, key_node, value in pairs]
        return [Instance(block, {})]

    def _resource(self, type_: str, name: str, span: Span) -> Node | None:
        block = self.resources.get((type_, name))
        if block is None:
            return None
        instances = self.instances(block)
        if block.body.attr("count") is not None:
            if len(instances) == 1 and instances[0].key is None:
                return unknown(span)
            return tuple_of([self._instance_object(i, span) for i in instances], span)
        if block.body.attr("for_each") is not None:
            if len(instances) == 1 and instances[0].key is None:
                return unknown(span)
            return object_of({str(i.key): self._instance_object(i, span) for i in instances}, span)
        return self._instance_object(instances[0], span)

    def _instance_object(self, instance: Instance, span: Span) -> Node:
        type_, name = instance.block.labels[0][0], instance.block.labels[1][0]
        address = f"{type_}.{name}" + (f"[{instance.key!r}]" if instance.key is not None else "")

        def member(attr: str, at: Span) -> Node | None:
            if attr == "id":
                return self.resource_id(instance, at)
            attribute = instance.block.body.attr(attr)
            if attribute is None:
                return unknown(at)  # computed by the provider, or a nested block
            key = ("resource", address, attr)
            value = self._memo(key, attribute.name_span, lambda: self.evaluator.value(attribute.expr, instance.scope))
            return reference(value, at, f"from {type_}.{name}.{attr}")

        return lazy(member, span, address)

    # The model names of a resource's `id`, by resource type (see ResourceId): the gallery
    # resources, and the sources an image version is made from (whose type SIG304 checks).
    _ID_NAMES = {
        "azurerm_managed_disk": ("Microsoft.Compute/disks", ("name",)),
        "azurerm_snapshot": ("Microsoft.Compute/snapshots", ("name",)),
        "azurerm_image": ("Microsoft.Compute/images", ("name",)),
        "azurerm_linux_virtual_machine": ("Microsoft.Compute/virtualMachines", ("name",)),
        "azurerm_windows_virtual_machine": ("Microsoft.Compute/virtualMachines", ("name",)),
        "azurerm_virtual_machine": ("Microsoft.Compute/virtualMachines", ("name",)),
        "azurerm_shared_image_gallery": ("Microsoft.Compute/galleries", ("name",)),
        "azurerm_shared_image": ("Microsoft.Compute/galleries/images", ("gallery_name", "name")),
        "azurerm_shared_image_version": ("Microsoft.Compute/galleries/images/versions", ("gallery_name", "image_name", "name")),
        "azurerm_gallery_application": ("Microsoft.Compute/galleries/applications", ("gallery_id:galleries", "name")),
        "azurerm_gallery_application_version": ("Microsoft.Compute/galleries/applications/versions",
                                                ("gallery_application_id:galleries", "gallery_application_id:applications", "name")),
    }

    def resource_id(self, instance: Instance, span: Span) -> Node:
        if instance.block.labels[0][0] == "azapi_resource":
            return self._azapi_id(instance, span)
        spec = self._ID_NAMES.get(instance.block.labels[0][0])
        if spec is None:
            return unknown(span)
        names = []
        for entry in spec[1]:
            attr, _, segment = entry.partition(":")
            attribute = instance.block.body.attr(attr)
            if attribute is None:
                return unknown(span)
            value = self.evaluator.value(attribute.expr, instance.scope)
            text = id_segment(value, segment) if segment else (to_text(value) if not is_unknown(value) else None)
            if text is None:
                return unknown(span)
            names.append(text)
        type_, name = instance.block.labels[0][0], instance.block.labels[1][0]
        return scalar(ResourceId(spec[0], names), span, f"id of {type_}.{name}")

    def _azapi_id(self, instance: Instance, span: Span) -> Node:
        """`azapi_resource.x.id`: the parent's id plus the type's last segment and the name."""
        from sigcheck.inputs.terraform.azapi import split_type

        body = instance.block.body
        type_attr, name_attr, parent_attr = body.attr("type"), body.attr("name"), body.attr("parent_id")
        if type_attr is None or name_attr is None or parent_attr is None:
            return unknown(span)
        type_value = self.evaluator.value(type_attr.expr, instance.scope)
        name = self.evaluator.value(name_attr.expr, instance.scope)
        parent = self.evaluator.value(parent_attr.expr, instance.scope)
        split = split_type(type_value.value) if isinstance(type_value.value, str) else None
        name_text = to_text(name) if not is_unknown(name) else None
        if split is None or name_text is None:
            return unknown(span)
        arm_type = split[0]
        depth = arm_type.count("/")
        if depth == 1:
            return scalar(ResourceId(arm_type, [name_text]), span, f"id of {instance.block.labels[0][0]}.{instance.block.labels[1][0]}")
        parent_id = parent.value
        if not isinstance(parent_id, ResourceId) or len(parent_id.names) != depth - 1:
            return unknown(span)
        return scalar(ResourceId(arm_type, [*parent_id.names, name_text]), span, f"id of {instance.block.labels[0][0]}.{instance.block.labels[1][0]}")

    # -- blocks -------------------------------------------------------------------------------
    def evaluate_block(self, block: s.Block, scope: dict[str, Node]) -> EvaluatedBlock:
        """Attributes and nested blocks of `block` for one instance (iterative over nesting;
        `dynamic` blocks expanded in place)."""
        root = EvaluatedBlock(block)
        stack: list[tuple[s.Body, dict[str, Node], EvaluatedBlock]] = [(block.body, scope, root)]
        while stack:
            body, current_scope, out = stack.pop()
            for name, attribute in body.attributes.items():
                out.attributes[name] = (self.evaluator.value(attribute.expr, current_scope), attribute)
            for child in body.blocks:
                if child.type == "dynamic" and len(child.labels) == 1:
                    for made, made_scope in self._dynamic(child, current_scope):
                        out.blocks.setdefault(child.labels[0][0], []).append(made)
                        stack.append((made.block.body, made_scope, made))
                    continue
                if child.type in ("lifecycle", "provisioner", "connection", "timeouts"):
                    continue
                evaluated = EvaluatedBlock(child)
                out.blocks.setdefault(child.type, []).append(evaluated)
                stack.append((child.body, current_scope, evaluated))
        return root

    def _dynamic(self, block: s.Block, scope: dict[str, Node]) -> Iterator[tuple[EvaluatedBlock, dict[str, Node]]]:
        label = block.labels[0][0]
        content = next((b for b in block.body.blocks if b.type == "content"), None)
        each_attr = block.body.attr("for_each")
        iterator_attr = block.body.attr("iterator")
        if content is None or each_attr is None:
            return
        iterator = label
        if iterator_attr is not None and isinstance(iterator_attr.expr, s.Variable):
            iterator = iterator_attr.expr.name
        collection = self.evaluator.value(each_attr.expr, scope)
        how = f'dynamic "{label}"'
        if is_unknown(collection):
            # How many blocks there are is unknown: one block whose iterator is unknown stands
            # for them, so what does not depend on the iterator is still read.
            made = EvaluatedBlock(content, span=block.header_span)
            yield made, {**scope, iterator: unknown(each_attr.expr.span, collection.origin)}
            return
        if is_object(collection):
            assert collection.key_spans is not None
            pairs = [(scalar(k, collection.key_spans[k], collection.origin), v) for k, v in collection.value.items()]
        elif isinstance(collection.value, SetItems):
            pairs = [(v, v) for v in collection.value]  # a set's key is its element
        elif is_list(collection):
            pairs = [(scalar(i, v.span, collection.origin), v) for i, v in enumerate(collection.value)]
        else:
            return
        for key, value in pairs:
            made = EvaluatedBlock(content, span=block.header_span)
            yield made, {**scope, iterator: _each_object(key, value, how)}

    # -- modules ------------------------------------------------------------------------------
    def child(self, name: str) -> Module | None:
        """The local module a `module` block calls, evaluated with its inputs; None for
        registry modules, missing folders, or calls with count/for_each."""
        if name in self._children:
            return self._children[name]
        self._children[name] = None
        block = self.modules.get(name)
        if block is None or self.read_dir is None or self.depth >= MAX_MODULE_DEPTH:
            return None
        if block.body.attr("count") is not None or block.body.attr("for_each") is not None:
            return None
        source_attr = block.body.attr("source")
        if source_attr is None:
            return None
        source = self.evaluator.value(source_attr.expr)
        text = to_text(source) if not is_unknown(source) else None
        if text is None or not text.startswith(("./", "../")):
            return None
        folder = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(block.path)), text))
        if not os.path.isdir(folder):
            return None
        files = self.read_dir(folder)
        if not files:
            return None
        inputs: dict[str, Node] = {}
        for attr_name, attribute in block.body.attributes.items():
            if attr_name in ("source", "version", "providers", "depends_on", "count", "for_each"):
                continue
            inputs[attr_name] = self.evaluator.value(attribute.expr)
        module = Module(files, meter=self.evaluator.meter, inputs=inputs, call_name=name, depth=self.depth + 1,
                        problems=self.problems, read_dir=self.read_dir)
        self._children[name] = module
        return module

    def _module_output(self, name: str, span: Span) -> Node | None:
        module = self.child(name)
        if module is None:
            return unknown(span)

        def output(key: str, at: Span) -> Node | None:
            block = module.outputs.get(key)
            value_attr = block.body.attr("value") if block is not None else None
            if value_attr is None:
                return unknown(at)
            value = module._memo(("output", key), value_attr.name_span, lambda: module.evaluator.value(value_attr.expr))
            return reference(value, at, f"output {key} of module {name}")

        return lazy(output, span, f"module.{name}")


def id_segment(value: Node, after: str) -> str | None:
    """The name that follows `/<after>/` in a resource id: a declared resource's id (its names by
    type segment) or id text; None when not known."""
    raw = value.value
    if isinstance(raw, ResourceId):
        for type_name, name in zip(raw.type.split("/")[1:], raw.names):
            if type_name.lower() == after.lower():
                return name
        return None
    text = to_text(value) if not is_unknown(value) else None
    if text is None:
        return None
    parts = text.split("/")
    lowered = [p.lower() for p in parts]
    if after.lower() in lowered:
        at = lowered.index(after.lower())
        if at + 1 < len(parts) and parts[at + 1]:
            return parts[at + 1]
    return None


def _count_object(index: int, span: Span) -> Node:
    def member(name: str, at: Span) -> Node | None:
        return scalar(index, at, "count.index") if name == "index" else None

    return lazy(member, span, "count")


def _each_object(key: Node, value: Node, how: str) -> Node:
    """`each` (or a dynamic block's iterator): reading `.key`/`.value` gives the element placed
    at the reference, with where it came from ("each.value of for_each", "value of dynamic \"x\"")."""
    prefix = "each." if how == "for_each" else ""

    def member(name: str, at: Span) -> Node | None:
        if name == "key":
            return reference(key, at, f"{prefix}key of {how}")
        if name == "value":
            return reference(value, at, f"{prefix}value of {how}")
        return None

    return lazy(member, value.span, "each" if how == "for_each" else how)


__all__ = ["Module", "ResourceId", "group_files", "id_segment", "is_config", "is_var_file", "UNKNOWN", "Lazy", "relocate"]
