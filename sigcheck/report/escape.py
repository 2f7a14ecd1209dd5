"""What reports may print of file names and messages.

A file name on POSIX is bytes: Python hands back the ones that are not UTF-8 as lone surrogates
(surrogateescape), which no UTF-8 writer accepts and which JSON parsers reject as `\\udcff`. A
name may also hold a newline, a tab or an escape sequence that would forge a report line or a
terminal command. Every format shows such characters the same way, as Python writes them in a
string literal: `\\xff` for a byte that is not UTF-8, `\\n`, `\\t`, `\\x1b` for control
characters. SARIF URIs instead carry the name's real bytes, percent-encoded (RFC 3986), so a
reader can find the file.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
_DRIVE = re.compile(r"^/?[A-Za-z]:(?=/)")


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as surrogateescape carries it
        return f"\\x{code - 0xDC00:02x}"
    if code >= 0xD800:  # a lone surrogate from an escape such as "\ud800" in JSON text
        return f"\\u{code:04x}"
    return _NAMED.get(char, f"\\x{code:02x}")


def safe_text(text: str) -> str:
    """`text` on one line of valid Unicode: control characters and lone surrogates escaped."""
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def no_surrogates(text: str) -> str:
    """`text` as valid Unicode (line breaks kept, for multi-line texts such as rule help)."""
    return _SURROGATE.sub(_escape, text) if _SURROGATE.search(text) else text


def clean_strings(value: Any) -> Any:
    """Every string in a JSON-shaped tree made valid Unicode, keys included."""
    if isinstance(value, str):
        return no_surrogates(value)
    if isinstance(value, dict):
        return {clean_strings(k): clean_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_strings(v) for v in value]
    return value


def path_uri(path: str) -> str:
    """A `/`-separated path as an RFC 3986 URI reference: its bytes (those surrogateescape
    stands for included) percent-encoded except unreserved characters and `/`. A colon is
    encoded too, so that `a:b.json` cannot read as a URI scheme; a Windows drive keeps its own."""
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        raw = path.encode("utf-8", "surrogatepass")
    drive = _DRIVE.match(path)
    if drive:
        return drive.group() + quote(raw[drive.end():], safe="/")
    return quote(raw, safe="/")
