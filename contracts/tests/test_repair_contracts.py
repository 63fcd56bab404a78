"""What the repair contracts accept, what they refuse, and where each event travels."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from reloop_contracts import repair
from reloop_contracts.base import Event, parse_lenient_json
from reloop_contracts.topics import REGISTRY

AT = "2026-03-02T10:00:00Z"
LATER = "2026-04-02T10:00:00Z"
PHONE = {"identifier": {"kind": "imei", "value": "356938035643809"}, "category": "smartphone", "model": "iphone-12"}


def eur(amount_minor: int) -> dict[str, Any]:
    return {"amount_minor": amount_minor, "currency": "EUR"}


EXAMPLES: dict[type[Event], dict[str, Any]] = {
    repair.SubscriptionStarted: {
        "subscription_id": "sub-1",
        "customer_id": "acct-42",
        "market": "FR",
        "price": eur(699),
        "devices": [PHONE],
        "channel": "online",
        "charge_id": "ch-1",
        "period_start": AT,
        "period_end": LATER,
        "started_at": AT,
    },
    repair.SubscriptionRenewed: {
        "subscription_id": "sub-1",
        "charge_id": "ch-2",
        "amount": eur(699),
        "period_start": AT,
        "period_end": LATER,
        "renewed_at": AT,
    },
    repair.PaymentFailed: {
        "subscription_id": "sub-1",
        "period_start": AT,
        "attempt": 1,
        "reason": "card declined",
        "next_attempt_at": LATER,
        "failed_at": AT,
    },
    repair.SubscriptionPastDue: {"subscription_id": "sub-1", "overdue_since": AT, "covered_until": LATER, "at": AT},
    repair.SubscriptionSuspended: {
        "subscription_id": "sub-1",
        "overdue_since": AT,
        "reason": "unpaid 14 days",
        "at": AT,
    },
    repair.SubscriptionReactivated: {
        "subscription_id": "sub-1",
        "charge_id": "ch-3",
        "amount": eur(699),
        "period_start": AT,
        "period_end": LATER,
        "at": AT,
    },
    repair.SubscriptionCancelled: {
        "subscription_id": "sub-1",
        "by": "acct-42",
        "covered_until": LATER,
        "cancelled_at": AT,
    },
    repair.SubscriptionExpired: {"subscription_id": "sub-1", "expired_at": AT},
    repair.RepairTicketOpened: {
        "ticket_id": "rt-1",
        "channel": "own_shop",
        "shop_id": "shop-paris-1",
        "drop_off_id": "do-1",
        "market": "FR",
        "customer_id": "acct-42",
        "device": PHONE,
        "bought_from_us": False,
        "symptoms": "cracked screen",
        "coverage": "plan",
        "coverage_reason": "covered by subscription sub-1",
        "subscription_id": "sub-1",
        "opened_at": AT,
    },
    repair.RepairDiagnosed: {
        "ticket_id": "rt-1",
        "findings": ["screen cracked"],
        "parts": [{"part_sku": "SCR-IPH12", "quantity": 1}],
        "estimate": eur(12900),
        "repairable": True,
        "beyond_economic_repair": False,
        "diagnosed_by": "tech-ada",
        "diagnosed_at": AT,
    },
    repair.RepairQuoted: {"ticket_id": "rt-1", "amount": eur(12900), "answer_by": LATER, "quoted_at": AT},
    repair.RepairQuoteAnswered: {"ticket_id": "rt-1", "accepted": True, "answered_at": AT},
    repair.RepairProgressed: {"ticket_id": "rt-1", "status": "in_repair", "by": "tech-ada", "at": AT},
    repair.RepairCompleted: {
        "ticket_id": "rt-1",
        "coverage": "plan",
        "charged": eur(0),
        "parts_used": [{"part_sku": "SCR-IPH12"}],
        "completed_at": AT,
    },
    repair.RepairReturned: {
        "ticket_id": "rt-1",
        "repaired": True,
        "how": "picked_up",
        "shop_id": "shop-paris-1",
        "returned_at": AT,
    },
    repair.TradeInSuggested: {
        "ticket_id": "rt-1",
        "customer_id": "acct-42",
        "market": "FR",
        "device": PHONE,
        "repair_estimate": eur(25000),
        "resale_value": eur(30000),
        "suggested_at": AT,
    },
    repair.PartsBelowReorderPoint: {
        "part_sku": "SCR-IPH12",
        "centre_id": "centre-lyon",
        "on_hand": 3,
        "reserved": 1,
        "reorder_point": 2,
        "at": AT,
    },
}


def test_every_repair_event_travels_on_one_repair_topic_produced_by_repair_alone() -> None:
    declared = {event for topic in repair.TOPICS for event in topic.events}
    assert declared == set(EXAMPLES)
    for topic in repair.TOPICS:
        assert REGISTRY.topic(topic.name).producers == ("repair",)
    for event in declared:
        assert len([topic for topic in REGISTRY if topic.carries(event)]) == 1, event.__name__


@pytest.mark.parametrize("event", list(EXAMPLES), ids=lambda event: event.__name__)
def test_every_event_survives_the_wire_is_keyed_by_its_aggregate_and_says_when_it_happened(event: type[Event]) -> None:
    example = event.model_validate(EXAMPLES[event])
    (topic,) = (topic for topic in repair.TOPICS if topic.carries(event))
    assert parse_lenient_json(event, example.model_dump_json()) == example
    assert topic.key_of(example) == EXAMPLES[event][topic.key]
    assert example.occurred_at() == datetime(2026, 3, 2, 10, tzinfo=UTC)


REFUSALS: list[tuple[type[Event], dict[str, Any], str]] = [
    (repair.SubscriptionStarted, {"price": {"amount_minor": 699, "currency": "USD"}}, "FR is paid in EUR, not USD"),
    (repair.SubscriptionStarted, {"price": eur(0)}, "greater than 0"),
    (repair.SubscriptionStarted, {"price": {"amount_minor": 6.99, "currency": "EUR"}}, "valid integer"),
    (repair.SubscriptionStarted, {"devices": []}, "at least 1 item"),
    (repair.SubscriptionStarted, {"period_end": AT}, "ends after it starts"),
    (repair.SubscriptionStarted, {"channel": "own_shop"}, "own_shop channel names its shop"),
    (repair.SubscriptionStarted, {"started_at": "2026-03-02T10:00:00"}, "timezone"),
    (repair.SubscriptionRenewed, {"period_end": AT}, "ends after it starts"),
    (repair.PaymentFailed, {"attempt": 0}, "greater than or equal to 1"),
    (repair.RepairTicketOpened, {"subscription_id": None}, "names its subscription"),
    (repair.RepairTicketOpened, {"coverage": "paid"}, "names its subscription"),
    (repair.RepairTicketOpened, {"coverage": "warranty", "subscription_id": None}, "only a device it sold"),
    (repair.RepairTicketOpened, {"coverage": "free"}, "'plan', 'warranty' or 'paid'"),
    (repair.RepairTicketOpened, {"shop_id": None}, "own_shop channel names its shop"),
    (repair.RepairTicketOpened, {"device": {**PHONE, "category": "fridge"}}, "'smartphone'"),
    (repair.RepairDiagnosed, {"findings": []}, "at least 1 item"),
    (repair.RepairDiagnosed, {"estimate": eur(-1)}, "greater than or equal to 0"),
    (repair.RepairQuoted, {"answer_by": AT}, "answered after it was made"),
    (repair.RepairQuoted, {"amount": eur(0)}, "greater than 0"),
    (repair.RepairProgressed, {"status": "lost"}, "'received'"),
    (repair.RepairReturned, {"how": "teleported"}, "'picked_up' or 'shipped'"),
    (repair.PartsBelowReorderPoint, {"on_hand": -1}, "greater than or equal to 0"),
    (repair.PartsBelowReorderPoint, {"part_sku": "scr iph12"}, "should match pattern"),
]


@pytest.mark.parametrize(
    ("event", "change", "message"),
    REFUSALS,
    ids=[f"{event.__name__}-{'-'.join(change)}-{index}" for index, (event, change, _) in enumerate(REFUSALS)],
)
def test_a_producer_cannot_send_what_the_contract_refuses(
    event: type[Event], change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        event.model_validate({**EXAMPLES[event], **change})
