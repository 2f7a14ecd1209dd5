"""Input variables: declared defaults, and values supplied by variable files.

Terraform and Packer read variables the same way: a `variable "name" { default = … }` block
declares one; a variables file (`terraform.tfvars`, `*.auto.tfvars`, `-var-file`, Packer's
`*.pkrvars.hcl`) assigns top-level attributes, later files overriding earlier ones. Variable files
hold constant expressions, so they are evaluated without any names in scope.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sigcheck.syntax.jsonc import Node
from sigcheck.syntax.located import Span
from sigcheck.inputs.hcl import syntax as s
from sigcheck.inputs.hcl.evaluate import Evaluator
from sigcheck.inputs.hcl.values import relocate


@dataclass
class Declared:
    name: str
    block: s.Block
    default: s.Attribute | None


@dataclass
class Supplied:
    value: Node
    origin: str  # "variable x from terraform.tfvars"


@dataclass
class Variables:
    declared: dict[str, Declared] = field(default_factory=dict)
    supplied: dict[str, Supplied] = field(default_factory=dict)

    def declare(self, body: s.Body) -> list[tuple[Span, str]]:
        """Add the `variable` blocks of a body; returns (span, message) for repeated names."""
        problems = []
        for block in body.blocks_of("variable"):
            if len(block.labels) != 1:
                continue
            name = block.labels[0][0]
            if name in self.declared:
                problems.append((block.labels[0][1], f"variable '{name}' is declared twice"))
                continue
            self.declared[name] = Declared(name, block, block.body.attr("default"))
        return problems

    def supply(self, hcl: s.HclFile, evaluator: Evaluator) -> None:
        """Values assigned by a variables file (top-level attributes), overriding earlier ones."""
        shown = os.path.basename(hcl.path)
        for name, attribute in hcl.body.attributes.items():
            value = evaluator.value(attribute.expr)
            origin = f"variable {name} from {shown}"
            self.supplied[name] = Supplied(relocate(value, value.span, origin), origin)

    def supply_values(self, values: dict[str, Node], origin_of: str) -> None:
        """Values given another way (module inputs): `origin_of` is formatted with the name."""
        for name, value in values.items():
            self.supplied[name] = Supplied(value, origin_of.format(name=name))
