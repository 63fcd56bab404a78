"""Consent per purpose (the latest capture wins) and who may use a record, and why."""

from __future__ import annotations

from datetime import UTC, datetime

from crm.domain.analytics import Comparison, postal_prefix
from crm.domain.consent_and_ownership import ConsentRecord, ConsentState, contact_usage, current_consents, may_use
from crm.domain.observations import ConsentCapture, Customer
from crm.domain.segments import entry_id

T1, T2 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)


def capture(sharing: bool) -> ConsentCapture:
    return ConsentCapture(marketing=True, partner_sharing=sharing, captured_at=T1, captured_by="partner-1")


def test_a_partner_shop_customer_is_usable_only_with_their_sharing_consent() -> None:
    assert not may_use(Customer(None, "s", None, "partner", None, "partner-1"))
    assert not may_use(Customer(None, "s", None, "partner", capture(False), "partner-1"))
    assert may_use(Customer(None, "s", None, "partner", capture(True), "partner-1"))
    assert may_use(Customer("acc", None, None, "reloop", None, "online"))


def test_each_purpose_follows_its_latest_capture_and_defaults_until_then() -> None:
    records = [
        ConsentRecord("b", T2, "customer_service", None, False, None),
        ConsentRecord("a", T1, "shop-1", None, True, True),
    ]
    state = current_consents(records)
    assert state["marketing"] == ConsentState("marketing", False, T2, "customer_service")
    assert state["partner_sharing"] == ConsentState("partner_sharing", True, T1, "shop-1")
    assert state["transactional"] == ConsentState("transactional", True, None, None)


def test_a_partner_record_says_who_may_use_it_and_why() -> None:
    shared = contact_usage("s", "partner", "partner-1", ConsentState("partner_sharing", True, T1, "partner-1"))
    assert shared.may_use == ("partner", "reloop")
    assert shared.usable_by_reloop
    withdrawn = contact_usage("s", "partner", "partner-1", ConsentState("partner_sharing", False, T2, "online"))
    assert withdrawn.may_use == ("partner",)
    assert not withdrawn.usable_by_reloop
    own = contact_usage("s", "reloop", "shop-1", ConsentState("partner_sharing", False, None, None))
    assert own.may_use == ("reloop",)


def test_online_sales_are_placed_by_the_first_two_characters_of_the_postal_code() -> None:
    assert postal_prefix("75 011") == "75"
    assert postal_prefix("sw1a 1aa") == "SW"
    assert postal_prefix(None) is None
    assert postal_prefix("7") is None


def test_a_catchment_growing_faster_than_markets_without_a_shop_is_a_halo() -> None:
    assert Comparison(before=10, after=15, control_before=10, control_after=10).verdict == "halo"
    assert Comparison(before=10, after=8, control_before=10, control_after=10).verdict == "cannibalisation"
    assert Comparison(before=10, after=10, control_before=10, control_after=10).verdict == "neutral"
    assert Comparison(before=0, after=10, control_before=10, control_after=10).verdict == "insufficient_data"


def test_an_occasion_enters_a_segment_under_one_stable_id() -> None:
    assert entry_id("warranty_ending", "S-1/1") == entry_id("warranty_ending", "S-1/1")
    assert entry_id("warranty_ending", "S-1/1") != entry_id("warranty_ending", "S-1/2")
