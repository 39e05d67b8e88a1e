"""An app's tests against the generated fakes: only acme_flows and pytest.

Run by tests/test_generated_testing.py with generated_example on the path,
and type-checked (mypy --strict, pyright strict) by test_generated_checkers.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import cast

import pytest
from acme_flows import (
    CalculateInvoiceTotalsInput,
    CalculateInvoiceTotalsOutput,
    FlowHTTPError,
    FlowInterviewError,
    FlowTransportError,
    SessionExpiredError,
    calculate_invoice_totals,
    calculate_invoice_totals_async,
    calculate_invoice_totals_many,
)
from acme_flows.records import Invoice__c
from acme_flows.testing import Failure, FakeFlows

INVOICE: Invoice__c = {"Name": "INV-1"}


def add_up(inp: CalculateInvoiceTotalsInput) -> CalculateInvoiceTotalsOutput:
    return CalculateInvoiceTotalsOutput(total=sum(inp.line_amounts, Decimal(0)))


@pytest.fixture
def fake() -> FakeFlows:
    return FakeFlows()


def test_a_handler_gets_the_input_and_gives_the_output(fake: FakeFlows) -> None:
    fake.on(calculate_invoice_totals, add_up)
    with fake.client() as client:
        out = calculate_invoice_totals(
            client, invoice=INVOICE, line_amounts=[Decimal("10.50"), Decimal("2.25")]
        )
    assert out.total == Decimal("12.75")
    assert out.interview_status == "Finished"
    assert out.interview_guid
    (seen,) = fake.calls(calculate_invoice_totals)
    assert seen.invoice == INVOICE
    assert list(seen.line_amounts) == [Decimal("10.50"), Decimal("2.25")]


def test_returns_and_waiting(fake: FakeFlows) -> None:
    answer = CalculateInvoiceTotalsOutput(total=Decimal("30.00"))
    fake.on(calculate_invoice_totals, returns=answer, waiting=True)
    with fake.client() as client:
        out = calculate_invoice_totals(client, invoice=INVOICE, line_amounts=[])
    assert out.total == Decimal("30.00")
    assert out.interview_status == "Waiting"


def test_raises_fails_the_input_as_the_org_does(fake: FakeFlows) -> None:
    failure = Failure(
        "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Invoice is closed", fields=("invoice",)
    )
    fake.on(calculate_invoice_totals, raises=failure)
    with fake.client() as client, pytest.raises(FlowInterviewError) as caught:
        calculate_invoice_totals(client, invoice=INVOICE, line_amounts=[])
    (error,) = caught.value.errors
    assert error.status_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert error.message == "Invoice is closed"
    assert error.fields == ("invoice",)


def test_a_bulk_call_with_one_failing_input(fake: FakeFlows) -> None:
    def handler(inp: CalculateInvoiceTotalsInput) -> CalculateInvoiceTotalsOutput:
        if not inp.line_amounts:
            raise Failure("FLOW_EXCEPTION", "no lines")
        return add_up(inp)

    fake.on(calculate_invoice_totals, handler)
    inputs = [
        CalculateInvoiceTotalsInput(invoice=INVOICE, line_amounts=[Decimal(1)]),
        CalculateInvoiceTotalsInput(invoice=INVOICE, line_amounts=[]),
        CalculateInvoiceTotalsInput(invoice=INVOICE, line_amounts=[Decimal(3)]),
    ]
    with fake.client() as client:
        results = calculate_invoice_totals_many(client, inputs)
    assert [r.is_success for r in results] == [True, False, True]
    assert results[2].unwrap().total == Decimal(3)
    assert results[1].errors[0].message == "no lines"
    assert fake.calls(calculate_invoice_totals) == inputs


def test_async(fake: FakeFlows) -> None:
    fake.on(calculate_invoice_totals, add_up)

    async def main() -> CalculateInvoiceTotalsOutput:
        async with fake.async_client() as client:
            return await calculate_invoice_totals_async(
                client, invoice=INVOICE, line_amounts=[Decimal(2)]
            )

    assert asyncio.run(main()).total == Decimal(2)
    assert len(fake.calls(calculate_invoice_totals)) == 1


def test_an_unregistered_flow_says_how_to_register_it(fake: FakeFlows) -> None:
    with fake.client() as client, pytest.raises(FlowHTTPError) as caught:
        calculate_invoice_totals(client, invoice=INVOICE, line_amounts=[])
    assert "Calculate_Invoice_Totals" in str(caught.value)
    assert "fake.on(" in str(caught.value)


def test_an_expired_session(fake: FakeFlows) -> None:
    fake.on(calculate_invoice_totals, add_up)
    fake.expire_session()
    with fake.client() as client, pytest.raises(SessionExpiredError):
        calculate_invoice_totals(client, invoice=INVOICE, line_amounts=[])
    # With a token provider the client renews the token and sends again.
    fake.expire_session()
    tokens = iter(["first", "second"])
    with fake.client(access_token=None, token_provider=lambda: next(tokens)) as client:
        out = calculate_invoice_totals(client, invoice=INVOICE, line_amounts=[])
    assert out.total == Decimal(0)
    assert len(fake.calls(calculate_invoice_totals)) == 1


def test_a_record_with_an_unknown_field_is_refused(fake: FakeFlows) -> None:
    fake.on(calculate_invoice_totals, add_up)
    bad = cast(Invoice__c, {"Name": "INV-2", "Colour__c": "red"})
    with fake.client() as client, pytest.raises(FlowHTTPError) as caught:
        calculate_invoice_totals(client, invoice=bad, line_amounts=[])
    assert caught.value.status_code == 400
    assert "Colour__c" in str(caught.value)
    assert fake.calls(calculate_invoice_totals) == []


def test_a_dropped_connection_after_the_flow_ran(fake: FakeFlows) -> None:
    fake.on(calculate_invoice_totals, add_up)
    fake.drop_after_run()
    with fake.client() as client, pytest.raises(FlowTransportError) as caught:
        calculate_invoice_totals(client, invoice=INVOICE, line_amounts=[])
    assert caught.value.may_have_run
    assert len(fake.calls(calculate_invoice_totals)) == 1


def test_a_server_error(fake: FakeFlows) -> None:
    fake.on(calculate_invoice_totals, add_up)
    fake.server_error()
    with fake.client() as client, pytest.raises(FlowHTTPError) as caught:
        calculate_invoice_totals(client, invoice=INVOICE, line_amounts=[])
    assert caught.value.status_code == 500
