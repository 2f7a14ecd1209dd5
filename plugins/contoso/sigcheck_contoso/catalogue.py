"""Contoso's image catalogue: a line-based file (`*.contoso`) that its platform team keeps
beside the templates, one gallery resource a line.

    # comments start with '#', also after a resource
    gallery contosoimages westeurope
    image contosoimages/ubuntu2204 westeurope Linux Generalized V2 Canonical:ubuntu:22_04-lts-gen2

Each line becomes the ARM-shaped located body the resource would have in a template, and then a
model resource (`build`), so every sigcheck rule, built-in or not, checks it; every value keeps
the line and column it was written at. A line that cannot be read is a SIG001 finding at the
offending word, and the other lines are still read.
"""

from __future__ import annotations

import re

from sigcheck.plugin import (
    GALLERY,
    IMAGE_DEFINITION,
    MODEL_BY_TYPE,
    Body,
    LoadOptions,
    LoadResult,
    Located,
    SourceFile,
    Span,
    build,
    parse_error,
    scalar,
)

# A catalogue longer than this is no file a person keeps by hand; reading stops there.
MAX_LINES = 20_000
_WORD = re.compile(r"\S+")
# directive -> (resource type, the words after the name, as body paths)
_SHAPES = {
    "gallery": (GALLERY, ["location"]),
    "image": (IMAGE_DEFINITION, ["location", "properties.osType", "properties.osState",
                                 "properties.hyperVGeneration", "properties.identifier"]),
}


class _Word:
    __slots__ = ("text", "span")

    def __init__(self, text: str, span: Span) -> None:
        self.text = text
        self.span = span

    def located(self, path: str, text: str | None = None, start: int = 0) -> Located[str]:
        value = self.text if text is None else text
        line, column = self.span.line, self.span.column + start
        return Located(value, Span(self.span.path, line, column, line, column + len(value)), None, path)


def load(source: SourceFile, options: LoadOptions) -> LoadResult:
    result = LoadResult()
    for number, raw in enumerate(source.text.split("\n"), start=1):
        if number > MAX_LINES:
            result.findings.append(parse_error(Span(source.path, number, 1, number, 1),
                                               f"catalogue has more than {MAX_LINES} lines; the rest is not read"))
            break
        line = raw.rstrip("\r")
        code, hash_, comment = line.partition("#")
        if hash_:
            column = len(code) + 1
            result.comments.append((Span(source.path, number, column, number, len(line) + 1), hash_ + comment))
        words = [_Word(m.group(), Span(source.path, number, m.start() + 1, number, m.end() + 1))
                 for m in _WORD.finditer(code)]
        if words:
            _entry(words, source, options, result)
    result.relevant = bool(result.resources or result.findings)
    return result


def _usage(directive: str, fields: list[str]) -> str:
    name = "GALLERY" if directive == "gallery" else "GALLERY/IMAGE"
    values = " ".join(f.rsplit(".", 1)[-1].upper() for f in fields)
    return f"{directive} {name} {values}".replace("IDENTIFIER", "PUBLISHER:OFFER:SKU")


def _entry(words: list[_Word], source: SourceFile, options: LoadOptions, result: LoadResult) -> None:
    directive = words[0]
    shape = _SHAPES.get(directive.text.lower())
    if shape is None:
        result.findings.append(parse_error(directive.span, f"unknown entry '{directive.text}'; expected "
                                                           f"{' or '.join(repr(k) for k in _SHAPES)}"))
        return
    type_name, fields = shape
    wanted = len(fields) + 2
    if len(words) != wanted:
        where = words[wanted].span if len(words) > wanted else words[-1].span
        result.findings.append(parse_error(where, f"'{directive.text}' is written '{_usage(directive.text.lower(), fields)}', "
                                                  f"{len(fields) + 1} words after '{directive.text}'; got {len(words) - 1}"))
        return
    name_word = words[1]
    segments = name_word.text.split("/")
    expected_segments = type_name.count("/")
    if len(segments) != expected_segments or not all(segments):
        result.findings.append(parse_error(name_word.span, f"'{directive.text}' is written '{_usage(directive.text.lower(), fields)}'"))
        return
    names = []
    offset = 0
    for segment in segments:
        names.append(name_word.located("name", segment, offset))
        offset += len(segment) + 1

    span = Span(source.path, directive.span.line, directive.span.column, words[-1].span.end_line, words[-1].span.end_column)
    body = Body(span)
    body.set("name", scalar(name_word.text, name_word.span), name_word.span)
    for path, word in zip(fields, words[2:]):
        if path.endswith("identifier"):
            parts = word.text.split(":")
            if len(parts) != 3 or not all(parts):
                result.findings.append(parse_error(word.span, "an identifier is written PUBLISHER:OFFER:SKU"))
                return
            offset = 0
            for key, part in zip(("publisher", "offer", "sku"), parts):
                located = word.located(f"{path}.{key}", part, offset)
                body.set(f"{path}.{key}", scalar(part, located.span), located.span)
                offset += len(part) + 1
        else:
            body.set(path, scalar(word.text, word.span), word.span)
    common = {
        "source_kind": "contoso-catalogue",
        "path": source.path,
        "span": span,
        "names": names,
        "api_version": None,
        "context": options.context,
    }
    result.resources.append(build(MODEL_BY_TYPE[type_name.lower()], common, body.root))


