"""The codec functions generated modules call for each input and output."""

from __future__ import annotations

import collections
import copy
import dataclasses
import datetime as dt
import enum
import json
import pickle
from decimal import Decimal
from typing import Any

import pytest

from flowgen.runtime import bindings as rt
from flowgen.runtime._codecs import with_keys
from flowgen.runtime._json import dumps

UTC = dt.timezone.utc


# -- decimals and scalars ----------------------------------------------------------


def test_decimal_never_goes_through_float() -> None:
    value = Decimal("12345678901234567890.123456789")
    wire = rt.decimal_to_wire(value, "amount")
    assert wire is value
    assert dumps({"amount": wire}) == b'{"amount":12345678901234567890.123456789}'
    parsed = json.loads('{"a": 0.1}', parse_float=Decimal)
    assert rt.decimal_from_wire(parsed["a"], "a") == Decimal("0.1")
    assert rt.decimal_from_wire(7, "a") == Decimal(7)
    assert rt.decimal_from_wire("2.50", "a") == Decimal("2.50")
    assert rt.decimal_from_wire(0.1, "a") == Decimal("0.1")  # by repr, not binary
    assert rt.decimal_to_wire(3, "amount") == 3
    with pytest.raises(TypeError, match="input 'amount': .*got float"):
        rt.decimal_to_wire(0.1, "amount")
    for bad in ("NaN", "Infinity", "-Infinity", "sNaN"):
        with pytest.raises(ValueError, match="input 'amount'"):
            rt.decimal_to_wire(Decimal(bad), "amount")
    with pytest.raises(TypeError, match="input 'amount'"):
        rt.decimal_to_wire(True, "amount")
    with pytest.raises(ValueError, match="output 'a' could not be read as decimal"):
        rt.decimal_from_wire("abc", "a")
    with pytest.raises(ValueError, match="output 'a'"):
        rt.decimal_from_wire(True, "a")


class _Name(str):
    pass


class _Color(str, enum.Enum):
    RED = "red"


def test_a_str_subclass_is_sent_as_a_plain_str() -> None:
    wire = rt.string_to_wire(_Name("Acme"), "s")
    assert wire == "Acme" and type(wire) is str


def test_a_str_enum_is_sent_as_its_value() -> None:
    wire = rt.string_to_wire(_Color.RED, "s")
    assert wire == "red" and type(wire) is str


def test_scalars_check_their_types() -> None:
    assert rt.integer_from_wire(Decimal("3"), "n") == 3
    assert rt.integer_from_wire("4", "n") == 4
    assert rt.float_from_wire(Decimal("2.5"), "x") == 2.5
    assert rt.float_to_wire(2, "x") == 2.0
    assert rt.boolean_from_wire("true", "b") is True
    assert rt.boolean_from_wire("FALSE", "b") is False
    assert rt.string_from_wire(5, "s") == "5"
    with pytest.raises(TypeError, match="input 'n': expected int, got bool"):
        rt.integer_to_wire(True, "n")
    with pytest.raises(TypeError, match="input 'x'"):
        rt.float_to_wire(False, "x")
    with pytest.raises(TypeError, match="input 's': expected str, got int"):
        rt.string_to_wire(5, "s")
    with pytest.raises(TypeError, match="input 'b': expected bool"):
        rt.boolean_to_wire(1, "b")
    with pytest.raises(ValueError, match="output 'n' could not be read as an integer"):
        rt.integer_from_wire(Decimal("2.5"), "n")
    with pytest.raises(ValueError, match="output 'b'"):
        rt.boolean_from_wire("yes", "b")


