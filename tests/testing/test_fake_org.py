"""The fake org, exercised over real HTTP with httpx."""

from __future__ import annotations

import datetime
import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowgen.testing import FakeOrg, FlowFault

TOKEN = "fake-access-token"
BASE = "/services/data/v62.0/actions/custom/flow"
NOT_FOUND = [
    {"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}
]
INVALID_SESSION = [
    {"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}
]

# Written to disk by hand so the number keeps digits a float would lose.
GREET_TEXT = """{
  "name": "Greet",
  "label": "Greet Someone",
  "inputs": [{"name": "name", "type": "STRING", "required": true}],
  "outputs": [{"name": "greeting", "type": "STRING"}],
  "threshold": 0.10000000000000000001
}"""
APPROVE = {"name": "Approve_Order", "label": "Approve Order", "inputs": []}


def _action(name: str, label: str) -> dict[str, str]:
    return {"label": label, "name": name, "type": "FLOW", "url": f"{BASE}/{name}"}


def _client(base_url: str, headers: dict[str, str]) -> httpx.Client:
    # The fake org is plain HTTP; verify=False only skips loading the CA
    # bundle, which costs ~0.1 s per client.
    return httpx.Client(base_url=base_url, headers=headers, verify=False)


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    (tmp_path / "flows").mkdir()
    manifest = {"format": 1, "api_version": "62.0"}
    (tmp_path / "flowgen-snapshot.json").write_text(json.dumps(manifest))
    (tmp_path / "flows" / "Greet.json").write_text(GREET_TEXT)
    (tmp_path / "flows" / "Approve_Order.json").write_text(json.dumps(APPROVE))
    return tmp_path


@pytest.fixture
def org(snapshot: Path) -> Iterator[FakeOrg]:
    with FakeOrg(snapshot) as running:
        yield running


@pytest.fixture
def client(org: FakeOrg) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with _client(org.instance_url, headers) as http:
        yield http


def _invoke(
    client: httpx.Client, flow: str, *inputs: Mapping[str, Any]
) -> httpx.Response:
    return client.post(f"{BASE}/{flow}", json={"inputs": list(inputs)})


def _assert_guid(value: object) -> None:
    assert isinstance(value, str)
    uuid.UUID(value)  # raises if not uuid-shaped


# --- snapshot, list, describe ------------------------------------------------


def test_lists_flows_sorted_by_name(org: FakeOrg, client: httpx.Client) -> None:
    org.add_flow({"name": "Aardvark", "label": "First By Name"})  # added last

    response = client.get(BASE)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json;charset=UTF-8"
    assert response.http_version == "HTTP/1.1"
    assert response.json() == {
        "actions": [
            _action("Aardvark", "First By Name"),
            _action("Approve_Order", "Approve Order"),
            _action("Greet", "Greet Someone"),
        ]
    }


def test_describe_returns_stored_json_exactly(client: httpx.Client) -> None:
    response = client.get(f"{BASE}/Greet")

    assert response.status_code == 200
    assert json.loads(response.text, parse_float=Decimal) == json.loads(
        GREET_TEXT, parse_float=Decimal
    )
    assert "0.10000000000000000001" in response.text


def test_api_version_comes_from_manifest_then_argument(snapshot: Path) -> None:
    manifest = {"format": 1, "api_version": "61.0"}
    (snapshot / "flowgen-snapshot.json").write_text(json.dumps(manifest))

    assert FakeOrg(snapshot).api_version == "61.0"
    assert FakeOrg(snapshot, api_version="60.0").api_version == "60.0"
    assert FakeOrg().api_version == "62.0"


def test_other_api_version_prefix_is_404(snapshot: Path) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with FakeOrg(snapshot, api_version="61.0") as org:
        with _client(org.instance_url, headers) as http:
            served = http.get("/services/data/v61.0/actions/custom/flow")
            other = http.get(BASE)

    assert served.status_code == 200
    assert served.json()["actions"][0]["url"].startswith("/services/data/v61.0/")
    assert other.status_code == 404
    assert other.json() == NOT_FOUND


def test_snapshot_with_unknown_format_is_rejected(snapshot: Path) -> None:
    (snapshot / "flowgen-snapshot.json").write_text('{"format": 2}')

    with pytest.raises(ValueError, match="unsupported format 2"):
        FakeOrg(snapshot)


def test_describe_without_label_is_rejected(snapshot: Path) -> None:
    (snapshot / "flows" / "Bad.json").write_text('{"name": "Bad"}')

    with pytest.raises(ValueError, match="Bad.json.*'label'"):
        FakeOrg(snapshot)


# --- authorization and routing ------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": TOKEN},  # no scheme
        {"Authorization": f"OAuth {TOKEN}"},
    ],
    ids=["missing", "wrong-token", "no-scheme", "other-scheme"],
)
def test_bad_authorization_is_401(org: FakeOrg, headers: dict[str, str]) -> None:
    anonymous = _client(org.instance_url, headers)
    with anonymous:
        for method, path in [
            ("GET", BASE),
            ("GET", f"{BASE}/Greet"),
            ("POST", f"{BASE}/Greet"),
        ]:
            response = anonymous.request(method, path, json={"inputs": [{}]})
            assert response.status_code == 401, (method, path)
            assert response.json() == INVALID_SESSION
    assert org.invocations["Greet"] == []


