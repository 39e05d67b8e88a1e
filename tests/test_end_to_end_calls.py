"""Call semantics of the generated package over real HTTP: async, bulk, faults.

The fake org records every input a flow ran on (``org.invocations``), so each
fault test can check that no flow ran twice and that no POST was resent
where it may have run.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from flowgen.testing import FakeOrg, Fault, FlowFault
from tests.conftest import EXAMPLE_SNAPSHOT, GENERATED_EXAMPLE

FLOW = "Update_Order_Status"
PATH = f"/actions/custom/flow/{FLOW}"


@pytest.fixture
def acme(import_package) -> Any:  # type: ignore[no-untyped-def]
    return import_package(GENERATED_EXAMPLE, "acme_flows")


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    with FakeOrg(EXAMPLE_SNAPSHOT) as fake:
        fake.on(FLOW, _update_order)
        yield fake


def _update_order(inputs: dict[str, Any]) -> dict[str, Any]:
    if inputs["newStatus"] == "Bogus":
        raise FlowFault("Status Bogus is not allowed", fields=["newStatus"])
    if inputs.get("reason") == "slow":
        time.sleep(1.0)
    return {"status": inputs["newStatus"], "changed": True}


def _inputs(acme: Any, count: int, failing: set[int]) -> list[Any]:
    return [
        acme.UpdateOrderStatusInput(
            order_id=f"801{i:05d}", new_status="Bogus" if i in failing else "Shipped"
        )
        for i in range(count)
    ]


def _check_bulk(results: list[Any], count: int, failing: set[int]) -> None:
    assert len(results) == count
    assert [r.index for r in results] == list(range(count))
    assert {r.index for r in results if not r.is_success} == failing
    assert all(r.output.status == "Shipped" for r in results if r.is_success)
    assert all("Bogus" in r.errors[0].message for r in results if not r.is_success)


FAILING = {0, 199, 200, 4321, 9999}


def test_ten_thousand_inputs_in_fifty_requests_in_order(
    acme: Any, org: FakeOrg
) -> None:
    with acme.FlowClient(org.instance_url, org.access_token, max_in_flight=4) as client:
        results = acme.update_order_status_many(client, _inputs(acme, 10_000, FAILING))
    _check_bulk(results, 10_000, FAILING)
    assert org.request_count(path=PATH, method="POST") == 50
    assert len(org.invocations[FLOW]) == 10_000


def test_ten_thousand_inputs_async(acme: Any, org: FakeOrg) -> None:
    async def run() -> list[Any]:
        async with acme.AsyncFlowClient(org.instance_url, org.access_token) as client:
            return await acme.update_order_status_many_async(
                client, _inputs(acme, 10_000, FAILING)
            )

    _check_bulk(asyncio.run(run()), 10_000, FAILING)
    assert org.request_count(path=PATH, method="POST") == 50
    ran = [element["orderId"] for element in org.invocations[FLOW]]
    assert sorted(ran) == [f"801{i:05d}" for i in range(10_000)]  # each once


# -- faults: the right exception or retry, and nothing run twice --------------


def _one(acme: Any, client: Any, reason: str | None = None) -> Any:
    return acme.update_order_status(
        client,
        order_id="8010000",
        new_status="Shipped",
        reason=acme.UNSET if reason is None else reason,
    )


def test_a_timeout_is_not_resent(acme: Any, org: FakeOrg) -> None:
    with acme.FlowClient(org.instance_url, org.access_token, timeout=0.3) as client:
        with pytest.raises(acme.FlowTransportError) as caught:
            _one(acme, client, reason="slow")
    assert caught.value.may_have_run is True and "may have run" in str(caught.value)
    time.sleep(1.0)  # let the slow flow finish in the org
    assert org.request_count(path=PATH, method="POST") == 1
    assert len(org.invocations[FLOW]) == 1


def test_a_dropped_connection_is_not_resent(acme: Any, org: FakeOrg) -> None:
    org.inject(Fault.drop(), path=PATH)
    with acme.FlowClient(org.instance_url, org.access_token) as client:
        with pytest.raises(acme.FlowTransportError) as caught:
            _one(acme, client)
    assert caught.value.may_have_run is True
    assert org.request_count(path=PATH, method="POST") == 1


def test_a_refused_session_is_renewed_once_and_resent(acme: Any, org: FakeOrg) -> None:
    calls: list[str] = []

    def fresh_token() -> str:
        calls.append("called")
        return org.access_token

    org.inject(Fault.status(401), path=PATH)
    with acme.FlowClient(
        org.instance_url, "old-token", token_provider=fresh_token
    ) as client:
        assert _one(acme, client).status == "Shipped"
    assert calls == ["called"]
    assert org.request_count(path=PATH, method="POST") == 2  # the 401 ran nothing
    assert len(org.invocations[FLOW]) == 1


def test_an_async_token_provider_is_awaited(acme: Any, org: FakeOrg) -> None:
    async def fresh_token() -> str:
        return org.access_token

    async def run() -> Any:
        async with acme.AsyncFlowClient(
            org.instance_url, token_provider=fresh_token
        ) as client:
            return await acme.update_order_status_async(
                client, order_id="1", new_status="Shipped"
            )

    assert asyncio.run(run()).status == "Shipped"


def test_a_session_that_stays_refused_is_session_expired(
    acme: Any, org: FakeOrg
) -> None:
    with acme.FlowClient(
        org.instance_url, "old-token", token_provider=lambda: "still-wrong"
    ) as client:
        with pytest.raises(acme.SessionExpiredError) as caught:
            _one(acme, client)
    assert "still-wrong" not in str(caught.value) and "old-token" not in str(
        caught.value
    )
    assert org.request_count(path=PATH, method="POST") == 2
    assert not org.invocations[FLOW]


def test_the_request_limit_is_an_api_limit_error(acme: Any, org: FakeOrg) -> None:
    org.inject(Fault.status(403), path=PATH, times=10)
    with acme.FlowClient(org.instance_url, org.access_token) as client:
        with pytest.raises(acme.ApiLimitError, match="REQUEST_LIMIT_EXCEEDED"):
            _one(acme, client)
        # In bulk, the chunks after the refused one are not sent at all.
        results = acme.update_order_status_many(client, _inputs(acme, 600, set()))
    assert all(isinstance(r.exception, acme.ApiLimitError) for r in results)
    assert org.request_count(path=PATH, method="POST") == 2


def test_a_500_with_an_html_page_is_an_http_error_not_resent(
    acme: Any, org: FakeOrg
) -> None:
    org.inject(Fault.html(500), path=PATH)
    with acme.FlowClient(org.instance_url, org.access_token) as client:
        with pytest.raises(acme.FlowHTTPError) as caught:
            _one(acme, client)
    assert caught.value.status_code == 500 and "Server Error" in str(caught.value)
    assert org.request_count(path=PATH, method="POST") == 1


def test_malformed_json_is_a_response_error_not_resent(acme: Any, org: FakeOrg) -> None:
    org.inject(Fault.malformed(), path=PATH)
    with acme.FlowClient(org.instance_url, org.access_token) as client:
        with pytest.raises(acme.FlowResponseError, match="unreadable body"):
            _one(acme, client)
    assert org.request_count(path=PATH, method="POST") == 1


def test_opting_in_resends_after_a_server_error(acme: Any, org: FakeOrg) -> None:
    org.inject(Fault.status(503), path=PATH)
    with acme.FlowClient(
        org.instance_url, org.access_token, unsafe_retries=1
    ) as client:
        assert _one(acme, client).status == "Shipped"
    assert org.request_count(path=PATH, method="POST") == 2


def test_a_refused_connection_is_resent_because_nothing_ran(acme: Any) -> None:
    with FakeOrg(EXAMPLE_SNAPSHOT) as gone:
        url = gone.instance_url  # a port with nothing listening once stopped
    attempts: list[httpx.Request] = []
    http = httpx.Client(event_hooks={"request": [attempts.append]})
    with acme.FlowClient(url, "token", connect_retries=1, http_client=http) as client:
        with pytest.raises(acme.FlowTransportError) as caught:
            _one(acme, client)
    assert len(attempts) == 2  # the first try and one resend
    assert caught.value.may_have_run is False and "nothing was sent" in str(
        caught.value
    )


def test_a_bulk_call_keeps_the_results_of_chunks_that_ran(
    acme: Any, org: FakeOrg
) -> None:
    org.inject(Fault.drop(), path=PATH)  # the first chunk's request dies in transit
    with acme.FlowClient(org.instance_url, org.access_token, batch_size=100) as client:
        results = acme.update_order_status_many(client, _inputs(acme, 300, set()))
    lost = [r for r in results if r.exception is not None]
    assert [r.index for r in lost] == list(range(100))
    assert all(r.exception.may_have_run for r in lost)
    assert all(r.is_success for r in results[100:])
    with pytest.raises(acme.FlowTransportError):
        lost[0].unwrap()


def test_one_debug_line_per_request_without_the_token(
    acme: Any, org: FakeOrg, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="acme_flows"):
        with acme.FlowClient(org.instance_url, org.access_token) as client:
            _one(acme, client)
    lines = [r.getMessage() for r in caplog.records if r.name == "acme_flows"]
    assert len(lines) == 1
    assert lines[0].startswith(f"flow {FLOW}: 1 input(s), HTTP 200 in ")
    assert all(org.access_token not in r.getMessage() for r in caplog.records)


def test_eighteen_digit_decimals_cross_a_bulk_call_exactly(acme: Any) -> None:
    # Currency must never pass through float, in either direction, and the
    # exact-decimal JSON path must hold in a bulk body of many inputs.
    amounts = [Decimal("1234567890.12345678"), Decimal("-0.000000000000000001")]
    amounts += [Decimal(f"9876543210987654.{i:02d}") for i in range(40)]
    assert all(len(a.as_tuple().digits) >= 18 for a in amounts[2:])
    with FakeOrg(EXAMPLE_SNAPSHOT) as fake:
        fake.on(
            "Calculate_Invoice_Totals",
            lambda inputs: {
                "taxAmount": inputs["taxRate"],
                "taxBreakdown": [inputs["taxRate"], *inputs["lineAmounts"]],
            },
        )
        inputs = [
            acme.CalculateInvoiceTotalsInput(
                invoice={"Id": f"a01{i:015d}"}, line_amounts=[amount], tax_rate=amount
            )
            for i, amount in enumerate(amounts)
        ]
        with acme.FlowClient(fake.instance_url, fake.access_token) as client:
            results = acme.calculate_invoice_totals_many(client, inputs, batch_size=7)
        sent = [
            inputs["taxRate"] for inputs in fake.invocations["Calculate_Invoice_Totals"]
        ]
        assert fake.request_count(method="POST") == 6
    assert [str(value) for value in sent] == [str(a) for a in amounts]
    for amount, result in zip(amounts, results, strict=True):
        output = result.unwrap()
        assert str(output.tax_amount) == str(amount)
        assert [str(v) for v in output.tax_breakdown] == [str(amount)] * 2
