"""How member types are read: which Apex type a member holds, how deeply listed."""

from __future__ import annotations

import pytest

from flowgen.model.apex_names import apex_type_candidates, resolve_apex_type, unwrap


@pytest.mark.parametrize(
    ("member_type", "owner", "candidates"),
    [
        ("List<Shipping.Parcel>", "Shipping$Quote", ("Shipping$Parcel",)),
        ("list < shipping.Parcel >", "Shipping$Quote", ("Shipping$Parcel",)),
        ("Parcel[]", "Shipping$Quote", ("Shipping$Parcel", "Parcel")),
        ("Set<List<Address>>", "LeadSummary", ("LeadSummary$Address", "Address")),
        ("Billing.Invoice", "Shipping$Quote", ("Billing$Invoice",)),
        ("System.Url", "Shipping", ("Shipping$Url", "Url")),
        ("String", "Shipping$Quote", ()),
        ("list<DATETIME>", "Shipping$Quote", ()),
        ("Schema.SObject", "Shipping$Quote", ()),
        ("Invoice__c", "Shipping$Quote", ()),
        ("Map<String, Shipping.Parcel>", "Shipping$Quote", ()),
        ("acme.Shipping.Parcel", "Shipping$Quote", ()),
        ("List<", "Shipping$Quote", ()),
    ],
)
def test_the_types_a_member_may_refer_to(
    member_type: str, owner: str, candidates: tuple[str, ...]
) -> None:
    assert apex_type_candidates(member_type, owner) == candidates


def test_resolving_a_reference_prefers_the_owners_inner_class() -> None:
    both = ["shipping$parcel", "Parcel"]
    assert resolve_apex_type("Parcel", "Shipping$Quote", both) == "shipping$parcel"
    assert resolve_apex_type("Parcel", "Billing", both) == "Parcel"
    assert resolve_apex_type("List<Shipping.Parcel>", "Billing", both) == (
        "shipping$parcel"
    )
    assert resolve_apex_type("Decimal", "Shipping$Quote", both) is None
    assert resolve_apex_type("Other", "Shipping$Quote", both) is None


# --- the Tooling API ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("member_type", "expected"),
    [
        ("String", (0, "String")),
        ("System.String", (0, "String")),
        ("List<Shipping.Parcel>", (1, "Shipping.Parcel")),
        ("list < set<Parcel> >", (2, "Parcel")),
        ("Parcel[]", (1, "Parcel")),
        ("List<Parcel>[]", (2, "Parcel")),
        ("Map<String, Parcel>", (0, None)),
        ("List<Map<String, Object>>", (1, None)),
    ],
)
def test_unwrapping_counts_lists_and_drops_qualifiers(
    member_type: str, expected: tuple[int, str | None]
) -> None:
    assert unwrap(member_type) == expected
