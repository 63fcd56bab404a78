"""The repair subscription: an aggregate with the states subscription platforms' users know.

active ─ charge fails ─> past_due (in grace: covered while the charge is retried)
past_due ─ overdue `suspend_after` ─> suspended (coverage revoked: claims refused with the reason)
past_due | suspended ─ overdue `cancel_after` ─> cancelled by dunning ─> expired
past_due | suspended ─ paid ─> active (reactivated)
any live state ─ cancelled ─> cancelled (covered to the end of the paid period) ─> expired

A paid period is never lost to dunning (killbill#1997): `paid_through` only ever grows, dunning
starts on the day the *next* period was due, so it is never before `paid_through`, and coverage
at an instant before `paid_through` holds whatever the state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from reloop_contracts.amounts import Money
from reloop_shared.recording import EventRecorder
from repair.domain import dunning
from repair.domain.devices import Device
from repair.domain.fair_use import check_devices, claim_refusal
from repair.domain.plans import FairUse, MarketPlan
from repair.domain.subscription_commands import CancelSubscription, Subscribe
from repair.domain.subscription_errors import NothingOverdue, PaymentDeclined, ShopRequired, SubscriptionClosed
from repair.domain.subscription_events import (
    Channel,
    PaymentFailed,
    SubscriptionCancelled,
    SubscriptionEvent,
    SubscriptionExpired,
    SubscriptionPastDue,
    SubscriptionReactivated,
    SubscriptionRenewed,
    SubscriptionStarted,
    SubscriptionSuspended,
)

Status = Literal["active", "past_due", "suspended", "cancelled", "expired"]
DUNNING = "dunning"
"""Who cancels a subscription that stayed unpaid past the market's `cancel_after`."""


@dataclass(frozen=True)
class Charge:
    """What the billing port answered to one charge of a period."""

    charge_id: str
    subscription_id: str
    period_start: datetime
    amount: Money
    attempt: int
    paid: bool
    at: datetime
    reason: str = ""
    """Why it was declined."""


@dataclass(frozen=True)
class PeriodDue:
    """A charge to make: `period_start` is the billing key (the day the period was due), so every
    attempt at the same period is the same charge to the ledger."""

    subscription_id: str
    period_start: datetime
    amount: Money


@dataclass(frozen=True)
class Covered:
    subscription_id: str


@dataclass(frozen=True)
class NotCovered:
    subscription_id: str
    rule: str
    reason: str


def check_subscribe(cmd: Subscribe, plan: MarketPlan) -> None:
    """Refuse a subscription the plan cannot take, before anything is charged for it."""
    check_devices(len(cmd.devices), plan.fair_use)
    if (cmd.channel == "online") != (cmd.shop_id is None):
        raise ShopRequired("a subscription in a shop names the shop, and only such a one", field="shop_id")