def test_none_passes_through_every_codec() -> None:
    to_wire = [
        rt.string_to_wire,
        rt.boolean_to_wire,
        rt.integer_to_wire,
        rt.float_to_wire,
        rt.decimal_to_wire,
        rt.date_to_wire,
        rt.datetime_to_wire,
        rt.time_to_wire,
        rt.multipicklist_to_wire,
        rt.any_to_wire,
        rt.apex_dict_to_wire,
    ]
    from_wire = [
        rt.string_from_wire,
        rt.boolean_from_wire,
        rt.integer_from_wire,
        rt.float_from_wire,
        rt.decimal_from_wire,
        rt.date_from_wire,
        rt.datetime_from_wire,
        rt.time_from_wire,
        rt.multipicklist_from_wire,
        rt.any_from_wire,
        rt.record_from_wire,
    ]
    for codec in [*to_wire, *from_wire]:
        assert codec(None, "v") is None, codec.__name__
    assert rt.record_to_wire(None, "v", "Account") is None
    assert rt.list_to_wire(None, "v", rt.string_to_wire) is None
    assert rt.list_from_wire(None, "v", rt.string_from_wire) is None


# -- dates and times ----------------------------------------------------------------


def test_datetime_encodes_as_utc_with_milliseconds_and_rejects_naive() -> None:
    berlin = dt.timezone(dt.timedelta(hours=2))
    value = dt.datetime(2026, 3, 1, 14, 5, 6, 789_123, tzinfo=berlin)
    assert rt.datetime_to_wire(value, "when") == "2026-03-01T12:05:06.789Z"
    with pytest.raises(ValueError, match="input 'when': naive"):
        rt.datetime_to_wire(dt.datetime(2026, 3, 1), "when")
    with pytest.raises(TypeError, match="input 'when'"):
        rt.datetime_to_wire(dt.date(2026, 3, 1), "when")


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01T12:05:06.789Z",
        "2026-03-01T12:05:06.789+0000",
        "2026-03-01T14:05:06.789+02:00",
        "2026-03-01T14:05:06.789+0200",
        "2026-03-01T10:05:06.789-02:00",
        "2026-03-01T12:05:06.789",  # no zone: taken as UTC
    ],
)
def test_datetime_decodes_z_and_offsets_to_aware(text: str) -> None:
    value = rt.datetime_from_wire(text, "when")
    assert value is not None and value.tzinfo is not None
    assert value == dt.datetime(2026, 3, 1, 12, 5, 6, 789_000, tzinfo=UTC)


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01T00:00:00Z", 5])
def test_an_unreadable_datetime_names_the_output(text: object) -> None:
    with pytest.raises(ValueError, match="output 'when' could not be read as an ISO"):
        rt.datetime_from_wire(text, "when")


def test_date_and_time() -> None:
    assert rt.date_to_wire(dt.date(2026, 1, 31), "day") == "2026-01-31"
    assert rt.date_from_wire("2026-01-31", "day") == dt.date(2026, 1, 31)
    assert rt.date_from_wire("2026-01-31T00:00:00.000Z", "day") == dt.date(2026, 1, 31)
    with pytest.raises(TypeError, match="input 'day': .*datetime"):
        rt.date_to_wire(dt.datetime(2026, 1, 31, tzinfo=UTC), "day")
    with pytest.raises(ValueError, match="output 'day' could not be read as a date"):
        rt.date_from_wire("31/01/2026", "day")
    assert rt.time_to_wire(dt.time(9, 30, 0, 250_000), "at") == "09:30:00.250Z"
    assert rt.time_from_wire("09:30:00.250Z", "at") == dt.time(9, 30, 0, 250_000)
    assert rt.time_from_wire("09:30", "at") == dt.time(9, 30)
    with pytest.raises(ValueError, match="input 'at': .*time zone"):
        rt.time_to_wire(dt.time(9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))), "at")
    with pytest.raises(ValueError, match="output 'at' could not be read as a time"):
        rt.time_from_wire("25:00", "at")


# -- multi-select picklists ---------------------------------------------------------


