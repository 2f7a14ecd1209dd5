"""Markdown (`.md`): fenced code blocks that hold gallery commands or resources.

`azurecli`/`bash`/`sh` blocks are read as az CLI scripts, `powershell`/`azurepowershell` blocks
as PowerShell, `json` blocks as REST API examples, ARM templates or single ARM resources, and
`bicep` blocks as Bicep templates, `http` blocks as REST requests — a request line in an `http` block followed by a `json` block
makes one request, as documentation pages write them. Each block is handed to its loader as a
text in which everything but the block is blank, so every location points into the Markdown file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
_SHELL = {"azurecli", "azurecli-interactive", "azure-cli", "azcli", "bash", "sh", "shell", "zsh", "console", "terminal"}
_POWERSHELL = {"powershell", "azurepowershell", "azurepowershell-interactive", "pwsh", "ps1", "ps", "posh"}
_JSON = {"json", "jsonc", "json5"}
_HTTP = {"http", "rest", "https"}


@dataclass
class Block:
    kind: str  # shell | powershell | json | http | bicep
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
    if language == "bicep":
        return "bicep"
    if language in _HTTP:
        return "http"
    return None


def _masked(text: str, pieces: list[tuple[int, int]]) -> str:
    """`text` with everything outside `pieces` blanked, line breaks kept (so positions hold)."""
    out = []
    pos = 0
    for start, end in pieces:
        out.append(re.sub(r"[^\r\n]", " ", text[pos:start]))
        out.append(text[start:end])
        pos = end
    out.append(re.sub(r"[^\r\n]", " ", text[pos:]))
    return "".join(out)


def _fast_masked(text: str, start: int, end: int) -> str:
    """A cheaper mask for one piece: only the lines before it matter to positions."""
    before = text[:start]
    line_start = before.rfind("\n") + 1
    return "\n" * before.count("\n") + " " * (start - line_start) + text[start:end]


class _Reader:
    def load(self, source: SourceFile, options: LoadOptions) -> LoadResult:
        result = LoadResult()
        text = source.text
        found = blocks(text)
        i = 0
        while i < len(found):
            block = found[i]
            content = text[block.start:block.end]
            try:
                if block.kind == "http":
                    pieces = [(block.start, block.end)]
                    if _request_without_body(content) and i + 1 < len(found) and found[i + 1].kind == "json":
                        following = found[i + 1]
                        pieces.append((following.start, following.end))
                        i += 1
                    self._http(text, pieces, source.path, options, result)
                elif block.kind == "shell":
                    self._shell(text, block, content, source.path, options, result)
                elif block.kind == "powershell":
                    self._powershell(text, block, content, source.path, options, result)
                elif block.kind == "json":
                    self._json(text, block, content, source.path, options, result)
                elif block.kind == "bicep":
                    self._bicep(text, block, content, source.path, options, result)
            except RecursionError:  # pragma: no cover - a pathological block
                pass
            i += 1
        result.relevant = bool(result.resources or result.findings)
        return result

    def _bicep(self, text: str, block: Block, content: str, path: str, options: LoadOptions, result: LoadResult) -> None:
        if "microsoft.compute/" not in content.lower():
            return
        from sigcheck.inputs.bicep import loader as bicep

        part = bicep.load(SourceFile(path, _fast_masked(text, block.start, block.end)), options)
        if not part.relevant or not part.resources:
            return  # a fragment (`...` elisions) or no gallery resource: documentation, not a template
        self._merge(result, part)

    @staticmethod
    def _merge(result: LoadResult, part: LoadResult) -> None:
        result.resources.extend(part.resources)
        result.findings.extend(part.findings)
        result.comments.extend(part.comments)

    def _http(self, text: str, pieces: list[tuple[int, int]], path: str, options: LoadOptions, result: LoadResult) -> None:
        from sigcheck.inputs.rest import http as rest

        joined = "".join(text[a:b] for a, b in pieces).lower()
        if "galleries" not in joined:
            return
        masked = _masked(text, pieces) if len(pieces) > 1 else _fast_masked(text, *pieces[0])
        self._merge(result, rest.load(SourceFile(path, masked), options))

    def _shell(self, text: str, block: Block, content: str, path: str, options: LoadOptions, result: LoadResult) -> None:
        from sigcheck.inputs.scripts import shell

        if not shell.has_gallery_command(content):
            return
        part = LoadResult()
        shell.load_script(_fast_masked(text, block.start, block.end), path, options, part)
        self._merge(result, part)

    def _powershell(self, text: str, block: Block, content: str, path: str, options: LoadOptions, result: LoadResult) -> None:
        from sigcheck.inputs.scripts import powershell

        if not powershell.has_gallery_command(content):
            return
        part = LoadResult()
        powershell.load_script(_fast_masked(text, block.start, block.end), path, options, part)
        self._merge(result, part)

    def _json(self, text: str, block: Block, content: str, path: str, options: LoadOptions, result: LoadResult) -> None:
        from sigcheck.inputs.rest import examples as rest_examples
        from sigcheck.inputs.recognize import is_rest_example

        lowered = content.lower()
        masked = _fast_masked(text, block.start, block.end)
        if is_rest_example(path + ".json", content):
            self._merge(result, rest_examples.load(SourceFile(path, masked), options))
            return
        if "microsoft.compute/galleries" not in lowered:
            return
        from sigcheck.inputs.arm import loader as arm
        from sigcheck.syntax.jsonc import JsonSyntaxError, Node, parse

        loader = arm.ArmLoader()
        if loader.claims(path + ".json", content):
            self._merge(result, loader.load(SourceFile(path, masked), options))
            return
        # A single resource (or a list of them), as documentation pages show them.
        try:
            doc = parse(masked, path)
        except JsonSyntaxError:
            return  # a fragment with `...` elisions: documentation, not a resource to check
        root = doc.root
        if root is None:
            return
        resources = [root] if root.is_object else [r for r in root.value if r.is_object] if root.is_array else []
        if not any(r.get_ci("type") is not None and r.get_ci("apiVersion") is not None for r in resources):
            return
        template = Node({"resources": Node(resources, root.span)}, root.span, {"resources": root.span})
        from sigcheck.inputs.arm.scope import Reporter, TemplateScope
        from sigcheck.inputs.arm.normalize import resources_from_template

        reporter = Reporter()
        scope = TemplateScope.for_template(template, path, reporter, {}, arm._eval_context(options.context))
        found = resources_from_template(template, path, scope, options.context)
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
