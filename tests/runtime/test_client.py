"""FlowClient against httpx.MockTransport: request shape, answers, errors, resends."""

from __future__ import annotations

import decimal
import logging
import threading
import time
from decimal import Decimal
from typing import Any

import httpx
import pytest

from flowgen.runtime import (
    ApiLimitError,
    FlowConfigError,
    FlowHTTPError,
    FlowInterviewError,
    FlowResponseError,
    FlowTransportError,
    SalesforceError,
    SessionExpiredError,
)
from flowgen.runtime import bindings as rt
from tests.runtime.calc_flow import (
    CALC,
    CALC_PATH,
    INSTANCE_URL,
    TOKEN,
    CalcInput,
    CalcOutput,
    calc_from_wire,
    calc_to_json,
    echo_totals,
    ok,
    sent_inputs,
    sync_client,
)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses the client takes between resends, instead of taking them."""
    taken: list[float] = []
    monkeypatch.setattr(time, "sleep", taken.append)
    return taken


# -- request and answers ---------------------------------------------------------


def test_post_shape_and_unset_vs_none() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = ok({"total": 3, "Flow__InterviewStatus": "Finished"})
        return httpx.Response(200, json=[answer, answer])

    inputs = [CalcInput(amount=Decimal("1.10")), CalcInput(note=None)]
    results = sync_client(handler).run_many(CALC, inputs)
    (request,) = seen
    assert request.method == "POST"
    assert request.url.path == CALC_PATH
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    # UNSET inputs are left out; None is sent as null; 1.10 keeps its zero.
    assert request.content == b'{"inputs":[{"amount":1.10},{"noteText":null}]}'
    assert [r.unwrap().total for r in results] == [Decimal(3), Decimal(3)]
    assert results[0].unwrap().interview_status == "Finished"


def test_run_returns_the_output_of_one_input() -> None:
    client = sync_client(echo_totals)
    assert client.run(CALC, CalcInput(amount=7)) == CalcOutput(total=Decimal(7))


def test_partial_failure_with_http_400_is_parsed_per_input() -> None:
    body = [
        ok({"total": 1}),
        {
            "actionName": "Calc",
            "errors": [
                {
                    "statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    "message": "Too big",
                    "fields": ["amount"],
                }
            ],
            "isSuccess": False,
            "outputValues": None,
        },
        {"actionName": "Calc", "errors": [], "isSuccess": True, "outputValues": None},
    ]
    client = sync_client(lambda request: httpx.Response(400, json=body))
    results = client.run_many(CALC, [CalcInput(), CalcInput(), CalcInput()])
    assert [r.is_success for r in results] == [True, False, True]
    assert results[1].errors == (
        SalesforceError("FIELD_CUSTOM_VALIDATION_EXCEPTION", "Too big", ("amount",)),
    )
    assert results[1].output is None and results[1].exception is None
    # outputValues null: every output None.
    assert results[2].unwrap() == CalcOutput()
    with pytest.raises(FlowInterviewError) as info:
        results[1].unwrap()
    assert info.value.index == 1 and info.value.errors == results[1].errors
    assert "Too big" in str(info.value) and "'Calc'" in str(info.value)


def test_chunks_by_batch_size_and_keeps_order() -> None:
    sizes: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sizes.append(len(sent_inputs(request)))
        return echo_totals(request)

    client = sync_client(handler, batch_size=4)
    results = client.run_many(CALC, [CalcInput(amount=n) for n in range(10)])
    assert sizes == [4, 4, 2]
    assert [r.unwrap().total for r in results] == list(range(10))
    assert [r.index for r in results] == list(range(10))


def test_no_inputs_sends_nothing() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return echo_totals(request)

    assert sync_client(handler).run_many(CALC, []) == []
    assert seen == []


def test_case_insensitive_output_keys_and_missing_outputs() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            json=[
                ok({"TOTAL": 12.5, "flow__interviewstatus": "Finished"}),
                ok({"Flow__InterviewGuid": "guid"}),
            ],
        )

    first, second = sync_client(handler).run_many(CALC, [CalcInput(), CalcInput()])
    assert first.unwrap() == CalcOutput(
        total=Decimal("12.5"), interview_status="Finished"
    )
    assert second.unwrap() == CalcOutput(interview_guid="guid")


# -- per-call settings -----------------------------------------------------------


def test_run_many_batch_size_overrides_the_client() -> None:
    sizes: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sizes.append(len(sent_inputs(request)))
        return echo_totals(request)

    client = sync_client(handler, batch_size=4)
    inputs = [CalcInput(amount=n) for n in range(10)]
    results = client.run_many(CALC, inputs, batch_size=3)
    assert sizes == [3, 3, 3, 1]
    assert [r.unwrap().total for r in results] == list(range(10))
    assert [r.index for r in results] == list(range(10))
    # The client's own setting is untouched for the next call.
    sizes.clear()
    client.run_many(CALC, inputs)
    assert sizes == [4, 4, 2]


class _Concurrency:
    """Counts the requests the handler is serving at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.active = 0
        self.peak = 0

    def enter(self) -> None:
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)

    def leave(self) -> None:
        with self._lock:
            self.active -= 1


