"""flowgen: typed Python bindings for the Salesforce Flows of an org."""

__version__ = "0.1.0"

__all__ = ["__version__"]
