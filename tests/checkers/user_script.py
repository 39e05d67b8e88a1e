"""A downstream script using the generated ``acme_flows`` package, as a user writes it.

The suite only type-checks it (mypy --strict, pyright strict) and imports it:
every call is inside a function, so importing it sends nothing.
"""

from __future__ import annotations

import asyncio
import datetime
import decimal
import sys

import acme_flows
from acme_flows import (
    UNSET,
    AsyncFlowClient,
    CalculateInvoiceTotalsOutput,
    CreateSupportCaseInput,
    CreateSupportCaseOutput,
    FlowClient,
    FlowInterviewError,
    FlowResult,
    LogAuditEventInput,
    QuoteShippingRatesOutput,
)
from acme_flows.apex_types import AcmeShipping_Parcel, AcmeShipping_Quote
from acme_flows.records import Account, Case, Invoice__c

INSTANCE_URL = "https://acme.my.salesforce.com"


def open_case(client: FlowClient, account: Account, subject: str) -> str | None:
    """One call; ``UNSET`` leaves the flow's default origin in place."""
    try:
        output: CreateSupportCaseOutput = acme_flows.create_support_case(
            client,
            account=account,
            subject=subject,
            priority="High",
            origin=UNSET,
            comment_lines=["Opened by the nightly sync."],
        )
    except FlowInterviewError as exc:
        print(f"{exc.flow_name} failed for input {exc.index}:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error.status_code}: {error.message}", file=sys.stderr)
        return None
    case: Case | None = output.created_case
    if case is not None and "CaseNumber" in case:
        return case["CaseNumber"]
    return output.case_number


def open_cases(client: FlowClient, accounts: list[Account]) -> list[str]:
    """A bulk call: one result per input, failures reported, not raised."""
    inputs = [
        CreateSupportCaseInput(
            account=account, subject=f"Renewal for {account['Name']}"
        )
        for account in accounts
        if "Name" in account
    ]
    results: list[FlowResult[CreateSupportCaseOutput]] = (
        acme_flows.create_support_case_many(client, inputs)
    )
    numbers: list[str] = []
    for result in results:
        if result.is_success and result.output is not None:
            if result.output.case_number is not None:
                numbers.append(result.output.case_number)
        elif result.errors:
            messages = "; ".join(str(error) for error in result.errors)
            print(f"input {result.index}: {messages}", file=sys.stderr)
        elif result.exception is not None:
            print(f"input {result.index}: {result.exception}", file=sys.stderr)
    if results:
        first: CreateSupportCaseOutput = results[0].unwrap()
        print(first.case_id)
    return numbers


def invoice_total(client: FlowClient, invoice: Invoice__c) -> decimal.Decimal:
    """A flow taking and returning sObject records."""
    output: CalculateInvoiceTotalsOutput = acme_flows.calculate_invoice_totals(
        client,
        invoice=invoice,
        # An input collection takes any sequence: a tuple here.
        line_amounts=(decimal.Decimal("19.99"), decimal.Decimal("5.00")),
        discount_percent=12.5,
        tax_rate=UNSET,
    )
    updated: Invoice__c | None = output.updated_invoice
    if updated is not None:
        print(updated.get("Status__c"))
    rates: list[float] = output.applied_rates or []
    print(f"{len(rates)} tax rates applied")
    return output.total if output.total is not None else decimal.Decimal(0)


def cheapest_quote(client: FlowClient) -> AcmeShipping_Quote | None:
    """A flow taking and returning Apex-defined types."""
    parcel = AcmeShipping_Parcel(
        weight_kg=decimal.Decimal("2.5"),
        length_cm=40,
        width_cm=30,
        height_cm=20,
        fragile=True,
        contents=["manuals"],
    )
    output: QuoteShippingRatesOutput = acme_flows.quote_shipping_rates(
        client,
        parcel=parcel,
        destination="1 Market St, San Francisco, CA",
        carriers=["UPS", "DHL"],
        ship_date=datetime.date(2025, 7, 1),
    )
    quotes: list[AcmeShipping_Quote] = output.quotes or []
    for quote in quotes:
        price = quote.price if quote.price is not None else decimal.Decimal(0)
        print(quote.carrier, quote.service_level, price)
    return output.best_quote


async def audit(client: AsyncFlowClient, messages: list[str]) -> int:
    """The asyncio forms: one call, then a bulk call."""
    first = await acme_flows.log_audit_event_async(
        client, event_type="Export", message="export started"
    )
    status: str | None = first.interview_status
    print(status)
    results = await acme_flows.log_audit_event_many_async(
        client,
        [LogAuditEventInput(event_type="Export", message=text) for text in messages],
    )
    return sum(1 for result in results if result.is_success)


async def audit_all(messages: list[str]) -> int:
    async with AsyncFlowClient(INSTANCE_URL, "token") as client:
        return await audit(client, messages)


def main() -> None:
    account: Account = {"Id": "001000000000001AAA", "Name": "Acme"}
    invoice: Invoice__c = {"Id": "a01000000000001AAA", "Name": "INV-1"}
    with FlowClient(INSTANCE_URL, "token") as client:
        print(open_case(client, account, "Printer on fire"))
        print(open_cases(client, [account]))
        print(invoice_total(client, invoice))
        print(cheapest_quote(client))
    print(asyncio.run(audit_all(["a", "b"])))


if __name__ == "__main__":
    main()
