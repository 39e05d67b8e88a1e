"""The committed example package, called over real HTTP against the fake org."""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from flowgen.testing import FakeOrg, FlowFault
from tests.conftest import EXAMPLE_SNAPSHOT, GENERATED_EXAMPLE

UTC = dt.timezone.utc


class _AsyncTwins:
    """The package, with every flow function swapped for its ``_async`` twin,
    awaited on an AsyncFlowClient with the given client's settings, so each
    test here checks the async path too."""

    def __init__(self, package: Any) -> None:
        self._package = package

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._package, name)
        twin = getattr(self._package, f"{name}_async", None)
        if twin is None:
            return value

        def call(client: Any, *args: Any, **kwargs: Any) -> Any:
            async def run() -> Any:
                async with self._package.AsyncFlowClient(
                    client.instance_url, client._token, api_version=client.api_version
                ) as async_client:
                    return await twin(async_client, *args, **kwargs)

            return asyncio.run(run())

        return call


@pytest.fixture(params=["sync", "async"])
def acme(import_package, request: pytest.FixtureRequest) -> Any:  # type: ignore[no-untyped-def]
    package = import_package(GENERATED_EXAMPLE, "acme_flows")
    return package if request.param == "sync" else _AsyncTwins(package)


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    with FakeOrg(EXAMPLE_SNAPSHOT) as fake:
        yield fake


@pytest.fixture
def client(acme: Any, org: FakeOrg) -> Iterator[Any]:
    with acme.FlowClient(
        org.instance_url, org.access_token, api_version="62.0"
    ) as flow_client:
        yield flow_client


def _sent(org: FakeOrg) -> Any:
    """The JSON body of the last request the org received."""
    return org.requests[-1].json()


def test_currency_decimal_percent_and_records(
    acme: Any, org: FakeOrg, client: Any
) -> None:
    org.on(
        "Calculate_Invoice_Totals",
        lambda inputs: {
            "subtotal": sum(inputs["lineAmounts"]),
            "discountAmount": Decimal("0.10"),
            "taxAmount": Decimal("12345678901234567890.123456789"),
            "total": 30,
            "appliedRates": [Decimal("0.5"), 1],
            "taxBreakdown": [Decimal("0.1"), Decimal("0.2")],
            "updatedInvoice": {**inputs["invoice"], "Total__c": Decimal("30.00")},
        },
    )
    out = acme.calculate_invoice_totals(
        client,
        invoice={"Id": "a015e000001", "Name": "INV-1"},
        line_amounts=[Decimal("19.99"), Decimal("10.01")],
        discount_percent=12.5,
        tax_rate=Decimal("0.0825"),
    )
    request = org.requests[-1]
    assert request.method == "POST"
    assert (
        request.path
        == "/services/data/v62.0/actions/custom/flow/Calculate_Invoice_Totals"
    )
    assert (
        b"19.99" in request.body and b"0.0825" in request.body
    )  # digits as sent, never via float
    assert _sent(org) == {
        "inputs": [
            {
                "invoice": {
                    "Id": "a015e000001",
                    "Name": "INV-1",
                    "attributes": {"type": "Invoice__c"},
                },
                "lineAmounts": [Decimal("19.99"), Decimal("10.01")],
                "discountPercent": Decimal("12.5"),
                "taxRate": Decimal("0.0825"),
            }
        ]
    }  # roundingMode was not passed, so it was not sent
    assert out.subtotal == Decimal("30.00") and isinstance(out.subtotal, Decimal)
    assert out.tax_amount == Decimal("12345678901234567890.123456789")
    assert out.total == Decimal(30)
    assert out.applied_rates == [0.5, 1.0] and all(
        isinstance(x, float) for x in out.applied_rates
    )
    assert out.tax_breakdown == [Decimal("0.1"), Decimal("0.2")]
    assert out.updated_invoice["attributes"] == {"type": "Invoice__c"}
    assert out.updated_invoice["Total__c"] == Decimal("30.00")
    assert out.interview_status == "Finished" and out.interview_guid


