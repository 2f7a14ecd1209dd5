"""Markdown input: fenced code blocks of documentation, each read as the kind it holds, with
positions in the `.md` file."""

from __future__ import annotations

from sigcheck.hookspecs import hookimpl
from sigcheck.inputs.api import LazyLoader
from sigcheck.inputs.recognize import MARKDOWN_SUFFIXES


class MarkdownLoader(LazyLoader):
    """Fenced code blocks of Markdown files."""

    name = "markdown"
    priority = 60
    module = "sigcheck.inputs.markdown.loader"

    def claims(self, path: str, text: str) -> bool:
        if not path.lower().endswith(MARKDOWN_SUFFIXES) or not text:
            return False
        lowered = text.lower()
        # Fenced or indented, a page that holds gallery commands or resources is read (never skipped silently).
        return ("az sig" in lowered or "azgallery" in lowered or "azurermgallery" in lowered
                or "microsoft.compute/galleries" in lowered or "/galleries/" in lowered or '"galleryname"' in lowered
                or "azurerm_shared_image" in lowered or "azurerm_gallery_application" in lowered or "azapi_" in lowered
                or "shared_image_gallery_destination" in lowered)


@hookimpl
def sigcheck_loaders() -> list[LazyLoader]:
    return [MarkdownLoader()]
