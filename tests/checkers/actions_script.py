"""A downstream script calling one action of each other kind, as a user writes it.

The suite type-checks it (mypy --strict, pyright strict) next to a package
generated with ``actions = ["flow", "apex", "prompt", "standard:emailSimple"]``
and runs ``main`` against the fake org.
"""

from __future__ import annotations

import asyncio
import datetime
import decimal

from acme_flows import FlowClient, FlowResult
from acme_flows.apex import (
    Create311CaseInput,
    Create311CaseOutput,
    create311_case,
    create311_case_many,
    create_support_case,
)
from acme_flows.apex_types import AcmeShipping_Parcel, AcmeShipping_Quote
from acme_flows.prompts import summarize_case_async
from acme_flows.records import Account, Case
from acme_flows.standard import EmailSimpleOutput, email_simple

UTC = datetime.timezone.utc


def open_case(client: FlowClient, account: Account) -> Create311CaseOutput:
    return create311_case(
        client,
        subject="Pothole on Main St",
        amount=decimal.Decimal("1234.56"),
        rate=decimal.Decimal("1.08234567890123456"),
        ratio=0.25,
        visits=3,
        big_count=2**40,
        urgent=True,
        due_date=datetime.date(2026, 12, 24),
        due_at=datetime.datetime(2026, 12, 24, 9, 30, tzinfo=UTC),
        start_time=datetime.time(8, 15),
        record_id="500000000000001AAA",
        priority="High",
        tags=("A", "B"),
        notes=["first", "second"],
        account=account,
        parcel=AcmeShipping_Parcel(weight_kg=decimal.Decimal("2.5"), fragile=True),
    )


def open_cases(client: FlowClient, subjects: list[str]) -> list[str | None]:
    results: list[FlowResult[Create311CaseOutput]] = create311_case_many(
        client, [Create311CaseInput(subject=s) for s in subjects], batch_size=2
    )
    return [r.output.case_id if r.output else None for r in results]


def summarize(client_url: str, token: str, case: Case) -> str | None:
    from acme_flows import AsyncFlowClient

    async def run() -> str | None:
        async with AsyncFlowClient(client_url, token) as client:
            output = await summarize_case_async(
                client, input_case=case, input_query="What went wrong?"
            )
            return output.prompt_response

    return asyncio.run(run())


def notify(client: FlowClient) -> EmailSimpleOutput:
    return email_simple(
        client, email_body="Your case is open.", email_subject="Case opened"
    )


def first_quote(output: Create311CaseOutput) -> AcmeShipping_Quote | None:
    return output.quotes[0] if output.quotes else None


def with_fakes() -> tuple[str | None, list[Create311CaseInput], str | None]:
    """An app's unit test: the typed fakes answer other kinds' actions too."""
    from acme_flows.apex import CreateSupportCaseOutput
    from acme_flows.testing import FakeFlows

    fake = FakeFlows()
    fake.on(create311_case, returns=Create311CaseOutput(case_id="500FAKE"))
    fake.on(
        create_support_case,
        lambda value: CreateSupportCaseOutput(case_id=value.case_subject.upper()),
    )
    fake.on(email_simple, returns=EmailSimpleOutput())
    with fake.client() as client:
        opened = create311_case(client, subject="From a unit test")
        support = create_support_case(client, case_subject="abc")
        notify(client)
    return opened.case_id, fake.calls(create311_case), support.case_id


def main(instance_url: str, token: str) -> dict[str, object]:
    account: Account = {"attributes": {"type": "Account"}, "Name": "Acme"}
    with FlowClient(instance_url, token) as client:
        output = open_case(client, account)
        support = create_support_case(client, case_subject="Printer on fire")
        return {
            "output": output,
            "quote": first_quote(output),
            "bulk": open_cases(client, ["a", "b", "c"]),
            "support": support.case_id,
            "summary": summarize(instance_url, token, {"Subject": "Pothole"}),
            "email": notify(client),
        }