def test_run_many_max_in_flight_overrides_the_client_upwards() -> None:
    counter = _Concurrency()
    # Every request waits for two others: the call can only finish if three
    # requests are in flight at once (a client running them one by one fails
    # with BrokenBarrierError), and the counter sees whether more ever were.
    barrier = threading.Barrier(3, timeout=10)

    def handler(request: httpx.Request) -> httpx.Response:
        counter.enter()
        try:
            barrier.wait()
            return echo_totals(request)
        finally:
            counter.leave()

    client = sync_client(handler, batch_size=1, max_in_flight=1)
    inputs = [CalcInput(amount=n) for n in range(6)]
    results = client.run_many(CALC, inputs, max_in_flight=3)
    assert counter.peak == 3
    assert [r.unwrap().total for r in results] == list(range(6))
    assert [r.index for r in results] == list(range(6))


def test_run_many_max_in_flight_overrides_the_client_downwards() -> None:
    counter = _Concurrency()

    def handler(request: httpx.Request) -> httpx.Response:
        counter.enter()
        try:
            time.sleep(0.02)  # room for a second request to overlap, if sent
            return echo_totals(request)
        finally:
            counter.leave()

    client = sync_client(handler, batch_size=1, max_in_flight=4)
    inputs = [CalcInput(amount=n) for n in range(4)]
    results = client.run_many(CALC, inputs, max_in_flight=1)
    assert counter.peak == 1
    assert [r.unwrap().total for r in results] == list(range(4))
    counter.peak = 0
    client.run_many(CALC, inputs)  # the client's own four at a time
    assert counter.peak > 1


@pytest.mark.parametrize(
    "setting", [{"batch_size": 0}, {"max_in_flight": 0}, {"max_in_flight": -1}]
)
def test_run_many_refuses_per_call_settings_below_one(setting: dict[str, Any]) -> None:
    client = sync_client(echo_totals)
    with pytest.raises(FlowConfigError):
        client.run_many(CALC, [CalcInput(amount=1)], **setting)


# -- errors of the whole request -------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "error", "text", "error_code"),
    [
        (
            401,
            [
                {
                    "errorCode": "INVALID_SESSION_ID",
                    "message": "Session expired or invalid",
                }
            ],
            SessionExpiredError,
            "Log in again",
            "INVALID_SESSION_ID",
        ),
        (
            403,
            [
                {
                    "errorCode": "REQUEST_LIMIT_EXCEEDED",
                    "message": "TotalRequests Limit exceeded.",
                }
            ],
            ApiLimitError,
            "API requests",
            "REQUEST_LIMIT_EXCEEDED",
        ),
        (
            404,
            [
                {
                    "errorCode": "NOT_FOUND",
                    "message": "The requested resource does not exist",
                }
            ],
            FlowHTTPError,
            "active, autolaunched",
            "NOT_FOUND",
        ),
        (
            500,
            "<html><body>Server Error</body></html>",
            FlowHTTPError,
            "Server Error",
            None,
        ),
    ],
)
def test_http_errors_raise_typed_exceptions_without_the_token(
    status: int,
    body: Any,
    error: type[FlowHTTPError],
    text: str,
    error_code: str | None,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    with pytest.raises(error) as info:
        sync_client(handler).run(CALC, CalcInput())
    assert text in str(info.value) and f"HTTP {status}" in str(info.value)
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value.args)
    assert info.value.status_code == status
    assert info.value.error_code == error_code
    assert info.value.flow_name == "Calc"


