"""Repair events as the repair service publishes them, for CRM's tests (a plain module, no fixtures)."""

from __future__ import annotations

from datetime import datetime, timedelta

from reloop_contracts import Event, NonNegativeMoney, PositiveMoney
from reloop_contracts.common import Category
from reloop_contracts.inventory import DeviceIdentifier
from reloop_contracts.repair import (
    Coverage,
    PartNeeded,
    PaymentFailed,
    RepairCompleted,
    RepairDiagnosed,
    RepairedDevice,
    RepairProgressed,
    RepairQuoteAnswered,
    RepairQuoted,
    RepairReturned,
    RepairTicketOpened,
    SubscriptionCancelled,
    SubscriptionExpired,
    SubscriptionPastDue,
    SubscriptionReactivated,
    SubscriptionRenewed,
    SubscriptionStarted,
    SubscriptionSuspended,
    TradeInSuggested,
)

MONTH = timedelta(days=30)
PRICE = {"FR": 699, "ES": 599}


def positive(amount_minor: int) -> PositiveMoney:
    return PositiveMoney(amount_minor=amount_minor, currency="EUR")


def device(category: Category = "smartphone", model: str = "IPH13", imei: str = "356938035643809") -> RepairedDevice:
    return RepairedDevice(identifier=DeviceIdentifier(kind="imei", value=imei), category=category, model=model)


def started(
    subscription_id: str, customer_id: str, at: datetime, *, market: str = "FR", shop_id: str | None = None
) -> SubscriptionStarted:
    return SubscriptionStarted(
        subscription_id=subscription_id,
        customer_id=customer_id,
        market=market,
        price=positive(PRICE.get(market, 699)),
        devices=[device()],
        channel="own_shop" if shop_id else "online",
        shop_id=shop_id,
        charge_id=f"ch-{subscription_id}-0",
        period_start=at,
        period_end=at + MONTH,
        started_at=at,
    )


def renewed(subscription_id: str, at: datetime, *, amount: int = 699) -> SubscriptionRenewed:
    return SubscriptionRenewed(
        subscription_id=subscription_id,
        charge_id=f"ch-{subscription_id}-{at.timestamp():.0f}",
        amount=positive(amount),
        period_start=at,
        period_end=at + MONTH,
        renewed_at=at,
    )


def payment_failed(subscription_id: str, at: datetime, attempt: int = 1) -> PaymentFailed:
    return PaymentFailed(
        subscription_id=subscription_id,
        period_start=at,
        attempt=attempt,
        reason="card declined",
        next_attempt_at=at + timedelta(days=1),
        failed_at=at,
    )


def past_due(subscription_id: str, at: datetime) -> SubscriptionPastDue:
    return SubscriptionPastDue(subscription_id=subscription_id, overdue_since=at, covered_until=at, at=at)


def suspended(subscription_id: str, at: datetime, overdue_since: datetime) -> SubscriptionSuspended:
    return SubscriptionSuspended(
        subscription_id=subscription_id,
        overdue_since=overdue_since,
        reason=f"payment overdue since {overdue_since.date().isoformat()}",
        at=at,
    )


def reactivated(subscription_id: str, at: datetime, *, amount: int = 699) -> SubscriptionReactivated:
    return SubscriptionReactivated(
        subscription_id=subscription_id,
        charge_id=f"ch-{subscription_id}-r{at.timestamp():.0f}",
        amount=positive(amount),
        period_start=at,
        period_end=at + MONTH,
        at=at,
    )


def cancelled(subscription_id: str, at: datetime, covered_until: datetime, *, by: str = "acc") -> SubscriptionCancelled:
    return SubscriptionCancelled(
        subscription_id=subscription_id, by=by, reason="moving abroad", covered_until=covered_until, cancelled_at=at
    )


def expired(subscription_id: str, at: datetime) -> SubscriptionExpired:
    return SubscriptionExpired(subscription_id=subscription_id, expired_at=at)


def a_subscription_through_dunning(subscription_id: str, customer_id: str, at: datetime) -> list[Event]:
    """Started, renewed, a failed payment (past due), suspended, paid (reactivated), cancelled, expired."""
    due = at + 2 * MONTH
    return [
        started(subscription_id, customer_id, at),
        renewed(subscription_id, at + MONTH),
        payment_failed(subscription_id, due),
        past_due(subscription_id, due),
        suspended(subscription_id, due + timedelta(days=14), due),
        reactivated(subscription_id, due + timedelta(days=16)),
        cancelled(subscription_id, due + timedelta(days=20), due + timedelta(days=46)),
        expired(subscription_id, due + timedelta(days=46)),
    ]


