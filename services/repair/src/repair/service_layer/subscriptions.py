"""Subscribing, cancelling and paying what is overdue: load, decide, save, one transaction each.
The first period is charged through the billing port in the transaction that starts the
subscription, so a subscription never exists unpaid and a charge never exists without it."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from reloop_shared.clock import Clock
from repair.domain.plans import MarketPlan, Plans
from repair.domain.subscription_commands import CancelSubscription, PayOverdue, Subscribe
from repair.domain.subscription_errors import SubscriptionNotFound
from repair.domain.subscriptions import PeriodDue, Subscription, check_subscribe
from repair.service_layer.subscription_ports import SubscriptionUnitOfWork


def plan_of(subscription: Subscription, plans: Plans) -> MarketPlan:
    """The market's plan today; a market no longer configured keeps the default terms at its price."""
    return plans.keeping(subscription.market, subscription.price)


async def subscribe(cmd: Subscribe, uow: SubscriptionUnitOfWork, clock: Clock, plans: Plans) -> Subscription:
    plan = plans.in_market(cmd.market)
    check_subscribe(cmd, plan)  # before anything is charged
    async with uow:
        at = clock.now()
        subscription_id = f"rs_{uuid4().hex}"
        charge = await uow.billing.charge(PeriodDue(subscription_id, at, plan.price), at)
        subscription = Subscription.start(subscription_id, cmd, plan, charge)
        await uow.subscriptions.add(subscription)
        await uow.renewals.schedule(subscription_id, subscription.due_at(plan))
        uow.record(*subscription.pull_events())
        await uow.commit()
    return subscription


async def owned(
    uow: SubscriptionUnitOfWork, subscription_id: str, customer_id: str | None, *, for_update: bool = False
) -> Subscription:
    subscription = await uow.subscriptions.get(subscription_id, for_update=for_update)
    # Another customer's subscription answers as if it did not exist.
    if subscription is None or (customer_id is not None and subscription.customer_id != customer_id):
        raise SubscriptionNotFound(f"no subscription {subscription_id}", field="subscription_id")
    return subscription


async def cancel(
    cmd: CancelSubscription, uow: SubscriptionUnitOfWork, clock: Clock, plans: Plans, *, customer_id: str | None
) -> Subscription:
    """Cancel: covered to the end of the paid period, then expired by the renewal run."""
    async with uow:
        subscription = await owned(uow, cmd.subscription_id, customer_id, for_update=True)
        subscription.cancel(cmd, clock.now())
        await _save(uow, subscription, plan_of(subscription, plans))
        await uow.commit()
    return subscription


async def pay_overdue(
    cmd: PayOverdue, uow: SubscriptionUnitOfWork, clock: Clock, plans: Plans, *, customer_id: str | None
) -> Subscription:
    """Pay an overdue or suspended subscription now: reactivated, or `PaymentDeclined`."""
    async with uow:
        subscription = await owned(uow, cmd.subscription_id, customer_id, for_update=True)
        plan, at = plan_of(subscription, plans), clock.now()
        subscription.advance(at, plan)  # the state as of now, dunning's steps included
        due = subscription.overdue_charge()
        subscription.settle(await uow.billing.charge(due, at), plan, by_customer=True)
        await _save(uow, subscription, plan)
        await uow.commit()
    return subscription


async def _save(uow: SubscriptionUnitOfWork, subscription: Subscription, plan: MarketPlan) -> None:
    await uow.subscriptions.save(subscription)
    await uow.renewals.schedule(subscription.subscription_id, subscription.due_at(plan))
    uow.record(*subscription.pull_events())


async def subscription(uow: SubscriptionUnitOfWork, subscription_id: str, customer_id: str | None) -> Subscription:
    async with uow:
        return await owned(uow, subscription_id, customer_id)


async def subscriptions_of(
    uow: SubscriptionUnitOfWork, customer_id: str, after: tuple[datetime, str] | None, limit: int
) -> list[Subscription]:
    async with uow:
        return await uow.subscriptions.of_customer(customer_id, after, limit)