def test_multipicklist_is_semicolon_joined() -> None:
    assert rt.multipicklist_to_wire(["A", "B"], "picks") == "A;B"
    assert rt.multipicklist_to_wire(("A",), "picks") == "A"
    assert rt.multipicklist_to_wire(collections.deque(["A", "B"]), "picks") == "A;B"
    assert rt.multipicklist_from_wire("A;B", "picks") == ["A", "B"]
    assert rt.multipicklist_from_wire("", "picks") == []
    with pytest.raises(ValueError, match="input 'picks'"):
        rt.multipicklist_to_wire(["A;B"], "picks")
    # A str is a sequence of str to a type checker; here it is refused.
    with pytest.raises(TypeError, match="input 'picks': expected a sequence of str"):
        rt.multipicklist_to_wire("A;B", "picks")
    with pytest.raises(TypeError, match="input 'picks'"):
        rt.multipicklist_to_wire(["A", 1], "picks")


# -- records and collections --------------------------------------------------------


def test_records_get_attributes_type() -> None:
    assert rt.record_to_wire({"Name": "Acme"}, "acct", "Account") == {
        "Name": "Acme",
        "attributes": {"type": "Account"},
    }
    given = {"Name": "Acme", "attributes": {"type": "Account", "url": "/x"}}
    assert rt.record_to_wire(given, "acct", "Account") == given
    with pytest.raises(ValueError, match="input 'acct': expected a Account record"):
        rt.record_to_wire({"attributes": {"type": "Contact"}}, "acct", "Account")
    with pytest.raises(ValueError, match="input 'any': .*attributes"):
        rt.record_to_wire({"Name": "x"}, "any", None)
    assert rt.record_to_wire({"attributes": {"type": "Lead"}}, "any", None) == {
        "attributes": {"type": "Lead"}
    }
    with pytest.raises(TypeError, match="input 'acct'"):
        rt.record_to_wire(["Name"], "acct", "Account")
    original: dict[str, Any] = {"Name": "Acme", "attributes": {}}
    rt.record_to_wire(original, "acct", "Account")
    assert original == {"Name": "Acme", "attributes": {}}  # the caller's dict is kept
    assert rt.record_from_wire({"Name": "Acme"}, "acct") == {"Name": "Acme"}
    with pytest.raises(ValueError, match="output 'acct' could not be read"):
        rt.record_from_wire("Acme", "acct")


def test_collections_encode_each_element() -> None:
    days = [dt.date(2026, 1, 1), None]
    assert rt.list_to_wire(days, "days", rt.date_to_wire) == ["2026-01-01", None]
    assert rt.list_from_wire(["2026-01-01"], "days", rt.date_from_wire) == [
        dt.date(2026, 1, 1)
    ]
    accounts = rt.list_to_wire([{"Name": "A"}], "accts", rt.record_to_wire, "Account")
    assert accounts == [{"Name": "A", "attributes": {"type": "Account"}}]
    assert rt.list_to_wire(("a", "b"), "names", rt.string_to_wire) == ["a", "b"]
    assert rt.list_to_wire(range(2), "n", rt.integer_to_wire) == [0, 1]
    for text in ("abc", b"abc"):
        with pytest.raises(TypeError, match="input 'names': expected a sequence"):
            rt.list_to_wire(text, "names", rt.string_to_wire)
    # An element's error names its position.
    with pytest.raises(TypeError, match=r"input 'names\[1\]'"):
        rt.list_to_wire(["a", 2], "names", rt.string_to_wire)
    with pytest.raises(ValueError, match=r"output 'days\[0\]'"):
        rt.list_from_wire(["soon"], "days", rt.date_from_wire)
    with pytest.raises(ValueError, match="output 'days' could not be read as a list"):
        rt.list_from_wire("2026-01-01", "days", rt.date_from_wire)


# -- UNSET -------------------------------------------------------------------------------


def test_unset_is_a_falsy_singleton() -> None:
    assert rt.Unset("UNSET") is rt.UNSET is rt.Unset.UNSET
    assert list(rt.Unset) == [rt.UNSET]
    assert not rt.UNSET
    assert repr(rt.UNSET) == "UNSET"
    assert copy.copy(rt.UNSET) is rt.UNSET
    assert copy.deepcopy(rt.UNSET) is rt.UNSET
    assert pickle.loads(pickle.dumps(rt.UNSET)) is rt.UNSET
    assert rt.UNSET is not None and rt.UNSET != None  # noqa: E711


