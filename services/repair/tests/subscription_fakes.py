"""The subscriptions' part of the twin: their tables in memory and the repository, the local
billing ledger and the renewal schedule over them, with the same answers and refusals as
PostgreSQL (one live subscription per device, one paid charge per period). `SubscriptionTwin`
runs the subscription handlers alone on memory (a plain module: import what you use)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from reloop_contracts.amounts import Money
from reloop_shared.clock import FixedClock
from reloop_shared.memory import InMemoryUnitOfWork, MemoryStore
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.recording import EventRecorder
from reloop_shared.unit_of_work import Recorded
from repair.adapters.subscription_translators import subscription_to_contract
from repair.domain.devices import DeviceIdentifier
from repair.domain.subscription_errors import DeviceAlreadySubscribed, RefundRefused
from repair.domain.subscription_events import SubscriptionEvent
from repair.domain.subscriptions import Charge, PeriodDue, Subscription
from repair.service_layer.subscription_ports import (
    BillingLedger,
    LedgerEntry,
    RenewalSchedule,
    SubscriptionRepository,
)


@dataclass(frozen=True)
class ScriptedDeclines:
    remaining: int
    reason: str


@dataclass
class SubscriptionTables:
    """The `0002_subscriptions.sql` tables."""

    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    ledger: list[LedgerEntry] = field(default_factory=list)
    declines: dict[str, ScriptedDeclines] = field(default_factory=dict)
    schedule: dict[str, datetime | None] = field(default_factory=dict)

    def paid(self, subscription_id: str) -> list[LedgerEntry]:
        return [e for e in self.ledger if e.subscription_id == subscription_id and e.kind == "paid"]


def _row(subscription: Subscription) -> Subscription:
    # A row keeps the state, never the recorder: a caller's change is kept only once it is saved.
    return replace(subscription, recorder=EventRecorder())


class InMemorySubscriptionRepository:
    def __init__(self, tables: SubscriptionTables) -> None:
        self.tables = tables

    async def add(self, subscription: Subscription) -> None:
        assert subscription.subscription_id not in self.tables.subscriptions
        self._check_devices(subscription)
        self.tables.subscriptions[subscription.subscription_id] = _row(subscription)

    def _check_devices(self, subscription: Subscription) -> None:
        if not subscription.is_live:
            return
        mine = {d.identifier for d in subscription.devices}
        for other in self.tables.subscriptions.values():
            taken = mine & {d.identifier for d in other.devices}
            if other.subscription_id != subscription.subscription_id and other.is_live and taken:
                device = min(taken, key=lambda i: i.value)
                raise DeviceAlreadySubscribed(
                    f"{device.kind} {device.value} is on subscription {other.subscription_id}", field="devices"
                )

    async def get(self, subscription_id: str, *, for_update: bool = False) -> Subscription | None:
        # No lock to take: the twin's transactions run one at a time.
        row = self.tables.subscriptions.get(subscription_id)
        return None if row is None else _row(row)

    async def get_many(self, subscription_ids: Sequence[str]) -> list[Subscription]:
        return [_row(self.tables.subscriptions[i]) for i in subscription_ids if i in self.tables.subscriptions]

    async def save(self, subscription: Subscription) -> None:
        assert subscription.subscription_id in self.tables.subscriptions
        self._check_devices(subscription)
        self.tables.subscriptions[subscription.subscription_id] = _row(subscription)

    async def save_many(self, subscriptions: Sequence[Subscription]) -> None:
        for subscription in subscriptions:
            await self.save(subscription)

    async def for_device(self, identifier: DeviceIdentifier, customer_id: str | None) -> Subscription | None:
        found = [
            s
            for s in self.tables.subscriptions.values()
            if any(d.identifier == identifier for d in s.devices)
            and (customer_id is None or s.customer_id == customer_id)
        ]
        found.sort(key=lambda s: (s.is_live, s.paid_through, s.subscription_id), reverse=True)
        return _row(found[0]) if found else None

    async def of_customer(self, customer_id: str, after: tuple[datetime, str] | None, limit: int) -> list[Subscription]:
        mine = sorted(
            (s for s in self.tables.subscriptions.values() if s.customer_id == customer_id),
            key=lambda s: (s.started_at, s.subscription_id),
            reverse=True,
        )
        return [_row(s) for s in mine if after is None or (s.started_at, s.subscription_id) < after][:limit]


class InMemoryBillingLedger:
    def __init__(self, tables: SubscriptionTables) -> None:
        self.tables = tables

    async def charge(self, due: PeriodDue, at: datetime) -> Charge:
        attempts = [
            e
            for e in self.tables.ledger
            if e.subscription_id == due.subscription_id and e.period_start == due.period_start and e.kind != "refund"
        ]
        paid = next((e for e in attempts if e.kind == "paid"), None)
        if paid is not None:  # the period is paid: its first charge, never a second
            return _charge(paid)
        script = self.tables.declines.get(due.subscription_id)
        declined = script is not None and script.remaining > 0
        reason = ""
        if script is not None and declined:
            self.tables.declines[due.subscription_id] = ScriptedDeclines(script.remaining - 1, script.reason)
            reason = script.reason or "declined"
        entry = LedgerEntry(
            "declined" if declined else "paid",
            f"ch_{len(self.tables.ledger) + 1:08d}",
            due.subscription_id,
            due.period_start,
            len(attempts) + 1,
            due.amount,
            at,
            reason,
        )
        self.tables.ledger.append(entry)
        return _charge(entry)

    async def charge_many(self, due: Sequence[PeriodDue], at: datetime) -> list[Charge]:
        assert len({d.subscription_id for d in due}) == len(due), "a batch charges a subscription once at most"
        return [await self.charge(d, at) for d in due]

    async def refund(self, charge_id: str, amount: Money, reason: str, at: datetime) -> LedgerEntry:
        paid = next((e for e in self.tables.ledger if e.charge_id == charge_id and e.kind == "paid"), None)
        if paid is None:
            raise RefundRefused(f"no paid charge {charge_id}", field="charge_id")
        refunded = sum(
            e.amount.amount_minor for e in self.tables.ledger if e.kind == "refund" and e.charge_id == charge_id
        )
        if amount.currency != paid.amount.currency or refunded + amount.amount_minor > paid.amount.amount_minor:
            raise RefundRefused(f"charge {charge_id} paid {paid.amount.amount_minor - refunded} left", field="amount")
        entry = LedgerEntry(
            "refund", charge_id, paid.subscription_id, paid.period_start, paid.attempt, amount, at, reason
        )
        self.tables.ledger.append(entry)
        return entry

    async def script_declines(self, subscription_id: str, count: int, reason: str) -> None:
        self.tables.declines[subscription_id] = ScriptedDeclines(count, reason)

    async def entries(self, subscription_id: str) -> list[LedgerEntry]:
        return [e for e in self.tables.ledger if e.subscription_id == subscription_id]


def _charge(entry: LedgerEntry) -> Charge:
    return Charge(
        entry.charge_id,
        entry.subscription_id,
        entry.period_start,
        entry.amount,
        entry.attempt,
        entry.kind == "paid",
        entry.at,
        entry.reason,
    )


class InMemoryRenewalSchedule:
    def __init__(self, tables: SubscriptionTables) -> None:
        self.tables = tables

    async def schedule(self, subscription_id: str, due_at: datetime | None) -> None:
        self.tables.schedule[subscription_id] = due_at

    async def schedule_many(self, due: Sequence[tuple[str, datetime | None]]) -> None:
        for subscription_id, due_at in due:
            await self.schedule(subscription_id, due_at)

    async def claim_due(self, at: datetime, limit: int) -> list[str]:
        due = sorted((d, s) for s, d in self.tables.schedule.items() if d is not None and d <= at)
        return [s for _, s in due[:limit]]


@dataclass(frozen=True)
class Claim:
    subscription_id: str
    identifier: DeviceIdentifier
    at: datetime


@dataclass
class SubscriptionStoreTables:
    """Subscriptions alone on memory, with the claims tickets made on them (what the workshop's
    ticket repository counts) and the domain events as they committed."""

    subscriptions: SubscriptionTables = field(default_factory=SubscriptionTables)
    claims: list[Claim] = field(default_factory=list)
    events: list[SubscriptionEvent] = field(default_factory=list)


class InMemoryClaims:
    def __init__(self, tables: SubscriptionStoreTables) -> None:
        self.tables = tables

    async def claims_for(self, subscription_id: str, identifier: DeviceIdentifier, since: datetime) -> int:
        return sum(
            1
            for c in self.tables.claims
            if c.subscription_id == subscription_id and c.identifier == identifier and c.at >= since
        )


class InMemorySubscriptionUnitOfWork(InMemoryUnitOfWork[SubscriptionEvent, SubscriptionStoreTables]):
    subscriptions: SubscriptionRepository
    billing: BillingLedger
    renewals: RenewalSchedule
    tickets: InMemoryClaims

    def __init__(self, store: MemoryStore[SubscriptionStoreTables]) -> None:
        super().__init__(OutboxWriter("repair"), lambda e: [subscription_to_contract(e)], store=store)

    def bind(self, tables: SubscriptionStoreTables) -> None:
        self.subscriptions = InMemorySubscriptionRepository(tables.subscriptions)
        self.billing = InMemoryBillingLedger(tables.subscriptions)
        self.renewals = InMemoryRenewalSchedule(tables.subscriptions)
        self.tickets = InMemoryClaims(tables)

    async def on_commit(self, recorded: list[Recorded[SubscriptionEvent]]) -> None:
        self.tx.tables.events.extend(item.event for item in recorded)


class SubscriptionTwin:
    def __init__(self, clock: FixedClock) -> None:
        self.store: MemoryStore[SubscriptionStoreTables] = MemoryStore(SubscriptionStoreTables())
        self.clock = clock

    @property
    def tables(self) -> SubscriptionTables:
        return self.store.tables.subscriptions

    @property
    def events(self) -> list[SubscriptionEvent]:
        return self.store.tables.events

    def unit_of_work(self) -> InMemorySubscriptionUnitOfWork:
        return InMemorySubscriptionUnitOfWork(self.store)
