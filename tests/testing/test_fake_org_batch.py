"""Composite batch: up to 25 subrequests, each answered as it would be alone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from flowgen.testing import FakeOrg
from tests.testing.conftest import DATA, FLOWS, flow, http_client

BATCH = f"{DATA}/composite/batch"
NOT_FOUND = [
    {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
]


def _describe(name: str, *, absolute: bool = False) -> dict[str, str]:
    prefix = "/services/data/" if absolute else ""
    return {"method": "GET", "url": f"{prefix}v62.0/actions/custom/flow/{name}"}


def _batch(client: httpx.Client, *subrequests: dict[str, Any]) -> httpx.Response:
    return client.post(
        BATCH, json={"batchRequests": list(subrequests), "haltOnError": False}
    )


def test_batch_of_25_with_a_404_inside(fake_org: FakeOrg, api: httpx.Client) -> None:
    names = [f"Flow_{index:02d}" for index in range(24)]
    for name in names:
        fake_org.add_flow(flow(name))
    requested = names[:12] + ["Missing"] + names[12:]

    response = _batch(api, *(_describe(name) for name in requested))

    assert response.status_code == 200
    body = response.json()
    assert body["hasErrors"] is True
    statuses = [entry["statusCode"] for entry in body["results"]]
    assert statuses == [200] * 12 + [404] + [200] * 12
    assert body["results"][12]["result"] == NOT_FOUND
    for name, entry in zip(requested, body["results"], strict=True):
        if name != "Missing":
            # Exactly what the standalone describe answers.
            assert entry["result"] == api.get(f"{FLOWS}/{name}").json()
    batch_posts = [r for r in fake_org.requests if r.path == BATCH]
    assert len(batch_posts) == 1  # one HTTP request; subrequests not recorded


def test_batch_of_26_is_rejected(fake_org: FakeOrg, api: httpx.Client) -> None:
    fake_org.add_flow(flow("Greet"))

    response = _batch(api, *[_describe("Greet")] * 26)

    assert response.status_code == 400
    [error] = response.json()
    assert error["errorCode"] == "INVALID_BATCH_REQUEST"
    assert "25" in error["message"]


def test_batch_without_errors(fake_org: FakeOrg, api: httpx.Client) -> None:
    fake_org.add_flow(flow("Greet"))

    response = _batch(api, _describe("Greet"), _describe("Greet", absolute=True))

    body = response.json()
    assert body["hasErrors"] is False
    assert [entry["statusCode"] for entry in body["results"]] == [200, 200]
    assert body["results"][0]["result"]["name"] == "Greet"


def test_list_query_and_invoke_work_inside_a_batch(
    fake_org: FakeOrg, api: httpx.Client
) -> None:
    fake_org.add_flow(flow("Greet"))
    fake_org.on("Greet", lambda element: {"greeting": f"Hi {element['name']}"})

    response = _batch(
        api,
        {"method": "GET", "url": "v62.0/actions/custom/flow"},
        {
            "method": "GET",
            "url": "v62.0/query?q=SELECT+ApiName+FROM+FlowDefinitionView",
        },
        {"method": "GET", "url": "v62.0/query?q=SELECT+Id+FROM+Account"},
        {
            "method": "POST",
            "url": "v62.0/actions/custom/flow/Greet",
            "richInput": {"inputs": [{"name": "Ada"}]},
        },
    )

    listing, query, refused, invoked = response.json()["results"]
    assert listing == {"statusCode": 200, "result": api.get(FLOWS).json()}
    assert query["statusCode"] == 200
    assert query["result"]["records"][0]["ApiName"] == "Greet"
    assert refused["statusCode"] == 400
    assert refused["result"][0]["errorCode"] == "INVALID_TYPE"
    assert invoked["statusCode"] == 200
    assert invoked["result"][0]["outputValues"]["greeting"] == "Hi Ada"
    assert fake_org.invocations["Greet"] == [{"name": "Ada"}]
    assert response.json()["hasErrors"] is True


def test_halt_on_error_skips_the_rest(fake_org: FakeOrg, api: httpx.Client) -> None:
    fake_org.add_flow(flow("Greet"))
    subrequests = [_describe("Greet"), _describe("Missing"), _describe("Greet")]

    response = api.post(BATCH, json={"batchRequests": subrequests, "haltOnError": True})

    statuses = [entry["statusCode"] for entry in response.json()["results"]]
    assert statuses == [200, 404, 412]
    skipped = response.json()["results"][2]["result"]
    assert skipped[0]["errorCode"] == "BATCH_PROCESSING_HALTED"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"not json", "JSON_PARSER_ERROR"),
        (b"[]", "INVALID_BATCH_REQUEST"),
        (b'{"batchRequests": []}', "INVALID_BATCH_REQUEST"),
        (b'{"batchRequests": [1]}', "INVALID_BATCH_REQUEST"),
        (b'{"batchRequests": [{"method": "GET"}]}', "INVALID_BATCH_REQUEST"),
        (
            b'{"batchRequests": [{"method": "FETCH", "url": "v62.0/"}]}',
            "INVALID_BATCH_REQUEST",
        ),
        (
            b'{"batchRequests": [{"method": "GET", "url": "v62.0/"}], "haltOnError": 1}',
            "INVALID_BATCH_REQUEST",
        ),
    ],
)
def test_malformed_batches_are_400(api: httpx.Client, body: bytes, code: str) -> None:
    response = api.post(BATCH, content=body)

    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == code


def test_batch_needs_the_access_token(fake_org: FakeOrg) -> None:
    fake_org.add_flow(flow("Greet"))

    with http_client(fake_org, token="wrong") as client:
        response = _batch(client, _describe("Greet"))

    assert response.status_code == 401
    assert response.json()[0]["errorCode"] == "INVALID_SESSION_ID"


def test_batch_only_answers_post(api: httpx.Client) -> None:
    assert api.get(BATCH).status_code == 404
