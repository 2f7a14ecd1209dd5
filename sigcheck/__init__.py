"""sigcheck: a static linter for Azure Compute Gallery resources."""

__version__ = "0.1.0"

# Where each rule's documentation page lives (docs/rules/<ID>.md in the repository).
DOCS_URL = "https://github.com/sigcheck/sigcheck/blob/main/docs/rules"
INFORMATION_URI = "https://github.com/sigcheck/sigcheck"
