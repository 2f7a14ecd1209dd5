"""gitignore-style globs for `exclude` and `per-path-ignores`."""

from __future__ import annotations

import pytest

from sigcheck.engine.globs import Glob, GlobSet


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "expected"),
    [
        ("*.parameters.json", "a.parameters.json", False, True),
        ("*.parameters.json", "deep/down/a.parameters.json", False, True),  # no slash: any depth
        ("*.parameters.json", "a.json", False, False),
        ("/top.json", "top.json", False, True),
        ("/top.json", "sub/top.json", False, False),  # a leading slash anchors
        ("legacy/*.json", "legacy/a.json", False, True),
        ("legacy/*.json", "x/legacy/a.json", False, False),  # a middle slash anchors too
        ("legacy/*.json", "legacy/sub/a.json", False, False),  # * does not cross folders
        ("legacy/**/*.json", "legacy/sub/deeper/a.json", False, True),
        ("**/generated/*.json", "a/b/generated/x.json", False, True),
        ("**/generated/*.json", "generated/x.json", False, True),
        ("build/", "build", True, True),
        ("build/", "build", False, False),  # a trailing slash: directories only
        ("build/", "build/out.json", False, True),  # ...and what is below them
        ("vendor", "x/vendor/lib/a.json", False, True),
        ("a?.json", "ab.json", False, True),
        ("a?.json", "a/.json", False, False),
        ("[ab].json", "b.json", False, True),
        ("[!ab].json", "b.json", False, False),
        ("[!ab].json", "c.json", False, True),
    ],
)
def test_glob(pattern: str, path: str, is_dir: bool, expected: bool) -> None:
    assert Glob(pattern).matches(path, is_dir) is expected


def test_last_matching_pattern_wins_and_negation_reincludes() -> None:
    globs = GlobSet(["*.json", "!keep.json", "# a comment", ""])
    assert globs.matches("x/a.json")
    assert not globs.matches("x/keep.json")
    assert not GlobSet([])