def test_session_and_limit_errors_stop_the_chunks_not_yet_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) == 1:
            return echo_totals(request)
        limit = [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "Limit"}]
        return httpx.Response(403, json=limit)

    client = sync_client(handler, batch_size=2)
    results = client.run_many(CALC, [CalcInput(amount=n) for n in range(6)])
    assert len(seen) == 2  # the third chunk was never sent
    assert [r.is_success for r in results] == [True, True] + [False] * 4
    failures = [r.exception for r in results[2:]]
    assert all(isinstance(exc, ApiLimitError) for exc in failures)
    assert all(exc is failures[0] for exc in failures)
    with pytest.raises(ApiLimitError):
        results[5].unwrap()


def test_other_request_errors_fail_only_their_own_chunk() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if sent_inputs(request)[0]["amount"] == 2:
            return httpx.Response(500, text="Server Error")
        return echo_totals(request)

    client = sync_client(handler, batch_size=2)
    results = client.run_many(CALC, [CalcInput(amount=n) for n in range(6)])
    assert [r.is_success for r in results] == [True, True, False, False, True, True]
    assert isinstance(results[2].exception, FlowHTTPError)
    assert results[2].exception.status_code == 500
    assert [r.index for r in results] == list(range(6))


def test_wrong_number_of_results_is_a_response_error() -> None:
    client = sync_client(lambda request: httpx.Response(200, json=[ok({}), ok({})]))
    with pytest.raises(FlowResponseError, match="sent 1 input"):
        client.run(CALC, CalcInput())


def test_an_unreadable_200_is_a_response_error() -> None:
    client = sync_client(lambda request: httpx.Response(200, text="<html>"))
    with pytest.raises(FlowResponseError, match="HTTP 200 with an unreadable body"):
        client.run(CALC, CalcInput())


def test_undecodable_output_names_the_flow_and_output() -> None:
    client = sync_client(
        lambda request: httpx.Response(200, json=[ok({"total": "abc"})])
    )
    with pytest.raises(
        FlowResponseError,
        match="flow 'Calc': output 'total' could not be read as decimal",
    ):
        client.run(CALC, CalcInput())


def test_bad_input_value_names_the_input_and_nothing_is_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return echo_totals(request)

    client = sync_client(handler, batch_size=1)
    # The bad value is the last input: no earlier chunk may have been sent.
    inputs = [CalcInput(amount=1), CalcInput(amount=0.5)]  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^Calc: input 'amount': .*got float"):
        client.run_many(CALC, inputs)
    with pytest.raises(ValueError, match="^Calc: input 'amount': "):
        client.run(CALC, CalcInput(amount=Decimal("NaN")))
    assert seen == []


# -- transport failures ------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "may_have_run", "advice", "sent"),
    [
        # A refused connection sent nothing: resent (twice by default).
        (httpx.ConnectError, False, "nothing was sent", 3),
        (httpx.ConnectTimeout, False, "nothing was sent", 3),
        # Anything later may have run the flow: never resent.
        (httpx.ReadTimeout, True, "may have run", 1),
        (httpx.WriteError, True, "may have run", 1),
        (httpx.RemoteProtocolError, True, "may have run", 1),
    ],
)
def test_transport_failures_are_resent_only_when_nothing_was_sent(
    failure: type[httpx.TransportError],
    may_have_run: bool,
    advice: str,
    sent: int,
    sleeps: list[float],
) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise failure("boom", request=request)

    with pytest.raises(FlowTransportError) as info:
        sync_client(handler).run(CALC, CalcInput())
    assert info.value.may_have_run is may_have_run and len(calls) == sent
    assert advice in str(info.value) and failure.__name__ in str(info.value)
    assert TOKEN not in str(info.value)
    assert len(sleeps) == sent - 1  # a pause before each resend


def test_a_connection_refused_then_accepted_succeeds(sleeps: list[float]) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        return echo_totals(request)

    assert sync_client(handler).run(CALC, CalcInput(amount=4)).total == 4
    assert len(calls) == 2 and sleeps == [0.25]


def test_connect_retries_zero_sends_once(sleeps: list[float]) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(FlowTransportError):
        sync_client(handler, connect_retries=0).run(CALC, CalcInput())
    assert len(calls) == 1 and sleeps == []


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError,
        httpx.ReadTimeout,
        httpx.WriteError,
        httpx.RemoteProtocolError,
    ],
)
def test_transport_errors_chain_their_cause(
    failure: type[httpx.TransportError], sleeps: list[float]
) -> None:
    raised: list[httpx.TransportError] = []

    def handler(request: httpx.Request) -> httpx.Response:
        exc = failure("boom", request=request)
        raised.append(exc)
        raise exc

    with pytest.raises(FlowTransportError) as info:
        sync_client(handler).run(CALC, CalcInput())
    assert info.value.__cause__ is raised[-1]
    assert isinstance(info.value.__cause__, failure)
    assert info.value.flow_name == "Calc"


