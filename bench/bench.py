"""Speed figures quoted in the README: start-up (`sigcheck --version`, beside the floor of the
interpreter's own start-up, `python -c pass`), one-template wall time (start-up included),
templates per second over a generated set of 1,000 templates (ARM JSON, and the same templates
written in Bicep), and the wall time of one Terraform directory of 50 files (one module:
variables, locals, for_each, dynamic blocks, references). Start-up is measured here, over
several runs, rather than bounded in a test, where a loaded machine makes any bound flaky.

Run: `make bench` (or `.venv/bin/python bench/bench.py [--count 1000] [--runs 7]`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def template(i: int) -> dict:
    """A realistic template: gallery, definition and a version replicated to three regions."""
    gallery = f"gallery{i}"
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {"type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03", "name": gallery,
             "location": "eastus", "properties": {"description": f"images {i}"}},
            {"type": "Microsoft.Compute/galleries/images", "apiVersion": "2024-03-03",
             "name": f"{gallery}/def{i}", "location": "eastus",
             "properties": {"osType": "Linux", "osState": "Generalized", "hyperVGeneration": "V2",
                            "identifier": {"publisher": "Contoso", "offer": f"offer{i}", "sku": "22_04"},
                            "features": [{"name": "SecurityType", "value": "TrustedLaunchSupported"}]}},
            {"type": "Microsoft.Compute/galleries/images/versions", "apiVersion": "2024-03-03",
             "name": f"{gallery}/def{i}/1.0.{i}", "location": "eastus",
             "properties": {"publishingProfile": {
                 "targetRegions": [{"name": r, "regionalReplicaCount": 2, "storageAccountType": "Standard_ZRS"}
                                   for r in ("eastus", "westeurope", "westus2")],
                 "replicaCount": 1},
                 "storageProfile": {"source": {"id": f"/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/img{i}"}}}},
        ],
    }


def bicep_template(i: int) -> str:
    """The same three resources written in Bicep, with a parameter, a loop and a nested child."""
    return f"""param location string = 'eastus'
param regions array = ['eastus', 'westeurope', 'westus2']

resource gallery 'Microsoft.Compute/galleries@2024-03-03' = {{
  name: 'gallery{i}'
  location: location
  properties: {{ description: 'images {i}' }}

  resource definition 'images@2024-03-03' = {{
    name: 'def{i}'
    location: location
    properties: {{
      osType: 'Linux'
      osState: 'Generalized'
      hyperVGeneration: 'V2'
      identifier: {{ publisher: 'Contoso', offer: 'offer{i}', sku: '22_04' }}
      features: [{{ name: 'SecurityType', value: 'TrustedLaunchSupported' }}]
    }}
  }}
}}

