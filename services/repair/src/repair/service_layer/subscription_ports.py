"""What the subscription use cases need of storage and of billing, as protocols: PostgreSQL
(`adapters/subscription_repository.py`, `billing_ledger.py`, `renewal_schedule.py`) and the twin
(`tests/subscription_fakes.py`) give the same answers.

One row locks a subscription: its renewal schedule row. The renewal run claims those rows
(`FOR UPDATE SKIP LOCKED`), and every other change of a subscription (`get(..., for_update=True)`)
takes the same row first, so a cancellation or a payment and a renewal run never decide on the
same subscription at once, and never wait for each other in a circle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Literal, Protocol, Self

from reloop_contracts.amounts import Money
from reloop_shared.outbox.cause import Cause
from repair.domain.devices import DeviceIdentifier
from repair.domain.subscription_events import SubscriptionEvent
from repair.domain.subscriptions import Charge, PeriodDue, Subscription

EntryKind = Literal["paid", "declined", "refund"]


@dataclass(frozen=True)
class LedgerEntry:
    """A line of the billing ledger: a charge paid, a charge declined (with its reason), or a refund
    (its `charge_id` is the charge it gives back)."""

    kind: EntryKind
    charge_id: str
    subscription_id: str
    period_start: datetime
    attempt: int
    amount: Money
    at: datetime
    reason: str = ""


class SubscriptionRepository(Protocol):
    async def add(self, subscription: Subscription) -> None:
        """Store a new subscription; a device already on another live subscription is refused
        with `DeviceAlreadySubscribed` (one live plan per device)."""
        ...

    async def get(self, subscription_id: str, *, for_update: bool = False) -> Subscription | None:
        """The subscription; `for_update` takes its lock (its schedule row) until the commit."""
        ...

    async def get_many(self, subscription_ids: Sequence[str]) -> list[Subscription]:
        """These subscriptions (their locks already taken by the caller), in the order asked."""
        ...

    async def save(self, subscription: Subscription) -> None: ...

    async def save_many(self, subscriptions: Sequence[Subscription]) -> None:
        """Save these subscriptions' states at once (a renewal run's batch)."""
        ...

    async def for_device(self, identifier: DeviceIdentifier, customer_id: str | None) -> Subscription | None:
        """The subscription of this device: its live one, else the one that ended last; only the
        customer's own when `customer_id` is given."""
        ...

    async def of_customer(self, customer_id: str, after: tuple[datetime, str] | None, limit: int) -> list[Subscription]:
        """The customer's subscriptions, newest first by (started_at, subscription_id)."""
        ...


class BillingLedger(Protocol):
    """The billing port. Each charge is idempotent by (subscription, period): a period paid once
    is never charged again, asked again it answers the first charge."""

    async def charge(self, due: PeriodDue, at: datetime) -> Charge: ...

    async def charge_many(self, due: Sequence[PeriodDue], at: datetime) -> list[Charge]:
        """`charge` for each (one per subscription at most), at once; the answers in that order."""
        ...

    async def refund(self, charge_id: str, amount: Money, reason: str, at: datetime) -> LedgerEntry:
        """Give back (part of) a paid charge; refused with `RefundRefused` beyond what it paid."""
        ...

    async def script_declines(self, subscription_id: str, count: int, reason: str) -> None:
        """Decline the next `count` charges of this subscription with `reason` (0 clears it): the
        local ledger's way to rehearse a failing card."""
        ...

    async def entries(self, subscription_id: str) -> list[LedgerEntry]:
        """The subscription's ledger, in the order written."""
        ...


class RenewalSchedule(Protocol):
    async def schedule(self, subscription_id: str, due_at: datetime | None) -> None:
        """When the renewal run next looks at this subscription; None: never again."""
        ...

    async def schedule_many(self, due: Sequence[tuple[str, datetime | None]]) -> None:
        """`schedule` for each (subscription id, due time), at once."""
        ...

    async def claim_due(self, at: datetime, limit: int) -> list[str]:
        """Up to `limit` subscriptions due by `at`, earliest first, locked until the commit;
        those another run holds are skipped, so several runs share the work."""
        ...


class SubscriptionUnitOfWork(Protocol):
    """What the subscription handlers use of a unit of work: the repair unit of work is one."""

    @property
    def subscriptions(self) -> SubscriptionRepository: ...

    @property
    def billing(self) -> BillingLedger: ...

    @property
    def renewals(self) -> RenewalSchedule: ...

    def record(self, *events: SubscriptionEvent) -> None: ...

    def on_behalf_of(
        self, correlation_id: str, causation_id: str, trace_headers: Mapping[str, str] | None = None
    ) -> AbstractContextManager[Cause]: ...

    async def commit(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class ClaimCounter(Protocol):
    async def claims_for(self, subscription_id: str, identifier: DeviceIdentifier, since: datetime) -> int: ...


class CoverageUnitOfWork(Protocol):
    """What the plan's coverage lookup reads: subscriptions and the tickets they covered."""

    @property
    def subscriptions(self) -> SubscriptionRepository: ...

    @property
    def tickets(self) -> ClaimCounter: ...