def test_transport_errors_in_bulk_calls_are_per_chunk_results(
    sleeps: list[float],
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if sent_inputs(request)[0]["amount"] == 0:
            raise httpx.ReadTimeout("slow", request=request)
        return echo_totals(request)

    client = sync_client(handler, batch_size=2)
    results = client.run_many(CALC, [CalcInput(amount=n) for n in range(4)])
    assert [r.is_success for r in results] == [False, False, True, True]
    exc = results[0].exception
    assert isinstance(exc, FlowTransportError) and exc.may_have_run
    assert isinstance(exc.__cause__, httpx.ReadTimeout)


def test_unsafe_retries_resend_after_a_timeout_and_a_5xx(sleeps: list[float]) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ReadTimeout("slow", request=request)
        if len(calls) == 2:
            return httpx.Response(503, text="Unavailable")
        return echo_totals(request)

    client = sync_client(handler, unsafe_retries=2)
    assert client.run(CALC, CalcInput(amount=1)).total == 1
    assert len(calls) == 3 and sleeps == [0.25, 0.5]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_5xx_or_429_is_not_resent_by_default(status: int) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, text="Unavailable")

    with pytest.raises(FlowHTTPError) as info:
        sync_client(handler).run(CALC, CalcInput(amount=1))
    assert info.value.status_code == status and len(calls) == 1


# -- tokens ---------------------------------------------------------------------------


def test_token_provider_is_called_after_a_401_and_the_request_resent() -> None:
    tokens: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        tokens.append(request.headers["authorization"])
        if request.headers["authorization"] != "Bearer fresh":
            return httpx.Response(401, json=[{"errorCode": "INVALID_SESSION_ID"}])
        return echo_totals(request)

    provided: list[str] = []

    def provider() -> str:
        provided.append("fresh")
        return "fresh"

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = rt.FlowClient(
        INSTANCE_URL, "stale", token_provider=provider, http_client=http
    )
    assert client.run(CALC, CalcInput(amount=2)).total == 2
    assert tokens == ["Bearer stale", "Bearer fresh"] and len(provided) == 1
    # The fresh token is kept for the next call.
    client.run(CALC, CalcInput(amount=3))
    assert tokens[-1] == "Bearer fresh" and len(provided) == 1


def test_a_token_refused_twice_is_a_session_error() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(401, json=[{"errorCode": "INVALID_SESSION_ID"}])

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = rt.FlowClient(INSTANCE_URL, token_provider=lambda: "new", http_client=http)
    with pytest.raises(SessionExpiredError):
        client.run(CALC, CalcInput())
    assert len(calls) == 2  # one refresh per request, no more


def test_a_client_needs_a_token_or_a_provider() -> None:
    with pytest.raises(FlowConfigError, match="no access token"):
        rt.FlowClient(INSTANCE_URL)


# -- settings ---------------------------------------------------------------------------


def test_plain_http_is_refused_except_loopback() -> None:
    with pytest.raises(FlowConfigError, match="https"):
        rt.FlowClient("http://acme.my.salesforce.com", TOKEN)
    with pytest.raises(FlowConfigError, match="https"):
        rt.FlowClient("http://localhost.example.com", TOKEN)
    with pytest.raises(FlowConfigError):
        rt.FlowClient("ftp://acme.my.salesforce.com", TOKEN)
    for url, kept in [
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://localhost:8080/x", "http://localhost:8080"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://acme.my.salesforce.com/", "https://acme.my.salesforce.com"),
    ]:
        assert rt.FlowClient(url, TOKEN).instance_url == kept


