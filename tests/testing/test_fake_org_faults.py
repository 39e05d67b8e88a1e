"""Latency, injected faults and request counting."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from flowgen.testing import FakeOrg, Fault
from tests.testing.conftest import DATA, FLOWS, flow, http_client

BATCH = f"{DATA}/composite/batch"


@pytest.fixture
def org(fake_org: FakeOrg) -> FakeOrg:
    fake_org.add_flow(flow("Greet"))
    fake_org.add_flow(flow("Other"))
    return fake_org


def _describe_batch(*names: str) -> dict[str, object]:
    return {
        "batchRequests": [
            {"method": "GET", "url": f"v62.0/actions/custom/flow/{name}"}
            for name in names
        ]
    }


# --- latency -------------------------------------------------------------------


def test_latency_delays_each_request() -> None:
    with FakeOrg(latency=0.2) as org, http_client(org) as client:
        started = time.monotonic()
        response = client.get(FLOWS)
        elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed >= 0.2


def test_latency_overlaps_across_concurrent_requests(
    org: FakeOrg, api: httpx.Client
) -> None:
    org.latency = 0.3
    workers = 10

    def call(_: int) -> int:
        return api.get(f"{FLOWS}/Greet").status_code

    with ThreadPoolExecutor(max_workers=workers) as pool:
        started = time.monotonic()
        statuses = list(pool.map(call, range(workers)))
        elapsed = time.monotonic() - started

    assert statuses == [200] * workers
    assert elapsed >= 0.3
    # One after another would take 3 s; overlapped it takes about 0.3 s.
    assert elapsed < 1.5, f"requests did not overlap: {elapsed:.2f} s"


def test_latency_can_be_switched_off(org: FakeOrg, api: httpx.Client) -> None:
    org.latency = 0.0
    started = time.monotonic()
    for _ in range(5):
        api.get(FLOWS)

    assert time.monotonic() - started < 1.0
    with pytest.raises(ValueError, match="latency"):
        org.latency = -1


def test_latency_longer_than_the_client_timeout_times_out(org: FakeOrg) -> None:
    org.latency = 1.0
    with http_client(org) as client, pytest.raises(httpx.ReadTimeout):
        client.get(FLOWS, timeout=0.1)


# --- status faults -------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error_code", "message", "retry_after"),
    [
        (500, "UNKNOWN_EXCEPTION", None, None),
        (503, "SERVER_UNAVAILABLE", None, "0"),
        (429, "TOO_MANY_REQUESTS", None, "0"),
        (401, "INVALID_SESSION_ID", "Session expired or invalid", None),
        (403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", None),
        (502, "UNKNOWN_EXCEPTION", None, None),
    ],
)
def test_status_fault_defaults(
    org: FakeOrg,
    api: httpx.Client,
    code: int,
    error_code: str,
    message: str | None,
    retry_after: str | None,
) -> None:
    org.inject(Fault.status(code))

    faulted = api.get(f"{FLOWS}/Greet")
    normal = api.get(f"{FLOWS}/Greet")

    assert faulted.status_code == code
    [error] = faulted.json()
    assert error["errorCode"] == error_code
    assert error["message"] == (message or error["message"]) and error["message"]
    assert faulted.headers.get("Retry-After") == retry_after
    assert normal.status_code == 200


def test_status_fault_with_own_code_and_message(
    org: FakeOrg, api: httpx.Client
) -> None:
    org.inject(Fault.status(400, "MALFORMED_ID", "bad id"))

    response = api.get(FLOWS)

    assert response.status_code == 400
    assert response.json() == [{"errorCode": "MALFORMED_ID", "message": "bad id"}]


def test_fault_status_must_be_an_error() -> None:
    with pytest.raises(ValueError, match="400-599"):
        Fault.status(200)


def test_times_counts_matching_requests(org: FakeOrg, api: httpx.Client) -> None:
    org.inject(Fault.status(503), times=2)

    statuses = [api.get(FLOWS).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert org.request_count(FLOWS) == 3  # faulted requests are recorded too


def test_path_and_method_choose_the_requests(org: FakeOrg, api: httpx.Client) -> None:
    org.inject(Fault.status(500), path="/actions/custom/flow/Greet", method="post")

    assert api.get(FLOWS).status_code == 200  # path does not match
    assert api.get(f"{FLOWS}/Greet").status_code == 200  # method does not match
    assert api.post(f"{FLOWS}/Other", json={"inputs": [{}]}).status_code == 200
    faulted = api.post(f"{FLOWS}/Greet", json={"inputs": [{}]})
    again = api.post(f"{FLOWS}/Greet", json={"inputs": [{}]})

    assert faulted.status_code == 500
    assert again.status_code == 200
    assert org.invocations["Greet"] == [{}]  # the faulted request never ran


def test_faults_are_used_in_order_of_injection(org: FakeOrg, api: httpx.Client) -> None:
    org.inject(Fault.status(503))
    org.inject(Fault.status(429), times=2)
    org.inject(Fault.malformed())

    responses = [api.get(FLOWS) for _ in range(5)]

    assert [r.status_code for r in responses] == [503, 429, 429, 200, 200]
    with pytest.raises(json.JSONDecodeError):
        json.loads(responses[3].text)
    assert responses[4].json()["actions"]


def test_faults_precede_authorization(org: FakeOrg) -> None:
    org.inject(Fault.status(503))

    with http_client(org, token="wrong") as client:
        assert client.get(FLOWS).status_code == 503
        assert client.get(FLOWS).status_code == 401


def test_fault_on_the_token_endpoint(org: FakeOrg, api: httpx.Client) -> None:
    org.add_oauth_client("app", client_secret="secret")
    org.inject(Fault.status(503), path="/services/oauth2/token")
    form = {"grant_type": "client_credentials", "client_id": "app"}
    form["client_secret"] = "secret"

    assert api.get(FLOWS).status_code == 200
    assert api.post("/services/oauth2/token", data=form).status_code == 503
    assert api.post("/services/oauth2/token", data=form).status_code == 200


def test_invalid_injections_are_refused(org: FakeOrg) -> None:
    with pytest.raises(ValueError, match="times"):
        org.inject(Fault.status(500), times=0)
    with pytest.raises(TypeError):
        org.inject(500)  # type: ignore[arg-type]


# --- drop and malformed ----------------------------------------------------------


def test_drop_closes_the_connection_without_a_response(
    org: FakeOrg, api: httpx.Client
) -> None:
    org.inject(Fault.drop(), path="/Greet")

    with pytest.raises(httpx.RemoteProtocolError):
        api.get(f"{FLOWS}/Greet")
    after = api.get(f"{FLOWS}/Greet")

    assert after.status_code == 200
    assert org.request_count("/Greet") == 2


def test_drop_on_a_kept_alive_connection(org: FakeOrg, api: httpx.Client) -> None:
    assert api.get(FLOWS).status_code == 200  # opens the connection
    org.inject(Fault.drop())

    with pytest.raises(httpx.RemoteProtocolError):
        api.get(FLOWS)
    assert api.get(FLOWS).status_code == 200


def test_malformed_is_200_json_that_does_not_parse(
    org: FakeOrg, api: httpx.Client
) -> None:
    org.inject(Fault.malformed(), method="GET")

    response = api.get(f"{FLOWS}/Greet")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        response.json()


# --- composite batch -------------------------------------------------------------


def test_a_batch_fault_fails_the_whole_batch(org: FakeOrg, api: httpx.Client) -> None:
    org.inject(Fault.status(503), path="/composite/batch")

    response = api.post(BATCH, json=_describe_batch("Greet", "Other"))

    assert response.status_code == 503
    assert response.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"


def test_subrequest_fault_fails_only_that_flow(org: FakeOrg, api: httpx.Client) -> None:
    org.inject_subrequest(Fault.status(500, message="boom"), flow="Greet")

    first = api.post(BATCH, json=_describe_batch("Other", "Greet", "Other"))
    second = api.post(BATCH, json=_describe_batch("Greet"))

    assert first.status_code == 200
    body = first.json()
    assert body["hasErrors"] is True
    assert [entry["statusCode"] for entry in body["results"]] == [200, 500, 200]
    assert body["results"][1]["result"] == [
        {"errorCode": "UNKNOWN_EXCEPTION", "message": "boom"}
    ]
    assert body["results"][0]["result"]["name"] == "Other"
    assert second.json() == {
        "hasErrors": False,
        "results": [{"statusCode": 200, "result": api.get(f"{FLOWS}/Greet").json()}],
    }


def test_subrequest_fault_times_and_exact_flow_name(
    org: FakeOrg, api: httpx.Client
) -> None:
    org.add_flow(flow("Greeter"))
    org.inject_subrequest(Fault.status(404), flow="Greet", times=2)

    body = api.post(BATCH, json=_describe_batch("Greeter", "Greet", "Greet", "Greet"))

    statuses = [entry["statusCode"] for entry in body.json()["results"]]
    assert statuses == [200, 404, 404, 200]
    assert api.get(f"{FLOWS}/Greet").status_code == 200  # standalone unaffected


@pytest.mark.parametrize("fault", [Fault.drop(), Fault.malformed()])
def test_subrequest_faults_must_be_statuses(org: FakeOrg, fault: Fault) -> None:
    with pytest.raises(ValueError, match="Fault.status"):
        org.inject_subrequest(fault, flow="Greet")


# --- counting --------------------------------------------------------------------


def test_request_count(org: FakeOrg, api: httpx.Client) -> None:
    api.get(FLOWS)
    api.get(f"{FLOWS}/Greet")
    api.get(f"{FLOWS}/Other")
    api.post(f"{FLOWS}/Greet", json={"inputs": [{}]})
    api.post(BATCH, json=_describe_batch("Greet", "Other", "Greet"))

    assert org.request_count() == 5
    assert org.request_count(f"{FLOWS}/Greet") == 2
    assert org.request_count(f"{FLOWS}/Greet", method="GET") == 1
    assert org.request_count(method="post") == 2
    assert org.request_count("/composite/batch") == 1  # one round trip
    assert org.request_count("/nowhere") == 0