# -- Apex-defined types ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Parcel:
    """An Apex class as apex_types.py writes it (members sku, Weight, note)."""

    sku: str | None = None
    weight: Decimal | None = None
    note: str | None = None

    @staticmethod
    def to_wire(value: object, name: str) -> rt.WireObject | None:
        if not isinstance(value, _Parcel):
            return rt.apex_dict_to_wire(value, name)
        return {
            "sku": rt.string_to_wire(value.sku, f"{name}.sku"),
            "Weight": rt.decimal_to_wire(value.weight, f"{name}.weight"),
            "note": rt.string_to_wire(value.note, f"{name}.note"),
        }

    @staticmethod
    def from_wire(value: object, name: str) -> _Parcel | None:
        if value is None:
            return None
        members = rt.apex_members(value, name)
        return _Parcel(
            sku=rt.string_from_wire(members.get("sku"), f"{name}.sku"),
            weight=rt.decimal_from_wire(members.get("weight"), f"{name}.weight"),
            note=rt.string_from_wire(members.get("note"), f"{name}.note"),
        )


def test_apex_objects_decode_members_in_any_case() -> None:
    # Exact keys, a key in another case, and a member left out.
    assert rt.apex_from_wire({"SKU": "A1", "WEIGHT": 2}, "parcel", _Parcel) == _Parcel(
        sku="A1", weight=Decimal(2)
    )
    assert rt.apex_from_wire(None, "parcel", _Parcel) is None
    assert rt.apex_to_wire(_Parcel(sku="A1", weight=Decimal("2.5")), "p", _Parcel) == {
        "sku": "A1",
        "Weight": Decimal("2.5"),
        "note": None,
    }
    parcels = rt.list_from_wire(
        [{"sku": "A"}, {"Sku": "B"}], "parcels", rt.apex_from_wire, _Parcel
    )
    assert parcels == [_Parcel(sku="A"), _Parcel(sku="B")]
    with pytest.raises(ValueError, match="output 'parcel' could not be read"):
        rt.apex_from_wire("A1", "parcel", _Parcel)
    with pytest.raises(ValueError, match=r"output 'parcel\.weight'"):
        rt.apex_from_wire({"weight": "heavy"}, "parcel", _Parcel)


def test_apex_objects_given_as_dicts_are_sent_as_they_are() -> None:
    member_dict = {"sku": "A1", "Weight": Decimal("1.0")}
    assert rt.apex_to_wire(member_dict, "parcel", _Parcel) == member_dict
    # A class flowgen could not read: a dict each way.
    assert rt.apex_to_wire(member_dict, "parcel", None) == member_dict
    assert rt.apex_from_wire({"Sku": "A1"}, "parcel", None) == {"Sku": "A1"}
    with pytest.raises(TypeError, match="input 'parcel'"):
        rt.apex_to_wire(["A1"], "parcel", None)
    with pytest.raises(TypeError, match=r"input 'parcels\[0\]\.weight'"):
        rt.list_to_wire(
            [_Parcel(weight=0.5)],  # type: ignore[arg-type]
            "parcels",
            rt.apex_to_wire,
            _Parcel,
        )


# -- output keys in another case --------------------------------------------------------


def test_with_keys_finds_missing_keys_in_another_case_or_sets_none() -> None:
    values: rt.WireObject = {"TOTAL": 1, "other": 2}
    found = with_keys(values, ["total", "missing"])
    assert found == {"TOTAL": 1, "other": 2, "total": 1, "missing": None}
    assert values == {"TOTAL": 1, "other": 2}  # the answer itself is kept
    exact: rt.WireObject = {"total": 1}
    assert with_keys(exact, ["total"]) is exact