def test_changing_access_token_expires_the_old_one(
    org: FakeOrg, client: httpx.Client
) -> None:
    assert client.get(BASE).status_code == 200

    org.access_token = "rotated"

    assert client.get(BASE).status_code == 401
    fresh = client.get(BASE, headers={"Authorization": "Bearer rotated"})
    assert fresh.status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{BASE}/No_Such_Flow"),
        ("POST", f"{BASE}/No_Such_Flow"),
        ("POST", BASE),
        ("DELETE", f"{BASE}/Greet"),
        ("PATCH", f"{BASE}/Greet"),
        ("GET", "/services/data/v62.0/sobjects"),
        ("GET", "/"),
    ],
)
def test_unknown_resources_are_404(
    client: httpx.Client, method: str, path: str
) -> None:
    response = client.request(method, path, json={"inputs": [{}]})

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


# --- invocation ------------------------------------------------------------------


def test_invoke_returns_handler_outputs_plus_interview_keys(
    org: FakeOrg, client: httpx.Client
) -> None:
    org.on("Greet", lambda element: {"greeting": f"Hello {element['name']}"})

    response = _invoke(client, "Greet", {"name": "Ada"}, {"name": "Grace"})

    assert response.status_code == 200
    results = response.json()
    guids = [result["outputValues"].pop("Flow__InterviewGuid") for result in results]
    for guid in guids:
        _assert_guid(guid)
    assert len(set(guids)) == 2  # one interview per input
    assert results == [
        {
            "actionName": "Greet",
            "errors": None,
            "isSuccess": True,
            "outputValues": {"greeting": greeting, "Flow__InterviewStatus": "Finished"},
            "sortOrder": -1,
            "version": 1,
        }
        for greeting in ["Hello Ada", "Hello Grace"]
    ]


def test_handler_supplied_interview_keys_win(
    org: FakeOrg, client: httpx.Client
) -> None:
    org.on(
        "Approve_Order",
        lambda _: {"Flow__InterviewStatus": "Waiting", "Flow__InterviewGuid": "g-1"},
    )

    response = _invoke(client, "Approve_Order", {})

    assert response.status_code == 200
    assert response.json()[0]["outputValues"] == {
        "Flow__InterviewStatus": "Waiting",
        "Flow__InterviewGuid": "g-1",
    }


def test_flow_without_handler_returns_only_interview_keys(
    org: FakeOrg, client: httpx.Client
) -> None:
    response = _invoke(client, "Approve_Order", {"orderId": "801"})

    assert response.status_code == 200
    outputs = response.json()[0]["outputValues"]
    assert sorted(outputs) == ["Flow__InterviewGuid", "Flow__InterviewStatus"]
    assert outputs["Flow__InterviewStatus"] == "Finished"
    assert org.invocations["Approve_Order"] == [{"orderId": "801"}]


