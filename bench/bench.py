"""Speed figures quoted in the README, measured the way users run sigcheck: the installed
`sigcheck` command in a fresh process per run (interpreter start-up included), bytecode compiled.

Every case runs `--runs` times, the cases interleaved (run 1 of every case, then run 2, ...), so
that a change in the machine's load hits every case alike; each figure is the median, never the
best run. Peak memory is the child's maximum resident set (getrusage via wait4), and "above
start-up" subtracts the median of `sigcheck --version`. The load average is printed before and
after: on a shared machine, figures taken under load are slower than the machine can do.

Cases: the interpreter's floor (`python -c pass`), start-up, one small template, one .azcli and
one .ps1 script, a Terraform directory of 50 files (one module), 1,000 plain templates and 1,000 templates with parameters and expressions (with
the default --jobs and with --jobs 1), the same with a cold and a warm content cache, and large
templates: gallery-dense at 1, 4 and 16 MB, and 4 MB whose size is an unrelated resource or an
unread `variables` block.

Run: `make bench` (or `.venv/bin/python bench/bench.py [--count 1000] [--runs 5] [--quick]`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
REGIONS = ("eastus", "westeurope", "westus2")


def gallery_resources(i: int) -> list[dict]:
    """A gallery, an image definition and a version replicated to three regions."""
    gallery = f"gallery{i}"
    return [
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
                               for r in REGIONS],
             "replicaCount": 1},
             "storageProfile": {"source": {"id": f"/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/img{i}"}}}},
    ]


def template(i: int) -> dict:
    return {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": gallery_resources(i)}


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


def template_with_expressions(i: int) -> dict:
    """The same resources written the way real templates are: parameters with defaults,
    variables, string functions, resourceId(), dependsOn and a property copy loop."""
    return {
        "$schema": SCHEMA, "contentVersion": "1.0.0.0",
        "parameters": {
            "galleryName": {"type": "string", "defaultValue": f"gallery{i}"},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
            "regions": {"type": "array", "defaultValue": list(REGIONS)},
            "replicas": {"type": "int", "defaultValue": 2, "minValue": 1, "maxValue": 10},
            "osType": {"type": "string", "defaultValue": "Linux", "allowedValues": ["Linux", "Windows"]},
        },
        "variables": {
            "definitionName": "[concat(parameters('galleryName'), '-def')]",
            "version": f"[format('1.0.{{0}}', {i})]",
            "sku": "[toLower('22_04-LTS')]",
            "tags": {"owner": "[concat('team-', string(mod(" + str(i) + ", 7)))]", "env": "prod"},
        },
        "resources": [
            {"type": "Microsoft.Compute/galleries", "apiVersion": "2024-03-03",
             "name": "[parameters('galleryName')]", "location": "[parameters('location')]",
             "tags": "[variables('tags')]", "properties": {"description": "[format('images of {0}', parameters('galleryName'))]"}},
            {"type": "Microsoft.Compute/galleries/images", "apiVersion": "2024-03-03",
             "name": "[format('{0}/{1}', parameters('galleryName'), variables('definitionName'))]",
             "location": "[parameters('location')]",
             "dependsOn": ["[resourceId('Microsoft.Compute/galleries', parameters('galleryName'))]"],
             "properties": {"osType": "[parameters('osType')]", "osState": "Generalized", "hyperVGeneration": "V2",
                            "identifier": {"publisher": "Contoso", "offer": "[concat('offer', parameters('galleryName'))]",
                                           "sku": "[variables('sku')]"},
                            "features": [{"name": "SecurityType", "value": "TrustedLaunchSupported"}]}},
            {"type": "Microsoft.Compute/galleries/images/versions", "apiVersion": "2024-03-03",
             "name": "[concat(parameters('galleryName'), '/', variables('definitionName'), '/', variables('version'))]",
             "location": "[parameters('location')]",
             "dependsOn": ["[resourceId('Microsoft.Compute/galleries/images', parameters('galleryName'), variables('definitionName'))]"],
             "properties": {
                 "publishingProfile": {
                     "copy": [{"name": "targetRegions", "count": "[length(parameters('regions'))]",
                               "input": {"name": "[parameters('regions')[copyIndex('targetRegions')]]",
                                         "regionalReplicaCount": "[parameters('replicas')]",
                                         "storageAccountType": "Standard_ZRS"}}],
                     "replicaCount": 1,
                     "endOfLifeDate": "[dateTimeAdd('2030-01-01T00:00:00Z', 'P1Y')]"},
                 "storageProfile": {"source": {
                     "id": "[resourceId('Microsoft.Compute/images', concat('img', parameters('galleryName')))]"}}}},
        ],
    }


def parameters_file(i: int) -> dict:
    return {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
            "contentVersion": "1.0.0.0",
            "parameters": {"galleryName": {"value": f"pgallery{i}"}, "replicas": {"value": 3}}}


def large_gallery_dense(size: int) -> str:
    resources: list[dict] = []
    text = ""
    step = 200
    i = 0
    while len(text) < size:
        for _ in range(step):
            resources.extend(gallery_resources(i))
            i += 1
        text = json.dumps({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": resources}, indent=2)
    return text


def large_unrelated_resource(size: int) -> str:
    """One gallery beside one web app whose settings make up the size."""
    settings = [{"name": f"SETTING_{n}", "value": f"value-{n}-" + "x" * 40} for n in range(size // 80)]
    site = {"type": "Microsoft.Web/sites", "apiVersion": "2023-01-01", "name": "app", "location": "eastus",
            "properties": {"siteConfig": {"appSettings": settings}}}
    return json.dumps({"$schema": SCHEMA, "contentVersion": "1.0.0.0",
                       "resources": [gallery_resources(0)[0], site]}, indent=2)


def large_variables(size: int) -> str:
    """One gallery; the size is a `variables` block nothing reads."""
    variables = {f"var{n}": {"name": f"item-{n}", "tier": "[concat('tier-', string(" + str(n % 10) + "))]",
                             "padding": "y" * 30} for n in range(size // 110)}
    return json.dumps({"$schema": SCHEMA, "contentVersion": "1.0.0.0", "variables": variables,
                       "resources": [gallery_resources(0)[0]]}, indent=2)


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


AZCLI = """#!/usr/bin/env bash
set -euo pipefail
RG=myGalleryRG
GALLERY=benchGallery
az sig create -g "$RG" -r "$GALLERY" --location eastus --description "bench images"
az sig image-definition create -g "$RG" -r "$GALLERY" -i webTier --os-type Linux -p Contoso -f WebTier -s ubuntu-22_04 \\
   --hyper-v-generation V2 --features "SecurityType=TrustedLaunchSupported"
