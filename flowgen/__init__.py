"""flowgen: typed Python bindings for the Salesforce Flows of an org."""

# The build reads the version from here; pyproject.toml spells none.
__version__ = "0.1.0"

__all__ = ["__version__"]
