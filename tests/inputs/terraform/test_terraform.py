"""Terraform: a directory is one module; values, provenance, defaults, notes, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import _invoke  # noqa: F401 - the CLI runner the other tests use

from sigcheck.engine.registry import default_registry
from sigcheck.engine.run import Engine, Options
from sigcheck.inputs.api import LoadOptions
from sigcheck.inputs.terraform.loader import load_text

GALLERY = '''resource "azurerm_shared_image_gallery" "{addr}" {{
  name                = {name}
  resource_group_name = "rg"
  location            = "westeurope"
}}
'''


def _run(paths: list[Path], **options: object) -> list[dict]:
    engine = Engine(default_registry(), Options(extend_select=["ALL"], **options))  # type: ignore[arg-type]
    result = engine.run([str(p) for p in paths])
    assert not engine.internal_errors, engine.internal_errors
    return [
        {"rule": f.rule_id, "path": f.span.path, "line": f.span.line, "column": f.span.column, "message": f.message}
        for f in result.findings
    ]


def test_directory_is_one_module(tmp_path: Path) -> None:
    (tmp_path / "variables.tf").write_text('variable "gallery_name" {\n  default = "bad-name"\n}\n')
    (tmp_path / "main.tf").write_text(GALLERY.format(addr="g", name="var.gallery_name"))
    findings = [f for f in _run([tmp_path]) if f["rule"] == "SIG101"]
    assert len(findings) == 1
    [f] = findings
    # At the reference in main.tf, saying where the value came from.
    assert f["path"].endswith("main.tf") and (f["line"], f["column"]) == (2, 25)
    assert "(default of variable gallery_name)" in f["message"]
    assert "terraform plan would also stop this" in f["message"]
    # Loading one file alone still reads its siblings, and reports only that file's findings.
    alone = [f for f in _run([tmp_path / "main.tf"]) if f["rule"] == "SIG101"]
    assert [(f["line"], f["column"]) for f in alone] == [(2, 25)]
    assert _run([tmp_path / "variables.tf"]) == []


def test_tfvars_and_var_file_override_defaults(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('variable "n" {\n  default = "good_name"\n}\n' + GALLERY.format(addr="g", name="var.n"))
    assert not [f for f in _run([tmp_path]) if f["rule"] == "SIG101"]
    (tmp_path / "terraform.tfvars").write_text('n = "from-tfvars"\n')
    [f] = [f for f in _run([tmp_path / "main.tf"]) if f["rule"] == "SIG101"]
    assert "(variable n from terraform.tfvars)" in f["message"]
    (tmp_path / "b.auto.tfvars").write_text('n = "from-auto"\n')
    [f] = [f for f in _run([tmp_path / "main.tf"]) if f["rule"] == "SIG101"]
    assert "from-auto" in f["message"]
    extra = tmp_path / "prod.tfvars"
    extra.write_text('n = "from-var-file."\n')
    [f] = [f for f in _run([tmp_path / "main.tf"], var_files=[str(extra)]) if f["rule"] == "SIG101"]
    assert "from-var-file." in f["message"] and "variable n from prod.tfvars" in f["message"]


def test_address_clash_means_separate_examples(tmp_path: Path) -> None:
    # Two examples kept in one folder: both declare azurerm_shared_image_gallery.example and
    # their own variable. Each is checked as its own module; main.tf still reads variables.tf.
    (tmp_path / "example1.tf").write_text('locals {\n  n = "ok_one"\n}\n' + GALLERY.format(addr="example", name="local.n"))
    (tmp_path / "example2.tf").write_text('locals {\n  n = "bad-two"\n}\n' + GALLERY.format(addr="example", name="local.n"))
    (tmp_path / "variables.tf").write_text('variable "m" {\n  default = "bad-three"\n}\n')
    (tmp_path / "main.tf").write_text(GALLERY.format(addr="root", name="var.m"))
    found = sorted((Path(f["path"]).name, f["line"]) for f in _run([tmp_path]) if f["rule"] == "SIG101")
    assert found == [("example2.tf", 5), ("main.tf", 2)]


def test_broken_file_does_not_stop_the_rest(tmp_path: Path) -> None:
    (tmp_path / "broken.tf").write_text('resource "azurerm_shared_image_gallery" "y" {\n  a = \n}\n')
    (tmp_path / "unrelated.tf").write_text('resource "x" "y" {\n  a = \n}\n')  # no gallery input: not read
    (tmp_path / "main.tf").write_text(GALLERY.format(addr="g", name='"bad-name"'))
    findings = _run([tmp_path])
    assert [(Path(f["path"]).name, f["rule"]) for f in findings if f["rule"] in ("SIG001", "SIG101")] == [
        ("broken.tf", "SIG001"), ("main.tf", "SIG101")]
    [error] = [f for f in findings if f["rule"] == "SIG001"]
    assert error["line"] == 3 or error["line"] == 2


def test_local_cycle_is_reported_not_followed(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'locals {\n  a = local.b\n  b = "${local.a}-x"\n}\n' + GALLERY.format(addr="g", name="local.a"))
    findings = _run([tmp_path])
    cycles = [f for f in findings if f["rule"] == "SIG001"]
    assert len(cycles) == 1 and "cycle" in cycles[0]["message"]


def test_count_for_each_and_resource_references(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
resource "azurerm_resource_group" "rg" {
  name     = "rg"
  location = "westeurope"
}

resource "azurerm_shared_image_gallery" "g" {
  for_each            = { one = "ok_one", two = "bad-two" }
  name                = each.value
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
}

resource "azurerm_shared_image_gallery" "c" {
  count               = 2
  name                = "gallery_${count.index}."
  resource_group_name = "rg"
  location            = "westeurope"
}
''')
    found = [f for f in _run([tmp_path]) if f["rule"] == "SIG101"]
    messages = sorted(f["message"] for f in found)
    assert len(found) == 3
    assert any("'bad-two' (each.value of for_each)" in m for m in messages)
    assert any("gallery_0." in m for m in messages) and any("gallery_1." in m for m in messages)


def test_local_module_is_evaluated_with_its_inputs(tmp_path: Path) -> None:
    child = tmp_path / "modules" / "gallery"
    child.mkdir(parents=True)
    (child / "main.tf").write_text('variable "name" {}\n' + GALLERY.format(addr="g", name="var.name"))
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text('module "gallery" {\n  source = "../modules/gallery"\n  name   = "from-the-caller"\n}\n')
    found = [f for f in _run([root]) if f["rule"] == "SIG101"]
    assert len(found) == 1
    assert found[0]["path"].endswith("modules/gallery/main.tf") and "input name of module gallery" in found[0]["message"]
    # Checked as a root module on its own, the child's variable has no value: nothing reported.
    assert not [f for f in _run([child]) if f["rule"] == "SIG101"]


def test_registry_modules_and_data_sources_are_unknown(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
module "naming" {
  source  = "Azure/naming/azurerm"
  version = "0.4.0"
}

data "azurerm_resource_group" "rg" {
  name = "rg"
}

resource "azurerm_shared_image_gallery" "g" {
  name                = module.naming.shared_image_gallery.name
  resource_group_name = data.azurerm_resource_group.rg.name
  location            = data.azurerm_resource_group.rg.location
}
''')
    assert [f for f in _run([tmp_path]) if f["rule"] not in ("SIG002", "SIG504")] == []


def test_provider_default_generation_makes_a_gen1_trusted_launch_image(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(GALLERY.format(addr="g", name='"g_ok"') + '''
resource "azurerm_shared_image" "i" {
  name                   = "img"
  gallery_name           = azurerm_shared_image_gallery.g.name
  resource_group_name    = "rg"
  location               = "westeurope"
  os_type                = "Linux"
  trusted_launch_enabled = true
  identifier {
    publisher = "p"
    offer     = "o"
    sku       = "s"
  }
}
''')
    [f] = [f for f in _run([tmp_path]) if f["rule"] == "SIG401"]
    assert (f["line"], f["column"]) == (7, 1) and "azurerm default of hyper_v_generation" in f["message"]


def test_azapi_body_forms(tmp_path: Path) -> None:
    body_object = 'body = {\n    properties = { sharingProfile = { permissions = "Bogus" } }\n  }'
    body_json = 'body = jsonencode({\n    properties = { sharingProfile = { permissions = "Bogus" } }\n  })'
    for i, body in enumerate((body_object, body_json)):
        folder = tmp_path / str(i)
        folder.mkdir()
        (folder / "main.tf").write_text(f'''resource "azapi_resource" "g" {{
  type      = "Microsoft.Compute/galleries@2023-07-03"
  name      = "azapi-gallery"
  parent_id = "/subscriptions/0/resourceGroups/rg"
  location  = "westeurope"
  {body}
}}
''')
        found = _run([folder])
        assert {f["rule"] for f in found} >= {"SIG101", "SIG602"}, found
        [name] = [f for f in found if f["rule"] == "SIG101"]
        assert (name["line"], name["column"]) == (3, 15)


def test_tf_json(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(json.dumps({
        "variable": {"n": {"default": "bad-json"}},
        "resource": {"azurerm_shared_image_gallery": {"g": {
            "name": "${var.n}", "resource_group_name": "rg", "location": "westeurope"}}},
    }, indent=2))
    [f] = [f for f in _run([tmp_path]) if f["rule"] == "SIG101"]
    assert "bad-json" in f["message"] and f["path"].endswith("main.tf.json")


def test_markdown_text_is_its_own_module() -> None:
    text = GALLERY.format(addr="g", name='"md-gallery"')
    loaded = load_text("README.md", text, LoadOptions(), siblings=False)
    assert [r.full_name for r in loaded.resources] == ["md-gallery"]
    assert loaded.notes and "terraform plan" in loaded.notes[0][1]


def test_deep_reference_chain_is_bounded(tmp_path: Path) -> None:
    chain = "\n".join(f"  l{i} = local.l{i + 1}" for i in range(400))
    (tmp_path / "main.tf").write_text(f'locals {{\n{chain}\n  l400 = "bad-deep"\n}}\n' + GALLERY.format(addr="g", name="local.l0"))
    findings = _run([tmp_path])
    assert not [f for f in findings if f["rule"] == "SIG101"]  # too deep to follow: unknown, not guessed
    assert any(f["rule"] == "SIG001" and "deeply" in f["message"] for f in findings)


def test_variable_types_fill_optional_defaults(tmp_path: Path) -> None:
    """An AVM-style map(object({... optional(string, "V1") ...})): the default the type gives is
    what Terraform passes on, so a Trusted Launch definition that omits the generation is V1."""
    (tmp_path / "variables.tf").write_text('''variable "definitions" {
  type = map(object({
    name                   = string
    hyper_v_generation     = optional(string, "V1")
    trusted_launch_enabled = optional(bool)
    identifier             = object({ publisher = string, offer = string, sku = string })
  }))
  default = {
    a = { name = "img-a", trusted_launch_enabled = true, identifier = { publisher = "p", offer = "o", sku = "a" } }
    b = { name = "img-b", identifier = { publisher = "p", offer = "o", sku = "b" } }
    c = { name = "img-c", hyper_v_generation = "V2", trusted_launch_enabled = true, identifier = { publisher = "p", offer = "o", sku = "c" } }
  }
}
''')
    (tmp_path / "main.tf").write_text('''resource "azurerm_shared_image" "this" {
  for_each               = var.definitions
  name                   = each.value.name
  gallery_name           = "g_types"
  resource_group_name    = "rg"
  location               = "westeurope"
  os_type                = "Linux"
  hyper_v_generation     = each.value.hyper_v_generation
  trusted_launch_enabled = each.value.trusted_launch_enabled
  identifier {
    publisher = each.value.identifier.publisher
    offer     = each.value.identifier.offer
    sku       = each.value.identifier.sku
  }
}
''')
    found = [f for f in _run([tmp_path]) if f["rule"] == "SIG401"]
    assert len(found) == 1
    assert (found[0]["line"], found[0]["column"]) == (8, 28) and "optional default of hyper_v_generation" in found[0]["message"]


def test_dynamic_block_over_a_set_gives_the_element_as_key(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """Iterating a set (`toset`, a `set(string)` variable), a dynamic block's `iterator.key` is
    the element, as Terraform documents; over a list it is the index."""
    (tmp_path / "main.tf").write_text('''variable "regions" {
  type    = set(string)
  default = ["westeurope", "eastus"]
}

resource "azurerm_gallery_application_version" "set_keys" {
  name                   = "0.1.0"
  gallery_application_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/galleries/g_sets/applications/app"
  location               = "westeurope"
  manage_action {
    install = "./install.sh"
    remove  = "./uninstall.sh"
  }
  source {
    media_link = "https://store.blob.core.windows.net/packages/app.tgz"
  }
  dynamic "target_region" {
    for_each = toset(["northeurope", "swedencentral"])
    content {
      name                   = target_region.key
      regional_replica_count = 1
    }
  }
  dynamic "target_region" {
    for_each = var.regions
    iterator = region
    content {
      name                   = region.key
      regional_replica_count = 1
    }
  }
  dynamic "target_region" {
    for_each = ["uksouth"]
    content {
      name                   = "francecentral"
      regional_replica_count = target_region.key + 1
    }
  }
}
''')
    (tmp_path / "policy.yaml").write_text("policy:\n  allowed-regions: [westeurope]\n")
    result = run_cli("check", str(tmp_path / "main.tf"), "--config", str(tmp_path / "policy.yaml"),
                     "--select", "SIG801", "--format", "json")
    assert result.code == 1, result.err
    found = sorted(f["message"].split("'")[1] for f in result.json())
    assert found == ["eastus", "francecentral", "northeurope", "swedencentral"]


IMAGE_TEMPLATE = '''resource "azapi_resource" "t" {{
  for_each  = toset({regions})
  type      = "Microsoft.VirtualMachineImages/imageTemplates@{api}"
  name      = "tpl-${{each.key}}"
  parent_id = "/subscriptions/0/resourceGroups/rg"
  location  = "westeurope"
  body = {{
    properties = {{
      distribute = [{{
        type           = "SharedImage"
        runOutputName  = "out"
        galleryImageId = azurerm_shared_image.i.id
        targetRegions  = [{{ name = each.key, replicaCount = 0 }}]
      }}]
    }}
  }}
}}
'''


DEFINITION = '''resource "azurerm_shared_image" "i" {
  name                = "img"
  gallery_name        = "aibgallery"
  resource_group_name = "rg"
  location            = "westeurope"
  os_type             = "Linux"
  hyper_v_generation  = "V2"
  identifier {
    publisher = "p"
    offer     = "o"
    sku       = "s"
  }
}
'''


def test_azapi_image_template_distributes_image_versions(tmp_path: Path) -> None:
    # The definition lives in another file of the module: the version is created in its region.
    (tmp_path / "gallery.tf").write_text(DEFINITION)
    (tmp_path / "aib.tf").write_text(IMAGE_TEMPLATE.format(regions='["northeurope", "westeurope"]', api="2024-02-01"))
    found = [f for f in _run([tmp_path]) if f["path"].endswith("aib.tf")]
    # One version per for_each instance; only the one that leaves out westeurope misses its source region.
    located = [f for f in found if f["rule"] == "SIG201"]
    assert [(f["line"], f["column"]) for f in located] == [(12, 26)], found
    assert "northeurope" in located[0]["message"]
    # replicaCount 0: the gallery rule on the version, and Image Builder's own minimum.
    assert {f["rule"] for f in found if f["line"] == 13} >= {"SIG204"}, found


def test_azapi_image_template_unknown_api_version_is_read_without_constraints(tmp_path: Path) -> None:
    (tmp_path / "gallery.tf").write_text(DEFINITION)
    (tmp_path / "aib.tf").write_text(IMAGE_TEMPLATE.format(regions='["westeurope"]', api="2099-01-01"))
    found = [f for f in _run([tmp_path]) if f["path"].endswith("aib.tf")]
    assert not [f for f in found if f["rule"] in ("SIG601", "SIG602", "SIG603", "SIG604")], found
    assert [f["rule"] for f in found if f["line"] == 13 and f["rule"] == "SIG204"] == ["SIG204"], found


def test_image_template_in_separate_examples_reads_only_its_own_module(tmp_path: Path) -> None:
    # Two examples declare the same definition address, so the folder is separate examples: the
    # template joins a.tf (westeurope, targeted) and does not take the region of b.tf's
    # definition (eastus), although b.tf's module is evaluated first.
    (tmp_path / "a.tf").write_text(DEFINITION)
    (tmp_path / "b.tf").write_text(DEFINITION.replace('"westeurope"', '"eastus"'))
    (tmp_path / "c.tf").write_text(IMAGE_TEMPLATE.format(regions='["westeurope"]', api="2024-02-01"))
    found = [f for f in _run([tmp_path]) if f["path"].endswith("c.tf") and f["rule"] == "SIG201"]
    assert found == [], found


def test_azurerm_disk_sizes_reach_the_image_version(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''resource "azurerm_managed_disk" "d" {
  name                 = "big-data"
  resource_group_name  = "rg"
  location             = "eastus"
  storage_account_type = "Premium_LRS"
  create_option        = "Empty"
  disk_size_gb         = "2048"
}

resource "azurerm_managed_disk" "unknown" {
  name                 = "sized-later"
  resource_group_name  = "rg"
  location             = "eastus"
  storage_account_type = "Premium_LRS"
  create_option        = "Empty"
  disk_size_gb         = var.size
}

variable "size" { type = number }

resource "azapi_resource" "v" {
  type      = "Microsoft.Compute/galleries/images/versions@2023-07-03"
  name      = "1.0.0"
  parent_id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i"
  location  = "eastus"
  body = {
    properties = {
      publishingProfile = { targetRegions = [{ name = "eastus" }] }
      storageProfile = {
        osDiskImage    = { source = { id = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/snapshots/os" } }
        dataDiskImages = [{ lun = 0, source = { id = azurerm_managed_disk.d.id } },
                          { lun = 1, source = { id = azurerm_managed_disk.unknown.id } }]
      }
    }
  }
}
''')
    found = _run([tmp_path])
    # disk_size_gb given as a string is converted as Terraform does; a disk of unknown size is
    # not reported; both ids are of the right kind.
    hits = [f for f in found if f["rule"] in ("SIG301", "SIG304")]
    assert [(f["rule"], f["line"], f["column"]) for f in hits] == [("SIG301", 31, 54)], found
    assert "disk 'big-data'" in hits[0]["message"] and "2048 GB" in hits[0]["message"]


def test_child_id_built_from_a_declared_id(tmp_path: Path) -> None:
    # `"${azurerm_shared_image.i.id}/versions/${var.v}"` names a version of a declared definition.
    (tmp_path / "gallery.tf").write_text(DEFINITION)
    (tmp_path / "aib.tf").write_text(IMAGE_TEMPLATE.format(regions='["westeurope"]', api="2024-02-01").replace(
        "galleryImageId = azurerm_shared_image.i.id",
        'galleryImageId = "${azurerm_shared_image.i.id}/versions/${var.v}"') + '''
variable "v" {
  default = "1.0.0-beta"
}
''')
    found = [f for f in _run([tmp_path]) if f["path"].endswith("aib.tf") and f["rule"] == "SIG103"]
    assert [(f["line"], f["column"]) for f in found] == [(12, 26)], found
    assert "1.0.0-beta" in found[0]["message"]
