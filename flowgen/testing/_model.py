"""Public value types of the fake org: faults, recorded requests, handlers."""

from __future__ import annotations

import decimal
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

FlowHandler = Callable[[dict[str, Any]], Mapping[str, Any]]
"""What invoking a flow does: takes one input element, returns its output values.

The element is the decoded JSON object (numbers with a fraction arrive as
``decimal.Decimal``); the returned mapping holds wire values only (``str``,
``int``, ``Decimal``, ``float``, ``bool``, ``None``, lists and mappings).
"""


class FlowFault(Exception):
    """Raised by a flow handler to fail that one input like a Salesforce flow error.

    The other inputs of the same request still run; the response becomes
    HTTP 400 with this input's element carrying ``errors`` and null outputs.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: str = "CANNOT_EXECUTE_FLOW_TRIGGER",
        fields: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        # A tuple, so a caller's list mutated later cannot change the fault.
        self.fields: tuple[str, ...] = tuple(fields)


class _Headers(Mapping[str, str]):
    """Read-only request headers: case-insensitive lookup, names kept as sent."""

    __slots__ = ("_items",)

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        items: dict[str, tuple[str, str]] = {}
        for name, value in pairs:
            key = name.lower()
            if key in items:
                # Repeated headers mean the same as one comma-joined one (RFC 9110).
                first_name, first_value = items[key]
                items[key] = (first_name, f"{first_value}, {value}")
            else:
                items[key] = (name, value)
        self._items = items

    def __getitem__(self, name: str) -> str:
        if not isinstance(name, str):
            raise KeyError(name)
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request the fake org received, as it arrived.

    ``headers`` looks names up case-insensitively; the ``Authorization`` value
    is replaced by ``"<redacted>"`` so recordings can be printed or asserted
    on without leaking the token.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """Decode the body as JSON, with fractional numbers as ``decimal.Decimal``."""
        return json.loads(self.body, parse_float=decimal.Decimal)


def record(
    method: str, path: str, header_pairs: Iterable[tuple[str, str]], body: bytes
) -> RecordedRequest:
    """Build a recording with the Authorization header redacted."""
    redacted = (
        (name, "<redacted>" if name.lower() == "authorization" else value)
        for name, value in header_pairs
    )
    return RecordedRequest(method, path, _Headers(redacted), body)
