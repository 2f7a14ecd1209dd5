"""Markdown: fenced blocks read by the loader of their language, located in the Markdown file."""

from __future__ import annotations

from sigcheck.inputs.markdown import loader as markdown
from sigcheck.inputs.api import LoadOptions, SourceFile
from sigcheck.inputs.markdown import MarkdownLoader

SRC = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/img"
DOC = f"""# Title

Some text with `az sig` in it.

```azurecli-interactive
az sig image-version create -g rg -r mdGallery -i def -e 1.0.0 --managed-image {SRC} \\
   --target-regions westus=2 eastus --location centralus
```

1. A step:

   ```azurepowershell
   New-AzGallery -ResourceGroupName rg -Name 'md-gallery' -Location eastus
   ```

```http
PUT https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/mdRest?api-version=2019-03-01
```

```json
{{
  "location": "eastus",
  "properties": {{ "sharingProfile": {{ "permissions": "Groups" }} }}
}}
```

```json
{{ "type": "Microsoft.Compute/galleries/images", "apiVersion": "2022-03-03", "name": "mdArm/def.", "location": "eastus",
  "properties": {{ "osType": "Linux", "osState": "Generalized", "identifier": {{ "publisher": "p", "offer": "o", "sku": "s" }} }} }}
```

```bash
az group create -n rg -l eastus
```

```python
print("az sig create")
```
"""


def test_blocks_are_located_in_the_markdown_file() -> None:
    result = markdown.load(SourceFile("doc.md", DOC), LoadOptions())
    by_name = {r.names[-1].value: r for r in result.resources}
    lines = DOC.splitlines()
    version = by_name["1.0.0"]
    assert version.location.span.line == 7 and version.location.span.column == lines[6].index("centralus") + 1
    gallery = by_name["md-gallery"]
    assert gallery.names[0].span.line == 13 and gallery.names[0].span.column == lines[12].index("'md-gallery'") + 1
    rest = by_name["mdRest"]
    assert rest.api_version.value == "2019-03-01" and rest.names[0].span.line == 17
    # The body of the request is the json block that follows it.
    assert rest.sharing_permission.value == "Groups" and rest.sharing_permission.span.line == 23
    definition = by_name["def."]
    row = next(i for i, line in enumerate(lines) if "mdArm/def." in line)
    assert definition.names[-1].span.line == row + 1
    assert definition.names[-1].span.column == lines[row].index("def.") + 1
    assert len(result.resources) == 4


def test_claims() -> None:
    loader = MarkdownLoader()
    assert loader.claims("README.md", DOC)
    assert not loader.claims("README.md", "# nothing about galleries\n```bash\nls\n```\n")
    assert not loader.claims("doc.txt", DOC)


def test_unclosed_fence_and_empty_blocks() -> None:
    text = "```azurecli\naz sig create -g rg -r g-1\n"
    result = markdown.load(SourceFile("doc.md", text), LoadOptions())
    assert [r.names[0].value for r in result.resources] == ["g-1"]
    markdown.load(SourceFile("doc.md", "```json\n```\n```http\n```\n"), LoadOptions())