def test_dates_times_and_datetimes(acme: Any, org: FakeOrg, client: Any) -> None:
    org.on(
        "Schedule_Site_Visit",
        lambda inputs: {
            "scheduledStart": "2026-12-01T09:00:00.000+0000",
            "scheduledEnd": "2026-12-01T11:30:00.000Z",
            "alternativeSlots": [
                "2026-12-02T09:00:00.000Z",
                "2026-12-02T14:00:00.000+0000",
            ],
            "availableTimes": ["09:30:00.000Z", "13:00:00.000Z"],
            "confirmationUrl": "https://acme.example/visits/1",
        },
    )
    out = acme.schedule_site_visit(
        client,
        visit_date=dt.date(2026, 12, 1),
        site_address="1 Main St",
        preferred_start=dt.time(9, 0),
        blackout_dates=[dt.date(2026, 12, 24), dt.date(2026, 12, 25)],
    )
    assert _sent(org)["inputs"][0] == {
        "visitDate": "2026-12-01",
        "siteAddress": "1 Main St",
        "preferredStart": "09:00:00.000Z",
        "blackoutDates": ["2026-12-24", "2026-12-25"],
    }
    assert out.scheduled_start == dt.datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert out.scheduled_end == dt.datetime(2026, 12, 1, 11, 30, tzinfo=UTC)
    assert out.alternative_slots == [
        dt.datetime(2026, 12, 2, 9, tzinfo=UTC),
        dt.datetime(2026, 12, 2, 14, tzinfo=UTC),
    ]
    assert all(slot.tzinfo is not None for slot in out.alternative_slots)
    assert out.available_times == [dt.time(9, 30), dt.time(13, 0)]
    assert out.confirmation_url == "https://acme.example/visits/1"


def test_multipicklists_record_collections_and_booleans(
    acme: Any, org: FakeOrg, client: Any
) -> None:
    org.on(
        "Tag_Contacts",
        lambda inputs: {
            "updatedContacts": inputs["contacts"],
            "appliedTagSets": ["VIP;Newsletter", "Partner"],
            "taggedCount": 2,
            "skippedContactIds": [],
        },
    )
    out = acme.tag_contacts(
        client,
        contacts=[{"Id": "0031"}, {"Id": "0032", "attributes": {"type": "Contact"}}],
        tags=["VIP", "Newsletter"],
        replace_existing=False,
    )
    assert _sent(org)["inputs"][0] == {
        "contacts": [
            {"Id": "0031", "attributes": {"type": "Contact"}},
            {"Id": "0032", "attributes": {"type": "Contact"}},
        ],
        "tags": "VIP;Newsletter",
        "replaceExisting": False,
    }
    assert out.applied_tag_sets == [["VIP", "Newsletter"], ["Partner"]]
    assert [c["Id"] for c in out.updated_contacts] == ["0031", "0032"]
    assert out.tagged_count == 2 and out.skipped_contact_ids == []


def test_apex_defined_types_round_trip_as_dataclasses(
    acme: Any, org: FakeOrg, client: Any
) -> None:
    quote = {
        "carrier": "UPS",
        "price": Decimal("12.50"),
        "deliveryDate": "2026-12-01",
        "parcel": {"weightKg": Decimal("1.5"), "contents": ["books"]},
        "surcharges": [{"reason": "fuel", "amount": Decimal("0.75")}, None],
        "unknownMember": True,  # members the class no longer has are dropped
    }
    org.on(
        "Quote_Shipping_Rates", lambda inputs: {"quotes": [quote], "bestQuote": quote}
    )
    apex_types = importlib.import_module(f"{acme.__name__}.apex_types")
    Parcel = apex_types.AcmeShipping_Parcel
    out = acme.quote_shipping_rates(
        client,
        parcel=Parcel(weight_kg=Decimal("1.5"), fragile=True, contents=["books"]),
        destination="1 Main St",
        carriers=["UPS", "DHL"],
    )
    assert _sent(org)["inputs"][0]["parcel"] == {
        "weightKg": Decimal("1.5"),
        "lengthCm": None,
        "widthCm": None,
        "heightCm": None,
        "fragile": True,
        "contents": ["books"],
    }
    assert _sent(org)["inputs"][0]["carriers"] == ["UPS", "DHL"]
    best = out.best_quote
    assert isinstance(best, apex_types.AcmeShipping_Quote)
    assert best.price == Decimal("12.50") and best.delivery_date == dt.date(2026, 12, 1)
    assert best.parcel == Parcel(weight_kg=Decimal("1.5"), contents=["books"])
    assert best.surcharges == [
        apex_types.AcmeShipping_Surcharge(reason="fuel", amount=Decimal("0.75")),
        None,
    ]
    assert out.quotes == [best]


