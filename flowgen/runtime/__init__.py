"""The runtime of a generated package: the clients, the results and the errors.

flowgen copies this package byte for byte into each generated package as
``_runtime``. It needs only the standard library and httpx and imports
nothing from flowgen, so a generated package runs where flowgen is not
installed. What is specific to one flow lives in that flow's own module;
this package keeps what all flows share. The clients are imported on first
use, so apps that only make synchronous calls never load asyncio.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._codecs import UNSET, Unset
from ._errors import (
    ApiLimitError,
    FlowConfigError,
    FlowError,
    FlowHTTPError,
    FlowInterviewError,
    FlowResponseError,
    FlowTransportError,
    SalesforceError,
    SessionExpiredError,
)
from ._flow import DEFAULT_API_VERSION, FlowResult

if TYPE_CHECKING:
    from ._async_client import AsyncFlowClient, AsyncTokenProvider
    from ._client import FlowClient, TokenProvider

__all__ = [
    "ApiLimitError",
    "AsyncFlowClient",
    "AsyncTokenProvider",
    "DEFAULT_API_VERSION",
    "FlowClient",
    "FlowConfigError",
    "FlowError",
    "FlowHTTPError",
    "FlowInterviewError",
    "FlowResponseError",
    "FlowResult",
    "FlowTransportError",
    "SalesforceError",
    "SessionExpiredError",
    "TokenProvider",
    "UNSET",
    "Unset",
]

# Loaded on first use: the clients need httpx (and the async one asyncio),
# while flowgen itself reads DEFAULT_API_VERSION from here without them.
_ASYNC_NAMES = ("AsyncFlowClient", "AsyncTokenProvider")
_CLIENT_NAMES = ("FlowClient", "TokenProvider")


def __getattr__(name: str) -> Any:
    if name in _CLIENT_NAMES:
        from . import _client

        return getattr(_client, name)
    if name in _ASYNC_NAMES:
        from . import _async_client

        return getattr(_async_client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
