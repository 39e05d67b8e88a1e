"""The head of the SELECT queries the fake org answers, for any object:
``SELECT <fields> FROM <object>``, refused with Salesforce's error codes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import _wire

INVALID_TYPE = "INVALID_TYPE"
INVALID_FIELD = "INVALID_FIELD"
MALFORMED_QUERY = "MALFORMED_QUERY"

_SELECT = re.compile(
    r"\s*SELECT\s+(?P<fields>.*?)\s+FROM\s+(?P<object>\w+)\s*(?P<rest>.*?)\s*",
    re.IGNORECASE | re.DOTALL,
)


class QueryError(_wire.Refusal):
    """A query Salesforce would refuse: answered 400 with ``code``."""


def entity(soql: str) -> str | None:
    """The object a ``SELECT ... FROM <object>`` query reads, as spelt; None
    when ``soql`` is no such query."""
    match = _SELECT.fullmatch(soql)
    return None if match is None else match["object"]


def select(
    soql: str, entity: str, fields: Sequence[str], *, shape: str
) -> tuple[tuple[str, ...], str]:
    """The fields (canonically spelt) a query of ``entity`` selects among
    ``fields``, and the rest of the query after ``FROM <entity>``.

    SOQL names are case-insensitive. ``shape`` is what the caller answers,
    for the message of a query that is no SELECT at all.
    """
    match = _SELECT.fullmatch(soql)
    if match is None:
        raise QueryError(MALFORMED_QUERY, f"expected {shape}")
    if match["object"].lower() != entity.lower():
        raise QueryError(
            INVALID_TYPE,
            f"sObject type '{match['object']}' is not supported by the fake org; "
            f"expected {shape}",
        )
    by_lower = {field.lower(): field for field in fields}
    chosen: list[str] = []
    for raw in match["fields"].split(","):
        name = raw.strip()
        if not name:
            raise QueryError(MALFORMED_QUERY, "empty field in the SELECT list")
        canonical = by_lower.get(name.lower())
        if canonical is None:
            raise QueryError(
                INVALID_FIELD, f"No such column '{name}' on entity '{entity}'"
            )
        if canonical in chosen:
            raise QueryError(MALFORMED_QUERY, f"duplicate field selected: {name}")
        chosen.append(canonical)
    return tuple(chosen), match["rest"]