@dataclass
class Subscription:
    subscription_id: str
    customer_id: str
    market: str
    price: Money
    devices: tuple[Device, ...]
    channel: Channel
    shop_id: str | None
    started_at: datetime
    period_start: datetime
    paid_through: datetime
    """The end of the last paid period: covered until then whatever happens next."""
    status: Status = "active"
    overdue_since: datetime | None = None
    """The day the unpaid period was due (the `paid_through` it failed at)."""
    first_failed_at: datetime | None = None
    failed_attempts: int = 0
    next_attempt_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    cancel_reason: str = ""
    fair_use: FairUse = field(default_factory=FairUse)
    """The market's fair use when the customer subscribed: the terms they signed up to."""
    recorder: EventRecorder[SubscriptionEvent] = field(default_factory=EventRecorder, repr=False, compare=False)

    @classmethod
    def start(cls, subscription_id: str, cmd: Subscribe, plan: MarketPlan, charge: Charge) -> Subscription:
        """A subscription whose first period `charge` paid (it starts then)."""
        check_subscribe(cmd, plan)
        if not charge.paid:
            raise PaymentDeclined(f"the first period's charge was declined: {charge.reason}", field="payment")
        end = plan.period_end(charge.period_start)
        subscription = cls(
            subscription_id,
            cmd.customer_id,
            cmd.market,
            plan.price,
            cmd.devices,
            cmd.channel,
            cmd.shop_id,
            started_at=charge.at,
            period_start=charge.period_start,
            paid_through=end,
            fair_use=plan.fair_use,
        )
        subscription.recorder.record(
            SubscriptionStarted(
                subscription_id,
                cmd.customer_id,
                cmd.market,
                plan.price,
                cmd.devices,
                cmd.channel,
                cmd.shop_id,
                charge.charge_id,
                charge.period_start,
                end,
                charge.at,
            )
        )
        return subscription

    @property
    def is_live(self) -> bool:
        return self.status in ("active", "past_due", "suspended")

    def pull_events(self) -> list[SubscriptionEvent]:
        """What was recorded since the last pull, for the unit of work's `record`."""
        events = list(self.recorder.events)
        self.recorder.events.clear()
        return events

    # --- billing -----------------------------------------------------------------------------

    def charge_due(self, at: datetime) -> PeriodDue | None:
        """The charge the schedule makes at `at`: the next period once the paid one ended, a
        retry when its time came; None when nothing is to be charged."""
        if self.status == "active" and at >= self.paid_through:
            return PeriodDue(self.subscription_id, self.paid_through, self.price)
        if self.status in ("past_due", "suspended") and self.next_attempt_at is not None and at >= self.next_attempt_at:
            return self.overdue_charge()
        return None

    def overdue_charge(self) -> PeriodDue:
        if self.overdue_since is None or self.status not in ("past_due", "suspended"):
            raise NothingOverdue(f"subscription {self.subscription_id} owes nothing ({self.status})")
        return PeriodDue(self.subscription_id, self.overdue_since, self.price)

    def settle(self, charge: Charge, plan: MarketPlan, *, by_customer: bool = False) -> None:
        """Apply what the billing port answered to `charge_due` or `overdue_charge`."""
        if charge.paid:
            self._paid(charge, plan, by_customer)
        elif by_customer:
            raise PaymentDeclined(f"the payment was declined: {charge.reason}", field="payment")
        else:
            self._failed(charge, plan)

    def _paid(self, charge: Charge, plan: MarketPlan, by_customer: bool) -> None:
        was = self.status
        # In grace the customer was covered all along: the period runs on from the day it was due.
        # Suspended, they were not: the new period starts at the payment.
        start = charge.at if was == "suspended" else self.paid_through
        end = plan.period_end(start)
        self.period_start, self.paid_through, self.status = start, max(end, self.paid_through), "active"
        self.overdue_since = self.first_failed_at = self.next_attempt_at = None
        self.failed_attempts = 0
        if was == "active" or (was == "past_due" and not by_customer):
            event: SubscriptionEvent = SubscriptionRenewed(
                self.subscription_id, charge.charge_id, charge.amount, start, end, charge.at
            )
        else:
            event = SubscriptionReactivated(
                self.subscription_id, charge.charge_id, charge.amount, start, end, charge.at
            )
        self.recorder.record(event)

    def _failed(self, charge: Charge, plan: MarketPlan) -> None:
        first_failure = self.status == "active"
        if first_failure:
            self.status, self.overdue_since, self.first_failed_at = "past_due", self.paid_through, charge.at
        first_failed_at = self.first_failed_at or charge.at
        self.failed_attempts += 1
        self.next_attempt_at = dunning.next_attempt(first_failed_at, self.failed_attempts, plan.retries)
        self.recorder.record(
            PaymentFailed(
                self.subscription_id,
                charge.period_start,
                self.failed_attempts,
                charge.reason or "declined",
                self.next_attempt_at,
                charge.at,
            )
        )
        if first_failure:
            self.recorder.record(
                SubscriptionPastDue(self.subscription_id, self.paid_through, self.paid_through, charge.at)
            )

    # --- time --------------------------------------------------------------------------------

    def advance(self, at: datetime, plan: MarketPlan) -> None:
        """Move through the overdue states and the end of a cancelled subscription's coverage."""
        if self.status in ("past_due", "suspended") and self.overdue_since is not None:
            state = dunning.overdue_state(self.overdue_since, at, plan.overdue)
            if state == "suspended" and self.status == "past_due":
                self.status = "suspended"
                self.recorder.record(
                    SubscriptionSuspended(
                        self.subscription_id,
                        self.overdue_since,
                        f"payment overdue since {self.overdue_since.date().isoformat()}",
                        at,
                    )
                )
            elif state == "cancelled":
                self._cancel(DUNNING, f"payment overdue since {self.overdue_since.date().isoformat()}", at)
        if self.status == "cancelled" and at >= self.paid_through:
            self.status = "expired"
            self.recorder.record(SubscriptionExpired(self.subscription_id, at))

    def due_at(self, plan: MarketPlan) -> datetime | None:
        """When the schedule next has something to do for this subscription; None: never again."""
        if self.status == "active":
            return self.paid_through
        if self.status in ("past_due", "suspended") and self.overdue_since is not None:
            boundary = plan.overdue.suspend_after if self.status == "past_due" else plan.overdue.cancel_after
            return min(t for t in (self.next_attempt_at, self.overdue_since + boundary) if t is not None)
        if self.status == "cancelled":
            return self.paid_through
        return None

    # --- the customer ------------------------------------------------------------------------

    def cancel(self, cmd: CancelSubscription, at: datetime) -> None:
        if not self.is_live:
            raise SubscriptionClosed(f"subscription {self.subscription_id} is {self.status} already")
        self._cancel(cmd.by, cmd.reason, at)
        if at >= self.paid_through:
            self.status = "expired"
            self.recorder.record(SubscriptionExpired(self.subscription_id, at))

    def _cancel(self, by: str, reason: str, at: datetime) -> None:
        self.status, self.cancelled_at, self.cancelled_by, self.cancel_reason = "cancelled", at, by, reason
        # Nothing is owed any more: the unpaid period is never charged.
        self.overdue_since = self.first_failed_at = self.next_attempt_at = None
        self.recorder.record(SubscriptionCancelled(self.subscription_id, by, reason, self.paid_through, at))

    def coverage_at(self, at: datetime) -> Covered | NotCovered:
        """Whether the subscription's state covers a claim at `at` (fair use apart)."""
        if at < self.paid_through or self.status in ("active", "past_due"):
            return Covered(self.subscription_id)
        if self.status == "suspended":
            since = (self.overdue_since or self.paid_through).date().isoformat()
            return NotCovered(
                self.subscription_id,
                "suspended",
                f"coverage suspended: payment overdue since {since}",
            )
        return NotCovered(
            self.subscription_id, "expired", f"the subscription ended on {self.paid_through.date().isoformat()}"
        )