def test_flow_fault_fails_only_its_input_with_http_400(
    org: FakeOrg, client: httpx.Client
) -> None:
    def handler(element: dict[str, Any]) -> dict[str, Any]:
        if element["n"] == 2:
            raise FlowFault(
                "Amount too big",
                status_code="FIELD_CUSTOM_VALIDATION_EXCEPTION",
                fields=["Amount"],
            )
        return {"double": element["n"] * 2}

    org.on("Approve_Order", handler)

    response = _invoke(client, "Approve_Order", {"n": 1}, {"n": 2}, {"n": 3})

    assert response.status_code == 400
    first, failed, third = response.json()
    assert failed == {
        "actionName": "Approve_Order",
        "errors": [
            {
                "statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                "message": "Amount too big",
                "fields": ["Amount"],
            }
        ],
        "isSuccess": False,
        "outputValues": None,
        "sortOrder": -1,
        "version": 1,
    }
    assert (first["isSuccess"], first["errors"]) == (True, None)
    assert (third["isSuccess"], third["errors"]) == (True, None)
    assert first["outputValues"]["double"] == 2
    assert third["outputValues"]["double"] == 6
    assert org.invocations["Approve_Order"] == [{"n": 1}, {"n": 2}, {"n": 3}]


def test_flow_fault_defaults(org: FakeOrg, client: httpx.Client) -> None:
    def handler(element: dict[str, Any]) -> dict[str, Any]:
        raise FlowFault("nope")

    org.on("Greet", handler)

    response = _invoke(client, "Greet", {"name": "Ada"})

    assert response.status_code == 400
    assert response.json()[0]["errors"] == [
        {"statusCode": "CANNOT_EXECUTE_FLOW_TRIGGER", "message": "nope", "fields": []}
    ]