def opened(
    ticket_id: str,
    customer_id: str | None,
    at: datetime,
    *,
    coverage: Coverage = "plan",
    subscription_id: str | None = None,
    market: str = "FR",
    shop_id: str | None = "shop-lyon",
) -> RepairTicketOpened:
    reasons = {"plan": "covered by the plan", "warranty": "reloop's warranty", "paid": "no plan and not sold by reloop"}
    return RepairTicketOpened(
        ticket_id=ticket_id,
        channel="own_shop" if shop_id else "online",
        shop_id=shop_id,
        drop_off_id=f"do-{ticket_id}" if shop_id else None,
        market=market,
        customer_id=customer_id,
        device=device(),
        bought_from_us=coverage == "warranty",
        unit_id="unit-1" if coverage == "warranty" else None,
        symptoms="the screen is cracked",
        coverage=coverage,
        coverage_reason=reasons[coverage],
        subscription_id=(subscription_id or f"sub-of-{ticket_id}") if coverage == "plan" else None,
        opened_at=at,
    )


def diagnosed(ticket_id: str, at: datetime, *, estimate: int = 8_900, beyond: bool = False) -> RepairDiagnosed:
    return RepairDiagnosed(
        ticket_id=ticket_id,
        findings=["cracked screen"],
        parts=[PartNeeded(part_sku="SCREEN-IPH13")],
        estimate=NonNegativeMoney(amount_minor=estimate, currency="EUR"),
        repairable=True,
        beyond_economic_repair=beyond,
        diagnosed_by="tech-1",
        diagnosed_at=at,
    )


def progressed(ticket_id: str, status: str, at: datetime) -> RepairProgressed:
    return RepairProgressed(ticket_id=ticket_id, status=status, by="tech-1", at=at)  # type: ignore[arg-type]


def completed(ticket_id: str, at: datetime, *, coverage: Coverage = "plan", charged: int = 0) -> RepairCompleted:
    return RepairCompleted(
        ticket_id=ticket_id,
        coverage=coverage,
        charged=NonNegativeMoney(amount_minor=charged, currency="EUR"),
        parts_used=[PartNeeded(part_sku="SCREEN-IPH13")],
        completed_at=at,
    )


def returned(
    ticket_id: str, at: datetime, *, shop_id: str | None = "shop-lyon", repaired: bool = True
) -> RepairReturned:
    return RepairReturned(
        ticket_id=ticket_id,
        repaired=repaired,
        how="picked_up" if shop_id else "shipped",
        shop_id=shop_id,
        returned_at=at,
    )


def quoted(ticket_id: str, at: datetime, amount: int = 8_900) -> RepairQuoted:
    return RepairQuoted(ticket_id=ticket_id, amount=positive(amount), answer_by=at + timedelta(days=7), quoted_at=at)


def quote_answered(ticket_id: str, at: datetime, *, accepted: bool) -> RepairQuoteAnswered:
    return RepairQuoteAnswered(ticket_id=ticket_id, accepted=accepted, answered_at=at)


def trade_in_suggested(ticket_id: str, customer_id: str | None, at: datetime) -> TradeInSuggested:
    return TradeInSuggested(
        ticket_id=ticket_id,
        customer_id=customer_id,
        market="FR",
        device=device(),
        repair_estimate=positive(25_000),
        resale_value=positive(20_000),
        suggested_at=at,
    )


def a_covered_shop_repair(ticket_id: str, customer_id: str, subscription_id: str, at: datetime) -> list[Event]:
    """Left at a shop, covered by the plan, repaired at no charge and picked up there."""
    step = timedelta(hours=1)
    return [
        opened(ticket_id, customer_id, at, subscription_id=subscription_id),
        diagnosed(ticket_id, at + step),
        progressed(ticket_id, "in_repair", at + 2 * step),
        progressed(ticket_id, "repaired", at + 3 * step),
        progressed(ticket_id, "quality_checked", at + 4 * step),
        completed(ticket_id, at + 4 * step),
        progressed(ticket_id, "ready_for_pickup", at + 5 * step),
        returned(ticket_id, at + 6 * step),
    ]


def an_uneconomic_repair_declined(ticket_id: str, customer_id: str, at: datetime) -> list[Event]:
    """Not covered: diagnosed beyond economic repair, a trade-in suggested, the quote declined and
    the device returned unrepaired, shipped back."""
    step = timedelta(hours=1)
    return [
        opened(ticket_id, customer_id, at, coverage="paid", shop_id=None),
        diagnosed(ticket_id, at + step, estimate=25_000, beyond=True),
        trade_in_suggested(ticket_id, customer_id, at + step),
        quoted(ticket_id, at + step, 25_000),
        progressed(ticket_id, "quoted", at + step),
        quote_answered(ticket_id, at + 2 * step, accepted=False),
        progressed(ticket_id, "returned_unrepaired", at + 2 * step),
        returned(ticket_id, at + 3 * step, shop_id=None, repaired=False),
    ]
