"""Repair subscriptions and tickets become timeline entries on threads, and the plan figures' facts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from crm.adapters.mappers import observe
from crm.domain.observations import Observation, RepairTicketFact, SubscriptionFact, SubscriptionStatusFact
from crm.entrypoints.consumers import subscription
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_contracts import EnvelopeHeader, Event
from reloop_contracts import repair as contracts
from reloop_shared.clock import FixedClock
from reloop_shared.consumer.subscription import Subscription
from services.crm.tests.fakes import FakeVault
from services.crm.tests.repair_events import (
    a_covered_shop_repair,
    a_subscription_through_dunning,
    an_uneconomic_repair_declined,
    opened,
    progressed,
)

AT = datetime(2026, 6, 1, tzinfo=UTC)


def envelope_of(event: Event) -> EnvelopeHeader:
    return EnvelopeHeader(
        event_id=uuid.uuid4(),
        event_type=type(event).__name__,
        schema_version=1,
        occurred_at=AT,
        producer="repair",
        correlation_id=str(uuid.uuid4()),
    )


def observed(events: Sequence[Event]) -> list[Observation]:
    found = [observe(e, envelope_of(e)) for e in events]
    assert all(o is not None for o in found)
    return [o for o in found if o is not None]


def test_only_the_start_names_the_customer_and_every_step_of_a_subscription_carries_its_thread() -> None:
    steps = observed(a_subscription_through_dunning("sub-1", "acc-1", AT))

    named = [(o.entry.kind, o.customer.account_id) for o in steps if o.entry and o.customer]
    kinds = [o.entry.kind for o in steps if o.entry]

    assert named == [("repair_subscription_started", "acc-1")]
    assert kinds == [
        "repair_subscription_started",
        "repair_subscription_renewed",
        "repair_payment_failed",
        "repair_subscription_past_due",
        "repair_subscription_suspended",
        "repair_subscription_reactivated",
        "repair_subscription_cancelled",
        "repair_subscription_expired",
    ]
    assert {o.entry.thread for o in steps if o.entry} == {"subscription:sub-1"}
    assert len({o.entry.entry_key for o in steps if o.entry}) == len(steps)


def test_a_start_is_the_market_fact_and_each_state_entered_is_a_status_fact_but_a_failed_payment_is_not() -> None:
    events = a_subscription_through_dunning("sub-1", "acc-1", AT)
    steps = observed(events)

    statuses = [(o.source, o.subscription_status) for o in steps]

    assert steps[0].subscription == SubscriptionFact("sub-1", "FR", AT)
    assert [o.subscription for o in steps[1:]] == [None] * 7
    assert [(source, fact.status if fact else None) for source, fact in statuses] == [
        ("SubscriptionStarted", "active"),
        ("SubscriptionRenewed", "active"),
        ("PaymentFailed", None),
        ("SubscriptionPastDue", "past_due"),
        ("SubscriptionSuspended", "suspended"),
        ("SubscriptionReactivated", "active"),
        ("SubscriptionCancelled", "cancelled"),
        ("SubscriptionExpired", "expired"),
    ]
    cancelled = events[6]
    assert isinstance(cancelled, contracts.SubscriptionCancelled)
    assert steps[6].subscription_status == SubscriptionStatusFact("sub-1", "cancelled", cancelled.cancelled_at)


def test_a_suspension_and_a_failed_payment_say_why_on_the_timeline() -> None:
    steps = observed(a_subscription_through_dunning("sub-1", "acc-1", AT))
    failed, suspended = steps[2].entry, steps[4].entry

    assert failed is not None
    assert suspended is not None
    assert (json.loads(failed.detail)["reason"], json.loads(failed.detail)["attempt"]) == ("card declined", 1)
    assert json.loads(suspended.detail)["reason"].startswith("payment overdue since")


def test_a_ticket_opened_names_its_customer_with_its_coverage_and_reason_and_is_a_claim_fact() -> None:
    ticket = opened("t-1", "acc-1", AT, subscription_id="sub-1")

    found = observed([ticket])[0]

    assert found.entry is not None
    assert found.customer is not None
    detail = json.loads(found.entry.detail)
    assert (found.entry.kind, found.entry.thread, found.customer.account_id) == (
        "repair_ticket_opened",
        "repair:t-1",
        "acc-1",
    )
    assert (detail["coverage"], detail["coverage_reason"], detail["subscription_id"]) == (
        "plan",
        "covered by the plan",
        "sub-1",
    )
    assert (found.entry.location_id, found.entry.market) == ("shop-lyon", "FR")
    assert found.repair_ticket == RepairTicketFact("t-1", "FR", "plan", AT)


def test_neither_the_devices_imei_nor_the_customers_own_words_reach_the_timeline() -> None:
    ticket = opened("t-1", "acc-1", AT)

    detail = observed([ticket])[0].entry.detail  # type: ignore[union-attr]

    assert ticket.device.identifier.value not in detail
    assert ticket.symptoms not in detail
    assert json.loads(detail)["device"] == {"category": "smartphone", "model": "IPH13"}


def test_a_covered_repair_picked_up_at_the_shop_is_on_the_tickets_thread_and_returned_at_that_shop() -> None:
    steps = observed(a_covered_shop_repair("t-1", "acc-1", "sub-1", AT))
    entries = [o.entry for o in steps if o.entry]

    assert [e.kind for e in entries] == [
        "repair_ticket_opened",
        "repair_diagnosed",
        "repair_progressed",
        "repair_progressed",
        "repair_progressed",
        "repair_completed",
        "repair_progressed",
        "repair_returned",
    ]
    assert {e.thread for e in entries} == {"repair:t-1"}
    assert [o.customer is not None for o in steps] == [True] + [False] * 7
    completed, back = json.loads(entries[5].detail), entries[-1]
    assert (completed["coverage"], completed["charged"]["amount_minor"]) == ("plan", 0)
    assert (back.location_id, json.loads(back.detail)["how"]) == ("shop-lyon", "picked_up")


def test_steps_of_a_ticket_at_one_instant_are_kept_apart_by_the_state_they_moved_to() -> None:
    at = AT + timedelta(hours=2)
    answered_and_returned = [progressed("t-1", "quoted", at), progressed("t-1", "returned_unrepaired", at)]

    keys = {o.entry.entry_key for o in observed(answered_and_returned) if o.entry}

    assert len(keys) == 2


def test_a_trade_in_suggestion_names_the_customer_and_hangs_on_the_tickets_thread() -> None:
    steps = observed(an_uneconomic_repair_declined("t-2", "acc-2", AT))
    suggestion = next(o for o in steps if o.entry and o.entry.kind == "trade_in_suggested")

    assert suggestion.entry is not None
    assert suggestion.customer is not None
    assert (suggestion.entry.thread, suggestion.customer.account_id) == ("repair:t-2", "acc-2")
    detail = json.loads(suggestion.entry.detail)
    assert (detail["repair_estimate"]["amount_minor"], detail["resale_value"]["amount_minor"]) == (25_000, 20_000)
    returned = steps[-1].entry
    assert returned is not None
    assert (returned.location_id, json.loads(returned.detail)) == (
        None,
        {"ticket_id": "t-2", "repaired": False, "how": "shipped"},
    )


def no_unit_of_work(tx: object) -> CrmUnitOfWork:
    raise AssertionError("nothing is applied here")


async def no_projection(run: Sequence[Observation], tx: object) -> None:
    raise AssertionError("nothing is applied here")


def test_crm_reads_every_event_of_the_subscription_and_ticket_topics_and_not_the_parts_topic() -> None:
    consumed: Subscription[object] = subscription(no_unit_of_work, no_projection, FakeVault(), FixedClock(AT))
    events = {e for topic in (contracts.SUBSCRIPTIONS, contracts.TICKETS) for e in topic.events}

    assert {contracts.SUBSCRIPTIONS.name, contracts.TICKETS.name} <= set(consumed.topic_names)
    assert contracts.PARTS.name not in consumed.topic_names
    assert events <= set(consumed.accepts)
