"""A small flow written out the way a generated flow module writes one.

The runtime tests run this ``Calc`` flow against ``httpx.MockTransport``: a
frozen Input dataclass, a slotted Output dataclass, the ``_to_json`` and
``_from_wire`` functions a generated module spells out with the codec
functions, and the ``Flow`` that ties them together.
"""

from __future__ import annotations

import dataclasses
import decimal
import json
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import httpx

from flowgen.runtime import bindings as rt

TOKEN = "00Dxx!secret-token-value"
INSTANCE_URL = "https://acme.my.salesforce.com"
CALC_PATH = "/services/data/v62.0/actions/custom/flow/Calc"

Handler = Callable[[httpx.Request], httpx.Response]
AsyncHandler = Callable[[httpx.Request], Coroutine[Any, Any, httpx.Response]]


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class CalcInput:
    amount: decimal.Decimal | int | None | rt.Unset = rt.UNSET
    note: str | None | rt.Unset = rt.UNSET


@dataclasses.dataclass(kw_only=True, slots=True)
class CalcOutput:
    total: decimal.Decimal | None = None
    interview_status: str | None = None
    interview_guid: str | None = None


def calc_to_json(value: CalcInput) -> str:
    text = ""
    if value.amount is not rt.UNSET:
        text += ',"amount":'
        text += rt.decimal_json(value.amount, "amount")
    if value.note is not rt.UNSET:
        text += ',"noteText":'
        text += rt.string_json(value.note, "note")
    return "{" + text[1:] + "}"


def calc_from_wire(values: rt.WireObject) -> CalcOutput:
    return CalcOutput(
        total=rt.decimal_from_wire(values["total"], "total"),
        interview_status=rt.string_from_wire(
            values["Flow__InterviewStatus"], "interview_status"
        ),
        interview_guid=rt.string_from_wire(
            values["Flow__InterviewGuid"], "interview_guid"
        ),
    )


CALC = rt.Flow(
    "Calc",
    api_version="62.0",
    to_json=calc_to_json,
    from_wire=calc_from_wire,
    output_keys=("total",),
)


def ok(outputs: Mapping[str, Any] | None) -> dict[str, Any]:
    """One successful answer, as Salesforce sends it."""
    return {
        "actionName": "Calc",
        "errors": None,
        "isSuccess": True,
        "outputValues": outputs,
    }


def echo_totals(request: httpx.Request) -> httpx.Response:
    """Answer each input with its own amount as the total."""
    inputs = sent_inputs(request)
    return httpx.Response(200, json=[ok({"total": int(i["amount"])}) for i in inputs])


def sent_inputs(request: httpx.Request) -> list[dict[str, Any]]:
    """The ``inputs`` array of a request, decimals read exactly."""
    body = json.loads(request.content, parse_float=decimal.Decimal)
    inputs: list[dict[str, Any]] = body["inputs"]
    return inputs


def sync_client(handler: Handler, **kwargs: Any) -> rt.FlowClient:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return rt.FlowClient(INSTANCE_URL, TOKEN, http_client=http, **kwargs)
