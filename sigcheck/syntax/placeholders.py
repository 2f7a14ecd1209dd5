"""Placeholders: the parts of documentation, REST examples and scripts that stand for a value
the reader is to fill in (`{region}`, `{subscriptionId}`, `<Subscription ID>`, `<your-gallery>`,
`$(var)`, `%VAR%`).

A placeholder is a value nobody wrote yet, so it is unknown, never wrong: one notion shared by
every input, applied where values enter the model (`sigcheck.model.from_body`), where names are
read from URLs and command lines, and before a script is parsed (angle-bracket placeholders are
redirections to a shell or PowerShell, so they are rewritten into unset variables of the same
length, which keeps every column).
"""

from __future__ import annotations

import re
from typing import Any

from sigcheck.syntax.located import UNKNOWN

# `{name}`, `<words>`, `$(name)`, `%NAME%`: a placeholder is one of these, alone or inside a text.
_TOKEN = (
    r"\{[A-Za-z_][\w .-]{0,80}\}"
    r"|<[A-Za-z][\w .-]{0,80}>"
    r"|\$\([A-Za-z_][\w.]{0,80}\)"
    r"|%[A-Za-z_]\w{0,80}%"
)
_PLACEHOLDER = re.compile(_TOKEN)
_WHOLE = re.compile(rf"(?:{_TOKEN})")
# In a script: `<words>` standing where an argument goes (after a space, `=`, `:` or a quote).
# Inside quotes it is a string (and unknown where it enters the model), so only bare ones are masked.
_ANGLE_ARGUMENT = re.compile(r"(?<=[\s=:(,])<([A-Za-z][\w.-]{0,80}(?: [\w.-]{1,40}){0,4})>(?=[\s,;)|`]|$)", re.M)


def is_placeholder(text: str) -> bool:
    """Whether the whole text is one placeholder (`{galleryName}`, `<region>`)."""
    return _WHOLE.fullmatch(text.strip()) is not None


def has_placeholder(text: str) -> bool:
    """Whether the text holds a placeholder anywhere (`myGallery-{env}`, `https://<account>.blob…`)."""
    return _PLACEHOLDER.search(text) is not None


def resolved(value: Any) -> Any:
    """`value`, or UNKNOWN when it is a plain string that holds a placeholder.

    A resource id with placeholders for its names (`/subscriptions/{subscriptionId}/…/images/{image}`)
    keeps its text: its provider and type are written out and can be checked; the placeholder
    names in it match no declared resource. Values computed by an evaluator (string subclasses
    that carry more than text) are left alone."""
    if type(value) is not str or not has_placeholder(value):
        return value
    if value.startswith(("/subscriptions/", "/providers/")) and not is_placeholder(value):
        return value
    return UNKNOWN


def mask_script_placeholders(text: str) -> str:
    """The script with each `<placeholder>` argument rewritten as an unset variable of the same
    length (`<your-gallery>` -> `$your_gallery_`), so it reads as unknown instead of a redirection."""
    def replace(match: re.Match[str]) -> str:
        inner = re.sub(r"[^\w]", "_", match.group(1))
        return "$" + inner + "_"

    return _ANGLE_ARGUMENT.sub(replace, text)


def script_placeholders(text: str) -> dict[int, str]:
    """Where `mask_script_placeholders` rewrites a placeholder: offset -> the placeholder as written,
    so that what is unknown can be named as the placeholder it is."""
    return {match.start(): match.group() for match in _ANGLE_ARGUMENT.finditer(text)}
