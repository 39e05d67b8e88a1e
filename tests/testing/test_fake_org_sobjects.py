"""sObject describes and Tooling API ApexClass queries, over real HTTP."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowgen.testing import FakeOrg, Fault
from tests.testing.conftest import DATA, flow, http_client

SOBJECTS = f"{DATA}/sobjects"
BATCH = f"{DATA}/composite/batch"
TOOLING_QUERY = f"{DATA}/tooling/query"
NOT_FOUND = [
    {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
]
SELECT = "SELECT Id, Name, NamespacePrefix, SymbolTable FROM ApexClass"

ACCOUNT: dict[str, Any] = {
    "name": "Account",
    "label": "Account",
    "fields": [
        {"name": "Id", "type": "id", "byteLength": 18, "updateable": False},
        {"name": "Name", "type": "string", "length": 255},
        {"name": "Score__c", "type": "double", "defaultValue": 0},
    ],
}
# A trimmed real SymbolTable: an outer class holding an invocable inner class.
SHIPPING: dict[str, Any] = {
    "name": "Shipping",
    "namespace": None,
    "properties": [],
    "variables": [],
    "methods": [],
    "constructors": [],
    "innerClasses": [
        {
            "name": "Quote",
            "properties": [
                {
                    "name": "carrier",
                    "type": "String",
                    "modifiers": ["public"],
                    "annotations": [{"name": "InvocableVariable"}],
                },
                {
                    "name": "amount",
                    "type": "Decimal",
                    "modifiers": ["public"],
                    "annotations": [{"name": "InvocableVariable"}],
                },
            ],
            "variables": [],
            "methods": [],
            "constructors": [],
            "innerClasses": [],
        }
    ],
}


def _describe(client: httpx.Client, name: str) -> httpx.Response:
    return client.get(f"{SOBJECTS}/{name}/describe")


def _tooling(client: httpx.Client, soql: str) -> httpx.Response:
    return client.get(TOOLING_QUERY, params={"q": soql})


def _batch(client: httpx.Client, *urls: str) -> list[dict[str, Any]]:
    requests = [{"method": "GET", "url": url} for url in urls]
    response = client.post(BATCH, json={"batchRequests": requests})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results


# --- describe --------------------------------------------------------------------


def test_describe_adds_the_keys_the_real_api_always_sends(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_sobject(ACCOUNT)

    response = _describe(api, "Account")

    assert response.status_code == 200
    assert response.json() == {
        "name": "Account",
        "label": "Account",
        "fields": [
            {  # given values win over the defaults
                "name": "Id",
                "type": "id",
                "byteLength": 18,
                "updateable": False,
                "calculated": False,
                "custom": False,
                "defaultValue": None,
            },
            {
                "name": "Name",
                "type": "string",
                "length": 255,
                "byteLength": 0,
                "calculated": False,
                "custom": False,
                "defaultValue": None,
                "updateable": True,
            },
            {
                "name": "Score__c",
                "type": "double",
                "defaultValue": 0,
                "byteLength": 0,
                "calculated": False,
                "custom": True,
                "updateable": True,
            },
        ],
        "custom": False,
        "keyPrefix": None,
        "urls": {"describe": f"{SOBJECTS}/Account/describe"},
        "childRelationships": [],
        "recordTypeInfos": [],
    }


def test_custom_object_and_given_top_level_keys(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_sobject(
        {
            "name": "Invoice__c",
            "fields": [],
            "keyPrefix": "a01",
            "urls": {"describe": "/elsewhere"},
            "recordTypeInfos": [{"name": "Master"}],
        }
    )

    body = _describe(api, "Invoice__c").json()

    assert body["custom"] is True
    assert body["keyPrefix"] == "a01"
    assert body["urls"] == {"describe": "/elsewhere"}
    assert body["recordTypeInfos"] == [{"name": "Master"}]
    assert body["childRelationships"] == []
    assert body["fields"] == []


def test_the_stored_describe_is_a_private_untouched_copy(fake_org: FakeOrg) -> None:
    registered = copy.deepcopy(ACCOUNT)
    fake_org.add_sobject(registered)
    registered["fields"][1]["type"] = "changed after registering"
    registered["label"] = "changed"

    with http_client(fake_org) as client:
        first = _describe(client, "Account").json()
        # Were the defaults written into the stored describe, the old URL
        # (and the version in it) would stick after the version changes.
        fake_org.api_version = "61.0"
        second = client.get("/services/data/v61.0/sobjects/Account/describe").json()

    assert registered["label"] == "changed"  # the caller's dict is its own
    assert "custom" not in registered and "byteLength" not in registered["fields"][1]
    assert first["label"] == "Account"
    assert first["fields"][1]["type"] == "string"
    assert first["urls"] == {"describe": f"{SOBJECTS}/Account/describe"}
    assert second["urls"] == {
        "describe": "/services/data/v61.0/sobjects/Account/describe"
    }
    assert {key: value for key, value in second.items() if key != "urls"} == {
        key: value for key, value in first.items() if key != "urls"
    }


def test_lookup_ignores_case_and_answers_with_the_registered_spelling(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_sobject(ACCOUNT)

    lower, upper = _describe(api, "account"), _describe(api, "ACCOUNT")

    assert lower.status_code == upper.status_code == 200
    assert lower.json() == upper.json() == _describe(api, "Account").json()
    assert lower.json()["name"] == "Account"
    assert lower.json()["urls"]["describe"] == f"{SOBJECTS}/Account/describe"


def test_adding_a_name_again_in_other_case_replaces_it(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_sobject(ACCOUNT)

    fake_org.add_sobject({"name": "ACCOUNT", "label": "Shouting", "fields": []})

    body = _describe(api, "Account").json()
    assert (body["name"], body["label"], body["fields"]) == ("ACCOUNT", "Shouting", [])


@pytest.mark.parametrize(
    "path",
    [
        f"{SOBJECTS}/Contact/describe",
        f"{SOBJECTS}//describe",
        f"{SOBJECTS}/Account/Contact/describe",
        f"{SOBJECTS}/Account/describe/extra",
        "/services/data/v61.0/sobjects/Account/describe",  # not the org's version
    ],
)
def test_unknown_types_are_404(fake_org: FakeOrg, api: httpx.Client, path: str) -> None:
    fake_org.add_sobject(ACCOUNT)

    response = api.get(path)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_describe_only_answers_get(fake_org: FakeOrg, api: httpx.Client) -> None:
    fake_org.add_sobject(ACCOUNT)

    response = api.post(f"{SOBJECTS}/Account/describe", json={})

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("describe", "problem"),
    [
        ({"fields": []}, "'name'"),
        ({"name": "", "fields": []}, "'name'"),
        ({"name": "Account"}, "'fields'"),
        ({"name": "Account", "fields": {}}, "'fields'"),
        ({"name": "Account", "fields": ["Id"]}, r"fields\[0\]"),
        ({"name": "Account", "fields": [{"type": "id"}]}, r"fields\[0\]"),
    ],
)
def test_bad_describes_are_refused(
    fake_org: FakeOrg, describe: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        fake_org.add_sobject(describe)


# --- snapshots -------------------------------------------------------------------


def _snapshot(root: Path, sobjects: dict[str, str] | None) -> Path:
    (root / "flows").mkdir()
    manifest = {"format": 1, "api_version": "62.0"}
    (root / "flowgen-snapshot.json").write_text(json.dumps(manifest))
    (root / "flows" / "Greet.json").write_text(json.dumps(flow("Greet")))
    if sobjects is not None:
        (root / "sobjects").mkdir()
        for stem, text in sobjects.items():
            (root / "sobjects" / f"{stem}.json").write_text(text)
    return root


def test_describes_load_from_the_snapshot_sobjects_folder(tmp_path: Path) -> None:
    # Written by hand so the number keeps digits a float would lose.
    invoice = (
        '{"name": "Invoice__c",'
        ' "fields": [{"name": "Rate__c", "scale": 0.10000000000000000001}]}'
    )
    snapshot = _snapshot(
        tmp_path, {"Account": json.dumps(ACCOUNT), "Invoice__c": invoice}
    )

    with FakeOrg(snapshot) as org, http_client(org) as client:
        account = _describe(client, "Account")
        invoice_answer = _describe(client, "invoice__c")
        greet = client.get(f"{DATA}/actions/custom/flow/Greet")

    assert account.status_code == 200
    assert account.json()["fields"][2]["name"] == "Score__c"
    assert invoice_answer.status_code == 200
    body = json.loads(invoice_answer.text, parse_float=Decimal)
    assert body["name"] == "Invoice__c" and body["custom"] is True
    assert body["fields"][0]["scale"] == Decimal("0.10000000000000000001")
    assert body["fields"][0]["custom"] is True
    assert greet.status_code == 200  # flows load as before


def test_a_snapshot_without_sobjects_has_none(tmp_path: Path) -> None:
    with FakeOrg(_snapshot(tmp_path, None)) as org, http_client(org) as client:
        missing = _describe(client, "Account")
        greet = client.get(f"{DATA}/actions/custom/flow/Greet")

    assert missing.status_code == 404
    assert missing.json() == NOT_FOUND
    assert greet.status_code == 200


@pytest.mark.parametrize(
    ("text", "problem"),
    [("[]", "expected a JSON object"), ('{"name": "Account"}', "'fields'")],
)
def test_a_bad_snapshot_describe_names_its_file(
    tmp_path: Path, text: str, problem: str
) -> None:
    snapshot = _snapshot(tmp_path, {"Account": text})

    with pytest.raises(ValueError, match=f"Account.json.*{problem}"):
        FakeOrg(snapshot)


# --- composite batch ---------------------------------------------------------------


def test_describes_work_inside_a_batch(fake_org: FakeOrg, api: httpx.Client) -> None:
    fake_org.add_sobject(ACCOUNT)

    results = _batch(
        api,
        "v62.0/sobjects/Account/describe",
        "/services/data/v62.0/sobjects/account/describe",
        "v62.0/sobjects/Contact/describe",
    )

    standalone = _describe(api, "Account").json()
    assert results == [
        {"statusCode": 200, "result": standalone},
        {"statusCode": 200, "result": standalone},
        {"statusCode": 404, "result": NOT_FOUND},
    ]
    assert fake_org.request_count(BATCH) == 1
    assert fake_org.request_count("/describe") == 1  # only the standalone one


def test_subrequest_fault_fails_only_that_describe(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_sobject(ACCOUNT)
    fake_org.add_sobject({"name": "Contact", "fields": []})
    fake_org.inject_subrequest(
        Fault.status(500, message="boom"), sobject="ACCOUNT", times=2
    )

    first = _batch(
        api,
        "v62.0/sobjects/Contact/describe",
        "v62.0/sobjects/account/describe",
        "v62.0/sobjects/Account/describe",
        "v62.0/sobjects/Account/describe",
    )

    assert [entry["statusCode"] for entry in first] == [200, 500, 500, 200]
    assert first[1]["result"] == [{"errorCode": "UNKNOWN_EXCEPTION", "message": "boom"}]
    assert first[0]["result"]["name"] == "Contact"
    assert first[3]["result"]["name"] == "Account"
    assert _describe(api, "Account").status_code == 200  # standalone unaffected


def test_subrequest_faults_take_exactly_one_target(fake_org: FakeOrg) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        fake_org.inject_subrequest(Fault.status(500))
    with pytest.raises(ValueError, match="exactly one"):
        fake_org.inject_subrequest(Fault.status(500), flow="Greet", sobject="Account")


def test_injected_faults_hit_standalone_describes(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_sobject(ACCOUNT)
    fake_org.inject(Fault.status(503), path="/sobjects/Account/describe")

    failed, answered = _describe(api, "Account"), _describe(api, "Account")

    assert failed.status_code == 503
    assert failed.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert answered.status_code == 200


# --- tooling query -------------------------------------------------------------------


def test_tooling_query_answers_matching_classes_in_registration_order(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_apex_class("Shipping", SHIPPING)
    fake_org.add_apex_class("Unasked", {"name": "Unasked"})
    fake_org.add_apex_class("Billing", {"name": "Billing", "innerClasses": []})

    response = _tooling(api, f"{SELECT} WHERE Name IN ('billing', 'Shipping', 'Nope')")

    assert response.status_code == 200
    assert response.json() == {
        "size": 2,
        "totalSize": 2,
        "done": True,
        "queryLocator": None,
        "entityTypeName": "ApexClass",
        "records": [
            {
                "attributes": {
                    "type": "ApexClass",
                    "url": f"{DATA}/tooling/sobjects/ApexClass/01p000000000001AAA",
                },
                "Id": "01p000000000001AAA",
                "Name": "Shipping",
                "NamespacePrefix": None,
                "SymbolTable": SHIPPING,
            },
            {
                "attributes": {
                    "type": "ApexClass",
                    "url": f"{DATA}/tooling/sobjects/ApexClass/01p000000000003AAA",
                },
                "Id": "01p000000000003AAA",
                "Name": "Billing",
                "NamespacePrefix": None,
                "SymbolTable": {"name": "Billing", "innerClasses": []},
            },
        ],
    }


def test_null_symbol_table_and_namespace(fake_org: FakeOrg, api: httpx.Client) -> None:
    fake_org.add_apex_class("Shipping", SHIPPING)
    fake_org.add_apex_class("Shipping", None, namespace="acme")

    response = _tooling(api, f"{SELECT} WHERE Name IN ('Shipping')")

    body = response.json()
    assert (body["size"], body["totalSize"]) == (2, 2)
    rows = [
        (row["Id"], row["NamespacePrefix"], row["SymbolTable"])
        for row in body["records"]
    ]
    assert rows == [
        ("01p000000000001AAA", None, SHIPPING),
        ("01p000000000002AAA", "acme", None),
    ]


def test_no_matching_class_is_an_empty_answer(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_apex_class("Shipping", SHIPPING)

    body = _tooling(api, f"{SELECT} WHERE Name IN ('Other')").json()

    assert (body["size"], body["totalSize"], body["records"]) == (0, 0, [])
    assert body["done"] is True


def test_fields_selected_in_any_case_order_and_spacing(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_apex_class("Shipping", SHIPPING, namespace="acme")

    response = _tooling(
        api,
        "  select symboltable,NAME \n from apexclass\twhere name in('SHIPPING' , "
        "'it\\'s')  ",
    )

    assert response.status_code == 200, response.text
    [row] = response.json()["records"]
    assert list(row) == ["attributes", "SymbolTable", "Name"]
    assert row["Name"] == "Shipping"
    assert row["SymbolTable"] == SHIPPING


def test_registered_symbol_tables_are_private_copies(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    table = copy.deepcopy(SHIPPING)
    fake_org.add_apex_class("Shipping", table)
    table["innerClasses"].clear()

    [row] = _tooling(api, f"{SELECT} WHERE Name IN ('Shipping')").json()["records"]

    assert row["SymbolTable"] == SHIPPING


def test_replacing_a_class_keeps_its_id_and_place(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_apex_class("Shipping", SHIPPING)
    fake_org.add_apex_class("Billing", None)

    fake_org.add_apex_class("shipping", None)

    body = _tooling(api, f"{SELECT} WHERE Name IN ('Billing', 'Shipping')").json()
    rows = [(row["Id"], row["Name"], row["SymbolTable"]) for row in body["records"]]
    assert rows == [
        ("01p000000000001AAA", "shipping", None),
        ("01p000000000002AAA", "Billing", None),
    ]


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        (SELECT, "MALFORMED_QUERY"),  # no WHERE
        (f"{SELECT} WHERE Name = 'Shipping'", "MALFORMED_QUERY"),
        (f"{SELECT} WHERE Name IN ()", "MALFORMED_QUERY"),
        (f"{SELECT} WHERE Name IN ('Shipping',)", "MALFORMED_QUERY"),
        (f"{SELECT} WHERE Name IN ('Shipping' 'Billing')", "MALFORMED_QUERY"),
        (f"{SELECT} WHERE Name IN (Shipping)", "MALFORMED_QUERY"),
        (f"{SELECT} WHERE Name IN ('Shipping') LIMIT 1", "MALFORMED_QUERY"),
        (f"{SELECT} WHERE Name IN ('Ship\\ping')", "MALFORMED_QUERY"),
        # An unknown field or object: the codes Salesforce sends for them.
        ("SELECT Id, Body FROM ApexClass WHERE Name IN ('Shipping')", "INVALID_FIELD"),
        ("SELECT Id, id FROM ApexClass WHERE Name IN ('Shipping')", "MALFORMED_QUERY"),
        ("SELECT Id, FROM ApexClass WHERE Name IN ('Shipping')", "MALFORMED_QUERY"),
        ("SELECT Id FROM ApexTrigger WHERE Name IN ('Shipping')", "INVALID_TYPE"),
        ("DELETE FROM ApexClass", "MALFORMED_QUERY"),
        ("", "MALFORMED_QUERY"),
    ],
)
def test_unsupported_tooling_queries_are_400(
    fake_org: FakeOrg, api: httpx.Client, soql: str, code: str
) -> None:
    fake_org.add_apex_class("Shipping", SHIPPING)

    response = _tooling(api, soql)

    assert response.status_code == 400
    [error] = response.json()
    assert error["errorCode"] == code
    assert isinstance(error["message"], str) and error["message"]


def test_tooling_query_without_q_is_400(api: httpx.Client) -> None:
    response = api.get(TOOLING_QUERY)

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "MALFORMED_QUERY"


def test_tooling_query_works_inside_a_batch(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_apex_class("Shipping", None)

    query = httpx.QueryParams({"q": f"{SELECT} WHERE Name IN ('Shipping')"})

    found, refused = _batch(
        api, f"v62.0/tooling/query?{query}", "v62.0/tooling/query?q=nonsense"
    )

    assert found["statusCode"] == 200
    assert found["result"] == _tooling(api, query["q"]).json()
    assert found["result"]["records"][0]["Name"] == "Shipping"
    assert refused["statusCode"] == 400
    assert refused["result"][0]["errorCode"] == "MALFORMED_QUERY"


def test_bad_apex_class_registrations_are_refused(fake_org: FakeOrg) -> None:
    with pytest.raises(ValueError, match="name"):
        fake_org.add_apex_class("", None)
    with pytest.raises(ValueError, match="namespace"):
        fake_org.add_apex_class("Shipping", None, namespace="")
    with pytest.raises(ValueError, match="symbol_table"):
        fake_org.add_apex_class("Shipping", [])  # type: ignore[arg-type]


# --- authorization and counting -------------------------------------------------------


def test_both_endpoints_need_the_access_token(fake_org: FakeOrg) -> None:
    fake_org.add_sobject(ACCOUNT)
    fake_org.add_apex_class("Shipping", SHIPPING)

    with http_client(fake_org, token="wrong") as client:
        describe = _describe(client, "Account")
        query = _tooling(client, f"{SELECT} WHERE Name IN ('Shipping')")
    with httpx.Client(base_url=fake_org.instance_url, verify=False) as anonymous:
        bare = anonymous.get(f"{SOBJECTS}/Account/describe")

    for response in (describe, query, bare):
        assert response.status_code == 401
        assert response.json() == [
            {"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}
        ]


def test_both_endpoints_count_as_requests(fake_org: FakeOrg, api: httpx.Client) -> None:
    fake_org.add_sobject(ACCOUNT)

    _describe(api, "Account")
    _describe(api, "Nope")
    _tooling(api, f"{SELECT} WHERE Name IN ('Shipping')")

    assert fake_org.request_count() == 3
    assert fake_org.request_count("/sobjects/Account/describe", method="GET") == 1
    assert fake_org.request_count("/describe") == 2
    assert fake_org.request_count("/tooling/query") == 1
