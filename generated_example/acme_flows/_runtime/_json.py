"""JSON for the wire: decimals keep every digit, at the C encoder's speed."""

from __future__ import annotations

import decimal
import json
import os
from typing import Any

# Each Decimal is written as a string of its digits between two markers,
# then the quotes and markers are taken away (str.replace: C speed). A
# caller's own string could hold the marker too; then the markers outnumber
# two a decimal, and the text is made again with a marker no string holds.
# Short, because every decimal carries it twice through encoding and
# replacing (a 17-character marker cost a fifth more time per body).
_MARKER = "\x00~"


def dumps_text(value: object) -> str:
    """ASCII JSON of ``value``, Decimal values written with all their digits."""
    marker = _MARKER
    while True:
        count = 0

        def write_decimal(item: object, marker: str = marker) -> str:
            nonlocal count
            if not isinstance(item, decimal.Decimal):
                raise TypeError(
                    f"a {type(item).__name__} cannot be sent as JSON; "
                    "pass str, int, decimal.Decimal or a list or dict of them"
                )
            if not item.is_finite():
                raise ValueError(f"{item} cannot be sent as JSON")
            count += 1
            return marker + str(item) + marker

        text = json.dumps(
            value, default=write_decimal, allow_nan=False, separators=(",", ":")
        )
        if not count:
            return text
        spelt = json.dumps(marker)[1:-1]  # as JSON writes it: \u0000~
        if text.count(spelt) == 2 * count:
            return text.replace(f'"{spelt}', "").replace(f'{spelt}"', "")
        marker = f"{_MARKER}{os.urandom(8).hex()}~"


def dumps(value: object) -> bytes:
    """UTF-8 JSON of ``value``, Decimal values written with all their digits."""
    return dumps_text(value).encode("ascii")


def loads(content: bytes) -> Any:
    """Parse an answer; numbers with a fraction become Decimal, exactly."""
    return json.loads(content, parse_float=decimal.Decimal)
