"""What generated modules use of the runtime; each imports it as ``_rt``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._client import FlowClient
from ._codecs import (
    UNSET,
    Unset,
    WireObject,
    any_from_wire,
    any_to_wire,
    apex_dict_to_wire,
    apex_from_wire,
    apex_members,
    apex_to_wire,
    boolean_from_wire,
    boolean_to_wire,
    date_from_wire,
    date_to_wire,
    datetime_from_wire,
    datetime_to_wire,
    decimal_from_wire,
    decimal_to_wire,
    float_from_wire,
    float_to_wire,
    integer_from_wire,
    integer_to_wire,
    list_from_wire,
    list_to_wire,
    multipicklist_from_wire,
    multipicklist_to_wire,
    record_from_wire,
    record_to_wire,
    string_from_wire,
    string_to_wire,
    time_from_wire,
    time_to_wire,
)
from ._flow import Flow, FlowResult
from ._json_text import (
    any_json,
    apex_json,
    boolean_json,
    date_json,
    datetime_json,
    decimal_json,
    float_json,
    integer_json,
    list_json,
    multipicklist_json,
    record_json,
    string_json,
    time_json,
)

if TYPE_CHECKING:
    from ._async_client import AsyncFlowClient

__all__ = [
    "AsyncFlowClient",
    "Flow",
    "FlowClient",
    "FlowResult",
    "UNSET",
    "Unset",
    "WireObject",
    "any_from_wire",
    "any_json",
    "any_to_wire",
    "apex_dict_to_wire",
    "apex_from_wire",
    "apex_json",
    "apex_members",
    "apex_to_wire",
    "boolean_from_wire",
    "boolean_json",
    "boolean_to_wire",
    "date_from_wire",
    "date_json",
    "date_to_wire",
    "datetime_from_wire",
    "datetime_json",
    "datetime_to_wire",
    "decimal_from_wire",
    "decimal_json",
    "decimal_to_wire",
    "float_from_wire",
    "float_json",
    "float_to_wire",
    "integer_from_wire",
    "integer_json",
    "integer_to_wire",
    "list_from_wire",
    "list_json",
    "list_to_wire",
    "multipicklist_from_wire",
    "multipicklist_json",
    "multipicklist_to_wire",
    "record_from_wire",
    "record_json",
    "record_to_wire",
    "string_from_wire",
    "string_json",
    "string_to_wire",
    "time_from_wire",
    "time_json",
    "time_to_wire",
]


def __getattr__(name: str) -> Any:
    # Annotations name AsyncFlowClient; only an async caller needs the class.
    if name == "AsyncFlowClient":
        from ._async_client import AsyncFlowClient

        return AsyncFlowClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
