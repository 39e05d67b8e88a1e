"""Flow and FlowResult: what a generated module's two functions are wrapped in.

A generated module writes out ``_to_json`` and ``_from_wire`` for its flow;
``Flow`` encodes every input through the first, reads every answer through
the second (finding outputs whose key came back in another case), and names
the flow in the errors either raises. These tests drive a flow that takes
and returns a variable of each kind.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
from typing import Any, cast

import pytest

from flowgen.runtime import (
    DEFAULT_API_VERSION,
    FlowConfigError,
    FlowInterviewError,
    FlowResponseError,
    FlowResult,
    FlowTransportError,
    SalesforceError,
)
from flowgen.runtime import bindings as rt
from flowgen.runtime._flow import Request
from tests.runtime.calc_flow import CALC, CalcOutput

UTC = datetime.timezone.utc


@dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
class KindsInput:
    text: str | None | rt.Unset = rt.UNSET
    flag: bool | None | rt.Unset = rt.UNSET
    count: int | None | rt.Unset = rt.UNSET
    amount: decimal.Decimal | int | None | rt.Unset = rt.UNSET
    day: datetime.date | None | rt.Unset = rt.UNSET
    moment: datetime.datetime | None | rt.Unset = rt.UNSET
    picks: list[str] | None | rt.Unset = rt.UNSET
    account: dict[str, Any] | None | rt.Unset = rt.UNSET
    names: list[str | None] | None | rt.Unset = rt.UNSET


@dataclasses.dataclass(kw_only=True, slots=True)
class KindsOutput:
    text: str | None = None
    flag: bool | None = None
    count: int | None = None
    amount: decimal.Decimal | None = None
    day: datetime.date | None = None
    moment: datetime.datetime | None = None
    picks: list[str] | None = None
    account: dict[str, Any] | None = None
    names: list[str] | None = None
    interview_status: str | None = None
    interview_guid: str | None = None


def kinds_to_json(value: KindsInput) -> str:
    text = ""
    if value.text is not rt.UNSET:
        text += ',"text":'
        text += rt.string_json(value.text, "text")
    if value.flag is not rt.UNSET:
        text += ',"flag":'
        text += rt.boolean_json(value.flag, "flag")
    if value.count is not rt.UNSET:
        text += ',"count":'
        text += rt.integer_json(value.count, "count")
    if value.amount is not rt.UNSET:
        text += ',"amount":'
        text += rt.decimal_json(value.amount, "amount")
    if value.day is not rt.UNSET:
        text += ',"day":'
        text += rt.date_json(value.day, "day")
    if value.moment is not rt.UNSET:
        text += ',"moment":'
        text += rt.datetime_json(value.moment, "moment")
    if value.picks is not rt.UNSET:
        text += ',"picks":'
        text += rt.multipicklist_json(value.picks, "picks")
    if value.account is not rt.UNSET:
        text += ',"account":'
        text += rt.record_json(value.account, "account", "Account")
    if value.names is not rt.UNSET:
        text += ',"names":'
        text += rt.list_json(value.names, "names", rt.string_json)
    return "{" + text[1:] + "}"


def kinds_from_wire(values: rt.WireObject) -> KindsOutput:
    return KindsOutput(
        text=rt.string_from_wire(values["text"], "text"),
        flag=rt.boolean_from_wire(values["flag"], "flag"),
        count=rt.integer_from_wire(values["count"], "count"),
        amount=rt.decimal_from_wire(values["amount"], "amount"),
        day=rt.date_from_wire(values["day"], "day"),
        moment=rt.datetime_from_wire(values["moment"], "moment"),
        picks=rt.multipicklist_from_wire(values["picks"], "picks"),
        account=rt.record_from_wire(values["account"], "account"),
        names=rt.list_from_wire(values["names"], "names", rt.string_from_wire),
        interview_status=rt.string_from_wire(
            values["Flow__InterviewStatus"], "interview_status"
        ),
        interview_guid=rt.string_from_wire(
            values["Flow__InterviewGuid"], "interview_guid"
        ),
    )


KINDS = rt.Flow(
    "Kinds",
    to_json=kinds_to_json,
    from_wire=kinds_from_wire,
    output_keys=(
        "text",
        "flag",
        "count",
        "amount",
        "day",
        "moment",
        "picks",
        "account",
        "names",
    ),
)


# -- encode ----------------------------------------------------------------------------


_ENCODED: list[tuple[KindsInput, rt.WireObject]] = [
    (KindsInput(), {}),
    (
        KindsInput(text=None, flag=None, amount=None, names=None),
        {"text": None, "flag": None, "amount": None, "names": None},
    ),
    (
        KindsInput(
            text="a",
            flag=True,
            count=3,
            amount=decimal.Decimal("1.10"),
            day=datetime.date(2026, 11, 28),
            moment=datetime.datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
            picks=["x", "y"],
            account={"Name": "Acme"},
            names=["p", None],
        ),
        {
            "text": "a",
            "flag": True,
            "count": 3,
            "amount": decimal.Decimal("1.10"),
            "day": "2026-11-28",
            "moment": "2026-11-28T09:30:00.000Z",
            "picks": "x;y",
            "account": {"Name": "Acme", "attributes": {"type": "Account"}},
            "names": ["p", None],
        },
    ),
    (KindsInput(text="b", count=2, amount=7), {"text": "b", "count": 2, "amount": 7}),
]


def _sent(request: Request) -> list[object]:
    """The inputs a request body carries, decimals read back exactly."""
    body = json.loads(request.content, parse_float=decimal.Decimal)
    inputs: list[object] = body.pop("inputs")
    assert body == {}
    return inputs


def test_encode_leaves_unset_out_and_sends_none_as_null() -> None:
    (request,) = KINDS.encode([value for value, _ in _ENCODED], batch_size=10)
    assert (request.start, request.size) == (0, len(_ENCODED))
    chunk = _sent(request)
    assert chunk == [wire for _, wire in _ENCODED]
    # Keys in the order the module writes them.
    assert list(cast("dict[str, object]", chunk[2])) == list(_ENCODED[2][1])


def test_encode_chunks_by_batch_size() -> None:
    values = [KindsInput(count=n) for n in range(5)]
    requests = KINDS.encode(values, batch_size=2)
    assert [(r.start, r.size) for r in requests] == [(0, 2), (2, 2), (4, 1)]
    assert [_sent(r) for r in requests] == [
        [{"count": 0}, {"count": 1}],
        [{"count": 2}, {"count": 3}],
        [{"count": 4}],
    ]
    assert KINDS.encode([], batch_size=2) == []
    with pytest.raises(FlowConfigError, match="batch_size"):
        KINDS.encode(values, batch_size=0)


@pytest.mark.parametrize(
    ("value", "error", "name"),
    [
        (KindsInput(text="fine", day="2026-11-28"), TypeError, "day"),  # type: ignore[arg-type]
        (KindsInput(count=True), TypeError, "count"),
        (KindsInput(moment=datetime.datetime(2026, 1, 1)), ValueError, "moment"),
        (KindsInput(account={"attributes": {"type": "Lead"}}), ValueError, "account"),
        (KindsInput(names=["a", 1]), TypeError, r"names\[1\]"),  # type: ignore[list-item]
    ],
)
def test_encode_errors_name_the_flow_and_the_input(
    value: KindsInput, error: type[Exception], name: str
) -> None:
    with pytest.raises(error, match=f"^Kinds: input '{name}': ") as info:
        KINDS.encode([KindsInput(), value], batch_size=1)
    assert type(info.value) is error
    assert isinstance(info.value.__cause__, error)


def _raw_to_json(value: object) -> str:
    return '{"raw":' + rt.any_json(value, "raw") + "}"


def test_a_value_json_cannot_write_fails_before_any_request_is_made() -> None:
    # Each chunk's body is written as soon as the chunk is encoded, so a
    # value only the JSON step refuses still fails the call up front.
    raw = rt.Flow(
        "Raw", to_json=_raw_to_json, from_wire=_two_cases_from_wire, output_keys=()
    )
    with pytest.raises(TypeError, match="^Raw: a object cannot be sent as JSON"):
        raw.encode([1, 2, object()], batch_size=2)
    with pytest.raises(ValueError, match="^Raw: NaN cannot be sent"):
        raw.encode([decimal.Decimal("NaN")], batch_size=2)


# -- results and outputs --------------------------------------------------------------


def test_results_read_every_kind_and_every_shape_of_answer() -> None:
    answers: list[dict[str, Any]] = [
        {"isSuccess": True, "outputValues": {}},
        {
            "isSuccess": True,
            "outputValues": {
                "text": "a",
                "flag": True,
                "count": 3,
                "amount": decimal.Decimal("1.10"),
                "day": "2026-11-28",
                "moment": "2026-11-28T09:30:00.000Z",
                "picks": "x;y",
                "account": {"attributes": {"type": "Account"}, "Name": "Acme"},
                "names": ["p"],
                "Flow__InterviewStatus": "Finished",
                "Flow__InterviewGuid": "guid",
            },
        },
        # Keys in another case still find their output.
        {
            "isSuccess": True,
            "outputValues": {"TEXT": "a", "Amount": 5, "flow__interviewstatus": "W"},
        },
        {"isSuccess": True, "outputValues": None},
        {"isSuccess": False, "errors": [{"statusCode": "X", "message": "no"}]},
        # No isSuccess at all and no errors: read as a success.
        {"errors": None, "outputValues": {"text": "c"}},
        # No isSuccess but errors: a failure.
        {"errors": [{"errorCode": "Y", "message": "bad", "fields": ["f"]}]},
    ]
    results = KINDS.results(10, answers)
    assert [r.index for r in results] == list(range(10, 17))
    assert [r.flow_name for r in results] == ["Kinds"] * 7
    assert results[0] == FlowResult("Kinds", 10, KindsOutput())
    assert results[1].output == KindsOutput(
        text="a",
        flag=True,
        count=3,
        amount=decimal.Decimal("1.10"),
        day=datetime.date(2026, 11, 28),
        moment=datetime.datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
        picks=["x", "y"],
        account={"attributes": {"type": "Account"}, "Name": "Acme"},
        names=["p"],
        interview_status="Finished",
        interview_guid="guid",
    )
    assert results[2].output == KindsOutput(
        text="a", amount=decimal.Decimal(5), interview_status="W"
    )
    assert results[3] == FlowResult("Kinds", 13, KindsOutput())
    assert results[4] == FlowResult(
        "Kinds", 14, None, (SalesforceError("X", "no"),), None
    )
    assert results[5].output == KindsOutput(text="c")
    assert results[6] == FlowResult(
        "Kinds", 16, None, (SalesforceError("Y", "bad", ("f",)),)
    )


def test_output_errors_name_the_flow_and_the_output() -> None:
    with pytest.raises(
        FlowResponseError, match="^flow 'Kinds': output 'day' could not be read"
    ) as info:
        KINDS.results(0, [{"isSuccess": True, "outputValues": {"day": 5}}])
    assert isinstance(info.value.__cause__, ValueError)
    with pytest.raises(FlowResponseError, match="flow 'Kinds': outputValues is a list"):
        KINDS.results(0, [{"isSuccess": True, "outputValues": ["x"]}])
    with pytest.raises(FlowResponseError, match="output 'names' could not be read"):
        KINDS.output({"names": "a;b"})


def test_case_insensitive_output_keys_and_missing_outputs() -> None:
    assert CALC.output({"TOTAL": 1}) == CalcOutput(total=decimal.Decimal(1))
    assert CALC.output({"Total": "2.50"}).total == decimal.Decimal("2.50")
    # The exact key wins over one in another case.
    assert CALC.output({"TOTAL": 1, "total": 2}).total == 2
    # An output the answer lacks, in any case, is None.
    assert CALC.output({"subtotal": 1}) == CalcOutput()
    assert CALC.output({}) == CalcOutput()
    assert CALC.output(None) == CalcOutput()


@dataclasses.dataclass(kw_only=True, slots=True)
class _TwoCases:
    upper: int | None = None
    lower: int | None = None


def _no_inputs(value: object) -> str:
    return "{}"


def _two_cases_from_wire(values: rt.WireObject) -> _TwoCases:
    return _TwoCases(
        upper=rt.integer_from_wire(values["Total"], "upper"),
        lower=rt.integer_from_wire(values["total"], "lower"),
    )


def test_wire_names_alike_but_for_case_still_find_their_stand_ins() -> None:
    two_cases = rt.Flow(
        "Cases",
        to_json=_no_inputs,
        from_wire=_two_cases_from_wire,
        output_keys=("Total", "total"),
    )
    assert two_cases.output({"Total": 1}) == _TwoCases(upper=1, lower=1)
    assert two_cases.output({"total": 2}) == _TwoCases(upper=2, lower=2)
    assert two_cases.output({"Total": 1, "total": 2}) == _TwoCases(upper=1, lower=2)


@dataclasses.dataclass(kw_only=True, slots=True)
class CountedOutput:
    index: int | None = None
    count: int | None = None
    interview_status: str | None = None
    interview_guid: str | None = None


def _counted_from_wire(values: rt.WireObject) -> CountedOutput:
    return CountedOutput(
        index=rt.integer_from_wire(values["index"], "index"),
        count=rt.integer_from_wire(values["count"], "count"),
        interview_status=rt.string_from_wire(
            values["Flow__InterviewStatus"], "interview_status"
        ),
        interview_guid=rt.string_from_wire(
            values["Flow__InterviewGuid"], "interview_guid"
        ),
    )


COUNTED = rt.Flow(
    "Counted",
    to_json=_no_inputs,
    from_wire=_counted_from_wire,
    output_keys=("index", "count"),
)


def test_outputs_named_index_and_count_keep_their_names() -> None:
    output = COUNTED.output({"index": 2, "Count": 5})
    assert output == CountedOutput(index=2, count=5)
    assert output.index == 2 and output.count == 5
    (result,) = COUNTED.results(7, [{"isSuccess": True, "outputValues": {"index": 1}}])
    assert result.index == 7 and result.unwrap().index == 1
    assert result.unwrap().count is None


# -- FlowResult -------------------------------------------------------------------------


def test_results_equal_the_results_their_constructor_makes() -> None:
    answers = [
        {"isSuccess": True, "outputValues": {"total": decimal.Decimal("12.5")}},
        {"isSuccess": True, "outputValues": {"TOTAL": decimal.Decimal("12.5")}},
    ]
    for index, result in enumerate(CALC.results(0, answers)):
        expected = FlowResult("Calc", index, CalcOutput(total=decimal.Decimal("12.5")))
        assert result == expected and repr(result) == repr(expected)
        assert type(result.output) is CalcOutput
    assert repr(CALC.results(0, answers[:1])[0]) == (
        "FlowResult(flow_name='Calc', index=0, "
        "output=CalcOutput(total=Decimal('12.5'), "
        "interview_status=None, interview_guid=None), errors=(), exception=None)"
    )
    # A result equals only a result: not the plain tuple of its fields.
    result = FlowResult("Calc", 0, CalcOutput())
    fields: object = ("Calc", 0, CalcOutput(), (), None)
    assert result != fields
    assert result != FlowResult("Calc", 1, CalcOutput())
    assert result != FlowResult("Other", 0, CalcOutput())


def test_results_and_outputs_are_slotted() -> None:
    # Slotted, not frozen: a frozen init costs a bulk call a few percent
    # (bench/invoke.py), so a misspelt attribute is what they refuse.
    result = FlowResult("Calc", 0, CalcOutput())
    assert not hasattr(result, "__dict__") and not hasattr(result.output, "__dict__")
    with pytest.raises(AttributeError):
        result.indx = 3  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        result.unwrap().totl = decimal.Decimal(0)  # type: ignore[attr-defined]


def test_unwrap_returns_the_output_or_raises_the_error() -> None:
    output = CalcOutput(total=decimal.Decimal(1))
    success = FlowResult("Calc", 0, output)
    assert success.is_success and success.unwrap() is output

    errors = (SalesforceError("X", "no", ("amount",)),)
    failed: FlowResult[CalcOutput] = FlowResult("Calc", 4, None, errors)
    assert not failed.is_success
    with pytest.raises(FlowInterviewError) as info:
        failed.unwrap()
    assert info.value.index == 4 and info.value.errors == errors
    assert info.value.flow_name == "Calc"
    assert "flow 'Calc' failed for input 4: X: no (fields: amount)" in str(info.value)

    no_details: FlowResult[CalcOutput] = FlowResult("Calc", 0, None)
    with pytest.raises(FlowInterviewError, match="no error details"):
        no_details.unwrap()

    exc = FlowTransportError("down", flow_name="Calc", may_have_run=True)
    (lost,) = CALC.failed(Request(3, 1, b""), exc)
    assert lost == FlowResult("Calc", 3, None, (), exc) and not lost.is_success
    with pytest.raises(FlowTransportError) as raised:
        lost.unwrap()
    assert raised.value is exc


def test_failed_makes_one_result_per_input_of_the_chunk() -> None:
    exc = FlowTransportError("down", flow_name="Calc", may_have_run=False)
    results = CALC.failed(Request(4, 3, b""), exc)
    assert [r.index for r in results] == [4, 5, 6]
    assert all(r.exception is exc and r.output is None for r in results)


def test_a_flow_repr_names_it() -> None:
    assert repr(CALC) == "Flow('Calc')"
    assert CALC.name == "Calc" and CALC.api_version == "62.0"
    assert KINDS.api_version == DEFAULT_API_VERSION
