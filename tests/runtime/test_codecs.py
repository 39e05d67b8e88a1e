import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest

from flowgen.runtime import _runtime as rt

UTC = dt.timezone.utc


def test_decimal_never_goes_through_float() -> None:
    value = Decimal("12345678901234567890.123456789")
    assert (
        rt.dumps({"amount": rt.DECIMAL.encode(value)})
        == '{"amount":12345678901234567890.123456789}'
    )
    parsed = json.loads('{"a": 0.1}', parse_float=Decimal)
    assert rt.DECIMAL.decode(parsed["a"]) == Decimal("0.1")
    assert rt.DECIMAL.decode(7) == Decimal(7)
    with pytest.raises(TypeError, match="got float"):
        rt.DECIMAL.encode(0.1)
    with pytest.raises(ValueError):
        rt.DECIMAL.encode(Decimal("NaN"))


def test_datetime_encodes_as_utc_with_milliseconds_and_rejects_naive() -> None:
    berlin = dt.timezone(dt.timedelta(hours=2))
    value = dt.datetime(2026, 3, 1, 14, 5, 6, 789_123, tzinfo=berlin)
    assert rt.DATETIME.encode(value) == "2026-03-01T12:05:06.789Z"
    with pytest.raises(ValueError, match="naive"):
        rt.DATETIME.encode(dt.datetime(2026, 3, 1))


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-01T12:05:06.789Z",
        "2026-03-01T12:05:06.789+0000",
        "2026-03-01T14:05:06.789+02:00",
        "2026-03-01T14:05:06.789+0200",
    ],
)
def test_datetime_decodes_z_and_offsets_to_aware(text: str) -> None:
    value = rt.DATETIME.decode(text)
    assert value.tzinfo is not None
    assert value == dt.datetime(2026, 3, 1, 12, 5, 6, 789_000, tzinfo=UTC)


def test_date_and_time() -> None:
    assert rt.DATE.encode(dt.date(2026, 1, 31)) == "2026-01-31"
    assert rt.DATE.decode("2026-01-31") == dt.date(2026, 1, 31)
    with pytest.raises(TypeError, match="datetime"):
        rt.DATE.encode(dt.datetime(2026, 1, 31, tzinfo=UTC))
    assert rt.TIME.encode(dt.time(9, 30, 0, 250_000)) == "09:30:00.250Z"
    assert rt.TIME.decode("09:30:00.250Z") == dt.time(9, 30, 0, 250_000)
    assert rt.TIME.decode("09:30") == dt.time(9, 30)


def test_multipicklist_is_semicolon_joined() -> None:
    assert rt.MULTIPICKLIST.encode(["A", "B"]) == "A;B"
    assert rt.MULTIPICKLIST.decode("A;B") == ["A", "B"]
    assert rt.MULTIPICKLIST.decode("") == []
    with pytest.raises(ValueError):
        rt.MULTIPICKLIST.encode(["A;B"])
    with pytest.raises(TypeError):
        rt.MULTIPICKLIST.encode("A;B")


def test_scalars_check_their_types() -> None:
    assert rt.INTEGER.decode(Decimal("3")) == 3
    assert rt.FLOAT.decode(Decimal("2.5")) == 2.5
    assert rt.BOOLEAN.decode("true") is True
    with pytest.raises(TypeError, match="bool"):
        rt.INTEGER.encode(True)
    with pytest.raises(TypeError, match="str"):
        rt.STRING.encode(5)


def test_records_get_attributes_type() -> None:
    account = rt.record("Account")
    assert account.encode({"Name": "Acme"}) == {
        "Name": "Acme",
        "attributes": {"type": "Account"},
    }
    with pytest.raises(ValueError, match="expected a Account record"):
        account.encode({"attributes": {"type": "Contact"}})
    with pytest.raises(ValueError, match="attributes"):
        rt.record(None).encode({"Name": "x"})
    original = {"Name": "Acme"}
    account.encode(original)
    assert original == {"Name": "Acme"}  # the caller's dict is not changed


def test_collections_encode_each_element() -> None:
    dates = rt.list_of(rt.DATE)
    assert dates.encode([dt.date(2026, 1, 1)]) == ["2026-01-01"]
    assert dates.decode(["2026-01-01"]) == [dt.date(2026, 1, 1)]
    with pytest.raises(TypeError):
        rt.list_of(rt.STRING).encode("abc")


def test_unset_is_a_falsy_singleton() -> None:
    assert rt.Unset() is rt.UNSET
    assert not rt.UNSET
    assert repr(rt.UNSET) == "UNSET"


def test_apex_objects_decode_members_in_any_case() -> None:
    @dataclasses.dataclass(frozen=True)
    class Parcel:
        sku: str | None = None
        weight: Decimal | None = None
        note: str | None = None

    rt.register_apex(
        Parcel,
        "Parcel",
        [
            rt.Field("sku", "sku", rt.STRING),
            rt.Field("weight", "Weight", rt.DECIMAL),
            rt.Field("note", "note", rt.STRING),
        ],
    )
    codec = rt.apex(Parcel)
    # Exact keys, a key in another case, and a member left out.
    assert codec.decode({"sku": "A1", "WEIGHT": 2}) == Parcel("A1", Decimal(2), None)
    assert codec.encode(Parcel("A1", Decimal("2.5"))) == {
        "sku": "A1",
        "Weight": Decimal("2.5"),
        "note": None,
    }
