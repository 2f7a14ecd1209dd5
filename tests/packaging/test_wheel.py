"""A regular (non-editable) install carries everything a run needs: every module and the fact data."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_wheel_carries_modules_and_rules_data(tmp_path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), ROOT],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    wheel = next(p for p in os.listdir(tmp_path) if p.endswith(".whl"))
    names = set(zipfile.ZipFile(tmp_path / wheel).namelist())
    for folder, package in (("sigcheck", "sigcheck"), ("rules", "sigcheck/data"), ("docs/rules", "sigcheck/docs")):
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, folder)):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for filename in filenames:
                if not filename.endswith((".py", ".json", ".md")):
                    continue
                relative = os.path.relpath(os.path.join(dirpath, filename), os.path.join(ROOT, folder))
                assert f"{package}/{relative}".replace(os.sep, "/") in names, f"{folder}/{relative} is not in the wheel"
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(tmp_path / wheel).read(entry_points).decode()
    assert "[sigcheck]" in text and "[console_scripts]" in text
