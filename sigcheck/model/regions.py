"""Region strings are kept as written and compared normalised."""


def normalize_region(name: str) -> str:
    """`West US 2` and `westus2` name the same region (Azure.Core's display-name rule)."""
    return name.replace(" ", "").lower()
