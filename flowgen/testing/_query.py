"""FlowDefinitionView rows and the little SOQL the fake org answers, with paging."""

from __future__ import annotations

import datetime
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._soql import MALFORMED_QUERY, QueryError, select

OBJECT = "FlowDefinitionView"
# The fields a row has, canonically spelled; SOQL names are case-insensitive.
FIELDS = (
    "ApiName",
    "NamespacePrefix",
    "ProcessType",
    "ActiveVersionId",
    "LatestVersionId",
    "LastModifiedDate",
)
# Changes are stamped from here on, one second apart, so runs are repeatable.
_EPOCH = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
_LOCATOR = re.compile(r"(01gFAKE\d{11})-(\d+)")

INVALID_QUERY_LOCATOR = "INVALID_QUERY_LOCATOR"


@dataclass(frozen=True)
class Definition:
    """What FlowDefinitionView knows of one flow besides its name."""

    durable_id: str  # "300…", the FlowDefinition's id; stable across versions
    process_type: str
    version_id: str  # "301…", active and latest alike
    last_modified: str


def fake_id(prefix: str, number: int) -> str:
    """A deterministic 18-character Salesforce-style id, e.g. ``301FAKE00000000001``."""
    return f"{prefix}FAKE{number:011d}"


def timestamp(change: int) -> str:
    """``LastModifiedDate`` of the ``change``-th change (from 1), Salesforce style."""
    moment = _EPOCH + datetime.timedelta(seconds=change - 1)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class Clock:
    """The org's count of admin edits, shared by flows and other actions, so
    every edit is dated (``timestamp``) one second after the one before."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def tick(self) -> int:
        """Count one more edit and return its number (from 1)."""
        with self._lock:
            self._count += 1
            return self._count


def split_name(name: str) -> tuple[str | None, str]:
    """``"ns__Name"`` → ``("ns", "Name")``; an unprefixed name has no namespace."""
    prefix, separator, rest = name.partition("__")
    if separator and prefix and rest:
        return prefix, rest
    return None, name


def parse(soql: str) -> list[str]:
    """The canonical names of the fields a FlowDefinitionView query selects.

    Only ``SELECT <fields> FROM FlowDefinitionView`` is understood: a WHERE,
    ORDER BY or LIMIT is refused rather than ignored, so a client relying on
    one fails loudly instead of seeing rows it filtered out.
    """
    fields, rest = select(soql, OBJECT, FIELDS, shape=f"SELECT <fields> FROM {OBJECT}")
    if rest:
        raise QueryError(
            MALFORMED_QUERY,
            f"the fake org answers no clauses after FROM {OBJECT}: {rest!r}",
        )
    return list(fields)


def record(
    base: str, name: str, definition: Definition, fields: Sequence[str]
) -> dict[str, Any]:
    """One query record holding ``fields``, under ``base`` (``/services/data/vX``)."""
    namespace, api_name = split_name(name)
    values: Mapping[str, Any] = {
        "ApiName": api_name,
        "NamespacePrefix": namespace,
        "ProcessType": definition.process_type,
        "ActiveVersionId": definition.version_id,
        "LatestVersionId": definition.version_id,
        "LastModifiedDate": definition.last_modified,
    }
    url = f"{base}/sobjects/{OBJECT}/{definition.durable_id}"
    row: dict[str, Any] = {"attributes": {"type": OBJECT, "url": url}}
    row.update((field, values[field]) for field in fields)
    return row


def records(
    base: str, definitions: Iterable[tuple[str, Definition]], fields: Sequence[str]
) -> list[dict[str, Any]]:
    """A record per (name, definition), in the order the query answers them."""
    ordered = sorted(definitions, key=lambda item: sort_key(item[0]))
    return [record(base, name, definition, fields) for name, definition in ordered]


def sort_key(name: str) -> tuple[bool, str, str]:
    """Order by NamespacePrefix (unprefixed first, as nulls sort), then ApiName."""
    namespace, api_name = split_name(name)
    return namespace is not None, namespace or "", api_name


class Cursors:
    """Query results kept for ``nextRecordsUrl``: each query's rows, paged later.

    A query's rows are fixed when it runs, as a Salesforce query locator's are.
    """

    def __init__(self) -> None:
        self._results: dict[str, tuple[list[dict[str, Any]], int]] = {}
        self._count = 0
        self._lock = threading.Lock()

    def first_page(
        self, base: str, rows: list[dict[str, Any]], page_size: int
    ) -> dict[str, Any]:
        """The response to a query: its first page, and a locator for the rest."""
        with self._lock:
            self._count += 1
            locator = fake_id("01g", self._count)
            self._results[locator] = (rows, page_size)
        return self._page(base, locator, rows, page_size, 0)

    def next_page(self, base: str, locator: str) -> dict[str, Any]:
        """The page a ``nextRecordsUrl`` ending in ``locator`` points at."""
        match = _LOCATOR.fullmatch(locator)
        with self._lock:
            result = self._results.get(match[1]) if match else None
        if match is None or result is None or int(match[2]) > len(result[0]):
            raise QueryError(INVALID_QUERY_LOCATOR, "invalid query locator")
        rows, page_size = result
        return self._page(base, match[1], rows, page_size, int(match[2]))

    @staticmethod
    def _page(
        base: str, locator: str, rows: list[dict[str, Any]], size: int, offset: int
    ) -> dict[str, Any]:
        end = offset + size
        done = end >= len(rows)
        page: dict[str, Any] = {
            "totalSize": len(rows),
            "done": done,
            "records": rows[offset:end],
        }
        if not done:
            page["nextRecordsUrl"] = f"{base}/query/{locator}-{end}"
        return page
