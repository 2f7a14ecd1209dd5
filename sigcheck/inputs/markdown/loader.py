"""Markdown (`.md`): fenced code blocks that hold gallery commands or resources.

`azurecli`/`bash`/`sh` blocks are read as az CLI scripts, `powershell`/`azurepowershell` blocks
as PowerShell, `json` blocks as REST API examples, ARM templates or single ARM resources, and
`bicep` blocks as Bicep templates, `http` blocks as REST requests, `hcl`/`terraform`/`tf` blocks together as one Terraform module — a request line in an `http` block followed by a `json` block
makes one request, as documentation pages write them. Each block is handed to its loader as a
part of the file that starts at the block's line, so every location points into the Markdown file
and a page of thousands of blocks costs no more than their text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module

from sigcheck.inputs.api import LoadOptions, LoadResult, SourceFile
from sigcheck.inputs.markdown import layout
from sigcheck.inputs.recognize import powershell_has_gallery_command, shell_has_gallery_command
from sigcheck.model.diagnostics import PARSE_ERROR
from sigcheck.model.findings import Severity
from sigcheck.syntax.text import LineIndex, split_lines

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)$")
# Script blocks: the reader (imported when a block needs it) and the test that a block is worth reading.
_SCRIPT_READERS = {
    "shell": ("sigcheck.inputs.scripts.shell", shell_has_gallery_command),
    "powershell": ("sigcheck.inputs.scripts.powershell", powershell_has_gallery_command),
}


@dataclass
class Block:
    kind: str  # shell | powershell | json | http | hcl | bicep, or "" for a block sigcheck does not read
    start: int  # offset of the first content character
    end: int  # offset after the last content character
    first_line: int  # 1-based line of the first content line
    language: str = ""  # the tag as written


def blocks(text: str) -> list[Block]:
    """Every fenced block with content, with the kind it holds (layout.kind_of)."""
    out: list[Block] = []
    lines = split_lines(text, keepends=True)
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
        if j > i + 1:
            end = offsets[j] if j < len(lines) else offsets[-1]
            # Drop the line break before the closing fence.
            content_end = end
            while content_end > offsets[i + 1] and text[content_end - 1] in "\r\n":
                content_end -= 1
            kind = layout.kind_of(language, text[offsets[i + 1]:content_end])
            out.append(Block(kind or "", offsets[i + 1], content_end, i + 2, language))
        i = j + 1
    covered = [(b.start, b.end) for b in out]
    out.extend(_indented_blocks(text, lines, offsets, covered))
    out.sort(key=lambda b: b.start)
    return out


def _indented_blocks(text: str, lines: list[str], offsets: list[int], covered: list[tuple[int, int]]) -> list[Block]:
    """Indented code blocks (four spaces or a tab, after a blank line) that hold gallery commands;
    older pages write commands that way. Only commands are read from them, judged by content."""
    out: list[Block] = []
    i = 0
    while i < len(lines):
        starts_block = (i == 0 or not lines[i - 1].strip()) and lines[i].startswith(("    ", "\t")) and lines[i].strip()
        if not starts_block or any(a - 8 <= offsets[i] < b + 8 for a, b in covered):
            i += 1
            continue
        j = i
        while j < len(lines) and (lines[j].startswith(("    ", "\t")) or not lines[j].strip()):
            if _FENCE.match(lines[j].rstrip("\r\n")):
                break
            j += 1
        while j > i and not lines[j - 1].strip():
            j -= 1
        end = offsets[j]
        while end > offsets[i] and text[end - 1] in "\r\n":
            end -= 1
        content = text[offsets[i]:end]
        kind = layout.detect(content)
        if kind in ("shell", "powershell") and not layout.is_synopsis(content):
            out.append(Block(kind, offsets[i], end, i + 1, "(indented)"))
        i = max(j, i + 1)
    return out


def _masked(text: str, pieces: list[tuple[int, int]]) -> str:
    """`text` with everything outside `pieces` blanked, line breaks kept (so positions hold):
    for readers that take a whole file, once per page."""
    return re.sub(r"[^\r\n]", " ", text[:pieces[0][0]]) + _part(text, pieces) + re.sub(r"[^\r\n]", " ", text[pieces[-1][1]:])


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
        self._terraform(text, [b for b in found if b.kind == "hcl"], source.path, options, result)
        i = 0
        while i < len(found):
            block = found[i]
            content = layout.commands_only(block.kind, text[block.start:block.end])
            part = SourceFile(source.path, content, block.first_line)
            if not block.kind:
                self._unread(source, block, result)
                i += 1
                continue
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
                elif block.kind == "bicep":
                    self._bicep(part, options, result)
                elif block.kind == "hcl":
                    self._packer_hcl(text, block, source.path, options, result)
            except RecursionError:  # pragma: no cover - a pathological block
                pass
            i += 1
        result.relevant = bool(result.resources or result.findings)
        return result

    def _bicep(self, part: SourceFile, options: LoadOptions, result: LoadResult) -> None:
        if "microsoft.compute/" not in part.text.lower():
            return
        from sigcheck.inputs.bicep import loader as bicep

        loaded = bicep.load(part, options, fragment=True)
        if not loaded.relevant or not loaded.resources:
            return  # a fragment (`...` elisions) or no gallery resource: documentation, not a template
        self._merge(result, loaded)

    @staticmethod
    def _unread(source: SourceFile, block: Block, result: LoadResult) -> None:
        """A block holding gallery commands in a language sigcheck does not read: said, never skipped silently."""
        content = source.text[block.start:block.end]
        if block.language in layout.OUTPUT_TAGS or layout.is_synopsis(content):
            return
        if layout.mentions_gallery_command(content):
            what = "gallery commands"
        elif layout.mentions_gallery_resource(content):
            what = "gallery resources"
        else:
            return
        index = LineIndex(source.path, source.text)
        line_start = source.text.rfind("\n", 0, block.start) + 1
        fence_line = source.text.rfind("\n", 0, max(0, line_start - 1)) + 1
        span = index.span(fence_line, line_start - 1 if line_start > fence_line else line_start)
        tag = f"```{block.language}" if block.language else "an untagged block"
        finding = PARSE_ERROR.at(span, f"{tag} holds {what} that sigcheck does not read; they are not checked "
                                       "(sigcheck reads fenced azurecli, bash, azurepowershell, pwsh, json, http, hcl and bicep blocks, and untagged ones by content)")
        finding.severity = Severity.NOTE
        result.findings.append(finding)

    @staticmethod
    def _merge(result: LoadResult, part: LoadResult) -> None:
        result.resources.extend(part.resources)
        result.findings.extend(part.findings)
        result.comments.extend(part.comments)
        result.notes.extend(part.notes)

    def _terraform(self, text: str, found: list[Block], path: str, options: LoadOptions, result: LoadResult) -> None:
        """The page's HCL blocks read together as one Terraform module (pages split one
        configuration across several blocks); Packer templates are not Terraform."""
        contents = [text[b.start:b.end] for b in found]
        terraform = [b for b, c in zip(found, contents)
                     if ("resource " in c or "module " in c or "locals" in c or "variable " in c) and 'source "azure-arm"' not in c]
        if not terraform:
            return
        from sigcheck.inputs.terraform import loader as terraform_loader

        masked = _masked(text, [(b.start, b.end) for b in terraform])
        self._merge(result, terraform_loader.load_text(path, masked, options, siblings=False))

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
        from sigcheck.inputs.packer import is_packer_json

        if is_packer_json(path + ".json", content):
            from sigcheck.inputs.packer import legacy_json

            self._merge(result, legacy_json.load(part, options))
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
        except JsonSyntaxError as exc:
            # A fragment (often with `...` elisions): documentation, not a resource to check — said, not skipped.
            if '"type"' in lowered:
                finding = PARSE_ERROR.at(exc.span, f"this JSON block with a gallery resource does not parse ({exc.message}), "
                                                   "so it is not checked")
                finding.severity = Severity.NOTE
                result.findings.append(finding)
            return
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


    def _packer_hcl(self, text: str, block: Block, path: str, options: LoadOptions, result: LoadResult) -> None:
        if 'source "azure-arm"' not in text[block.start:block.end]:
            return  # documentation fragments and other builders: nothing that publishes a version
        from sigcheck.inputs.packer import hcl2

        part = hcl2.load(SourceFile(path, _masked(text, [(block.start, block.end)])), options)
        if part.relevant:
            self._merge(result, part)


def _request_without_body(content: str) -> bool:
    """An http block that is only a request line (and headers): its body is the next json block."""
    lines = [line for line in split_lines(content) if line.strip() and not line.lstrip().startswith(("#", "//"))]
    if not lines:
        return False
    first = lines[0].split()
    if not first or first[0].upper() not in ("PUT", "PATCH"):
        return False
    return not any(line.lstrip().startswith(("{", "[")) for line in lines[1:])


def load(source: SourceFile, options: LoadOptions) -> LoadResult:
    """The resources and findings of the gallery code blocks of one Markdown file."""
    return _Reader().load(source, options)