@dataclass(frozen=True)
class PlanCoverage:
    """What the plan says of a claim: covered by `subscription_id`; refused by `refused_by` with
    `refusal` ("<rule>: <reason>", for the ticket); or, both None, no plan covers the device."""

    subscription_id: str | None
    refusal: str | None
    rule: str | None = None
    refused_by: str | None = None

    @property
    def covered(self) -> bool:
        return self.subscription_id is not None


NO_PLAN = PlanCoverage(None, None)


def plan_coverage(subscription: Subscription | None, claims_in_last_year: int, at: datetime) -> PlanCoverage:
    """The plan's answer to a claim at `at` on the device's subscription (its live one, else its
    last), given the claims it covered for the device in the year before."""
    if subscription is None:
        return NO_PLAN
    state = subscription.coverage_at(at)
    if isinstance(state, NotCovered):
        return _refused(subscription, state.rule, state.reason)
    refusal = claim_refusal(subscription.started_at, claims_in_last_year, at, subscription.fair_use)
    if refusal is not None:
        return _refused(subscription, refusal.rule, refusal.reason)
    return PlanCoverage(subscription.subscription_id, None)


def _refused(subscription: Subscription, rule: str, reason: str) -> PlanCoverage:
    return PlanCoverage(None, f"{rule}: {reason}", rule, subscription.subscription_id)