@pytest.mark.parametrize(
    "settings",
    [{"batch_size": 0}, {"max_in_flight": 0}, {"connect_retries": -1}],
)
def test_bad_settings_are_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(FlowConfigError):
        rt.FlowClient(INSTANCE_URL, TOKEN, **settings)


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SF_INSTANCE_URL", raising=False)
    monkeypatch.delenv("SF_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("SF_API_VERSION", raising=False)
    with pytest.raises(FlowConfigError, match="SF_INSTANCE_URL and SF_ACCESS_TOKEN"):
        rt.FlowClient.from_env()
    monkeypatch.setenv("SF_INSTANCE_URL", INSTANCE_URL)
    monkeypatch.setenv("SF_ACCESS_TOKEN", TOKEN)
    with rt.FlowClient.from_env() as client:
        assert client.api_version is None
    monkeypatch.setenv("SF_API_VERSION", "v61.0")
    with rt.FlowClient.from_env() as client:
        assert client.instance_url == INSTANCE_URL
        assert client.api_version == "61.0"
        assert TOKEN not in repr(client)
    with rt.FlowClient.from_env(api_version="60.0") as client:
        assert client.api_version == "60.0"


def test_api_version_comes_from_the_flow_unless_the_client_sets_one() -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return httpx.Response(200, json=[ok({})])

    old = rt.Flow(
        "Old",
        api_version="58.0",
        to_json=calc_to_json,
        from_wire=calc_from_wire,
        output_keys=("total",),
    )
    sync_client(handler).run(old, CalcInput())
    sync_client(handler, api_version="v60.0").run(old, CalcInput())
    assert paths == [
        "/services/data/v58.0/actions/custom/flow/Old",
        "/services/data/v60.0/actions/custom/flow/Old",
    ]


def test_flow_names_are_quoted_into_the_url() -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.raw_path.decode())
        return httpx.Response(200, json=[ok({})])

    odd = rt.Flow(
        "a/b c?d",
        to_json=calc_to_json,
        from_wire=calc_from_wire,
        output_keys=("total",),
    )
    result = sync_client(handler).run_many(odd, [CalcInput()])
    assert paths == ["/services/data/v62.0/actions/custom/flow/a%2Fb%20c%3Fd"]
    assert result[0].flow_name == "a/b c?d"


def test_invoke_posts_raw_dicts_and_returns_raw_answers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[ok({"total": 1.5})])

    answers = sync_client(handler).invoke(
        "Calc", [{"amount": Decimal("0.30"), "x": None}], api_version="59.0"
    )
    assert seen[0].url.path == "/services/data/v59.0/actions/custom/flow/Calc"
    assert seen[0].content == b'{"inputs":[{"amount":0.30,"x":null}]}'
    assert answers == [ok({"total": Decimal("1.5")})]
    assert type(answers[0]["outputValues"]["total"]) is decimal.Decimal


def test_the_client_closes_only_the_pool_it_made() -> None:
    given = httpx.Client(transport=httpx.MockTransport(echo_totals))
    with rt.FlowClient(INSTANCE_URL, TOKEN, http_client=given):
        pass
    assert not given.is_closed
    client = rt.FlowClient(INSTANCE_URL, TOKEN)
    with client:
        pass
    assert client._http.is_closed


def test_debug_log_names_the_call_but_never_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="flowgen.runtime"):
        sync_client(echo_totals).run(CALC, CalcInput(amount=1))
    assert "flow Calc: 1 input(s), HTTP 200" in caplog.text
    assert TOKEN not in caplog.text


CALC_APEX = rt.Flow(
    "Calc",
    path="custom/apex",
    to_json=calc_to_json,
    from_wire=lambda values: CalcOutput(
        total=rt.decimal_from_wire(values["total"], "total")
    ),
    output_keys=("total",),
)


def test_another_kind_is_called_at_its_path_and_named_as_what_it_is() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        inputs = sent_inputs(request)
        if inputs[0].get("noteText") == "missing":
            return httpx.Response(
                404, json=[{"errorCode": "NOT_FOUND", "message": "x"}]
            )
        failed = {"isSuccess": False, "outputValues": None, "errors": [
            {"statusCode": "APEX_ERROR", "message": "System.NullPointerException"}
        ]}  # fmt: skip
        return httpx.Response(
            400, json=[{**ok({"total": 3}), "actionName": "Calc"}, failed]
        )

    client = sync_client(answer)
    ran = client.run_many(CALC_APEX, [CalcInput(amount=3), CalcInput(note="x")])
    assert seen == ["/services/data/v62.0/actions/custom/apex/Calc"]
    assert ran[0].unwrap() == CalcOutput(total=Decimal(3))  # no interview keys
    with pytest.raises(FlowInterviewError) as failed:
        ran[1].unwrap()
    assert str(failed.value) == (
        "Apex action 'Calc' failed for input 1: APEX_ERROR: "
        "System.NullPointerException. Check the input values."
    )
    with pytest.raises(FlowHTTPError) as missing:
        client.run(CALC_APEX, CalcInput(note="missing"))
    assert str(missing.value).startswith("Apex action 'Calc': HTTP 404: NOT_FOUND: x. ")
    assert "may this user run it" in str(missing.value)
