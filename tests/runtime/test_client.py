"""FlowClient against httpx.MockTransport: request shape and response parsing."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

import httpx
import pytest

from flowgen.runtime import _runtime as rt

TOKEN = "00Dxx!secret-token-value"


@dataclass(frozen=True, kw_only=True)
class _In:
    amount: Any = rt.UNSET
    note: Any = rt.UNSET


class _Out(NamedTuple):
    total: Decimal | None = None
    interview_status: str | None = None
    interview_guid: str | None = None


class _NoOut(NamedTuple):
    interview_status: str | None = None
    interview_guid: str | None = None


BINDING = rt.FlowBinding(
    "Calc",
    inputs=(
        rt.Field("amount", "amount", rt.DECIMAL),
        rt.Field("note", "noteText", rt.STRING),
    ),
    outputs=(rt.Field("total", "total", rt.DECIMAL),),
    output_type=_Out,
)


def _client(
    handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> rt.FlowClient:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return rt.FlowClient(
        "https://acme.my.salesforce.com", TOKEN, http_client=http, **kwargs
    )


def _ok(outputs: dict[str, Any]) -> dict[str, Any]:
    return {
        "actionName": "Calc",
        "errors": None,
        "isSuccess": True,
        "outputValues": outputs,
    }


def test_post_shape_and_unset_vs_none() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json=[_ok({"total": 3, "Flow__InterviewStatus": "Finished"})] * 2
        )

    results = BINDING.run_many(
        _client(handler), [_In(amount=Decimal("1.10")), _In(note=None)]
    )
    (request,) = seen
    assert request.method == "POST"
    assert request.url.path == "/services/data/v62.0/actions/custom/flow/Calc"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.content == b'{"inputs":[{"amount":1.10},{"noteText":null}]}'
    assert [r.unwrap().total for r in results] == [Decimal(3), Decimal(3)]
    assert results[0].unwrap().interview_status == "Finished"


def test_partial_failure_with_http_400_is_parsed_per_input() -> None:
    body = [
        _ok({"total": 1}),
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
    client = _client(lambda request: httpx.Response(400, json=body))
    results = BINDING.run_many(client, [_In(), _In(), _In()])
    assert [r.is_success for r in results] == [True, False, True]
    assert results[1].errors == (
        rt.SalesforceError("FIELD_CUSTOM_VALIDATION_EXCEPTION", "Too big", ("amount",)),
    )
    assert results[2].unwrap() == _Out()  # outputValues null: every output None
    with pytest.raises(rt.FlowInterviewError) as info:
        results[1].unwrap()
    assert (
        info.value.index == 1
        and "Too big" in str(info.value)
        and "'Calc'" in str(info.value)
    )


def test_chunks_by_batch_size_and_keeps_order() -> None:
    sizes: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        inputs = json.loads(request.content, parse_float=Decimal)["inputs"]
        sizes.append(len(inputs))
        return httpx.Response(
            200, json=[_ok({"total": int(i["amount"])}) for i in inputs]
        )

    results = BINDING.run_many(
        _client(handler, batch_size=4), [_In(amount=n) for n in range(10)]
    )
    assert sizes == [4, 4, 2]
    assert [r.unwrap().total for r in results] == list(range(10))
    assert [r.index for r in results] == list(range(10))


@pytest.mark.parametrize(
    ("status", "body", "error", "text"),
    [
        (
            401,
            [
                {
                    "errorCode": "INVALID_SESSION_ID",
                    "message": "Session expired or invalid",
                }
            ],
            rt.SessionExpiredError,
            "Log in again",
        ),
        (
            403,
            [
                {
                    "errorCode": "REQUEST_LIMIT_EXCEEDED",
                    "message": "TotalRequests Limit exceeded.",
                }
            ],
            rt.ApiLimitError,
            "API requests",
        ),
        (
            404,
            [
                {
                    "errorCode": "NOT_FOUND",
                    "message": "The requested resource does not exist",
                }
            ],
            rt.FlowHTTPError,
            "active, autolaunched",
        ),
        (
            500,
            "<html><body>Server Error</body></html>",
            rt.FlowHTTPError,
            "Server Error",
        ),
    ],
)
def test_http_errors_raise_typed_exceptions_without_the_token(
    status: int, body: Any, error: type[Exception], text: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    with pytest.raises(error) as info:
        BINDING.run(_client(handler), _In())
    assert text in str(info.value)
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value.args)


def test_wrong_number_of_results_is_a_response_error() -> None:
    client = _client(lambda request: httpx.Response(200, json=[_ok({}), _ok({})]))
    with pytest.raises(rt.FlowResponseError, match="sent 1 input"):
        BINDING.run(client, _In())


def test_undecodable_output_names_the_flow_and_output() -> None:
    client = _client(lambda request: httpx.Response(200, json=[_ok({"total": "abc"})]))
    with pytest.raises(
        rt.FlowResponseError,
        match="'Calc': output 'total' could not be read as decimal",
    ):
        BINDING.run(client, _In())


def test_bad_input_value_names_the_input() -> None:
    client = _client(lambda request: httpx.Response(500))
    with pytest.raises(TypeError, match="Calc: input 'amount'"):
        BINDING.run(client, _In(amount=0.5))


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
    failure: type[httpx.TransportError], may_have_run: bool, advice: str, sent: int
) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise failure("boom", request=request)

    with pytest.raises(rt.FlowTransportError) as info:
        BINDING.run(_client(handler), _In())
    assert info.value.may_have_run is may_have_run and len(calls) == sent
    assert advice in str(info.value)


def test_plain_http_is_refused_except_loopback() -> None:
    with pytest.raises(rt.FlowConfigError, match="https"):
        rt.FlowClient("http://acme.my.salesforce.com", TOKEN)
    assert (
        rt.FlowClient("http://127.0.0.1:8080/", TOKEN).instance_url
        == "http://127.0.0.1:8080"
    )


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SF_INSTANCE_URL", raising=False)
    monkeypatch.delenv("SF_ACCESS_TOKEN", raising=False)
    with pytest.raises(rt.FlowConfigError, match="SF_INSTANCE_URL and SF_ACCESS_TOKEN"):
        rt.FlowClient.from_env()
    monkeypatch.setenv("SF_INSTANCE_URL", "https://acme.my.salesforce.com")
    monkeypatch.setenv("SF_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("SF_API_VERSION", "v61.0")
    with rt.FlowClient.from_env() as client:
        assert client.api_version == "61.0"
        assert TOKEN not in repr(client)


def test_api_version_comes_from_the_binding_unless_the_client_sets_one() -> None:
    paths: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return httpx.Response(200, json=[_ok({})])

    old = rt.FlowBinding(
        "Old", api_version="58.0", inputs=[], outputs=[], output_type=_NoOut
    )
    old.run(_client(handler), _In())
    old.run(_client(handler, api_version="v60.0"), _In())
    assert paths == [
        "/services/data/v58.0/actions/custom/flow/Old",
        "/services/data/v60.0/actions/custom/flow/Old",
    ]


def test_bulk_results_are_the_objects_their_constructors_make() -> None:
    # Results and Outputs of bulk calls are built without their constructors
    # (the hot path); they must be indistinguishable from constructed ones.
    def handler(request: httpx.Request) -> httpx.Response:
        # Keys in another case still find their output (the wire is lenient).
        return httpx.Response(200, json=[_ok({"total": 12.5}), _ok({"TOTAL": 12.5})])

    results = BINDING.run_many(_client(handler), [_In(), _In()])
    for index, result in enumerate(results):
        expected = rt.FlowResult("Calc", index, _Out(total=Decimal("12.5")))
        assert result == expected and repr(result) == repr(expected)
        assert hash(result) == hash(expected)
        assert type(result.output) is _Out and result.output.total == Decimal("12.5")
    assert repr(results[0]) == (
        "FlowResult(flow_name='Calc', index=0, output=_Out(total=Decimal('12.5'), "
        "interview_status=None, interview_guid=None), errors=(), exception=None)"
    )
    with pytest.raises(AttributeError):
        results[1].output.total = Decimal(0)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        results[1].index = 3  # type: ignore[misc]
    # A result equals only a result: not the plain tuple of its fields.
    assert results[0] != ("Calc", 0, _Out(total=Decimal("12.5")), (), None)
    assert BINDING.decode(None) == _Out()


def test_an_output_type_that_is_no_named_tuple_of_the_outputs_is_refused() -> None:
    @dataclass(frozen=True)
    class NotATuple:
        total: Decimal | None = None

    for output_type in (NotATuple, _NoOut):
        with pytest.raises(rt.FlowConfigError, match="must be a NamedTuple"):
            rt.FlowBinding(
                "Calc",
                inputs=BINDING.inputs,
                outputs=BINDING.outputs,
                output_type=output_type,
            )