resource version 'Microsoft.Compute/galleries/images/versions@2024-03-03' = {{
  parent: gallery::definition
  name: '1.0.{i}'
  location: location
  properties: {{
    publishingProfile: {{
      targetRegions: [for r in regions: {{ name: r, regionalReplicaCount: 2, storageAccountType: 'Standard_ZRS' }}]
      replicaCount: 1
    }}
    storageProfile: {{ source: {{ id: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/img{i}' }} }}
  }}
}}
"""


def terraform_module(folder: str, files: int = 50) -> None:
    """A Terraform directory of `files` files that is one module: shared variables and locals,
    and per file a gallery, a definition and a version whose regions come from for_each and
    dynamic blocks."""
    with open(os.path.join(folder, "variables.tf"), "w", encoding="utf-8") as handle:
        handle.write('variable "location" {\n  default = "westeurope"\n}\n\n'
                     'variable "replicas" {\n  default = { westeurope = 2, northeurope = 1, eastus2 = 1 }\n}\n\n'
                     'locals {\n  prefix = "contoso"\n  version = "1.0.${formatdate("YYYYMMDD", "2026-01-02T00:00:00Z")}"\n}\n')
    for i in range(1, files):
        with open(os.path.join(folder, f"images{i:02d}.tf"), "w", encoding="utf-8") as handle:
            handle.write(f'''resource "azurerm_shared_image_gallery" "g{i}" {{
  name                = "${{local.prefix}}_gallery_{i}"
  resource_group_name = "rg-images"
  location            = var.location
}}

resource "azurerm_shared_image" "d{i}" {{
  for_each            = toset(["linux{i}", "arm{i}"])
  name                = each.key
  gallery_name        = azurerm_shared_image_gallery.g{i}.name
  resource_group_name = "rg-images"
  location            = azurerm_shared_image_gallery.g{i}.location
  os_type             = "Linux"
  hyper_v_generation  = "V2"
  trusted_launch_supported = true
  identifier {{
    publisher = upper(local.prefix)
    offer     = "offer-${{each.key}}"
    sku       = "22_04"
  }}
}}

resource "azurerm_shared_image_version" "v{i}" {{
  name                = local.version
  gallery_name        = azurerm_shared_image_gallery.g{i}.name
  image_name          = azurerm_shared_image.d{i}["linux{i}"].name
  resource_group_name = "rg-images"
  location            = var.location
  managed_image_id    = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/img{i}"
  dynamic "target_region" {{
    for_each = var.replicas
    content {{
      name                   = target_region.key
      regional_replica_count = target_region.value
      storage_account_type   = "Standard_ZRS"
    }}
  }}
}}
''')


def timed(cmd: list[str], runs: int, env: dict[str, str]) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sigcheck = shutil.which("sigcheck", path=os.path.dirname(sys.executable)) or "sigcheck"
    # Measure what users run: an installed package has its bytecode compiled at install time, so
    # compile it here too and let Python use it (some shells export PYTHONDONTWRITEBYTECODE).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(ROOT, "sigcheck")], check=False, env=env)
    work = tempfile.mkdtemp(prefix="sigcheck-bench-")
    try:
        arm_work, bicep_work = os.path.join(work, "arm"), os.path.join(work, "bicep")
        os.mkdir(arm_work)
        os.mkdir(bicep_work)
        for i in range(args.count):
            with open(os.path.join(arm_work, f"t{i:04d}.json"), "w", encoding="utf-8") as handle:
                json.dump(template(i), handle, indent=2)
            with open(os.path.join(bicep_work, f"t{i:04d}.bicep"), "w", encoding="utf-8") as handle:
                handle.write(bicep_template(i))
        one = os.path.join(arm_work, "t0000.json")
        timed([sigcheck, "check", one], 1, env)  # warm the file cache
        floor = timed([sys.executable, "-c", "pass"], args.runs, env)
        startup = timed([sigcheck, "--version"], args.runs, env)
        single = timed([sigcheck, "check", one], args.runs, env)
        many = timed([sigcheck, "check", arm_work], max(3, args.runs // 2), env)
        best_many = min(many)
        module = os.path.join(work, "terraform")
        os.mkdir(module)
        terraform_module(module)
        import resource

        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        tf = timed([sigcheck, "check", module], args.runs, env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        tf_cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / args.runs
        print(f"python -c pass (the floor): median {statistics.median(floor):.3f} s, best {min(floor):.3f} s over {args.runs} runs")
        print(f"start-up (sigcheck --version): median {statistics.median(startup):.3f} s, best {min(startup):.3f} s over {args.runs} runs")
        print(f"one template (wall, incl. start-up): median {statistics.median(single):.3f} s, best {min(single):.3f} s over {args.runs} runs")
        print(f"{args.count} templates: best {best_many:.2f} s -> {args.count / best_many:.0f} templates/s")
        one_bicep = os.path.join(bicep_work, "t0000.bicep")
        timed([sigcheck, "check", one_bicep], 1, env)
        single_bicep = timed([sigcheck, "check", one_bicep], args.runs, env)
        many_bicep = min(timed([sigcheck, "check", bicep_work], max(3, args.runs // 2), env))
        print(f"one Bicep file (wall, incl. start-up): median {statistics.median(single_bicep):.3f} s, best {min(single_bicep):.3f} s over {args.runs} runs")
        print(f"{args.count} Bicep files: best {many_bicep:.2f} s -> {args.count / many_bicep:.0f} files/s")
        print(f"Terraform directory of 50 files (one module, wall incl. start-up): median {statistics.median(tf):.3f} s, best {min(tf):.3f} s, CPU {tf_cpu:.3f} s per run")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
