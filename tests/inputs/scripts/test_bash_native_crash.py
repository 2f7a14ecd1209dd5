"""A native crash the fuzzing harness found (`make fuzz`, December 2026): tree-sitter-bash 0.25.1
(tree-sitter 0.26.1) ends the process with a segmentation fault, intermittently, on this az CLI script, mutated
from fixtures/SIG701, with characters of the supplementary planes inside an option name. A
segfault cannot be caught in Python, so the check runs in a subprocess; the test is expected to
fail until the grammar is fixed or sigcheck isolates the parser (reported as left to do)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

CRASH = b'# docs: az sig image-definition create, run once per definition\naz sig image-definition create --resource-group myGalleryRG --gal]lery-name sig701CliGallery \\\n   -\\"-gallery-image-definition ubuntu2204 --publisher Contoso --offer UbuntuServer --sku 22_04-lts-gen2 --os-type Linux\n\naz sig image-definition create --resource-group myGalleryRG --galle\xf4\x87\xb6\xb4\xf2\x83\xb1\xb9\xc3\x94{\xf0\x9e\xbc\xb5\xf3\x95\xb1\x8e\xf3\x9c\xae\x98\xc3\x9f\xc2\x81\xc2\xb5b\xf4\x8d\xbf\x84ry-name sig701CliPUT Gallery \\\n   --gallery-image-definition ubuntu2204-arm64 --architecture Arm64 --os-type Linux \\\n   --publisher ConPUT toso --offer UbuntuServer --skuTrue 22_04-lts-gen2 # expect: SIG701\n'


@pytest.mark.xfail(reason="tree-sitter-bash segfaults on this input (native crash, not yet isolated)", strict=False)
def test_the_bash_parser_does_not_crash_the_run(tmp_path: Path) -> None:
    script = tmp_path / "crash.azcli"
    script.write_bytes(CRASH)
    # The crash is intermittent (about one run in two here): memory read past a buffer.
    codes = [subprocess.run([sys.executable, "-m", "sigcheck", "check", str(script)], cwd=REPO,
                            capture_output=True, timeout=60, check=False).returncode for _ in range(6)]
    assert all(code in (0, 1) for code in codes), codes
