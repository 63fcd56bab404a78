"""The subscriptions' domain events out to `repair.subscriptions.v1`, in one place."""

from __future__ import annotations

from reloop_contracts import Event, PositiveMoney
from reloop_contracts import repair as contract
from reloop_contracts.inventory import DeviceIdentifier as WireIdentifier
from repair.domain import subscription_events as events
from repair.domain.devices import Device


def _wire_device(device: Device) -> contract.RepairedDevice:
    identifier = WireIdentifier(kind=device.identifier.kind, value=device.identifier.value)
    return contract.RepairedDevice(identifier=identifier, category=device.category, model=device.model)


def subscription_to_contract(event: events.SubscriptionEvent) -> Event:
    match event:
        case events.SubscriptionStarted():
            return contract.SubscriptionStarted(
                subscription_id=event.subscription_id,
                customer_id=event.customer_id,
                market=event.market,
                price=PositiveMoney.of(event.price),
                devices=[_wire_device(d) for d in event.devices],
                channel=event.channel,
                shop_id=event.shop_id,
                charge_id=event.charge_id,
                period_start=event.period_start,
                period_end=event.period_end,
                started_at=event.at,
            )
        case events.SubscriptionRenewed():
            return contract.SubscriptionRenewed(
                subscription_id=event.subscription_id,
                charge_id=event.charge_id,
                amount=PositiveMoney.of(event.amount),
                period_start=event.period_start,
                period_end=event.period_end,
                renewed_at=event.at,
            )
        case events.PaymentFailed():
            return contract.PaymentFailed(
                subscription_id=event.subscription_id,
                period_start=event.period_start,
                attempt=event.attempt,
                reason=event.reason[:200],
                next_attempt_at=event.next_attempt_at,
                failed_at=event.at,
            )
        case events.SubscriptionPastDue():
            return contract.SubscriptionPastDue(
                subscription_id=event.subscription_id,
                overdue_since=event.overdue_since,
                covered_until=event.covered_until,
                at=event.at,
            )
        case events.SubscriptionSuspended():
            return contract.SubscriptionSuspended(
                subscription_id=event.subscription_id,
                overdue_since=event.overdue_since,
                reason=event.reason,
                at=event.at,
            )
        case events.SubscriptionReactivated():
            return contract.SubscriptionReactivated(
                subscription_id=event.subscription_id,
                charge_id=event.charge_id,
                amount=PositiveMoney.of(event.amount),
                period_start=event.period_start,
                period_end=event.period_end,
                at=event.at,
            )
        case events.SubscriptionCancelled():
            return contract.SubscriptionCancelled(
                subscription_id=event.subscription_id,
                by=event.by,
                reason=event.reason[:200],
                covered_until=event.covered_until,
                cancelled_at=event.at,
            )
        case events.SubscriptionExpired():
            return contract.SubscriptionExpired(subscription_id=event.subscription_id, expired_at=event.at)
