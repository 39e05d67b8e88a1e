"""Tooling API: ApexClass rows (with their SymbolTable) and the one query for them."""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from ._soql import MALFORMED_QUERY, QueryError, select

OBJECT = "ApexClass"
# The fields a row has, canonically spelled; SOQL names are case-insensitive.
FIELDS = ("Id", "Name", "NamespacePrefix", "SymbolTable")
_SHAPE = f"SELECT <fields> FROM {OBJECT} WHERE Name IN ('...', ...)"
WHERE_NAME_IN = re.compile(
    r"WHERE\s+Name\s+IN\s*\((?P<names>.*)\)", re.IGNORECASE | re.DOTALL
)
# A string literal: quotes around anything but a bare quote or backslash,
# or a backslash escape (checked by _unescape).
_LITERAL = re.compile(r"\s*'(?P<text>(?:[^'\\]|\\.)*)'\s*", re.DOTALL)
_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    '"': '"',
    "'": "'",
    "\\": "\\",
}


@dataclass(frozen=True)
class Query:
    """A parsed ApexClass query: canonical fields selected, names asked for."""

    fields: tuple[str, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class ApexClass:
    """One registered class: its row's values."""

    id: str
    name: str
    namespace: str | None
    symbol_table: dict[str, Any] | None  # None: the API's null (managed code)


def class_id(number: int) -> str:
    """The ``number``-th class's 18-character id, e.g. ``01p000000000001AAA``."""
    return f"01p{number:012d}AAA"


def parse(soql: str) -> Query:
    """The one query shape answered: ``SELECT <fields> FROM ApexClass WHERE Name IN (...)``.

    Anything else is refused rather than half-answered, so a client relying
    on a clause the fake ignores fails loudly instead of seeing wrong rows.
    """
    fields, rest = select(soql, OBJECT, FIELDS, shape=_SHAPE)
    where = WHERE_NAME_IN.fullmatch(rest)
    if where is None:
        raise QueryError(
            MALFORMED_QUERY,
            f"the fake org answers only {_SHAPE}, not {rest!r}",
        )
    return Query(fields, quoted_names(where["names"]))


def quoted_names(listed: str) -> tuple[str, ...]:
    """The names in the parentheses of ``Name IN ('A', 'B')``, unescaped."""
    names: list[str] = []
    position = 0
    while True:
        literal = _LITERAL.match(listed, position)
        if literal is None:
            raise QueryError(
                MALFORMED_QUERY, f"expected a quoted name in IN ({listed})"
            )
        names.append(_unescape(literal["text"]))
        position = literal.end()
        if position == len(listed):
            return tuple(names)
        if listed[position] != ",":
            raise QueryError(MALFORMED_QUERY, f"expected ',' in IN ({listed})")
        position += 1


def _unescape(text: str) -> str:
    def replace(escape: re.Match[str]) -> str:
        char = _ESCAPES.get(escape[1])
        if char is None:
            raise QueryError(
                MALFORMED_QUERY, f"invalid escape sequence '\\{escape[1]}'"
            )
        return char

    return re.sub(r"\\(.)", replace, text, flags=re.DOTALL)


def record(base: str, apex_class: ApexClass, fields: Sequence[str]) -> dict[str, Any]:
    """One query record holding ``fields``, under ``base`` (``/services/data/vX``)."""
    values: Mapping[str, Any] = {
        "Id": apex_class.id,
        "Name": apex_class.name,
        "NamespacePrefix": apex_class.namespace,
        "SymbolTable": apex_class.symbol_table,
    }
    url = f"{base}/tooling/sobjects/{OBJECT}/{apex_class.id}"
    row: dict[str, Any] = {"attributes": {"type": OBJECT, "url": url}}
    row.update((field, values[field]) for field in fields)
    return row


class ApexClasses:
    """The registered classes, in registration order."""

    def __init__(self) -> None:
        # Keyed by (namespace, name) lowercased: one class per name per
        # namespace, as in an org; a replaced class keeps its place and id.
        self._classes: dict[tuple[str, str], ApexClass] = {}
        self._count = 0  # classes ever added: numbers their ids
        self._lock = threading.Lock()

    def add(
        self,
        name: str,
        symbol_table: Mapping[str, Any] | None,
        namespace: str | None,
    ) -> None:
        """Register class ``name``, or replace the one of that name and namespace."""
        if not isinstance(name, str) or not name:
            raise ValueError("Apex class name must be a non-empty string")
        if namespace is not None and (not isinstance(namespace, str) or not namespace):
            raise ValueError("namespace must be None or a non-empty string")
        if symbol_table is not None and not isinstance(symbol_table, Mapping):
            raise ValueError(
                "symbol_table must be a mapping or None, "
                f"not {type(symbol_table).__name__}"
            )
        # A private copy, so a caller editing its dict cannot change the org.
        table = None if symbol_table is None else copy.deepcopy(dict(symbol_table))
        key = ((namespace or "").lower(), name.lower())
        with self._lock:
            old = self._classes.get(key)
            if old is None:
                self._count += 1
            identifier = class_id(self._count) if old is None else old.id
            self._classes[key] = ApexClass(identifier, name, namespace, table)

    def answer(self, base: str, query: str) -> tuple[int, object]:
        """Status and body for ``GET <base>/tooling/query?<query>``."""
        soql = parse_qs(query, keep_blank_values=True).get("q")
        try:
            if not soql:
                raise QueryError(MALFORMED_QUERY, "missing parameter q")
            parsed = parse(soql[0])
        except QueryError as exc:
            return 400, exc.body()
        wanted = {name.lower() for name in parsed.names}
        with self._lock:
            classes = list(self._classes.values())
        rows = [
            record(base, apex_class, parsed.fields)
            for apex_class in classes
            if apex_class.name.lower() in wanted
        ]
        return 200, {
            "size": len(rows),
            "totalSize": len(rows),
            "done": True,
            "queryLocator": None,
            "entityTypeName": OBJECT,
            "records": rows,
        }
