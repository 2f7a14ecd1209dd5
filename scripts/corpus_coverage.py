"""How much of a corpus sigcheck can see: gallery resources whose names, location and target
regions are fully known (not UNKNOWN). Used to measure the ARM evaluator.

Run: `.venv/bin/python scripts/corpus_coverage.py ../shared/corpus/arm [--location westus2]`
"""

from __future__ import annotations

import argparse
import sys

from sigcheck.engine.run import Engine, Options, discover
from sigcheck.syntax.located import Located, Span
from sigcheck.model import resources as m
from sigcheck.engine.registry import default_registry


def _known(item: Located | None) -> bool:
    return item is not None and item.known


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--location")
    args = parser.parse_args()
    context = m.DeploymentContext()
    if args.location:
        context = m.DeploymentContext(location=Located(args.location, Span("<--location>", 1, 1, 1, 1)))
    engine = Engine(default_registry(), Options(context=context))
    files, _ = discover(args.paths)
    counts = {"resources": 0, "names": 0, "location": 0, "versions": 0, "target_regions": 0, "all": 0}
    for path in files:
        loaded = engine.load_file(path)
        if loaded is None or not getattr(loaded, "relevant", True):
            continue
        for res in loaded.resources:
            if res.type_name not in m.GALLERY_TYPES or res.is_response:
                continue
            counts["resources"] += 1
            names = bool(res.names) and all(n.known for n in res.names)
            location = _known(res.effective_location)
            regions = True
            if isinstance(res, (m.ImageVersion, m.ApplicationVersion)):
                counts["versions"] += 1
                regions = res.target_regions is not None and all(r.name.known for r in res.target_regions)
                counts["target_regions"] += regions
            counts["names"] += names
            counts["location"] += location
            counts["all"] += names and location and regions
    print(
        f"{counts['resources']} gallery resources: names known {counts['names']}, location known "
        f"{counts['location']}, target regions known {counts['target_regions']} of {counts['versions']} versions; "
        f"all three known: {counts['all']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
