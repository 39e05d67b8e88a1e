"""AsyncFlowClient against httpx.MockTransport (which serves AsyncClient too)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest

from flowgen.runtime import (
    ApiLimitError,
    FlowInterviewError,
    FlowTransportError,
    SessionExpiredError,
)
from flowgen.runtime._async_client import AsyncFlowClient
from tests.runtime.calc_flow import (
    CALC,
    CALC_PATH,
    INSTANCE_URL,
    TOKEN,
    AsyncHandler,
    CalcInput,
    CalcOutput,
    echo_totals,
    ok,
    sent_inputs,
)


def _client(handler: AsyncHandler, **kwargs: Any) -> AsyncFlowClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    kwargs.setdefault("access_token", TOKEN)
    return AsyncFlowClient(INSTANCE_URL, http_client=http, **kwargs)


async def _echo(request: httpx.Request) -> httpx.Response:
    return echo_totals(request)


class _Concurrency:
    """Counts the requests an async handler is serving at once."""

    def __init__(self, sizes: list[int] | None = None) -> None:
        self.active = 0
        self.peak = 0
        self.sizes = sizes if sizes is not None else []

    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.active += 1
        self.peak = max(self.peak, self.active)
        self.sizes.append(len(sent_inputs(request)))
        try:
            # Every request in flight reaches here before the first answers.
            await asyncio.sleep(0.01)
            return echo_totals(request)
        finally:
            self.active -= 1


def test_run_and_run_many_send_what_the_sync_client_sends() -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = ok({"total": 3, "Flow__InterviewStatus": "Finished"})
        return httpx.Response(200, json=[answer] * len(sent_inputs(request)))

    async def main() -> None:
        async with _client(handler) as client:
            inputs = [CalcInput(amount=Decimal("1.10")), CalcInput(note=None)]
            results = await client.run_many(CALC, inputs)
            assert [r.unwrap().total for r in results] == [Decimal(3)] * 2
            output = await client.run(CALC, CalcInput())
            assert output == CalcOutput(total=Decimal(3), interview_status="Finished")

    asyncio.run(main())
    assert seen[0].url.path == CALC_PATH
    assert seen[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert seen[0].content == b'{"inputs":[{"amount":1.10},{"noteText":null}]}'
    assert seen[1].content == b'{"inputs":[{}]}'


def test_run_many_chunks_and_keeps_order_with_the_per_call_batch_size() -> None:
    counter = _Concurrency()
    client = _client(counter.handler, batch_size=4)
    inputs = [CalcInput(amount=n) for n in range(10)]
    results = asyncio.run(client.run_many(CALC, inputs, batch_size=3))
    assert sorted(counter.sizes) == [1, 3, 3, 3]
    assert [r.unwrap().total for r in results] == list(range(10))
    assert [r.index for r in results] == list(range(10))
    counter.sizes.clear()
    asyncio.run(client.run_many(CALC, inputs))
    assert sorted(counter.sizes) == [2, 4, 4]


def test_run_many_max_in_flight_limits_concurrency() -> None:
    inputs = [CalcInput(amount=n) for n in range(8)]
    # The client's own setting (four by default)...
    counter = _Concurrency()
    results = asyncio.run(_client(counter.handler, batch_size=1).run_many(CALC, inputs))
    assert counter.peak == 4
    assert [r.unwrap().total for r in results] == list(range(8))
    # ...unless the call gives its own, either way.
    for client_setting, per_call in [(4, 2), (1, 3), (4, 1)]:
        counter = _Concurrency()
        client = _client(counter.handler, batch_size=1, max_in_flight=client_setting)
        results = asyncio.run(client.run_many(CALC, inputs, max_in_flight=per_call))
        assert counter.peak == per_call
        assert [r.unwrap().total for r in results] == list(range(8))
        assert [r.index for r in results] == list(range(8))


def test_a_coroutine_token_provider_refreshes_after_a_401() -> None:
    tokens: list[str] = []
    provided: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        tokens.append(request.headers["authorization"])
        if request.headers["authorization"] != "Bearer fresh":
            return httpx.Response(401, json=[{"errorCode": "INVALID_SESSION_ID"}])
        return echo_totals(request)

    async def provider() -> str:
        await asyncio.sleep(0)
        provided.append("fresh")
        return "fresh"

    async def main() -> None:
        client = _client(handler, access_token="stale", token_provider=provider)
        assert (await client.run(CALC, CalcInput(amount=2))).total == 2
        assert tokens == ["Bearer stale", "Bearer fresh"] and len(provided) == 1
        await client.run(CALC, CalcInput(amount=3))
        assert tokens[-1] == "Bearer fresh" and len(provided) == 1

    asyncio.run(main())


def test_a_coroutine_token_provider_gives_the_first_token() -> None:
    tokens: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        tokens.append(request.headers["authorization"])
        return echo_totals(request)

    async def provider() -> str:
        return "first"

    client = _client(handler, access_token=None, token_provider=provider)
    assert asyncio.run(client.run(CALC, CalcInput(amount=1))).total == 1
    assert tokens == ["Bearer first"]


def test_a_token_refused_after_the_refresh_is_a_session_error() -> None:
    calls: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(401, json=[{"errorCode": "INVALID_SESSION_ID"}])

    async def provider() -> str:
        return "also-refused"

    client = _client(handler, token_provider=provider)
    with pytest.raises(SessionExpiredError):
        asyncio.run(client.run(CALC, CalcInput()))
    assert len(calls) == 2


def test_limit_errors_stop_the_chunks_not_yet_sent() -> None:
    calls: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        limit = [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "Limit"}]
        return httpx.Response(403, json=limit)

    client = _client(handler, batch_size=1, max_in_flight=1)
    results = asyncio.run(client.run_many(CALC, [CalcInput()] * 3))
    assert len(calls) == 1
    assert all(isinstance(r.exception, ApiLimitError) for r in results)
    assert [r.index for r in results] == [0, 1, 2]


def test_a_failed_input_raises_on_run() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        failed = {"isSuccess": False, "errors": [{"statusCode": "X", "message": "no"}]}
        return httpx.Response(400, json=[failed])

    with pytest.raises(FlowInterviewError, match="X: no"):
        asyncio.run(_client(handler).run(CALC, CalcInput()))


@pytest.mark.parametrize(
    ("failure", "sent"), [(httpx.ConnectError, 3), (httpx.ReadTimeout, 1)]
)
def test_transport_errors_are_resent_by_the_same_rules_and_chain_their_cause(
    failure: type[httpx.TransportError], sent: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    pauses: list[float] = []

    async def no_pause(delay: float) -> None:
        pauses.append(delay)

    monkeypatch.setattr(asyncio, "sleep", no_pause)
    raised: list[httpx.TransportError] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        raised.append(failure("boom", request=request))
        raise raised[-1]

    with pytest.raises(FlowTransportError) as info:
        asyncio.run(_client(handler).run(CALC, CalcInput()))
    assert len(raised) == sent and len(pauses) == sent - 1
    assert info.value.__cause__ is raised[-1]
    assert info.value.may_have_run is (failure is httpx.ReadTimeout)


def test_the_client_closes_only_the_pool_it_made() -> None:
    given = httpx.AsyncClient(transport=httpx.MockTransport(_echo))

    async def main() -> AsyncFlowClient:
        async with AsyncFlowClient(INSTANCE_URL, TOKEN, http_client=given):
            pass
        assert not given.is_closed
        async with AsyncFlowClient(INSTANCE_URL, TOKEN) as own:
            pass
        return own

    assert asyncio.run(main())._http.is_closed


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SF_INSTANCE_URL", INSTANCE_URL)
    monkeypatch.setenv("SF_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("SF_API_VERSION", "v61.0")
    client = AsyncFlowClient.from_env()
    assert type(client) is AsyncFlowClient and client.api_version == "61.0"
    assert TOKEN not in repr(client)