def test_decimals_round_trip_with_exact_digits(
    org: FakeOrg, client: httpx.Client
) -> None:
    seen: list[object] = []

    def echo(element: dict[str, Any]) -> dict[str, Any]:
        seen.append(element["amount"])
        return {"amount": element["amount"]}

    org.on("Approve_Order", echo)
    digits = "12345678901234567890.123456789"

    response = client.post(
        f"{BASE}/Approve_Order",
        content=b'{"inputs":[{"amount": ' + digits.encode() + b"}]}",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 200
    assert seen == [Decimal(digits)]
    assert type(seen[0]) is Decimal
    assert f'"amount":{digits}' in response.text
    parsed = json.loads(response.text, parse_float=Decimal)
    assert parsed[0]["outputValues"]["amount"] == Decimal(digits)


def test_chunked_request_body_is_read(org: FakeOrg, client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"inputs": [{"name": '
        yield b'"Ada"}]}'

    response = client.post(f"{BASE}/Greet", content=chunks())

    assert response.status_code == 200
    assert org.requests[-1].headers["Transfer-Encoding"] == "chunked"
    assert org.invocations["Greet"] == [{"name": "Ada"}]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b"{}",
        b'{"inputs": {}}',
        b'{"inputs": [1]}',
        b'{"inputs": [{"x": NaN}]}',
        b"\xff\xfe\x00",
        b"",
    ],
)
def test_malformed_invocation_body_is_400(
    org: FakeOrg, client: httpx.Client, body: bytes
) -> None:
    calls: list[dict[str, Any]] = []

    def handler(element: dict[str, Any]) -> dict[str, Any]:
        calls.append(element)
        return {}

    org.on("Greet", handler)

    response = client.post(f"{BASE}/Greet", content=body)

    assert response.status_code == 400
    [error] = response.json()
    assert error["errorCode"] == "JSON_PARSER_ERROR"
    assert isinstance(error["message"], str) and error["message"]
    assert calls == []
    assert org.invocations["Greet"] == []


def test_handler_crash_is_500_unknown_exception(
    org: FakeOrg, client: httpx.Client
) -> None:
    def handler(element: dict[str, Any]) -> dict[str, Any]:
        raise KeyError("missing_field")

    org.on("Greet", handler)

    response = _invoke(client, "Greet", {"name": "Ada"}, {"name": "Grace"})

    assert response.status_code == 500
    [error] = response.json()
    assert error["errorCode"] == "UNKNOWN_EXCEPTION"
    assert error["message"].startswith("An unexpected error occurred: ")
    assert "KeyError" in error["message"] and "missing_field" in error["message"]
    # The crash stops the request: the second input never runs.
    assert org.invocations["Greet"] == [{"name": "Ada"}]


@pytest.mark.parametrize(
    "outputs",
    [{"when": datetime.date(2024, 1, 1)}, {"x": float("nan")}, None],
    ids=["date", "nan", "none"],
)
def test_handler_returning_non_wire_values_is_500(
    org: FakeOrg, client: httpx.Client, outputs: Any
) -> None:
    org.on("Greet", lambda _: outputs)

    response = _invoke(client, "Greet", {"name": "Ada"})

    assert response.status_code == 500
    assert response.json()[0]["errorCode"] == "UNKNOWN_EXCEPTION"


def test_handler_input_is_a_copy(org: FakeOrg, client: httpx.Client) -> None:
    def mutate(element: dict[str, Any]) -> dict[str, Any]:
        element["name"] = "changed"
        return {}

    org.on("Greet", mutate)

    _invoke(client, "Greet", {"name": "Ada"})

    assert org.invocations["Greet"] == [{"name": "Ada"}]


# --- recording -------------------------------------------------------------------


def test_requests_are_recorded_with_authorization_redacted(
    org: FakeOrg, client: httpx.Client
) -> None:
    client.get(BASE)
    _invoke(client, "Greet", {"name": "Ada"})
    client.get(
        f"{BASE}/Greet", params={"x": "1"}, headers={"Authorization": "Bearer x"}
    )

    assert [(r.method, r.path) for r in org.requests] == [
        ("GET", BASE),
        ("POST", f"{BASE}/Greet"),
        ("GET", f"{BASE}/Greet"),
    ]
    for recorded in org.requests:
        assert recorded.headers["Authorization"] == "<redacted>"
        assert recorded.headers["authorization"] == "<redacted>"
        assert not any(TOKEN in value for value in recorded.headers.values())
    listing, post, _ = org.requests
    assert listing.body == b""
    assert post.json() == {"inputs": [{"name": "Ada"}]}
    assert post.headers["content-type"] == "application/json"


def test_invocations_accumulate_in_order_across_requests(
    org: FakeOrg, client: httpx.Client
) -> None:
    org.on("Greet", lambda element: {"greeting": "hi"})

    _invoke(client, "Greet", {"name": "A"}, {"name": "B"})
    _invoke(client, "Greet", {"name": "C"})

    assert org.invocations["Greet"] == [{"name": "A"}, {"name": "B"}, {"name": "C"}]
    assert org.invocations["Approve_Order"] == []


def test_concurrent_requests_run_concurrently_and_are_all_recorded(
    org: FakeOrg, client: httpx.Client
) -> None:
    workers = 8
    # Each handler waits until all workers are inside one: a server that ran
    # handlers one at a time would break the barrier and answer 500.
    barrier = threading.Barrier(workers, timeout=5)

    def handler(element: dict[str, Any]) -> dict[str, Any]:
        barrier.wait()
        return {"greeting": element["name"]}

    org.on("Greet", handler)

    def call(index: int) -> str:
        response = _invoke(client, "Greet", {"name": str(index)})
        assert response.status_code == 200, response.text
        return str(response.json()[0]["outputValues"]["greeting"])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = list(pool.map(call, range(5 * workers)))

    assert answers == [str(index) for index in range(40)]
    assert len(org.requests) == 40
    names = sorted(int(element["name"]) for element in org.invocations["Greet"])
    assert names == list(range(40))


# --- lifecycle -------------------------------------------------------------------


def test_keep_alive_connection_is_reused(org: FakeOrg, client: httpx.Client) -> None:
    ports = set()
    for _ in range(3):
        response = client.get(BASE)
        assert response.status_code == 200
        stream = response.extensions["network_stream"]
        ports.add(stream.get_extra_info("client_addr")[1])

    assert len(ports) == 1


def test_stop_is_idempotent_and_closes_connections(snapshot: Path) -> None:
    org = FakeOrg(snapshot)
    org.start()
    url = org.instance_url
    with _client(url, {"Authorization": f"Bearer {TOKEN}"}) as http:
        assert http.get(BASE).status_code == 200

        org.stop()
        org.stop()

        # Neither the kept-alive connection nor a new one may still be served.
        with pytest.raises(httpx.TransportError):
            http.get(BASE)
    with pytest.raises(RuntimeError):
        _ = org.instance_url


def test_start_twice_is_an_error(org: FakeOrg) -> None:
    with pytest.raises(RuntimeError, match="already running"):
        org.start()


def test_server_is_quiet(
    org: FakeOrg, client: httpx.Client, capfd: pytest.CaptureFixture[str]
) -> None:
    def crash(element: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("boom")

    org.on("Greet", crash)
    client.get(BASE)
    client.get(f"{BASE}/Nope")
    _invoke(client, "Greet", {})

    captured = capfd.readouterr()
    assert captured.err == ""
    assert captured.out == ""
