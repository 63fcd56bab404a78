"""A renewal run's decisions over a batch of subscriptions, pure: what to charge as of an instant
(dunning's steps first, so a subscription cancelled by dunning is charged no more), then what the
charges' outcomes lead to as of that instant. The run loads the batch, asks the billing port for
all of `charges_due` at once, applies `settle_renewals` and saves the batch at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from repair.domain.plans import Plans
from repair.domain.subscription_events import (
    PaymentFailed,
    SubscriptionCancelled,
    SubscriptionEvent,
    SubscriptionExpired,
    SubscriptionPastDue,
    SubscriptionReactivated,
    SubscriptionRenewed,
    SubscriptionSuspended,
)
from repair.domain.subscriptions import Charge, PeriodDue, Subscription


def charges_due(batch: Sequence[Subscription], plans: Plans, at: datetime) -> list[PeriodDue]:
    """Move each subscription through its overdue states as of `at`; the charges then due, one per
    subscription at most."""
    due = []
    for subscription in batch:
        subscription.advance(at, plans.keeping(subscription.market, subscription.price))
        charge = subscription.charge_due(at)
        if charge is not None:
            due.append(charge)
    return due


def settle_renewals(
    batch: Sequence[Subscription], charges: Mapping[str, Charge], plans: Plans, at: datetime
) -> list[tuple[str, datetime | None]]:
    """Apply each subscription's charge (by subscription id) and the steps its outcome leads to as
    of `at`; answers when the schedule next looks at each one."""
    schedule = []
    for subscription in batch:
        plan = plans.keeping(subscription.market, subscription.price)
        charge = charges.get(subscription.subscription_id)
        if charge is not None:
            subscription.settle(charge, plan)
            subscription.advance(at, plan)
        schedule.append((subscription.subscription_id, subscription.due_at(plan)))
    return schedule


@dataclass
class RenewalRun:
    """What one run did, counted from the events it recorded."""

    renewed: int = 0
    reactivated: int = 0
    failed: int = 0
    """Charges declined (each retry counts)."""
    past_due: int = 0
    suspended: int = 0
    cancelled: int = 0
    expired: int = 0
    looked_at: int = 0

    @property
    def paid(self) -> int:
        return self.renewed + self.reactivated

    def count(self, looked_at: int, events: Sequence[SubscriptionEvent]) -> None:
        self.looked_at += looked_at
        for event in events:
            name = _COUNTED.get(type(event))
            if name is not None:
                setattr(self, name, getattr(self, name) + 1)

    def __add__(self, other: RenewalRun) -> RenewalRun:
        return RenewalRun(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


_COUNTED: dict[type, str] = {
    SubscriptionRenewed: "renewed",
    SubscriptionReactivated: "reactivated",
    PaymentFailed: "failed",
    SubscriptionPastDue: "past_due",
    SubscriptionSuspended: "suspended",
    SubscriptionCancelled: "cancelled",
    SubscriptionExpired: "expired",
}
