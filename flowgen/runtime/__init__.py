"""The runtime shim that generated packages call.

The code lives in ``_runtime.py``, which flowgen copies byte for byte into each
generated package; this package only re-exports it for flowgen's own use.
"""

from pathlib import Path

from flowgen.runtime._runtime import (
    DEFAULT_API_VERSION,
    UNSET,
    ApiLimitError,
    FlowClient,
    FlowConfigError,
    FlowError,
    FlowHTTPError,
    FlowInterviewError,
    FlowResponseError,
    FlowResult,
    FlowTransportError,
    SalesforceError,
    SessionExpiredError,
    Unset,
)

RUNTIME_SOURCE = Path(__file__).with_name("_runtime.py")

__all__ = [
    "ApiLimitError",
    "DEFAULT_API_VERSION",
    "FlowClient",
    "FlowConfigError",
    "FlowError",
    "FlowHTTPError",
    "FlowInterviewError",
    "FlowResponseError",
    "FlowResult",
    "FlowTransportError",
    "RUNTIME_SOURCE",
    "SalesforceError",
    "SessionExpiredError",
    "UNSET",
    "Unset",
]