az sig image-version create -g "$RG" -r "$GALLERY" -i webTier -e 1.0.0 \\
   --managed-image "/subscriptions/0/resourceGroups/$RG/providers/Microsoft.Compute/images/web" \\
   --target-regions "eastus=2" westeurope=1=standard_zrs --replica-count 1
"""

PS1 = """$rg = 'myGalleryRG'
$gallery = 'benchPsGallery'
New-AzGallery -ResourceGroupName $rg -Name $gallery -Location 'East US' -Description 'bench images'
$features = @(
    @{Name = 'SecurityType'; Value = 'TrustedLaunchSupported'}
)
New-AzGalleryImageDefinition -ResourceGroupName $rg -GalleryName $gallery -Name 'webTier' -Location 'East US' `
   -Publisher 'Contoso' -Offer 'WebTier' -Sku 'ubuntu-22_04' -OsState Generalized -OsType Linux -Feature $features
$regions = @(@{Name = 'East US'; ReplicaCount = 2}, @{Name = 'West Europe'; ReplicaCount = 1})
New-AzGalleryImageVersion -ResourceGroupName $rg -GalleryName $gallery -GalleryImageDefinitionName 'webTier' `
   -Name '1.0.0' -Location 'East US' -TargetRegion $regions `
   -SourceImageId "/subscriptions/0/resourceGroups/$rg/providers/Microsoft.Compute/images/web"
"""


@dataclass
class Case:
    label: str
    cmd: list[str]
    target_s: float | None = None
    target_mib: float | None = None  # peak memory above start-up
    # Runs each with an empty cache folder (cold) or the given one, warmed before timing.
    cache: str | None = None  # None: --no-cache is in cmd; "cold"; or a folder
    runs: int | None = None
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system, the workers included
    rss: list[int] = field(default_factory=list)  # KiB


def run_once(case: Case, env: dict[str, str], scratch: str) -> None:
    env = dict(env)
    if case.cache == "cold":
        folder = tempfile.mkdtemp(prefix="cold-", dir=scratch)
        env["SIGCHECK_CACHE_DIR"] = folder
    elif case.cache is not None:
        env["SIGCHECK_CACHE_DIR"] = case.cache
    start = time.perf_counter()
    proc = subprocess.Popen(case.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    case.times.append(time.perf_counter() - start)
    proc.returncode = os.waitstatus_to_exitcode(status)
    case.rss.append(usage.ru_maxrss)
    case.cpu.append(usage.ru_utime + usage.ru_stime)
    if case.cache == "cold":
        shutil.rmtree(env["SIGCHECK_CACHE_DIR"], ignore_errors=True)


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    if value <= target:
        return f"  target <= {target:g}: met"
    return f"  target <= {target:g}: MISSED by {value - target:.2f} ({value / target:.1f}x)"


def generate(work: str, count: int, quick: bool) -> None:
    """Every input of the benchmark, written under `work`."""
    plain, expr = os.path.join(work, "plain"), os.path.join(work, "expressions")
    bicep = os.path.join(work, "bicep")
    os.makedirs(plain)
    os.makedirs(expr)
    os.makedirs(bicep)
    for i in range(count):
        with open(os.path.join(plain, f"t{i:04d}.json"), "w", encoding="utf-8") as handle:
            json.dump(template(i), handle, indent=2)
        with open(os.path.join(expr, f"t{i:04d}.json"), "w", encoding="utf-8") as handle:
            json.dump(template_with_expressions(i), handle, indent=2)
        with open(os.path.join(bicep, f"t{i:04d}.bicep"), "w", encoding="utf-8") as handle:
            handle.write(bicep_template(i))
        if i % 4 == 0:
            with open(os.path.join(expr, f"t{i:04d}.parameters.json"), "w", encoding="utf-8") as handle:
                json.dump(parameters_file(i), handle, indent=2)

    def write(name: str, text: str) -> None:
        with open(os.path.join(work, name), "w", encoding="utf-8") as handle:
            handle.write(text)

    write("one.json", json.dumps(template(0), indent=2))
    write("one.azcli", AZCLI)
    write("one.ps1", PS1)
    mb = 1024 * 1024
    for n in (1, 4) if quick else (1, 4, 16):
        write(f"dense-{n}mb.json", large_gallery_dense(n * mb))
    write("unrelated-4mb.json", large_unrelated_resource(4 * mb))
    os.makedirs(os.path.join(work, "terraform"))
    terraform_module(os.path.join(work, "terraform"))
    write("variables-4mb.json", large_variables(4 * mb))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="skip the 16 MB template")
    parser.add_argument("--generate", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(args.generate, args.count, args.quick)
        return 0
    bindir = os.path.dirname(sys.executable)
    sigcheck = shutil.which("sigcheck", path=bindir) or "sigcheck"
    # Measure what users run: an installed package has its bytecode compiled at install time, so
    # compile it here too and let Python use it (some shells export PYTHONDONTWRITEBYTECODE).
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "SIGCHECK_CACHE_DIR")}
    subprocess.run([sys.executable, "-m", "compileall", "-q", os.path.join(ROOT, "sigcheck")], check=False, env=env,
                   stdout=subprocess.DEVNULL)
    work = tempfile.mkdtemp(prefix="sigcheck-bench-")
    try:
        # Generated by a child process: the peak memory the kernel reports for a command includes
        # that of the process it was started from, so this one must stay small.
        subprocess.run([sys.executable, __file__, "--generate", work, "--count", str(args.count),
                        *(["--quick"] if args.quick else [])], check=True)
        plain, expr = os.path.join(work, "plain"), os.path.join(work, "expressions")
        one, azcli, ps1 = (os.path.join(work, name) for name in ("one.json", "one.azcli", "one.ps1"))
        sizes = (1, 4) if args.quick else (1, 4, 16)
        dense = {n: os.path.join(work, f"dense-{n}mb.json") for n in sizes}
        unrelated = os.path.join(work, "unrelated-4mb.json")
        variables = os.path.join(work, "variables-4mb.json")
        warm = os.path.join(work, "warm-cache")

        check = [sigcheck, "check"]
        nc = [*check, "--no-cache"]
        cases = [
            Case("python -c pass (the floor)", [sys.executable, "-c", "pass"]),
            Case("start-up: sigcheck --version", [sigcheck, "--version"]),
            Case("one small template", [*nc, one], target_s=0.12),
            Case("one .azcli script", [*nc, azcli], target_s=0.15),
            Case("one .ps1 script", [*nc, ps1], target_s=0.15),
            Case("Terraform directory of 50 files (one module)", [*nc, os.path.join(work, "terraform")]),
            Case(f"{args.count} plain templates, default --jobs", [*nc, plain]),
            Case(f"{args.count} templates with expressions, default --jobs", [*nc, expr], target_s=1.5),
            Case(f"{args.count} templates with expressions, --jobs 1", [*nc, "--jobs", "1", expr]),
            Case(f"{args.count} Bicep templates, default --jobs", [*nc, os.path.join(work, "bicep")]),
            Case(f"{args.count} templates with expressions, cold cache", [*check, expr], cache="cold"),
            Case(f"{args.count} templates with expressions, warm cache", [*check, expr], cache=warm, target_s=0.4),
            *(Case(f"gallery-dense template, {n} MB", [*nc, dense[n]],
                   target_s=3.0 if n == 4 else None, target_mib=60 if n == 4 else None,
                   runs=max(1, args.runs // 2) if n == 16 else None) for n in sizes),
            Case("4 MB template: one unrelated resource", [*nc, unrelated], target_s=0.6),
            Case("4 MB template: large variables block", [*nc, variables], target_s=0.6),
        ]
        # Warm the page cache, and the content cache of the warm case.
        warm_env = dict(env, SIGCHECK_CACHE_DIR=warm)
        subprocess.run([*check, expr], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=warm_env)
        subprocess.run([*nc, one, plain], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        load_before = os.getloadavg()
        started = time.perf_counter()
        for r in range(args.runs):
            for case in cases:
                if r < (case.runs or args.runs):
                    run_once(case, env, work)
        elapsed = time.perf_counter() - started
        load_after = os.getloadavg()

        cpu = "?"
        try:
            with open("/proc/cpuinfo", encoding="utf-8") as handle:
                cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "?")
        except OSError:
            pass
        base_rss = statistics.median(cases[1].rss) / 1024
        print(f"machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}")
        print(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}; "
              f"after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}; {elapsed:.0f} s of runs")
        print(f"medians of {args.runs} interleaved runs (16 MB: {max(1, args.runs // 2)}); wall time, with min/max and "
              "the CPU time (user + system, worker processes included); memory = peak RSS")
        print()
        width = max(len(c.label) for c in cases)
        for case in cases:
            median = statistics.median(case.times)
            peak = statistics.median(case.rss) / 1024
            cpu = statistics.median(case.cpu)
            line = (f"{case.label:<{width}}  {median:7.3f} s  (min {min(case.times):.3f}, max {max(case.times):.3f}; "
                    f"cpu {cpu:.3f} s)  peak {peak:6.1f} MiB")
            if case is not cases[0] and case is not cases[1]:
                line += f" (+{peak - base_rss:.1f} above start-up)"
            if "templates" in case.label and case.label[0].isdigit():
                line += f"  {args.count / median:,.0f} templates/s"
            line += verdict(median, case.target_s)
            if case.target_mib is not None:
                line += verdict(peak - base_rss, case.target_mib).replace("target", "memory target")
            print(line)
        # The per-file budget (5 s of work) stops a file that takes longer: its figures are then
        # those of a partial check. Say so rather than let a truncated run look fast.
        for case in cases:
            if case.label.startswith(("gallery-dense", "4 MB")):
                out = subprocess.run(case.cmd, capture_output=True, text=True, env=env).stdout
                if "checking stopped" in out or "not fully evaluated" in out:
                    print(f"note: {case.label}: the file's time budget ran out (SIG001) in a run after the timed ones; "
                          "its figures are those of a partial check")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
