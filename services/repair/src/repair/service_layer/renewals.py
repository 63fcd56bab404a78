"""The renewal run: every subscription due is renewed, retried, moved through its overdue states or
expired, exactly once per period.

Each batch is one transaction: the schedule rows claimed (`FOR UPDATE SKIP LOCKED`, so runs at
once share the work), the charges written to the ledger, the subscriptions' new states, their next
due times and their events all commit together. A run that dies mid-batch commits nothing of it:
the rows are claimable again and the next run does the batch whole; the ledger's key (subscription,
period) keeps a period paid once even if a charge were asked twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from reloop_shared.clock import Clock
from repair.domain.plans import MarketPlan, Plans
from repair.domain.subscription_events import PaymentFailed, SubscriptionReactivated, SubscriptionRenewed
from repair.domain.subscriptions import Subscription
from repair.service_layer.subscription_ports import SubscriptionUnitOfWork
from repair.service_layer.subscriptions import plan_of


@dataclass
class RenewalRun:
    """What one run did."""

    paid: int = 0
    failed: int = 0
    looked_at: int = 0


async def run_renewals(
    unit_of_work: Callable[[], SubscriptionUnitOfWork], clock: Clock, plans: Plans, *, batch: int = 500
) -> RenewalRun:
    """Settle every subscription due by now, a batch per transaction, until none is due."""
    at, run = clock.now(), RenewalRun()
    while True:
        async with unit_of_work() as uow:
            claimed = await uow.renewals.claim_due(at, batch)
            if not claimed:
                return run
            for subscription in await uow.subscriptions.get_many(claimed):
                await _settle(uow, subscription, plan_of(subscription, plans), at, run)
            await uow.commit()


async def _settle(
    uow: SubscriptionUnitOfWork, subscription: Subscription, plan: MarketPlan, at: datetime, run: RenewalRun
) -> None:
    # Dunning's steps first (a subscription cancelled by dunning is charged no more), then the
    # charge due, then the steps the charge's outcome leads to as of now.
    subscription.advance(at, plan)
    due = subscription.charge_due(at)
    if due is not None:
        subscription.settle(await uow.billing.charge(due, at), plan)
        subscription.advance(at, plan)
    await uow.subscriptions.save(subscription)
    await uow.renewals.schedule(subscription.subscription_id, subscription.due_at(plan))
    events = subscription.pull_events()
    run.paid += sum(isinstance(e, SubscriptionRenewed | SubscriptionReactivated) for e in events)
    run.failed += sum(isinstance(e, PaymentFailed) for e in events)
    run.looked_at += 1
    uow.record(*events)
