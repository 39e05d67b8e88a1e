"""Apex-defined types: SymbolTables read, fetched from the Tooling API over real
HTTP (references followed), and kept in a snapshot's apex/ folder."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import pytest

from flowgen.errors import OrgError, SourceError
from flowgen.model import ApexMember, ApexType
from flowgen.sources.apex import (
    apex_file_name,
    apex_type_json,
    apex_types_from_symbol_table,
    parse_apex_type,
    read_apex_types,
)
from flowgen.sources.org.apex import fetch_apex_types
from flowgen.sources.org.auth import AccessToken
from flowgen.sources.org.http import OrgSession
from flowgen.sources.snapshot import APEX_DIR, describe_bytes
from flowgen.testing import FakeOrg, Fault

TOOLING = "/tooling/query"


def prop(
    name: str,
    apex_type: str,
    *modifiers: str,
    annotations: Sequence[str] = ("InvocableVariable",),
) -> dict[str, Any]:
    """A SymbolTable property entry (a VisibilitySymbol)."""
    return {
        "name": name,
        "type": apex_type,
        "modifiers": list(modifiers or ("public",)),
        "annotations": [{"name": a} for a in annotations],
    }


def table(
    name: str,
    properties: Sequence[dict[str, Any]] = (),
    inner: Mapping[str, Sequence[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """A SymbolTable: a class with its properties and inner classes."""
    return {
        "name": name,
        "namespace": None,
        "properties": list(properties),
        "variables": [],
        "methods": [],
        "constructors": [],
        "innerClasses": [
            {
                "name": inner_name,
                "properties": list(inner_properties),
                "variables": [],
                "methods": [],
                "constructors": [],
                "innerClasses": [],
            }
            for inner_name, inner_properties in (inner or {}).items()
        ],
    }


SHIPPING = table(
    "Shipping",
    [prop("defaultCarrier", "String")],
    {
        "Quote": [
            prop("carrier", "String"),
            prop("parcels", "List<Shipping.Parcel>"),
            prop("secret", "String", "private", annotations=()),
            prop("COUNT", "Integer", "public", "static", annotations=()),
        ],
        "Parcel": [prop("weight", "Decimal"), prop("label", "String")],
    },
)
LEAD_SUMMARY = table(
    "LeadSummary", [prop("leadId", "Id"), prop("score", "Integer")], {}
)


def members(apex_type: ApexType) -> list[tuple[str, str]]:
    return [(m.name, m.apex_type) for m in apex_type.members]


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    with FakeOrg() as fake:
        yield fake


def fetch(
    org: FakeOrg,
    names: Sequence[str],
    *,
    session_type: type[OrgSession] = OrgSession,
) -> tuple[dict[str, ApexType], list[str]]:
    """fetch_apex_types over real HTTP against ``org``, with quick retries."""

    async def run() -> tuple[dict[str, ApexType], list[str]]:
        credential = AccessToken(org.instance_url, org.access_token)
        async with session_type(
            credential, api_version="62.0", backoff_base=0.01
        ) as session:
            return await fetch_apex_types(session, names)

    return asyncio.run(run())


# --- SymbolTables ---------------------------------------------------------------------


def test_a_symbol_table_gives_its_outer_and_inner_classes() -> None:
    types = apex_types_from_symbol_table(SHIPPING)

    assert list(types) == ["Shipping", "Shipping$Quote", "Shipping$Parcel"]
    assert types["Shipping$Quote"].name == "Shipping$Quote"
    assert members(types["Shipping"]) == [("defaultCarrier", "String")]
    # private and static members are not part of the type; order is kept
    assert members(types["Shipping$Quote"]) == [
        ("carrier", "String"),
        ("parcels", "List<Shipping.Parcel>"),
    ]
    assert members(types["Shipping$Parcel"]) == [
        ("weight", "Decimal"),
        ("label", "String"),
    ]


def test_member_filtering_ignores_case_and_skips_malformed_entries() -> None:
    symbols = table(
        "Lenient",
        [
            prop("b", "String", "GLOBAL"),
            prop("a", "Decimal", "Public", "Transient"),
            prop("shared", "String", "global", "STATIC"),
            prop("hidden", "String", "protected"),
            {"name": "noModifiers", "type": "String"},
            {"name": "", "type": "String", "modifiers": ["public"]},
            {"type": "String", "modifiers": ["public"]},
            {"name": "typeless", "type": None, "modifiers": ["public"]},
            {"name": "numeric", "type": 7, "modifiers": ["public"]},
            "not an entry",
            prop("B", "Integer", "public"),  # Apex names ignore case: a repeat
            prop("last", "Map<String, Lenient.Item>", "public"),
        ],
    )
    symbols["innerClasses"] = [
        {"name": "Item", "properties": "not a list"},
        {"properties": []},  # no name
        {
            "name": "Deep",
            "properties": [prop("x", "String")],
            "innerClasses": [{"name": "Deeper", "properties": [prop("y", "Id")]}],
        },
        "junk",
    ]

    types = apex_types_from_symbol_table(symbols)

    assert list(types) == ["Lenient", "Lenient$Item", "Lenient$Deep"]
    assert members(types["Lenient"]) == [
        ("b", "String"),
        ("a", "Decimal"),
        ("last", "Map<String, Lenient.Item>"),
    ]
    assert types["Lenient$Item"].members == ()
    assert members(types["Lenient$Deep"]) == [("x", "String")]
    assert apex_types_from_symbol_table({"properties": []}) == {}


def test_fetches_inner_and_top_level_classes_in_one_query(org: FakeOrg) -> None:
    org.add_apex_class("Shipping", SHIPPING)
    org.add_apex_class("LeadSummary", LEAD_SUMMARY)
    org.add_apex_class("Unrelated", table("Unrelated", [prop("x", "String")]))

    found, warnings = fetch(org, ["Shipping$Quote", "LeadSummary"])

    assert warnings == []
    # the requested ones, and the inner class a member refers to
    assert list(found) == ["Shipping$Quote", "LeadSummary", "Shipping$Parcel"]
    assert members(found["Shipping$Quote"]) == [
        ("carrier", "String"),
        ("parcels", "List<Shipping.Parcel>"),
    ]
    assert members(found["LeadSummary"]) == [("leadId", "Id"), ("score", "Integer")]
    assert found["Shipping$Parcel"] == ApexType(
        "Shipping$Parcel",
        (ApexMember("weight", "Decimal"), ApexMember("label", "String")),
    )
    assert org.request_count(TOOLING) == 1


def test_requested_names_keep_their_spelling_and_types_the_orgs(
    org: FakeOrg,
) -> None:
    org.add_apex_class("Shipping", SHIPPING)

    found, warnings = fetch(org, ["shipping$QUOTE"])

    assert warnings == []
    assert list(found) == ["shipping$QUOTE", "Shipping$Parcel"]
    assert found["shipping$QUOTE"].name == "Shipping$Quote"


def test_references_to_other_classes_take_further_query_rounds(
    org: FakeOrg,
) -> None:
    org.add_apex_class(
        "Order",
        table(
            "Order",
            [
                prop("id", "Id"),
                prop("billing", "Billing.Invoice"),  # another outer class's inner
                prop("address", "Address"),  # a top-level class
                prop("account", "Account"),  # an sObject: asked for, not found
                prop("item", "Item"),  # its own inner class, not the top-level Item
            ],
            {"Item": [prop("sku", "String")]},
        ),
    )
    org.add_apex_class("Item", table("Item", [prop("wrong", "String")]))
    org.add_apex_class(
        "Billing",
        table(
            "Billing",
            [],
            {
                "Invoice": [prop("taxes", "List<Tax>"), prop("owner", "Order")],
                "Tax": [prop("rate", "Decimal")],
            },
        ),
    )
    org.add_apex_class(
        "Address", table("Address", [prop("country", "Country"), prop("x", "Widget")])
    )
    org.add_apex_class("Country", table("Country", [prop("code", "String")]))

    found, warnings = fetch(org, ["Order"])

    assert warnings == []  # Account and Widget are not classes: no warning
    assert sorted(found) == [
        "Address",
        "Billing$Invoice",
        "Billing$Tax",
        "Country",
        "Order",
        "Order$Item",
    ]
    assert members(found["Order$Item"]) == [("sku", "String")]
    assert members(found["Billing$Tax"]) == [("rate", "Decimal")]
    assert members(found["Country"]) == [("code", "String")]
    # Order; then Account, Address, Billing; then Country and Widget
    assert org.request_count(TOOLING) == 3


def test_references_stop_after_the_last_round(org: FakeOrg) -> None:
    chain = ["A", "B", "C", "D", "E", "F"]
    for name, following in zip(chain, chain[1:] + [None], strict=True):
        properties = [prop("next", following)] if following else []
        org.add_apex_class(name, table(name, properties))

    found, warnings = fetch(org, ["A"])

    assert list(found) == ["A", "B", "C", "D"]  # the first query and 3 more
    assert warnings == [
        "Apex class E (used by D): more than 3 classes away from the flows' own; "
        "typed as a dict"
    ]
    assert org.request_count(TOOLING) == 4


def test_missing_unreadable_and_unsafe_classes_are_warnings(org: FakeOrg) -> None:
    org.add_apex_class("Shipping", SHIPPING)
    org.add_apex_class("Managed", None, namespace="acme")
    org.add_apex_class("Managed", None)
    org.add_apex_class(
        "UsesManaged",
        table("UsesManaged", [prop("a", "Managed"), prop("b", "List<Managed>")]),
    )

    found, warnings = fetch(
        org,
        [
            "Shipping$Quote",
            "Shipping$Nope",
            "Nowhere",
            "Managed",
            "UsesManaged",
            "Bad-Name",
            "x') OR Name != ('",
            "A$B$C",
        ],
    )

    assert list(found) == ["Shipping$Quote", "UsesManaged", "Shipping$Parcel"]
    assert warnings == [
        "Apex class 'Bad-Name': not a valid class name; typed as a dict",
        "Apex class \"x') OR Name != ('\": not a valid class name; typed as a dict",
        "Apex class 'A$B$C': not a valid class name; typed as a dict",
        "Apex class Shipping$Nope: not found in the org; typed as a dict",
        "Apex class Nowhere: not found in the org; typed as a dict",
        "Apex class Managed: the org's class Managed cannot be read (managed "
        "package? its SymbolTable is null); typed as a dict",
        "Apex class Managed (used by UsesManaged): the org's class Managed cannot "
        "be read (managed package? its SymbolTable is null); typed as a dict",
    ]
    assert org.request_count(TOOLING) == 1


def test_a_namespaced_request_takes_the_namespaced_class(org: FakeOrg) -> None:
    org.add_apex_class("Shipping", table("Shipping", [prop("local", "String")]))
    org.add_apex_class(
        "Shipping", table("Shipping", [prop("managed", "String")]), namespace="acme"
    )

    found, warnings = fetch(org, ["acme__Shipping", "Shipping"])

    assert warnings == []
    assert members(found["acme__Shipping"]) == [("managed", "String")]
    assert found["acme__Shipping"].name == "acme__Shipping"
    assert members(found["Shipping"]) == [("local", "String")]
    assert org.request_count(TOOLING) == 1


def test_names_are_queried_100_at_a_time(org: FakeOrg) -> None:
    names = [f"Class{n:03d}" for n in range(150)]
    for name in names:
        org.add_apex_class(name, table(name, [prop("n", "Integer")]))

    found, warnings = fetch(org, names)

    assert warnings == []
    assert sorted(found) == names
    assert org.request_count(TOOLING) == 2


@pytest.mark.parametrize(
    "fault",
    [
        Fault.status(403, "INSUFFICIENT_ACCESS", "no Tooling for you"),
        Fault.status(404),
        Fault.html(404),
        Fault.status(400, "INVALID_TYPE", "sObject type 'ApexClass' is not supported"),
    ],
)
def test_no_tooling_access_is_one_warning(org: FakeOrg, fault: Fault) -> None:
    org.add_apex_class("Shipping", SHIPPING)
    org.inject(fault, path=TOOLING)

    found, warnings = fetch(org, ["Shipping$Quote", "LeadSummary"])

    assert found == {}
    [warning] = warnings
    assert warning.startswith("Apex classes: the Tooling API cannot be queried (")
    assert f"HTTP {fault.status_code}" in warning
    assert "2 Apex-defined type(s) are typed as dicts: LeadSummary, Shipping$Quote" in (
        warning
    )
    assert org.request_count(TOOLING) == 1  # not retried


class _SecondQueryRefused(OrgSession):
    """A session whose org refuses Tooling queries after the first."""

    fake: FakeOrg

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        if TOOLING in path and self.fake.request_count(TOOLING) == 1:
            self.fake.inject(Fault.status(403, "INSUFFICIENT_ACCESS"), path=TOOLING)
        return await super().get(path, params)


def test_a_refused_later_round_keeps_what_was_found(org: FakeOrg) -> None:
    org.add_apex_class(
        "Order",
        table(
            "Order",
            [prop("address", "Address"), prop("item", "Order.Item")],
            {"Item": [prop("sku", "String")]},
        ),
    )
    org.add_apex_class("Address", table("Address", [prop("city", "String")]))
    _SecondQueryRefused.fake = org

    found, warnings = fetch(org, ["Order"], session_type=_SecondQueryRefused)

    assert list(found) == ["Order", "Order$Item"]
    [warning] = warnings
    assert "HTTP 403 INSUFFICIENT_ACCESS" in warning
    assert warning.endswith(
        "1 Apex-defined type(s) are typed as dicts: Address (used by Order). "
        "Does the user have access to the Tooling API?"
    )
    assert org.request_count(TOOLING) == 2


def test_a_used_up_request_limit_still_stops(org: FakeOrg) -> None:
    org.add_apex_class("Shipping", SHIPPING)
    org.inject(Fault.status(403), path=TOOLING)  # REQUEST_LIMIT_EXCEEDED

    with pytest.raises(OrgError, match="REQUEST_LIMIT_EXCEEDED"):
        fetch(org, ["Shipping$Quote"])


def test_transient_faults_are_retried(org: FakeOrg) -> None:
    org.add_apex_class("Shipping", SHIPPING)
    org.inject(Fault.status(503), path=TOOLING)
    org.inject(Fault.malformed(), path=TOOLING)

    found, warnings = fetch(org, ["Shipping$Quote"])

    assert warnings == [] and "Shipping$Quote" in found
    assert org.request_count(TOOLING) == 3


class _PagedOrg:
    """Just enough of an OrgSession to answer a query in two pages."""

    api_version = "62.0"

    def __init__(self, pages: Sequence[Any]) -> None:
        self.pages = list(pages)
        self.asked: list[tuple[str, Mapping[str, str] | None]] = []

    def data_path(self, rest: str) -> str:
        return f"/services/data/v62.0/{rest}"

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        self.asked.append((path, params))
        return self.pages.pop(0)


def _row(name: str, symbol_table: Any) -> dict[str, Any]:
    return {"Name": name, "NamespacePrefix": None, "SymbolTable": symbol_table}


def test_every_page_of_the_answer_is_read() -> None:
    more = "/services/data/v62.0/tooling/query/01gXX-2000"
    paged = _PagedOrg(
        [
            {"done": False, "nextRecordsUrl": more, "records": [_row("A", table("A"))]},
            {"done": True, "records": [_row("B", table("B"))]},
        ]
    )

    found, warnings = asyncio.run(fetch_apex_types(cast(OrgSession, paged), ["A", "B"]))

    assert (sorted(found), warnings) == (["A", "B"], [])
    assert paged.asked == [
        (
            "/services/data/v62.0/tooling/query",
            {
                "q": "SELECT Id, Name, NamespacePrefix, SymbolTable FROM ApexClass "
                "WHERE Name IN ('A', 'B')"
            },
        ),
        (more, None),
    ]


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        (
            {"done": False, "nextRecordsUrl": "https://evil.example/x", "records": []},
            "is not an API path",
        ),
        ({"done": True}, "no 'records' list"),
        (["not", "an", "answer"], "no 'records' list"),
    ],
)
def test_a_strange_answer_is_a_warning(answer: Any, problem: str) -> None:
    found, warnings = asyncio.run(
        fetch_apex_types(cast(OrgSession, _PagedOrg([answer])), ["A"])
    )

    assert found == {}
    [warning] = warnings
    assert problem in warning
    assert warning.endswith(
        "typed as dicts: A. Does the user have access to the Tooling API?"
    )


# --- snapshot files -------------------------------------------------------------------


QUOTE = ApexType(
    "Shipping$Quote",
    (ApexMember("carrier", "String"), ApexMember("parcels", "List<Shipping.Parcel>")),
)
PARCEL = ApexType("Shipping$Parcel", (ApexMember("weight", "Decimal"),))


def test_the_json_round_trip() -> None:
    data = apex_type_json(QUOTE)

    assert data == {
        "name": "Shipping$Quote",
        "members": [
            {"name": "carrier", "type": "String"},
            {"name": "parcels", "type": "List<Shipping.Parcel>"},
        ],
    }
    text = describe_bytes(data)
    assert parse_apex_type(json.loads(text), origin="x.json") == QUOTE
    assert parse_apex_type(apex_type_json(ApexType("Empty")), origin="x") == (
        ApexType("Empty")
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "expected a JSON object"),
        ({"members": []}, "'name'"),
        ({"name": "../etc", "members": []}, "'name'"),
        ({"name": "A"}, "'members' must be a list"),
        ({"name": "A", "members": {"a": "String"}}, "'members' must be a list"),
        ({"name": "A", "members": ["x"]}, r"members\[0\] must be a JSON object"),
        ({"name": "A", "members": [{"type": "String"}]}, r"members\[0\] has no 'name'"),
        ({"name": "A", "members": [{"name": "a", "type": 1}]}, "has no 'type'"),
    ],
)
def test_a_file_of_another_shape_is_a_source_error(data: Any, problem: str) -> None:
    with pytest.raises(SourceError, match=problem) as raised:
        parse_apex_type(data, origin="apex/A.json")
    assert raised.value.path == "apex/A.json"


def test_file_names() -> None:
    assert APEX_DIR == "apex"
    assert apex_file_name("Shipping$Quote") == "Shipping$Quote.json"
    assert apex_file_name("acme__Lead_Summary2") == "acme__Lead_Summary2.json"
    for bad in ["", "../x", "a/b", "A.B", "Ünïcode", "a b", "x.json\x00"]:
        with pytest.raises(ValueError, match="cannot be a file name"):
            apex_file_name(bad)


def _write(directory: Path, types: Sequence[ApexType]) -> None:
    directory.mkdir(exist_ok=True)
    for apex_type in types:
        path = directory / apex_file_name(apex_type.name)
        path.write_bytes(describe_bytes(apex_type_json(apex_type)))


def test_reading_types_follows_references_and_ignores_case(tmp_path: Path) -> None:
    apex = tmp_path / APEX_DIR
    country = ApexType("Country", (ApexMember("code", "String"),))
    address = ApexType(
        "Address", (ApexMember("city", "String"), ApexMember("country", "Country"))
    )
    lead = ApexType("LeadSummary", (ApexMember("home", "Address"),))
    unused = ApexType("Unused", ())
    _write(apex, [QUOTE, PARCEL, address, country, lead, unused])

    found, warnings = read_apex_types(str(apex), ["shipping$quote", "LeadSummary"])

    assert warnings == []
    assert found == {
        "LeadSummary": lead,
        "shipping$quote": QUOTE,
        "Address": address,
        "Country": country,  # two references away
        "Shipping$Parcel": PARCEL,
    }


def test_reading_warns_of_broken_files(tmp_path: Path) -> None:
    apex = tmp_path / APEX_DIR
    _write(apex, [QUOTE])
    (apex / "Shipping$Parcel.json").write_text('{"name": "Shipping$Parcel", ')
    (apex / "LeadSummary.json").write_text('{"name": "LeadSummary"}')
    (apex / "Other.json").write_text(json.dumps(apex_type_json(QUOTE)))

    found, warnings = read_apex_types(
        str(apex), ["Shipping$Quote", "LeadSummary", "Other", "Missing"]
    )

    assert found == {"Shipping$Quote": QUOTE}
    parcel, lead, other = (
        str(apex / f"{n}.json") for n in ["Shipping$Parcel", "LeadSummary", "Other"]
    )
    assert (
        warnings[0]
        == f"{lead}: 'members' must be a list; LeadSummary values stay dicts"
    )
    assert warnings[1] == (
        f"{other}: holds type 'Shipping$Quote', not 'Other'; Other values stay dicts"
    )
    assert warnings[2].startswith(f"{parcel}: cannot be read (")
    assert warnings[2].endswith("; Shipping$Parcel values stay dicts")
    # Only the type with no file at all is said to be missing from the
    # snapshot; the broken ones were named above.
    assert warnings[3:] == [
        "Apex class Missing: its members are not in the snapshot; typed as a dict"
    ]


def test_no_apex_folder_is_no_types(tmp_path: Path) -> None:
    assert read_apex_types(str(tmp_path / APEX_DIR), ["Shipping$Quote"]) == (
        {},
        [
            "Apex class Shipping$Quote: its members are not in the snapshot; "
            "typed as a dict"
        ],
    )