def test_apex_types_that_could_not_be_read_stay_dicts(
    acme: Any, org: FakeOrg, client: Any
) -> None:
    lead = {"leadId": "00Q1", "score": 7}
    org.on("Import_Leads_From_File", lambda inputs: {"leads": [lead]})
    out = acme.import_leads_from_file(client, import_="csv", format_="csv")
    assert out.leads == [lead]


def test_keyword_named_inputs_keep_their_wire_names(
    acme: Any, org: FakeOrg, client: Any
) -> None:
    org.on(
        "Import_Leads_From_File",
        lambda inputs: {"importedCount": 3, "rejectedRows": None, "leads": None},
    )
    out = acme.import_leads_from_file(
        client, import_="UEsDBA==", format_="CSV", class_="Hot", client_="etl"
    )
    assert _sent(org)["inputs"][0] == {
        "import": "UEsDBA==",
        "format": "CSV",
        "class": "Hot",
        "client": "etl",
    }
    assert out.imported_count == 3 and out.rejected_rows is None and out.leads is None


def test_no_inputs_no_outputs_and_explicit_none(
    acme: Any, org: FakeOrg, client: Any
) -> None:
    org.on(
        "Get_Open_Case_Count",
        lambda inputs: {
            "openCaseCount": 7,
            "casesPerQueue": [3, 4],
            "oldestOpenCaseDate": "2026-01-05",
        },
    )
    counts = acme.get_open_case_count(client)
    assert _sent(org) == {"inputs": [{}]}
    assert counts.open_case_count == 7 and counts.cases_per_queue == [3, 4]
    assert counts.oldest_open_case_date == dt.date(2026, 1, 5)
    assert counts.escalated_count is None  # not returned: None

    result = acme.log_audit_event(
        client, event_type="LOGIN", message="hi", actor_user_id=None
    )
    assert _sent(org)["inputs"][0] == {
        "eventType": "LOGIN",
        "message": "hi",
        "actorUserId": None,
    }
    assert result.interview_status == "Finished"


def test_namespaced_flow_url(acme: Any, org: FakeOrg, client: Any) -> None:
    org.on(
        "acme__Sync_Inventory",
        lambda inputs: {
            "syncedCount": 10,
            "quantities": [1, 2],
            "lastSyncedAt": "2026-11-01T00:00:00.000Z",
        },
    )
    out = acme.acme_sync_inventory(
        client, warehouse_code="W1", since=dt.datetime(2026, 11, 1, tzinfo=UTC)
    )
    assert org.requests[-1].path.endswith("/actions/custom/flow/acme__Sync_Inventory")
    assert _sent(org)["inputs"][0] == {
        "warehouseCode": "W1",
        "since": "2026-11-01T00:00:00.000Z",
    }
    assert out.synced_count == 10 and out.quantities == [1, 2]


