"""Composite batch: a request body holding up to 25 requests, answered together."""

from __future__ import annotations

import decimal
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import _wire

MAX_SUBREQUESTS = 25
INVALID_BATCH_REQUEST = "INVALID_BATCH_REQUEST"
_DATA_ROOT = "/services/data/"
_METHODS = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"})


class BadBatch(_wire.Refusal):
    """The batch as a whole is refused: answered 400 with ``code``."""


@dataclass(frozen=True)
class Subrequest:
    """One request of a batch, resolved to what it would be standalone."""

    method: str
    path: str  # absolute, e.g. /services/data/v62.0/actions/custom/flow/Greet
    query: str
    body: bytes


def parse(body: bytes) -> tuple[list[Subrequest], bool]:
    """The subrequests of a batch body, and whether to halt on the first error."""
    try:
        # Decimals, so a richInput number reaches the flow digit-exact.
        document = json.loads(
            body, parse_float=decimal.Decimal, parse_constant=_wire.reject_constant
        )
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise BadBatch(_wire.JSON_PARSER_ERROR, f"Invalid JSON: {exc}") from None
    items = document.get("batchRequests") if isinstance(document, dict) else None
    if not isinstance(items, list) or not items:
        raise BadBatch(INVALID_BATCH_REQUEST, "batchRequests must be a non-empty list")
    if len(items) > MAX_SUBREQUESTS:
        raise BadBatch(
            INVALID_BATCH_REQUEST,
            f"A batch holds at most {MAX_SUBREQUESTS} requests, not {len(items)}",
        )
    halt = document.get("haltOnError", False)
    if not isinstance(halt, bool):
        raise BadBatch(INVALID_BATCH_REQUEST, "haltOnError must be true or false")
    return [_subrequest(index, item) for index, item in enumerate(items)], halt


def _subrequest(index: int, item: object) -> Subrequest:
    if not isinstance(item, dict):
        raise BadBatch(INVALID_BATCH_REQUEST, f"batchRequests[{index}]: not an object")
    method, url = item.get("method"), item.get("url")
    if not isinstance(method, str) or method.upper() not in _METHODS:
        raise BadBatch(INVALID_BATCH_REQUEST, f"batchRequests[{index}]: bad method")
    if not isinstance(url, str) or not url:
        raise BadBatch(INVALID_BATCH_REQUEST, f"batchRequests[{index}]: bad url")
    # Relative to /services/data/, as Salesforce writes them; absolute works too.
    if url.startswith(_DATA_ROOT):
        url = url[len(_DATA_ROOT) :]
    target = urlsplit(_DATA_ROOT + url)
    rich_input = item.get("richInput")
    body = b"" if rich_input is None else _wire.encode(rich_input)
    return Subrequest(method.upper(), target.path, target.query, body)


def result(status: int, payload: object) -> dict[str, Any]:
    """One entry of the batch response."""
    return {"statusCode": status, "result": payload}


def halted() -> dict[str, Any]:
    """The entry for a subrequest skipped after an error under haltOnError."""
    return result(
        412,
        _wire.error("BATCH_PROCESSING_HALTED", "Batch processing halted per request"),
    )


def response(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The batch response: every result in request order."""
    has_errors = any(entry["statusCode"] >= 400 for entry in results)
    return {"hasErrors": has_errors, "results": results}
