"""Flow variable values between Python and JSON, one pair of functions per type.

Generated modules call these by name for each input and output
(``decimal_to_wire(value.tax_rate, "tax_rate")``). Every function takes the
value and the name the caller knows it by, so an error can say which input
or output was wrong; ``None`` passes through both ways as JSON null.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeVar, cast

_T = TypeVar("_T")

# A JSON object as json.loads makes it.
WireObject = dict[str, object]


class Unset(enum.Enum):
    """The type of :data:`UNSET`: an input the caller did not pass.

    Unset inputs are left out of the request, so the flow variable keeps its
    default; ``None`` is sent as ``null``. An enum of one member, so that
    ``value is not UNSET`` narrows the type for mypy and pyright.
    """

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = Unset.UNSET

# datetime.timezone.utc, spelt so that ruff's UP017 (datetime.UTC, Python
# 3.11+) stays quiet in apps that target 3.11 while the runtime runs on 3.10.
_UTC: Final = datetime.timezone(datetime.timedelta(0))


# -- errors --------------------------------------------------------------------


def wrong_type(name: str, expected: str, value: object) -> TypeError:
    """The error for an input of the wrong type."""
    return TypeError(f"input {name!r}: expected {expected}, got {type(value).__name__}")


def unreadable(name: str, kind: str, value: object) -> ValueError:
    """The error for an output the org sent in a shape ``kind`` cannot take."""
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return ValueError(f"output {name!r} could not be read as {kind}: got {shown}")


# -- to the wire ---------------------------------------------------------------


def string_to_wire(value: object, name: str) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, str):  # a str subclass: a str enum's str() is its name
        return str.__str__(value)
    raise wrong_type(name, "str", value)


def boolean_to_wire(value: object, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise wrong_type(name, "bool", value)


def integer_to_wire(value: object, name: str) -> int | None:
    if value is None or type(value) is int:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    raise wrong_type(name, "int", value)


def float_to_wire(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"input {name!r}: {value} cannot be sent to Salesforce")
        return number
    raise wrong_type(name, "float", value)


def decimal_to_wire(value: object, name: str) -> decimal.Decimal | int | None:
    # Kept a Decimal: the JSON step writes its digits as they are, so
    # currency never goes through float (0.1 + 0.2 stays 0.3 on the wire).
    if value is None:
        return None
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError(f"input {name!r}: {value} cannot be sent to Salesforce")
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        raise TypeError(
            f"input {name!r}: expected decimal.Decimal or int, got float "
            "(use decimal.Decimal('...'))"
        )
    raise wrong_type(name, "decimal.Decimal", value)


def date_to_wire(value: object, name: str) -> str | None:
    if type(value) is datetime.date:
        return value.isoformat()
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        raise TypeError(
            f"input {name!r}: expected datetime.date, got datetime.datetime (use .date())"
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise wrong_type(name, "datetime.date", value)


def datetime_to_wire(value: object, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime.datetime):
        raise wrong_type(name, "datetime.datetime", value)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"input {name!r}: naive datetime: Salesforce needs a time zone "
            "(e.g. datetime.datetime.now(datetime.timezone.utc))"
        )
    utc = value.astimezone(_UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def time_to_wire(value: object, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime.time):
        raise wrong_type(name, "datetime.time", value)
    if value.utcoffset():
        raise ValueError(
            f"input {name!r}: Salesforce times have no time zone; "
            "pass a naive datetime.time"
        )
    return f"{value:%H:%M:%S}.{value.microsecond // 1000:03d}Z"


def is_sequence(value: object) -> bool:
    # Any sequence but text: a str is a sequence of its characters.
    if type(value) is list or type(value) is tuple:
        return True  # the usual case, without an ABC check
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def multipicklist_to_wire(value: object, name: str) -> str | None:
    if value is None:
        return None
    if not is_sequence(value):
        raise wrong_type(name, "a sequence of str", value)
    items = cast("Sequence[object]", value)
    try:
        text = ";".join(cast("Sequence[str]", items))
    except TypeError:
        raise wrong_type(
            name, "a sequence of str", next(i for i in items if not isinstance(i, str))
        ) from None
    if items and text.count(";") >= len(items):  # joining adds one fewer
        raise ValueError(
            f"input {name!r}: multi-select picklist values cannot contain ';'"
        )
    return text


def any_to_wire(value: object, name: str) -> object:
    return value


def record_to_wire(
    value: object, name: str, sobject_type: str | None
) -> WireObject | None:
    """An sObject record (a mapping of field names to values), sent with
    ``attributes.type`` set; the caller's mapping is not changed."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise wrong_type(name, "a record (a mapping of field names to values)", value)
    body = dict(cast("Mapping[str, object]", value))
    given = body.get("attributes")
    attributes = (
        dict(cast("Mapping[str, object]", given)) if isinstance(given, Mapping) else {}
    )
    if sobject_type is None:
        if not isinstance(attributes.get("type"), str):
            raise ValueError(
                f"input {name!r}: this record needs attributes={{'type': '<sObject name>'}}"
            )
    elif attributes.setdefault("type", sobject_type) != sobject_type:
        raise ValueError(
            f"input {name!r}: expected a {sobject_type} record, "
            f"got {attributes['type']!r}"
        )
    body["attributes"] = attributes
    return body


def list_to_wire(
    value: object, name: str, item: Callable[..., _T], *item_args: object
) -> list[_T | None] | None:
    """A collection variable: each element through ``item(element, name,
    *item_args)``."""
    if value is None:
        return None
    if not is_sequence(value):
        raise wrong_type(name, "a sequence (list or tuple)", value)
    return [
        None if element is None else item(element, f"{name}[{index}]", *item_args)
        for index, element in enumerate(cast("Sequence[object]", value))
    ]