def test_bulk_call_keeps_order_and_reports_each_failure(
    acme: Any, org: FakeOrg, client: Any
) -> None:
    def handler(inputs: dict[str, Any]) -> dict[str, Any]:
        if inputs["newStatus"] == "Bogus":
            raise FlowFault(
                "Status Bogus is not allowed",
                status_code="FIELD_CUSTOM_VALIDATION_EXCEPTION",
                fields=["newStatus"],
            )
        return {"status": inputs["newStatus"], "changed": True}

    org.on("Update_Order_Status", handler)
    inputs = [
        acme.UpdateOrderStatusInput(
            order_id=f"801{i}", new_status="Bogus" if i == 1 else "Shipped"
        )
        for i in range(3)
    ]
    results = acme.update_order_status_many(client, inputs)
    assert [r.is_success for r in results] == [True, False, True]
    assert (
        results[0].unwrap().status == "Shipped" and results[0].unwrap().changed is True
    )
    assert results[1].errors[0].status_code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert results[1].errors[0].fields == ("newStatus",)
    assert [i["orderId"] for i in org.invocations["Update_Order_Status"]] == [
        "8010",
        "8011",
        "8012",
    ]
    with pytest.raises(acme.FlowInterviewError, match="Status Bogus is not allowed"):
        acme.update_order_status(client, order_id="8019", new_status="Bogus")


def test_paused_flow_returns_waiting_with_guid(
    acme: Any, org: FakeOrg, client: Any
) -> None:
    org.on(
        "UpdateOrderStatus",
        lambda inputs: {
            "Flow__InterviewStatus": "Waiting",
            "Flow__InterviewGuid": "0Fo5e000000abcd",
        },
    )
    out = acme.update_order_status_e431(client, order_number="42", status="Hold")
    assert _sent(org)["inputs"][0] == {"OrderNumber": "42", "Status": "Hold"}
    assert out.interview_status == "Waiting" and out.interview_guid == "0Fo5e000000abcd"
    assert out.success is None


def test_expired_session_and_unknown_flow(acme: Any, org: FakeOrg) -> None:
    with acme.FlowClient(org.instance_url, "stale-token") as stale:
        with pytest.raises(acme.SessionExpiredError) as info:
            acme.get_open_case_count(stale)
        assert "stale-token" not in str(info.value)
    with (
        FakeOrg() as empty,
        acme.FlowClient(empty.instance_url, empty.access_token) as other,
    ):
        with pytest.raises(acme.FlowHTTPError, match="NOT_FOUND"):
            acme.get_open_case_count(other)


def test_numbers_longs_and_booleans(acme: Any, org: FakeOrg, client: Any) -> None:
    org.on(
        "Refresh_Q3_Forecast",
        lambda inputs: {
            "forecastAmount": Decimal("1250000.10"),
            "weightedAmount": Decimal("812500.5"),
            "monthlyTotals": [1, Decimal("2.5")],
            "confidence": Decimal("0.875"),
            "pipelineScores": [Decimal("0.1")],
            "opportunityCount": 9007199254740993,  # beyond float precision: stays exact
        },
    )
    out = acme.refresh_q3_forecast(
        client, fiscal_year=2026, lambda_=0.5, include_closed_lost=True
    )
    assert _sent(org)["inputs"][0] == {
        "fiscalYear": 2026,
        "lambda": Decimal("0.5"),
        "includeClosedLost": True,
    }
    assert out.forecast_amount == Decimal("1250000.10")
    assert out.weighted_amount == 812500.5 and isinstance(out.weighted_amount, float)
    assert out.monthly_totals == [1.0, 2.5]
    assert out.confidence == 0.875 and out.pipeline_scores == [0.1]
    assert out.opportunity_count == 9007199254740993 and isinstance(
        out.opportunity_count, int
    )

    org.on(
        "Verify_Customer_Identity",
        lambda inputs: {
            "verified": False,
            "checkResults": [True, False],
            "riskScore": 7,
        },
    )
    checked = acme.verify_customer_identity(
        client,
        contact={"Id": "003x"},
        tax_id_number="***",
        known_phone_numbers=["+1 555"],
    )
    assert checked.verified is False and checked.check_results == [True, False]
    assert checked.risk_score == 7.0 and isinstance(checked.risk_score, float)
