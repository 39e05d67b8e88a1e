"""_json: decimals keep every digit on the way out and on the way in."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from flowgen.runtime._json import _MARKER, dumps, loads


@pytest.mark.parametrize(
    "value",
    [
        Decimal("1234567890.12345678"),  # 18 significant digits: more than a float
        Decimal("0.123456789012345678"),
        Decimal("12345678901234567890.123456789"),
        Decimal("1E+2"),
        Decimal("-0.00"),
        Decimal("1.10"),
        Decimal("1E-7"),
        Decimal("-5"),
    ],
)
def test_decimals_are_written_with_exactly_their_digits(value: Decimal) -> None:
    assert dumps(value) == str(value).encode()
    assert dumps([value]) == f"[{value}]".encode()
    assert dumps({"amount": value}) == f'{{"amount":{value}}}'.encode()
    # And they are JSON numbers that read back as the same digits.
    (back,) = json.loads(dumps([value]), parse_float=Decimal)
    assert Decimal(back) == value


def test_an_18_digit_decimal_does_not_round_trip_through_float() -> None:
    # The point of the exercise: float would lose the last digits.
    value = Decimal("1234567890.12345678")
    assert str(float(value)) != str(value)
    assert json.loads(dumps([value]), parse_float=Decimal) == [value]


def test_other_values_are_written_as_json_writes_them() -> None:
    value: dict[str, Any] = {
        "s": 'é"\n',
        "n": 3,
        "f": 0.5,
        "b": True,
        "z": None,
        "l": [1, "x", (2, 3)],
        "d": {"k": []},
    }
    assert dumps(value) == json.dumps(value, separators=(",", ":")).encode()
    assert isinstance(dumps(value), bytes)


@pytest.mark.parametrize(
    "value",
    [
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("Infinity"),
        Decimal("-Infinity"),
        float("nan"),
        float("inf"),
    ],
)
def test_values_that_are_not_json_numbers_raise_value_error(value: object) -> None:
    with pytest.raises(ValueError):
        dumps({"amount": [Decimal("1.5"), value]})


@pytest.mark.parametrize(
    "text",
    [
        _MARKER,
        _MARKER + "1.5",
        "before " + _MARKER + "7",
        'a"' + _MARKER + "5",  # the marker right after an escaped quote
        _MARKER + '2"' + _MARKER,
    ],
)
def test_a_string_holding_the_marker_is_sent_as_that_string(text: str) -> None:
    value: dict[str, Any] = {
        "note": text,
        text: "as a key",
        "amounts": [Decimal("2.50"), Decimal("1E+2"), text, Decimal("-0.00")],
    }
    sent = dumps(value)
    back = json.loads(sent, parse_float=Decimal)
    assert back == value
    assert back["note"] == text and back["amounts"][2] == text
    # The decimals are still numbers, with every digit.
    assert [str(back["amounts"][i]) for i in (0, 1, 3)] == ["2.50", "1E+2", "-0.00"]
    assert all(type(back["amounts"][i]) is Decimal for i in (0, 1, 3))
    # And only a string with no decimals around is left alone too.
    assert json.loads(dumps([text])) == [text]


@pytest.mark.parametrize("value", [{1, 2}, object(), b"bytes", 1j])
def test_an_unsupported_type_raises_type_error(value: object) -> None:
    with pytest.raises(TypeError, match=type(value).__name__):
        dumps({"amount": Decimal("1"), "x": value})


def test_loads_reads_fractions_as_decimal_and_integers_as_int() -> None:
    parsed = loads(b'{"a": 0.1, "b": 12345678901234567890.123456789, "c": 7}')
    assert parsed == {
        "a": Decimal("0.1"),
        "b": Decimal("12345678901234567890.123456789"),
        "c": 7,
    }
    assert type(parsed["a"]) is Decimal and type(parsed["c"]) is int
