"""HCL, the language of Terraform and Packer: a located syntax tree and an expression evaluator.

Kind-neutral: nothing here knows Terraform or Packer. The API:

* `syntax.parse(text, path) -> HclFile`: bodies of `Attribute`s and `Block`s with spans, syntax
  errors as `problems` (first one first), comments for suppressions. tree-sitter-hcl is imported
  on the first parse only.
* `evaluate.Evaluator(resolve, budget)`: `.value(expr, scope)` gives a located value
  (`sigcheck.syntax.jsonc.Node`: scalars, lists, objects, UNKNOWN) for an expression; root names
  (`var`, `local`, `each`, resource types …) are answered by `resolve(name, span)`; `.exhausted`
  and `.too_deep` tell the caller to report that evaluation stopped.
* `evaluate.reference(node, span, origin)`: a value read through a reference, placed at the
  reference with its provenance ("default of variable x").
* `values`: node helpers (`unknown`, `scalar`, `lazy` objects whose members are computed on read,
  `plain`, `wholly_known`).
* `functions.FUNCTIONS`: the built-in functions by name.
* `variables`: variable values from defaults, `*.tfvars` / `*.pkrvars.hcl` files and `-var-file`.
* `json_syntax.parse(text, path)`: the JSON flavour (`.tf.json`, `.pkr.json`) into the same tree.
"""
