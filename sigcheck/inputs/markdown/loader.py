"""Markdown (`.md`): fenced code blocks that hold gallery commands or resources.

`azurecli`/`bash`/`sh` blocks are read as az CLI scripts, `powershell`/`azurepowershell` blocks
as PowerShell, `json` blocks as REST API examples, ARM templates or single ARM resources, and
`http` blocks as REST requests — a request line in an `http` block followed by a `json` block
makes one request, as documentation pages write them. Each block is handed to its loader as a
part of the file that starts at the block's line, so every location points into the Markdown file
and a page of thousands of blocks costs no more than their text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module

from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile
from sigcheck.inputs.recognize import powershell_has_gallery_command, shell_has_gallery_command

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
_SHELL = {"azurecli", "azurecli-interactive", "azure-cli", "azcli", "bash", "sh", "shell", "zsh", "console", "terminal"}
_POWERSHELL = {"powershell", "azurepowershell", "azurepowershell-interactive", "pwsh", "ps1", "ps", "posh"}
_JSON = {"json", "jsonc", "json5"}
_HTTP = {"http", "rest", "https"}
# Script blocks: the reader (imported when a block needs it) and the test that a block is worth reading.
_SCRIPT_READERS = {
    "shell": ("sigcheck.inputs.scripts.shell", shell_has_gallery_command),
    "powershell": ("sigcheck.inputs.scripts.powershell", powershell_has_gallery_command),
}


@dataclass
class Block:
    kind: str  # shell | powershell | json | http
    start: int  # offset of the first content character
    end: int  # offset after the last content character
    first_line: int  # 1-based line of the first content line


def blocks(text: str) -> list[Block]:
    out: list[Block] = []
    lines = text.splitlines(keepends=True)
    pos = 0
    i = 0
    offsets = []
    for line in lines:
        offsets.append(pos)
        pos += len(line)
    offsets.append(pos)
    while i < len(lines):
        match = _FENCE.match(lines[i].rstrip("\r\n"))
        if match is None:
            i += 1
            continue
        fence = match.group("fence")
        info = match.group("info").strip().split()
        language = info[0].lower().strip("{}.") if info else ""
        j = i + 1
        while j < len(lines):
            closing = lines[j].strip()
            if closing.startswith(fence[0] * len(fence)) and set(closing) <= {fence[0]}:
                break
            j += 1
        kind = _kind(language)
        if kind is not None and j > i + 1:
            end = offsets[j] if j < len(lines) else offsets[-1]
            # Drop the line break before the closing fence.
            content_end = end
            while content_end > offsets[i + 1] and text[content_end - 1] in "\r\n":
                content_end -= 1
            out.append(Block(kind, offsets[i + 1], content_end, i + 2))
        i = j + 1
    return out


def _kind(language: str) -> str | None:
    if language in _SHELL:
        return "shell"
    if language in _POWERSHELL:
        return "powershell"
    if language in _JSON:
        return "json"
    if language in _HTTP:
        return "http"
    return None


def _part(text: str, pieces: list[tuple[int, int]]) -> str:
    """The text from the first piece to the end of the last, what lies between them blanked
    (line breaks kept, so positions hold). Pieces start at the beginning of a line."""
    out = []
    pos = pieces[0][0]
    for start, end in pieces:
        out.append(re.sub(r"[^\r\n]", " ", text[pos:start]))
        out.append(text[start:end])
        pos = end
    return "".join(out)


class _Reader:
    def load(self, source: SourceFile, options: LoadOptions) -> LoadResult:
        result = LoadResult()
        text = source.text
        found = blocks(text)
        i = 0
        while i < len(found):
            block = found[i]
            content = text[block.start:block.end]
            part = SourceFile(source.path, content, block.first_line)
            try:
                if block.kind == "http":
                    pieces = [(block.start, block.end)]
                    if _request_without_body(content) and i + 1 < len(found) and found[i + 1].kind == "json":
                        following = found[i + 1]
                        pieces.append((following.start, following.end))
                        i += 1
                    self._http(SourceFile(source.path, _part(text, pieces), block.first_line), options, result)
                elif block.kind in _SCRIPT_READERS:
                    self._script(block.kind, part, options, result)
                elif block.kind == "json":
                    self._json(part, options, result)
            except RecursionError:  # pragma: no cover - a pathological block
                pass
            i += 1
        result.relevant = bool(result.resources or result.findings)
        return result

    @staticmethod
    def _merge(result: LoadResult, part: LoadResult) -> None:
        result.resources.extend(part.resources)
        result.findings.extend(part.findings)
        result.comments.extend(part.comments)

    def _http(self, part: SourceFile, options: LoadOptions, result: LoadResult) -> None:
        from sigcheck.inputs.rest import http as rest

        if "galleries" not in part.text.lower():
            return
        self._merge(result, rest.load(part, options))

    def _script(self, kind: str, part: SourceFile, options: LoadOptions, result: LoadResult) -> None:
        module, has_gallery_command = _SCRIPT_READERS[kind]
        if has_gallery_command(part.text):
            self._merge(result, import_module(module).load(part, options))

    def _json(self, part: SourceFile, options: LoadOptions, result: LoadResult) -> None:
        from sigcheck.inputs.rest import examples as rest_examples
        from sigcheck.inputs.recognize import is_rest_example

        path, content = part.path, part.text
        lowered = content.lower()
        if is_rest_example(path + ".json", content):
            self._merge(result, rest_examples.load(part, options))
            return
        if "microsoft.compute/galleries" not in lowered:
            return
        from sigcheck.inputs.arm import loader as arm
        from sigcheck.syntax.jsonc import JsonSyntaxError, Node, parse

        loader = arm.ArmLoader()
        if loader.claims(path + ".json", content):
            self._merge(result, loader.load(part, options))
            return
        # A single resource (or a list of them), as documentation pages show them.
        try:
            doc = parse(content, path, part.first_line)
        except JsonSyntaxError:
            return  # a fragment with `...` elisions: documentation, not a resource to check
        root = doc.root
        if root is None:
            return
        resources = [root] if root.is_object else [r for r in root.value if r.is_object] if root.is_array else []
        if not any(r.get_ci("type") is not None and r.get_ci("apiVersion") is not None for r in resources):
            return
        template = Node({"resources": Node(resources, root.span)}, root.span, {"resources": root.span})
        from sigcheck.inputs.arm.nodes import Reporter, NodeEvaluator
        from sigcheck.inputs.arm.normalize import resources_from_template

        reporter = Reporter(budget=options.budget)
        evaluator = NodeEvaluator.for_template(template, path, reporter, {}, arm._eval_target(options.context))
        found = resources_from_template(template, path, evaluator, options.context)
        result.comments.extend(doc.comments)
        result.findings.extend(reporter.findings)
        result.resources.extend(found)


def _request_without_body(content: str) -> bool:
    """An http block that is only a request line (and headers): its body is the next json block."""
    lines = [line for line in content.splitlines() if line.strip() and not line.lstrip().startswith(("#", "//"))]
    if not lines:
        return False
    first = lines[0].split()
    if not first or first[0].upper() not in ("PUT", "PATCH"):
        return False
    return not any(line.lstrip().startswith(("{", "[")) for line in lines[1:])


def load(source: SourceFile, options: LoadOptions) -> LoadResult:
    """The resources and findings of the gallery code blocks of one Markdown file."""
    return _Reader().load(source, options)
