"""Salesforce's JSON wire format for flow actions: bodies in, bodies out."""

from __future__ import annotations

import decimal
import json
import uuid
from collections.abc import Mapping
from typing import Any

from ._model import FlowFault

CONTENT_TYPE = "application/json;charset=UTF-8"

INVALID_SESSION = "INVALID_SESSION_ID"
NOT_FOUND = "NOT_FOUND"
JSON_PARSER_ERROR = "JSON_PARSER_ERROR"
UNKNOWN_EXCEPTION = "UNKNOWN_EXCEPTION"


class BadRequest(ValueError):
    """The invocation body is not ``{"inputs": [{...}, ...]}``."""


def error(code: str, message: str) -> list[dict[str, str]]:
    """The body Salesforce sends for a request-level error."""
    return [{"errorCode": code, "message": message}]


class Refusal(ValueError):
    """A request the fake org refuses as a whole: answered 400 with ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def body(self) -> list[dict[str, str]]:
        """The Salesforce error list for this refusal."""
        return error(self.code, str(self))


def not_found() -> list[dict[str, str]]:
    """The body for an unknown resource."""
    return error(NOT_FOUND, "The requested resource does not exist")


def unexpected(exc: BaseException) -> list[dict[str, str]]:
    """The body for a crash; names the exception so a test shows the bug."""
    detail = f"{type(exc).__name__}: {exc}"
    return error(UNKNOWN_EXCEPTION, f"An unexpected error occurred: {detail}")


def reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; Salesforce refuses them, and echoing
    # them back would produce a body no client can parse.
    raise ValueError(f"{name} is not a valid JSON number")


def parse_inputs(body: bytes) -> list[dict[str, Any]]:
    """Decode an invocation body into its input elements, decimals kept exact."""
    try:
        document = json.loads(
            body, parse_float=decimal.Decimal, parse_constant=reject_constant
        )
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise BadRequest(f"Invalid JSON in request body: {exc}") from None
    if not isinstance(document, dict) or not isinstance(document.get("inputs"), list):
        raise BadRequest('Request body must be a JSON object with an "inputs" list')
    inputs: list[Any] = document["inputs"]
    for index, element in enumerate(inputs):
        if not isinstance(element, dict):
            raise BadRequest(f"inputs[{index}] must be a JSON object")
    return inputs


def success_result(
    action: str, outputs: Mapping[str, Any], *, interview: bool = True
) -> dict[str, Any]:
    """One successful element of an invocation response.

    With ``interview`` (flows) the outputs also say how the flow interview
    ended; other actions (Apex, prompts, standard) have no interview.
    """
    values = dict(outputs)
    if interview:
        # The handler may speak for the interview (e.g. a paused one is "Waiting").
        values.setdefault("Flow__InterviewStatus", "Finished")
        values.setdefault("Flow__InterviewGuid", str(uuid.uuid4()))
    return _result(action, errors=None, outputs=values)


def fault_result(action: str, fault: FlowFault) -> dict[str, Any]:
    """One failed element of an invocation response."""
    errors = [
        {
            "statusCode": fault.status_code,
            "message": fault.message,
            "fields": list(fault.fields),
        }
    ]
    return _result(action, errors=errors, outputs=None)


def _result(
    action: str, *, errors: list[dict[str, Any]] | None, outputs: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "actionName": action,
        "errors": errors,
        "isSuccess": errors is None,
        "outputValues": outputs,
        "sortOrder": -1,
        "version": 1,
    }


def encode(value: object) -> bytes:
    """Serialize wire values to JSON, writing ``Decimal`` with its exact digits.

    ``json.dumps`` can only write a Decimal via float (losing digits) or as a
    string (changing its type), hence this small writer.
    """
    try:
        # The C encoder when nothing needs the exact-Decimal writer: serving
        # thousands of describes must not make the fake org the bottleneck.
        return json.dumps(
            value,
            ensure_ascii=True,
            allow_nan=False,
            separators=(",", ":"),
            default=_not_plain,
        ).encode("ascii")
    except (_NotPlain, TypeError, ValueError):
        pass  # the writer below says exactly what is wrong, if anything
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts).encode("ascii")


class _NotPlain(Exception):
    pass


def _not_plain(value: object) -> object:
    raise _NotPlain


def _write(value: object, out: list[str]) -> None:
    # ensure_ascii keeps any lone surrogate from a decoded body encodable.
    if value is None or isinstance(value, (bool, str)):
        out.append(json.dumps(value))
    elif isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a valid JSON number")
        out.append(str(value))  # str() never rounds and always yields JSON syntax
    elif isinstance(value, int):
        out.append(int.__repr__(value))  # plain digits even for IntEnum members
    elif isinstance(value, float):
        out.append(json.dumps(value, allow_nan=False))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise TypeError(
                    f"JSON object keys must be str, not {type(key).__name__}"
                )
            out.append("," if index else "")
            out.append(json.dumps(key))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            out.append("," if index else "")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"{type(value).__name__} is not a JSON wire value")