# -- from the wire -------------------------------------------------------------


def string_from_wire(value: object, name: str) -> str | None:
    if value is None or type(value) is str:
        return value
    return str(value)


def boolean_from_wire(value: object, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise unreadable(name, "a boolean", value)


def integer_from_wire(value: object, name: str) -> int | None:
    if value is None or type(value) is int:
        return value
    if isinstance(value, decimal.Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise unreadable(name, "an integer", value)


def float_from_wire(value: object, name: str) -> float | None:
    if value is None or type(value) is float:
        return value
    if isinstance(value, (int, decimal.Decimal)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise unreadable(name, "a number", value)


def decimal_from_wire(value: object, name: str) -> decimal.Decimal | None:
    # Answers are parsed with parse_float=Decimal, so no digit was lost.
    if value is None or type(value) is decimal.Decimal:
        return value
    if isinstance(value, float):
        return decimal.Decimal(repr(value))
    if isinstance(value, (int, str, decimal.Decimal)) and not isinstance(value, bool):
        try:
            return decimal.Decimal(value)
        except decimal.InvalidOperation:
            pass
    raise unreadable(name, "decimal", value)


def date_from_wire(value: object, name: str) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise unreadable(name, "a date", value)


_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)


def datetime_from_wire(value: object, name: str) -> datetime.datetime | None:
    if value is None:
        return None
    match = _DATETIME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise unreadable(name, "an ISO 8601 datetime", value)
    day, hour, minute, second, fraction, zone = match.groups()
    tz = _UTC  # Salesforce sends UTC; a bare value is taken as UTC
    if zone and zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        tz = datetime.timezone(sign * offset)
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime.datetime.combine(
            datetime.date.fromisoformat(day),
            datetime.time(int(hour), int(minute), int(second or 0), micros),
            tzinfo=tz,
        )
    except ValueError:
        raise unreadable(name, "an ISO 8601 datetime", value) from None


_TIME = re.compile(
    r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}:?\d{2})?$", re.I
)


def time_from_wire(value: object, name: str) -> datetime.time | None:
    if value is None:
        return None
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise unreadable(name, "a time", value)
    hour, minute, second, fraction, _zone = match.groups()
    micros = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return datetime.time(int(hour), int(minute), int(second or 0), micros)
    except ValueError:
        raise unreadable(name, "a time", value) from None


def multipicklist_from_wire(value: object, name: str) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [item for item in value.split(";") if item]
    if isinstance(value, list):
        return [str(item) for item in cast("list[object]", value)]
    raise unreadable(name, "a ';'-separated string", value)


def any_from_wire(value: object, name: str) -> object:
    return value


def record_from_wire(value: object, name: str) -> Any:
    """A record of an answer, as the org sent it: the generated annotation
    (a ``records.py`` type) says which fields it has."""
    if value is None or type(value) is dict:
        return cast("WireObject | None", value)
    if isinstance(value, Mapping):
        return dict(cast("Mapping[str, object]", value))
    raise unreadable(name, "a record object", value)


def apex_to_wire(value: object, name: str, cls: object) -> WireObject | None:
    """An Apex object: through ``cls.to_wire`` when flowgen could read the
    class (``cls`` is then its dataclass), else a dict of its members as is."""
    to_wire = getattr(cls, "to_wire", None)
    if to_wire is None:
        return apex_dict_to_wire(value, name)
    return cast("WireObject | None", to_wire(value, name))


def apex_dict_to_wire(value: object, name: str) -> WireObject | None:
    """An Apex object given as a dict of its members, sent as it is."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise wrong_type(name, "a dict of the Apex class's members", value)
    return dict(cast("Mapping[str, object]", value))


def apex_from_wire(value: object, name: str, cls: object) -> Any:
    """An Apex object of an answer: ``cls.from_wire``'s dataclass when
    flowgen could read the class, else a dict."""
    from_wire = getattr(cls, "from_wire", None)
    if from_wire is None:
        return record_from_wire(value, name)
    return from_wire(value, name)


def list_from_wire(
    value: object, name: str, item: Callable[..., object], *item_args: object
) -> list[Any] | None:
    """A collection of an answer: each element through ``item`` (the
    generated annotation says of what type)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise unreadable(name, "a list", value)
    return [
        item(element, f"{name}[{index}]", *item_args)
        for index, element in enumerate(cast("list[object]", value))
    ]


def with_keys(values: WireObject, keys: Sequence[str]) -> WireObject:
    """``values`` with each of ``keys``, found in another case where missing.

    Apex names, and so the keys of Salesforce's answers, are case-insensitive:
    an answer may say ``Total`` for the output ``total``. A key found in no
    case at all is set to None (the output is then None).
    """
    missing = [key for key in keys if key not in values]
    if not missing:
        return values
    folded: dict[str, str] = {}
    for key in values:
        folded.setdefault(key.lower(), key)
    found = dict(values)
    for key in missing:
        other = folded.get(key.lower())
        found[key] = None if other is None else values[other]
    return found


def apex_members(value: object, name: str) -> WireObject:
    """An Apex object of an answer, keyed by its member names in lower case.

    Apex names are case-insensitive, and so are the keys of its JSON: the
    generated ``from_wire`` reads each member by its name in lower case.
    """
    if not isinstance(value, Mapping):
        raise unreadable(name, "an Apex object", value)
    members = cast("Mapping[str, object]", value)
    return {str(key).lower(): item for key, item in members.items()}
