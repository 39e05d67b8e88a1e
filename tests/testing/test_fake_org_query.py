"""FlowDefinitionView rows: versions, dates, SOQL field selection and paging."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowgen.testing import FakeOrg
from tests.testing.conftest import DATA, FLOWS, flow, http_client

ALL_FIELDS = (
    "ApiName, NamespacePrefix, ProcessType, ActiveVersionId, LatestVersionId, "
    "LastModifiedDate"
)
SELECT_ALL = f"SELECT {ALL_FIELDS} FROM FlowDefinitionView"


def _query(client: httpx.Client, soql: str) -> httpx.Response:
    return client.get(f"{DATA}/query", params={"q": soql})


def _rows(client: httpx.Client, soql: str = SELECT_ALL) -> dict[str, dict[str, Any]]:
    response = _query(client, soql)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["done"] is True
    return {row["ApiName"]: row for row in body["records"]}


def test_each_flow_has_a_definition_row(fake_org: FakeOrg, api: httpx.Client) -> None:
    fake_org.add_flow(flow("Greet"))
    fake_org.add_flow(flow("acme__Sync_Inventory"), process_type="Flow")

    response = _query(api, SELECT_ALL)

    assert response.status_code == 200
    body = response.json()
    assert body["totalSize"] == 2 and body["done"] is True
    assert "nextRecordsUrl" not in body
    greet, synced = body["records"]  # unprefixed (null namespace) first
    assert greet == {
        "attributes": {
            "type": "FlowDefinitionView",
            "url": f"{DATA}/sobjects/FlowDefinitionView/300FAKE00000000001",
        },
        "ApiName": "Greet",
        "NamespacePrefix": None,
        "ProcessType": "AutoLaunchedFlow",
        "ActiveVersionId": "301FAKE00000000001",
        "LatestVersionId": "301FAKE00000000001",
        "LastModifiedDate": "2026-01-01T00:00:00.000+0000",
    }
    assert synced["ApiName"] == "Sync_Inventory"
    assert synced["NamespacePrefix"] == "acme"
    assert synced["ProcessType"] == "Flow"
    assert synced["LatestVersionId"] == "301FAKE00000000002"
    assert synced["LastModifiedDate"] == "2026-01-01T00:00:01.000+0000"
    for row in body["records"]:
        assert len(row["ActiveVersionId"]) == 18
        assert row["ActiveVersionId"].startswith("301")


def test_records_are_ordered_by_namespace_then_api_name(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    for name in ["zz__A", "B", "aa__Z", "A", "aa__B"]:
        fake_org.add_flow(flow(name))

    response = _query(api, "SELECT NamespacePrefix, ApiName FROM FlowDefinitionView")

    pairs = [(r["NamespacePrefix"], r["ApiName"]) for r in response.json()["records"]]
    assert pairs == [(None, "A"), (None, "B"), ("aa", "B"), ("aa", "Z"), ("zz", "A")]


def test_only_selected_fields_are_returned_in_canonical_spelling(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_flow(flow("Greet"))

    response = _query(api, "select  apiname,LATESTVERSIONID\n from flowdefinitionview ")

    assert response.status_code == 200
    [row] = response.json()["records"]
    assert list(row) == ["attributes", "ApiName", "LatestVersionId"]
    assert row["ApiName"] == "Greet"


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT Id FROM Account", "INVALID_TYPE"),
        ("SELECT ApiName FROM FlowDefinition", "INVALID_TYPE"),
        ("SELECT ApiName, Label FROM FlowDefinitionView", "INVALID_FIELD"),
        ("SELECT ApiName, FROM FlowDefinitionView", "MALFORMED_QUERY"),
        ("SELECT ApiName, apiName FROM FlowDefinitionView", "MALFORMED_QUERY"),
        (
            "SELECT ApiName FROM FlowDefinitionView WHERE IsActive = true",
            "MALFORMED_QUERY",
        ),
        ("DELETE FROM FlowDefinitionView", "MALFORMED_QUERY"),
        ("", "MALFORMED_QUERY"),
    ],
)
def test_unsupported_queries_are_400(
    fake_org: FakeOrg, api: httpx.Client, soql: str, code: str
) -> None:
    fake_org.add_flow(flow("Greet"))

    response = _query(api, soql)

    assert response.status_code == 400
    [error] = response.json()
    assert error["errorCode"] == code
    assert isinstance(error["message"], str) and error["message"]


def test_query_without_q_is_400(api: httpx.Client) -> None:
    response = api.get(f"{DATA}/query")

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "MALFORMED_QUERY"


def test_query_needs_the_access_token(fake_org: FakeOrg) -> None:
    with http_client(fake_org, token="wrong") as client:
        response = _query(client, SELECT_ALL)

    assert response.status_code == 401
    assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_pages_follow_next_records_url(fake_org: FakeOrg, api: httpx.Client) -> None:
    names = [f"Flow_{index}" for index in range(5)]
    for name in reversed(names):
        fake_org.add_flow(flow(name))
    fake_org.query_page_size = 2

    pages = [_query(api, "SELECT ApiName FROM FlowDefinitionView").json()]
    while not pages[-1]["done"]:
        assert len(pages) < 10, "paging does not end"
        next_url = pages[-1]["nextRecordsUrl"]
        assert next_url.startswith(f"{DATA}/query/01gFAKE")
        response = api.get(next_url)
        assert response.status_code == 200, response.text
        pages.append(response.json())

    assert [len(page["records"]) for page in pages] == [2, 2, 1]
    assert [page["done"] for page in pages] == [False, False, True]
    assert all(page["totalSize"] == 5 for page in pages)
    assert "nextRecordsUrl" not in pages[-1]
    seen = [row["ApiName"] for page in pages for row in page["records"]]
    assert seen == names
    assert fake_org.request_count("/query") == 3


def test_page_size_is_a_constructor_keyword() -> None:
    with FakeOrg(query_page_size=1) as org:
        org.add_flow(flow("A"))
        org.add_flow(flow("B"))
        with http_client(org) as client:
            body = _query(client, "SELECT ApiName FROM FlowDefinitionView").json()

    assert (len(body["records"]), body["done"]) == (1, False)
    assert body["nextRecordsUrl"].endswith("-1")
    with pytest.raises(ValueError, match="at least 1"):
        FakeOrg(query_page_size=0)


def test_a_query_keeps_its_rows_while_paged(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    for name in ["A", "B", "C"]:
        fake_org.add_flow(flow(name))
    fake_org.query_page_size = 2
    first = _query(api, "SELECT ApiName FROM FlowDefinitionView").json()

    fake_org.remove_flow("C")
    rest = api.get(first["nextRecordsUrl"]).json()

    assert [row["ApiName"] for row in rest["records"]] == ["C"]


@pytest.mark.parametrize("locator", ["01gFAKE99999999999-2", "nonsense", "01gFAKE1-x"])
def test_unknown_query_locator_is_400(api: httpx.Client, locator: str) -> None:
    response = api.get(f"{DATA}/query/{locator}")

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


# --- changes -----------------------------------------------------------------


def test_touch_flow_changes_versions_and_date_but_not_describe(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_flow(flow("Greet"), process_type="Flow")
    fake_org.add_flow(flow("Other"))
    before = _rows(api)
    describe_before = api.get(f"{FLOWS}/Greet").json()

    fake_org.touch_flow("Greet")

    after = _rows(api)
    assert after["Other"] == before["Other"]
    old, new = before["Greet"], after["Greet"]
    assert new["LatestVersionId"] != old["LatestVersionId"]
    assert new["ActiveVersionId"] != old["ActiveVersionId"]
    assert new["LastModifiedDate"] > old["LastModifiedDate"]
    assert new["LastModifiedDate"] == "2026-01-01T00:00:02.000+0000"
    assert new["ProcessType"] == "Flow"
    assert new["attributes"] == old["attributes"]  # same flow definition
    assert api.get(f"{FLOWS}/Greet").json() == describe_before


def test_adding_a_flow_again_replaces_it_and_counts_as_a_change(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_flow(flow("Greet", "Old Label"))
    before = _rows(api)["Greet"]

    fake_org.add_flow(flow("Greet", "New Label"), process_type="Flow")

    after = _rows(api)["Greet"]
    assert after["LatestVersionId"] != before["LatestVersionId"]
    assert after["LastModifiedDate"] > before["LastModifiedDate"]
    assert after["ProcessType"] == "Flow"
    assert api.get(f"{FLOWS}/Greet").json()["label"] == "New Label"
    assert api.get(FLOWS).json()["actions"][0]["label"] == "New Label"


def test_remove_flow_takes_it_off_every_endpoint(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_flow(flow("Greet"))
    fake_org.add_flow(flow("Keep"))

    fake_org.remove_flow("Greet")

    assert [a["name"] for a in api.get(FLOWS).json()["actions"]] == ["Keep"]
    assert api.get(f"{FLOWS}/Greet").status_code == 404
    assert api.post(f"{FLOWS}/Greet", json={"inputs": [{}]}).status_code == 404
    assert list(_rows(api)) == ["Keep"]
    batch = {
        "batchRequests": [{"method": "GET", "url": "v62.0/actions/custom/flow/Greet"}]
    }
    result = api.post(f"{DATA}/composite/batch", json=batch).json()
    assert result["results"][0]["statusCode"] == 404


def test_unknown_names_raise_key_error(fake_org: FakeOrg) -> None:
    with pytest.raises(KeyError):
        fake_org.touch_flow("Nope")
    with pytest.raises(KeyError):
        fake_org.remove_flow("Nope")


def test_process_type_is_validated(fake_org: FakeOrg) -> None:
    with pytest.raises(ValueError, match="process_type"):
        fake_org.add_flow(flow("Greet"), process_type="")


def test_snapshot_process_types_come_from_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "flows").mkdir()
    manifest = {
        "format": 1,
        "api_version": "62.0",
        "flows": {"Screen": {"process_type": "Flow"}, "Other": {"label": "x"}},
    }
    (tmp_path / "flowgen-snapshot.json").write_text(json.dumps(manifest))
    for name in ["Screen", "Other", "Plain"]:
        (tmp_path / "flows" / f"{name}.json").write_text(json.dumps(flow(name)))

    with FakeOrg(tmp_path) as org, http_client(org) as client:
        rows = _rows(client, "SELECT ApiName, ProcessType FROM FlowDefinitionView")

    assert {name: row["ProcessType"] for name, row in rows.items()} == {
        "Other": "AutoLaunchedFlow",
        "Plain": "AutoLaunchedFlow",
        "Screen": "Flow",
    }
    # Files load in name order, so the versions are numbered that way.
    assert rows["Other"]["attributes"]["url"].endswith("300FAKE00000000001")
    assert rows["Screen"]["attributes"]["url"].endswith("300FAKE00000000003")
