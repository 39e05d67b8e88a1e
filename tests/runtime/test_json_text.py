"""The JSON-text writers a generated ``_to_json`` calls for each input.

Each writer has a fast path for the exact type it expects and otherwise
goes through the matching ``*_to_wire`` codec. Both paths must write what
the JSON step writes for the codec's wire value, byte for byte, and refuse
what the codec refuses with the codec's own message.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from flowgen.runtime import bindings as rt
from flowgen.runtime._json import dumps_text

UTC = dt.timezone.utc


class _Name(str):
    pass


class _Color(str, enum.Enum):
    RED = "red"


class _Count(int):
    pass


class _Day(dt.date):
    pass


# writer, the codec it stands for, values that exercise both paths
CASES: list[tuple[Callable[..., str], Callable[..., Any], list[object]]] = [
    (
        rt.string_json,
        rt.string_to_wire,
        ["Acme", "", 'quote " and \\ backslash', "caf\u00e9 \U0001f4e6 \x00\n\u2028"]
        + [None, _Name("sub"), _Color.RED],
    ),
    (rt.boolean_json, rt.boolean_to_wire, [True, False, None]),
    (rt.integer_json, rt.integer_to_wire, [0, -7, 10**18, None, _Count(3)]),
    (rt.float_json, rt.float_to_wire, [0.1, -2.5e-300, 1e22, 3, None]),
    (
        rt.decimal_json,
        rt.decimal_to_wire,
        [Decimal("1.08234567890123456"), Decimal("-0"), Decimal("1E+2")]
        + [Decimal("2.50"), Decimal("1e-7"), 12, None],
    ),
    (rt.date_json, rt.date_to_wire, [dt.date(2026, 12, 4), _Day(2026, 1, 2), None]),
    (
        rt.datetime_json,
        rt.datetime_to_wire,
        [dt.datetime(2026, 12, 4, 16, 5, 1, 250000, tzinfo=UTC), None],
    ),
    (rt.time_json, rt.time_to_wire, [dt.time(9, 30), None]),
    (rt.multipicklist_json, rt.multipicklist_to_wire, [["A", "B"], ("C",), [], None]),
    (rt.any_json, rt.any_to_wire, [{"k": [1, Decimal("0.1")]}, "x", None]),
]


@pytest.mark.parametrize(
    ("writer", "codec", "values"), CASES, ids=[c[0].__name__ for c in CASES]
)
def test_each_writer_writes_what_the_json_step_writes_for_its_codec(
    writer: Callable[..., str], codec: Callable[..., Any], values: list[object]
) -> None:
    for value in values:
        text = writer(value, "field")
        assert text == dumps_text(codec(value, "field")), value
        assert text.isascii()
        json.loads(text)  # a whole JSON value


def test_decimals_keep_every_digit_and_floats_their_repr() -> None:
    exact = Decimal("1.08234567890123456")  # 18 significant digits
    assert rt.decimal_json(exact, "rate") == "1.08234567890123456"
    assert json.loads(rt.decimal_json(exact, "rate"), parse_float=Decimal) == exact
    assert rt.float_json(0.1, "ratio") == "0.1"


@pytest.mark.parametrize(
    ("writer", "value", "error", "message"),
    [
        (rt.string_json, 5, TypeError, "input 'f': expected str, got int"),
        (rt.boolean_json, 1, TypeError, "input 'f': expected bool, got int"),
        (rt.integer_json, True, TypeError, "input 'f': expected int, got bool"),
        (rt.integer_json, 1.5, TypeError, "input 'f': expected int, got float"),
        (rt.float_json, float("nan"), ValueError, "input 'f': nan cannot be sent"),
        (rt.float_json, float("-inf"), ValueError, "input 'f': -inf cannot be sent"),
        (rt.decimal_json, Decimal("NaN"), ValueError, "input 'f': NaN cannot be sent"),
        (rt.decimal_json, 0.1, TypeError, "input 'f': expected decimal.Decimal or int"),
        (rt.date_json, dt.datetime(2026, 1, 1), TypeError, "got datetime.datetime"),
        (rt.datetime_json, dt.datetime(2026, 1, 1), ValueError, "naive datetime"),
        (rt.multipicklist_json, "A;B", TypeError, "a sequence of str, got str"),
        (rt.multipicklist_json, ["A;B"], ValueError, "cannot contain ';'"),
        (rt.any_json, object(), TypeError, "a object cannot be sent as JSON"),
    ],
)
def test_wrong_values_are_refused_as_the_codecs_refuse_them(
    writer: Callable[..., str], value: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message.replace("(", r"\(")):
        writer(value, "f")


def test_lists_write_each_element_and_name_the_one_that_is_wrong() -> None:
    assert rt.list_json(["a", None, "b"], "names", rt.string_json) == '["a",null,"b"]'
    assert rt.list_json(("a",), "names", rt.string_json) == '["a"]'
    assert rt.list_json([], "names", rt.string_json) == "[]"
    assert rt.list_json(None, "names", rt.string_json) == "null"
    rows = [Decimal("1.10"), 2]
    assert rt.list_json(rows, "amounts", rt.decimal_json) == "[1.10,2]"
    with pytest.raises(TypeError, match="input 'names': expected a sequence"):
        rt.list_json("ab", "names", rt.string_json)
    with pytest.raises(TypeError, match=r"input 'names\[1\]': expected str, got int"):
        rt.list_json(["a", 2], "names", rt.string_json)
    accounts = [{"Name": "Acme"}]
    assert json.loads(
        rt.list_json(accounts, "accounts", rt.record_json, "Account")
    ) == [{"Name": "Acme", "attributes": {"type": "Account"}}]


def test_records_and_apex_objects_go_through_their_codecs() -> None:
    record = {"Name": "Acme", "Amount__c": Decimal("12.345678901234567")}
    text = rt.record_json(record, "account", "Account")
    assert json.loads(text, parse_float=Decimal) == {
        **record,
        "attributes": {"type": "Account"},
    }
    with pytest.raises(ValueError, match="expected a Account record, got 'Lead'"):
        rt.record_json({"attributes": {"type": "Lead"}}, "account", "Account")
    assert rt.apex_json({"count": 2}, "summary", object) == '{"count":2}'
    assert rt.apex_json(None, "summary", object) == "null"
