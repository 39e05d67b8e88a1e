"""The loops each FlowBinding compiles for bulk calls, against its field loops.

``encode`` and the results of a bulk call run code the binding writes out
for its own fields (see ``_compile_encode`` and ``_compile_results``). These
tests hold that code to the plain loops it stands for, and to the rule that
no org text is ever compiled.
"""

import datetime
import decimal
import types
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest

from flowgen.runtime import _runtime as rt

UTC = datetime.timezone.utc


@dataclass(frozen=True, kw_only=True)
class _In:
    text: Any = rt.UNSET
    flag: Any = rt.UNSET
    count: Any = rt.UNSET
    amount: Any = rt.UNSET
    day: Any = rt.UNSET
    moment: Any = rt.UNSET
    picks: Any = rt.UNSET
    account: Any = rt.UNSET
    names: Any = rt.UNSET


_FIELDS = (
    rt.Field("text", "text", rt.STRING),
    rt.Field("flag", "flag", rt.BOOLEAN),
    rt.Field("count", "count", rt.INTEGER),
    rt.Field("amount", "amount", rt.DECIMAL),
    rt.Field("day", "day", rt.DATE),
    rt.Field("moment", "moment", rt.DATETIME),
    rt.Field("picks", "picks", rt.MULTIPICKLIST),
    rt.Field("account", "account", rt.record("Account")),
    rt.Field("names", "names", rt.list_of(rt.STRING)),
)


class _Out(NamedTuple):
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


ALL_KINDS = rt.FlowBinding("Kinds", inputs=_FIELDS, outputs=_FIELDS, output_type=_Out)

_INPUTS = [
    _In(),
    _In(text=None, flag=None, amount=None, names=None),
    _In(
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
    _In(text="b", count=2, amount=7),
]

_ANSWERS = [
    {},
    {"text": None, "Flow__InterviewStatus": "Finished"},
    {
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
    {"TEXT": "a", "Amount": 5, "flow__interviewstatus": "Waiting"},
]


@pytest.mark.parametrize("value", _INPUTS)
def test_compiled_encode_is_the_field_loop(value: _In) -> None:
    assert ALL_KINDS.encode(value) == ALL_KINDS._encode_each(value)
    assert list(ALL_KINDS.encode(value)) == list(ALL_KINDS._encode_each(value))


def test_compiled_results_are_the_field_loop() -> None:
    answers: list[dict[str, Any]] = [
        {"isSuccess": True, "outputValues": values} for values in _ANSWERS
    ]
    answers += [
        {"isSuccess": True, "outputValues": None},
        {"isSuccess": False, "errors": [{"statusCode": "X", "message": "no"}]},
        {"isSuccess": None, "errors": None, "outputValues": {"text": "c"}},
    ]
    results = ALL_KINDS._results_fast(10, answers)
    assert [r.index for r in results] == list(range(10, 10 + len(answers)))
    for answer, result in zip(answers, results, strict=True):
        if answer["isSuccess"] is False:
            assert result == rt.FlowResult("Kinds", result.index, None, result.errors)
            assert result.errors[0].status_code == "X"
        else:
            expected = ALL_KINDS.decode(answer["outputValues"])
            assert result == rt.FlowResult("Kinds", result.index, expected)
            assert type(result.output) is _Out
    # Spot checks that the loop itself decoded, case-blind where it must.
    assert results[2].output.moment == datetime.datetime(
        2026, 11, 28, 9, 30, tzinfo=UTC
    )
    assert results[3].output.text == "a" and results[3].output.amount == 5
    assert results[3].output.interview_status == "Waiting"


def test_compiled_loops_raise_the_errors_that_name_the_field() -> None:
    with pytest.raises(TypeError, match="Kinds: input 'day'"):
        ALL_KINDS.encode(_In(text="fine", day="2026-11-28"))
    with pytest.raises(rt.FlowResponseError, match="output 'day' could not be read"):
        ALL_KINDS._results_fast(0, [{"isSuccess": True, "outputValues": {"day": 5}}])
    with pytest.raises(rt.FlowResponseError, match="outputValues is a list"):
        ALL_KINDS._results_fast(0, [{"isSuccess": True, "outputValues": ["x"]}])


# Wire names are org text: code in them must stay text.
_HOSTILE = '"]\nraise SystemExit(3)\nx = ["'


class _HostileIn(NamedTuple):
    value: Any = rt.UNSET


class _HostileOut(NamedTuple):
    value: str | None = None
    interview_status: str | None = None
    interview_guid: str | None = None


def test_wire_names_reach_the_compiled_code_as_values_not_source() -> None:
    hostile = rt.FlowBinding(
        _HOSTILE,
        inputs=[rt.Field("value", _HOSTILE, rt.STRING)],
        outputs=[rt.Field("value", _HOSTILE, rt.STRING)],
        output_type=_HostileOut,
    )
    assert hostile.encode(_HostileIn(value="v")) == {_HOSTILE: "v"}
    (result,) = hostile._results_fast(
        0, [{"isSuccess": True, "outputValues": {_HOSTILE: "w"}}]
    )
    assert result.output == _HostileOut(value="w") and result.flow_name == _HOSTILE


class _NoOut(NamedTuple):
    interview_status: str | None = None
    interview_guid: str | None = None


@pytest.mark.parametrize("attr", ["not an identifier", "class", "ﬁle", "a\nb"])
def test_an_attribute_that_is_no_plain_identifier_is_read_with_getattr(
    attr: str,
) -> None:
    # "ﬁle" is an identifier, but source text would read it as "file".
    binding = rt.FlowBinding(
        "Odd",
        inputs=[rt.Field(attr, "wire", rt.STRING), rt.Field("file", "f", rt.STRING)],
        outputs=[],
        output_type=_NoOut,
    )
    value = types.SimpleNamespace(file="plain")
    setattr(value, attr, "odd")
    assert binding.encode(value) == {"wire": "odd", "f": "plain"}


class _TwoCases(NamedTuple):
    upper: int | None = None
    lower: int | None = None
    interview_status: str | None = None
    interview_guid: str | None = None


def test_wire_names_alike_but_for_case_still_find_their_stand_ins() -> None:
    # No answer key stands in for a missing output when every key is a wire
    # name of the flow; that shortcut must not apply when two wire names
    # differ only in case, as "Total" may stand in for "total".
    binding = rt.FlowBinding(
        "Cases",
        inputs=[],
        outputs=[
            rt.Field("upper", "Total", rt.INTEGER),
            rt.Field("lower", "total", rt.INTEGER),
        ],
        output_type=_TwoCases,
    )
    answers = [{"isSuccess": True, "outputValues": {"Total": 1}}]
    (result,) = binding._results_fast(0, answers)
    assert result.output == binding.decode({"Total": 1}) == _TwoCases(1, 1)
