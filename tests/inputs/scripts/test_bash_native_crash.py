"""A native crash the fuzzing harness found (`make fuzz`, December 2026): tree-sitter-bash 0.25.1
(every release so far) ends the process with a segmentation fault on a script where a character
above U+00FF follows `{` (or `{12`, `{1..`): the external scanner's brace-range look-ahead hands it
to C's isdigit(), which reads far past its 384-entry table; whether that read faults depends on
where memory happens to lie, so an unguarded run dies in one run of two or more. sigcheck feeds
the parser a stand-in of the same byte length there (`treesitter.bash_scanner_safe`).

The input is deterministic, the crash is not: address-space randomisation decides whether the page
the read lands on is mapped (in about one process layout of three, all 2.2 MB the read can reach
are mapped, and nothing can crash). A segfault (or a bus error) cannot be caught in Python, so the
end-to-end test runs sigcheck in six subprocesses on three inputs; unguarded, each run died in
about half the runs here (measured: `[-11, 1, 1, -11]`, `[-11, 1, -11, -11]`), so an unguarded
parser passes six runs about once in a hundred times."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO
from sigcheck.syntax import treesitter

# The fuzzer's input (fixtures/SIG701 mutated): `{` then U+1EF35, among other planes' characters.
FUZZED = b'# docs: az sig image-definition create, run once per definition\naz sig image-definition create --resource-group myGalleryRG --gal]lery-name sig701CliGallery \\\n   -\\"-gallery-image-definition ubuntu2204 --publisher Contoso --offer UbuntuServer --sku 22_04-lts-gen2 --os-type Linux\n\naz sig image-definition create --resource-group myGalleryRG --galle\xf4\x87\xb6\xb4\xf2\x83\xb1\xb9\xc3\x94{\xf0\x9e\xbc\xb5\xf3\x95\xb1\x8e\xf3\x9c\xae\x98\xc3\x9f\xc2\x81\xc2\xb5b\xf4\x8d\xbf\x84ry-name sig701CliPUT Gallery \\\n   --gallery-image-definition ubuntu2204-arm64 --architecture Arm64 --os-type Linux \\\n   --publisher ConPUT toso --offer UbuntuServer --skuTrue 22_04-lts-gen2 # expect: SIG701\n'
# Each form the scanner reads: after `{`, after `{digits`, after `{digits..`, after `{digits..digits`;
# one character of every plane, so that one of the reads lands on an unmapped page.
PLANES = " ".join(f"{opening}{chr(0x10000 * plane + 0x4E2D)}" for plane in range(1, 17)
                  for opening in ("{", "{12", "{1..", "{1..9"))
MINIMAL = f"az sig create --resource-group rg --gallery-name g --tags t=\\{{\U000D5C4E {PLANES}\naz sig create --location\n"
MARKDOWN = f"# Gallery\n\n```azurecli\necho {{\U0010FFFF {PLANES}\naz sig create --resource-group rg --gallery-name\n```\n"


def test_a_character_the_scanner_mishandles_is_fed_as_a_stand_in_of_the_same_length() -> None:
    text = "echo {\u0101 {12\u4e2d {1..\U0001F600 {1..9\U0010FFFF {\u00e9 {x\u4e2d \u4e2d{ {1.\u4e2d\n"
    data = text.encode("utf-8")
    fed = treesitter.bash_scanner_safe(text, data)
    assert len(fed) == len(data)
    assert fed.decode("utf-8") == "echo {é {12ée {1..éé {1..9éé {\u00e9 {x\u4e2d \u4e2d{ {1.\u4e2d\n"
    # Nothing above U+00FF is left where the scanner looks.
    assert not re.search(r"\{[0-9]*(?:\.\.[0-9]*)?[^\x00-\xff]", fed.decode("utf-8"))
    # ASCII and harmless text are passed through as they are (the same object: no copy).
    assert treesitter.bash_scanner_safe("echo {1..5}\n", b"echo {1..5}\n") == b"echo {1..5}\n"
    plain = "echo \u4e2d\n".encode("utf-8")
    assert treesitter.bash_scanner_safe("echo \u4e2d\n", plain) is plain


def test_positions_after_a_stand_in_are_the_real_texts() -> None:
    text = "echo {\U0001F600 \u4e2d{x\naz sig create --location\n"
    tree, offsets = treesitter.parse("bash", text)
    words = [offsets.node_text(n) for n in treesitter.walk(tree.root_node) if n.type == "word"]
    assert "{\U0001F600" in words or any("\U0001F600" in w for w in words)
    assert "--location" in words


def test_the_bash_parser_does_not_crash_the_run(tmp_path: Path) -> None:
    fuzzed = tmp_path / "fuzzed.azcli"
    fuzzed.write_bytes(FUZZED)
    (tmp_path / "minimal.azcli").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "README.md").write_text(MARKDOWN, encoding="utf-8")
    runs = [subprocess.run([sys.executable, "-m", "sigcheck", "check", "--no-cache", str(tmp_path)], cwd=REPO,
                           capture_output=True, text=True, timeout=60, check=False) for _ in range(6)]
    assert [run.returncode for run in runs] == [1] * 6, [(run.returncode, run.stderr[-500:]) for run in runs]
    assert all(run.stderr == "" for run in runs)
    out = runs[0].stdout
    # The fuzzed script gets what the unguarded parser gave it in the runs it survived.
    assert f"{fuzzed}:5:61: SIG003 [error] unrecognized argument '--galle" in out
    assert f"{fuzzed}:7:49: SIG003 [error] unrecognized argument '--skuTrue'" in out
    assert out.count(f"{fuzzed}:") == 7
    # Findings after the stand-ins are on their own line and column, in a script and a Markdown block.
    assert f"{tmp_path / 'minimal.azcli'}:2:15: SIG003 [error] argument --location/-l: expected one argument" in out
    assert f"{tmp_path / 'README.md'}:5:35: SIG003 [error] argument -r/--gallery-name: expected one argument" in out
