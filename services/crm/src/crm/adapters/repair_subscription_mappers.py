"""Repair subscription events -> observations: entries on the `subscription:<id>` thread (the
start names the customer) and the plan figures' facts: each start's market and every state entered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm.adapters.repair_entries import Mapper, account, device, money, registering, thread_entry
from crm.domain.observations import Observation, SubscriptionFact, SubscriptionStatusFact
from reloop_contracts import EnvelopeHeader, Event
from reloop_contracts import repair as r

SUBSCRIPTION_MAPPERS: dict[type[Event], Mapper] = {}
_maps = registering(SUBSCRIPTION_MAPPERS)


def _subscription_step(
    envelope: EnvelopeHeader, kind: str, event: Any, at: datetime, detail: dict[str, Any], status: str | None = None
) -> Observation:
    """A later step of a subscription, on its thread; steps that repeat (renewals, failed payments)
    are told apart by their time. `status`: the state it enters, for the plan figures."""
    subscription_id = event.subscription_id
    observed = thread_entry(
        envelope,
        kind,
        f"{subscription_id}:{at.isoformat()}",
        at,
        f"subscription:{subscription_id}",
        {"subscription_id": subscription_id, **detail},
    )
    if status is None:
        return observed
    return observed._replace(subscription_status=SubscriptionStatusFact(subscription_id, status, at))


@_maps(r.SubscriptionStarted)
def subscription_started(event: r.SubscriptionStarted, envelope: EnvelopeHeader) -> Observation:
    detail = {
        "subscription_id": event.subscription_id,
        "price": money(event.price),
        "devices": [device(d) for d in event.devices],
        "period_start": event.period_start.isoformat(),
        "period_end": event.period_end.isoformat(),
    }
    observed = thread_entry(
        envelope,
        "repair_subscription_started",
        event.subscription_id,
        event.started_at,
        f"subscription:{event.subscription_id}",
        detail,
        customer=account(event.customer_id),
        channel=event.channel,
        location_id=event.shop_id,
        market=event.market,
    )
    return observed._replace(
        subscription=SubscriptionFact(event.subscription_id, event.market, event.started_at),
        subscription_status=SubscriptionStatusFact(event.subscription_id, "active", event.started_at),
    )


@_maps(r.SubscriptionRenewed)
def subscription_renewed(event: r.SubscriptionRenewed, envelope: EnvelopeHeader) -> Observation:
    detail = {
        "amount": money(event.amount),
        "period_start": event.period_start.isoformat(),
        "period_end": event.period_end.isoformat(),
    }
    return _subscription_step(envelope, "repair_subscription_renewed", event, event.renewed_at, detail, "active")


@_maps(r.PaymentFailed)
def payment_failed(event: r.PaymentFailed, envelope: EnvelopeHeader) -> Observation:
    """A failed charge changes no state by itself: `SubscriptionPastDue` tells when grace began."""
    detail = {
        "period_start": event.period_start.isoformat(),
        "attempt": event.attempt,
        "reason": event.reason,
        "next_attempt_at": event.next_attempt_at.isoformat() if event.next_attempt_at else None,
    }
    return _subscription_step(envelope, "repair_payment_failed", event, event.failed_at, detail)


@_maps(r.SubscriptionPastDue)
def subscription_past_due(event: r.SubscriptionPastDue, envelope: EnvelopeHeader) -> Observation:
    detail = {"overdue_since": event.overdue_since.isoformat(), "covered_until": event.covered_until.isoformat()}
    return _subscription_step(envelope, "repair_subscription_past_due", event, event.at, detail, "past_due")


@_maps(r.SubscriptionSuspended)
def subscription_suspended(event: r.SubscriptionSuspended, envelope: EnvelopeHeader) -> Observation:
    detail = {"overdue_since": event.overdue_since.isoformat(), "reason": event.reason}
    return _subscription_step(envelope, "repair_subscription_suspended", event, event.at, detail, "suspended")


@_maps(r.SubscriptionReactivated)
def subscription_reactivated(event: r.SubscriptionReactivated, envelope: EnvelopeHeader) -> Observation:
    detail = {
        "amount": money(event.amount),
        "period_start": event.period_start.isoformat(),
        "period_end": event.period_end.isoformat(),
    }
    return _subscription_step(envelope, "repair_subscription_reactivated", event, event.at, detail, "active")


@_maps(r.SubscriptionCancelled)
def subscription_cancelled(event: r.SubscriptionCancelled, envelope: EnvelopeHeader) -> Observation:
    detail = {"by": event.by, "reason": event.reason, "covered_until": event.covered_until.isoformat()}
    return _subscription_step(envelope, "repair_subscription_cancelled", event, event.cancelled_at, detail, "cancelled")


@_maps(r.SubscriptionExpired)
def subscription_expired(event: r.SubscriptionExpired, envelope: EnvelopeHeader) -> Observation:
    return _subscription_step(envelope, "repair_subscription_expired", event, event.expired_at, {}, "expired")
