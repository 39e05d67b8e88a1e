"""Flow input values as JSON text, one writer per type.

A generated module's ``_to_json`` writes one element of a request's
``inputs`` by hand: its keys (escaped when the module was generated) and each
value through the writer of its type, ``decimal_json(value.rate, "rate")``.
Writing the text directly, rather than a dict for ``json.dumps``, keeps a
bulk call near the cost of posting ready-made JSON (bench/invoke.py), and a
Decimal's digits go out as they are. Each writer takes the exact type it
expects on a fast path; anything else (None, a subclass, a wrong type) goes
through the matching ``*_to_wire`` codec, which checks it and says what is
wrong, and then through the general JSON step.
"""

from __future__ import annotations

import datetime
import decimal
import json.encoder
import math
from collections.abc import Callable, Sequence
from typing import cast

from ._codecs import (
    apex_to_wire,
    boolean_to_wire,
    date_to_wire,
    datetime_to_wire,
    decimal_to_wire,
    float_to_wire,
    integer_to_wire,
    is_sequence,
    multipicklist_to_wire,
    record_to_wire,
    string_to_wire,
    time_to_wire,
    wrong_type,
)
from ._json import dumps_text

# The C string writer json.dumps itself uses: quotes added, every
# non-ASCII character escaped, so a body is ASCII throughout.
_quote = json.encoder.encode_basestring_ascii


def _written(wire: object) -> str:
    # The slow path's end: a checked wire value through the JSON step.
    return "null" if wire is None else dumps_text(wire)


def _quoted(text: str | None) -> str:
    return "null" if text is None else _quote(text)


def string_json(value: object, name: str) -> str:
    if type(value) is str:
        return _quote(value)
    return _quoted(string_to_wire(value, name))


def boolean_json(value: object, name: str) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _written(boolean_to_wire(value, name))


def integer_json(value: object, name: str) -> str:
    if type(value) is int:
        return int.__repr__(value)
    return _written(integer_to_wire(value, name))


def float_json(value: object, name: str) -> str:
    if type(value) is float and math.isfinite(value):
        return float.__repr__(value)
    return _written(float_to_wire(value, name))


def decimal_json(value: object, name: str) -> str:
    # A finite Decimal's str() is a JSON number with all its digits.
    if type(value) is decimal.Decimal and value.is_finite():
        return str(value)
    return _written(decimal_to_wire(value, name))


def date_json(value: object, name: str) -> str:
    if type(value) is datetime.date:
        return '"' + value.isoformat() + '"'
    return _quoted(date_to_wire(value, name))


def datetime_json(value: object, name: str) -> str:
    return _quoted(datetime_to_wire(value, name))


def time_json(value: object, name: str) -> str:
    return _quoted(time_to_wire(value, name))


def multipicklist_json(value: object, name: str) -> str:
    return _quoted(multipicklist_to_wire(value, name))


def any_json(value: object, name: str) -> str:
    return dumps_text(value)


def record_json(value: object, name: str, sobject_type: str | None) -> str:
    return _written(record_to_wire(value, name, sobject_type))


def apex_json(value: object, name: str, cls: object) -> str:
    return _written(apex_to_wire(value, name, cls))


def list_json(
    value: object, name: str, item: Callable[..., str], *item_args: object
) -> str:
    """A collection variable: each element through ``item(element, name,
    *item_args)``."""
    if value is None:
        return "null"
    if not is_sequence(value):
        raise wrong_type(name, "a sequence (list or tuple)", value)
    return (
        "["
        + ",".join(
            "null" if element is None else item(element, f"{name}[{index}]", *item_args)
            for index, element in enumerate(cast("Sequence[object]", value))
        )
        + "]"
    )
