"""The repair service's in-memory twin: its tables in dicts, repositories over them with the same
answers and refusals as PostgreSQL (one ticket per drop-off, a reservation never above the shelf),
the unit of work that binds them with the subscriptions' (`subscription_fakes`), its HTTP edge and
its consumers (a plain module: import what you use, never from conftest)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import httpx
from fastapi import FastAPI

from reloop_localstack.testing import session_verifier
from reloop_shared.clock import FixedClock
from reloop_shared.http.app import create_edge
from reloop_shared.http.authentication import install_verifier
from reloop_shared.memory import InMemoryUnitOfWork, MemoryStore, MemoryTransaction
from reloop_shared.memory_service import InMemoryService
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.recording import EventRecorder
from reloop_shared.unit_of_work import TrackedAggregates
from repair.adapters.translators import to_contract
from repair.domain.coverage import SoldDevice
from repair.domain.devices import DeviceIdentifier
from repair.domain.events import DomainEvent, PartNeed
from repair.domain.parts import PartStock
from repair.domain.plans import DEFAULT_PLANS, Plans
from repair.domain.resale_values import CatalogSku, ResalePrice, SkuOnSale
from repair.domain.sla import SlaPolicy
from repair.domain.tickets import OPEN, Ticket
from repair.domain.workshop_policy import WorkshopPolicy
from repair.entrypoints.consumers import subscription
from repair.entrypoints.http import routers
from repair.entrypoints.http.edge import Edge
from repair.service_layer.ports import OpenTicketQuery, PartMove, TicketQuery
from repair.service_layer.unit_of_work import RepairUnitOfWork
from services.repair.tests.subscription_fakes import (
    InMemoryBillingLedger,
    InMemoryRenewalSchedule,
    InMemorySubscriptionRepository,
    SubscriptionTables,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = WorkshopPolicy(centres={"FR": "CENTRE-LYON"})


class ConstraintViolation(Exception):
    """What PostgreSQL would refuse (a unique key, a check): a bug in the service, not a rule."""


@dataclass(frozen=True)
class PartMoveRow:
    ticket_id: str | None
    centre_id: str
    part_sku: str
    quantity: int
    move: PartMove
    at: datetime


@dataclass(frozen=True)
class CatalogSkuRow:
    listing: CatalogSku
    discontinued: bool = False


@dataclass
class RepairTables:
    """The migrations' tables: tickets (with their history), parts stock and moves, sold units, the
    catalog's SKUs and resale prices, and the subscriptions' tables."""

    tickets: dict[str, Ticket] = field(default_factory=dict)
    parts_stock: dict[tuple[str, str], PartStock] = field(default_factory=dict)
    part_moves: list[PartMoveRow] = field(default_factory=list)
    sold_devices: dict[str, SoldDevice] = field(default_factory=dict)
    catalog_skus: dict[str, CatalogSkuRow] = field(default_factory=dict)
    catalog_prices: dict[tuple[str, str], ResalePrice] = field(default_factory=dict)
    subscriptions: SubscriptionTables = field(default_factory=SubscriptionTables)


def _ticket_row(ticket: Ticket) -> Ticket:
    """What a row keeps: the state, not the recorder (a copy, so the caller's changes are not saved
    until it saves them)."""
    return replace(ticket, history=list(ticket.history), recorder=EventRecorder())


def _stock_row(stock: PartStock) -> PartStock:
    return replace(stock, recorder=EventRecorder())


class InMemoryTicketRepository:
    def __init__(self, tables: RepairTables, seen: TrackedAggregates[DomainEvent]) -> None:
        self.tables = tables
        self.seen = seen

    def _loaded(self, row: Ticket) -> Ticket:
        ticket = _ticket_row(row)
        self.seen.append(ticket)
        return ticket

    def _check_unique(self, ticket: Ticket) -> None:
        for other in self.tables.tickets.values():
            if other.ticket_id == ticket.ticket_id:
                continue
            if ticket.drop_off_id is not None and other.drop_off_id == ticket.drop_off_id:
                raise ConstraintViolation(f"drop-off {ticket.drop_off_id} is ticket {other.ticket_id}")
            if other.tracking_hash == ticket.tracking_hash:
                raise ConstraintViolation("two tickets with one tracking code")
        if (ticket.coverage == "plan") != (ticket.subscription_id is not None):
            raise ConstraintViolation("a plan's ticket names its subscription, and only such a ticket")

    async def get(self, ticket_id: str, *, for_update: bool = False) -> Ticket | None:
        # No lock to take: the twin's transactions run one at a time.
        row = self.tables.tickets.get(ticket_id)
        return None if row is None else self._loaded(row)

    async def add(self, ticket: Ticket) -> None:
        if ticket.ticket_id in self.tables.tickets:
            raise ConstraintViolation(f"ticket {ticket.ticket_id} exists already")
        self._check_unique(ticket)
        self.tables.tickets[ticket.ticket_id] = _ticket_row(ticket)
        self.seen.append(ticket)

    async def save(self, ticket: Ticket) -> None:
        stored = self.tables.tickets[ticket.ticket_id]
        if ticket.history[: len(stored.history)] != stored.history:
            raise ConstraintViolation("a ticket's history is appended, never rewritten")
        self._check_unique(ticket)
        self.tables.tickets[ticket.ticket_id] = _ticket_row(ticket)
        self.seen.append(ticket)

    async def by_drop_off(self, drop_off_id: str) -> Ticket | None:
        row = next((t for t in self.tables.tickets.values() if t.drop_off_id == drop_off_id), None)
        return None if row is None else self._loaded(row)

    async def by_tracking_hash(self, tracking_hash: str) -> Ticket | None:
        row = next((t for t in self.tables.tickets.values() if t.tracking_hash == tracking_hash), None)
        return None if row is None else self._loaded(row)

    async def find(self, query: TicketQuery, after: tuple[datetime, str] | None, limit: int) -> list[Ticket]:
        matching = [
            t
            for t in self.tables.tickets.values()
            if (query.customer_id is None or t.customer_id == query.customer_id)
            and (query.status is None or t.status == query.status)
            and (query.shop_id is None or t.shop_id == query.shop_id)
            and (query.centre_id is None or t.centre_id == query.centre_id)
            and (after is None or (t.opened_at, t.ticket_id) < after)
        ]
        matching.sort(key=lambda t: (t.opened_at, t.ticket_id), reverse=True)
        return [self._loaded(t) for t in matching[:limit]]

    async def claims_for(self, subscription_id: str, identifier: DeviceIdentifier, since: datetime) -> int:
        return sum(
            1
            for t in self.tables.tickets.values()
            if t.subscription_id == subscription_id and t.device.identifier == identifier and t.opened_at >= since
        )

    async def open_tickets(
        self, query: OpenTicketQuery, opened_by: datetime, after: tuple[datetime, str] | None, limit: int
    ) -> list[Ticket]:
        matching = [
            t
            for t in self.tables.tickets.values()
            if t.status in OPEN
            and t.opened_at <= opened_by
            and (query.market is None or t.market == query.market)
            and (query.centre_id is None or t.centre_id == query.centre_id)
            and (after is None or (t.opened_at, t.ticket_id) > after)
        ]
        matching.sort(key=lambda t: (t.opened_at, t.ticket_id))
        return [self._loaded(t) for t in matching[:limit]]

    async def claim_unanswered_quotes(self, at: datetime, limit: int) -> list[Ticket]:
        # No lock to skip: the twin's transactions run one at a time.
        due = [
            t
            for t in self.tables.tickets.values()
            if t.status == "quoted" and t.answer_by is not None and t.answer_by <= at
        ]
        due.sort(key=lambda t: (t.answer_by or at, t.ticket_id))
        return [self._loaded(t) for t in due[:limit]]


class InMemoryPartsRepository:
    def __init__(self, tables: RepairTables, seen: TrackedAggregates[DomainEvent]) -> None:
        self.tables = tables
        self.seen = seen

    def _loaded(self, row: PartStock) -> PartStock:
        stock = _stock_row(row)
        self.seen.append(stock)
        return stock

    async def lock(self, centre_id: str, part_skus: Sequence[str]) -> dict[str, PartStock]:
        rows = (self.tables.parts_stock.get((centre_id, sku)) for sku in sorted(set(part_skus)))
        return {row.part_sku: self._loaded(row) for row in rows if row is not None}

    async def stock(self, centre_id: str, part_sku: str) -> PartStock:
        row = self.tables.parts_stock.setdefault((centre_id, part_sku), PartStock(centre_id, part_sku))
        return self._loaded(row)

    async def save(self, stocks: Sequence[PartStock]) -> None:
        for stock in stocks:
            if not 0 <= stock.reserved <= stock.on_hand:
                raise ConstraintViolation(f"{stock.part_sku}: {stock.reserved} reserved of {stock.on_hand}")
            self.tables.parts_stock[(stock.centre_id, stock.part_sku)] = _stock_row(stock)
            self.seen.append(stock)

    async def record_moves(
        self, ticket_id: str | None, centre_id: str, needs: Sequence[PartNeed], move: PartMove, at: datetime
    ) -> None:
        self.tables.part_moves.extend(
            PartMoveRow(ticket_id, centre_id, n.part_sku, n.quantity, move, at) for n in needs
        )

    async def find(self, centre_id: str, after: str | None, limit: int) -> list[PartStock]:
        rows = sorted(
            (s for (c, sku), s in self.tables.parts_stock.items() if c == centre_id and (after is None or sku > after)),
            key=lambda s: s.part_sku,
        )
        return [_stock_row(s) for s in rows[:limit]]


class InMemorySoldDevices:
    def __init__(self, tables: RepairTables) -> None:
        self.tables = tables

    async def record(self, devices: Sequence[SoldDevice]) -> None:
        for device in devices:
            self.tables.sold_devices.setdefault(device.unit_id, device)

    async def get(self, unit_id: str) -> SoldDevice | None:
        return self.tables.sold_devices.get(unit_id)


class InMemoryResalePrices:
    def __init__(self, tables: RepairTables) -> None:
        self.tables = tables

    async def save_listing(self, listing: CatalogSku) -> None:
        known = self.tables.catalog_skus.get(listing.sku)
        self.tables.catalog_skus[listing.sku] = CatalogSkuRow(listing, known is not None and known.discontinued)

    async def price_of(self, sku: str, market: str) -> tuple[CatalogSku | None, ResalePrice | None]:
        row = self.tables.catalog_skus.get(sku)
        if row is None:
            return None, None
        return row.listing, self.tables.catalog_prices.get((sku, market))

    async def save_price(self, price: ResalePrice) -> None:
        if price.sku not in self.tables.catalog_skus:
            raise ConstraintViolation(f"a price of {price.sku}, a SKU never listed")
        self.tables.catalog_prices[(price.sku, price.market)] = price

    async def discontinue(self, sku: str) -> None:
        row = self.tables.catalog_skus.get(sku)
        if row is not None:
            self.tables.catalog_skus[sku] = replace(row, discontinued=True)

    async def around(self, market: str, skus: Sequence[str], models: Sequence[str]) -> list[SkuOnSale]:
        rows = self.tables.catalog_skus
        families = set(models) | {rows[sku].listing.model_family for sku in skus if sku in rows}
        around = [row for sku, row in rows.items() if sku in skus or row.listing.model_family in families]
        return [
            SkuOnSale(
                row.listing.sku,
                row.listing.model_family,
                row.discontinued,
                price.price if (price := self.tables.catalog_prices.get((row.listing.sku, market))) else None,
            )
            for row in sorted(around, key=lambda r: r.listing.sku)
        ]


class InMemoryRepairUnitOfWork(InMemoryUnitOfWork[DomainEvent, RepairTables], RepairUnitOfWork):
    def __init__(
        self,
        store: MemoryStore[RepairTables] | None = None,
        *,
        transaction: MemoryTransaction[RepairTables] | None = None,
    ) -> None:
        super().__init__(OutboxWriter("repair"), to_contract, store=store, transaction=transaction)

    def bind(self, tables: RepairTables) -> None:
        self.tickets = InMemoryTicketRepository(tables, self.seen)
        self.parts = InMemoryPartsRepository(tables, self.seen)
        self.sold_devices = InMemorySoldDevices(tables)
        self.resale_prices = InMemoryResalePrices(tables)
        self.subscriptions = InMemorySubscriptionRepository(tables.subscriptions)
        self.billing = InMemoryBillingLedger(tables.subscriptions)
        self.renewals = InMemoryRenewalSchedule(tables.subscriptions)


class RepairTwin:
    """The repair service on memory: a store, units of work on it, its HTTP edge, its consumers."""

    def __init__(
        self,
        clock: FixedClock | None = None,
        policy: WorkshopPolicy = POLICY,
        plans: Plans = DEFAULT_PLANS,
        sla: SlaPolicy | None = None,
    ) -> None:
        self.store: MemoryStore[RepairTables] = MemoryStore(RepairTables())
        self.clock = clock or FixedClock(START)
        self.policy = policy
        self.plans = plans
        self.sla = sla or SlaPolicy()

    @property
    def tables(self) -> RepairTables:
        return self.store.tables

    def unit_of_work(self) -> InMemoryRepairUnitOfWork:
        return InMemoryRepairUnitOfWork(self.store)

    def app(self) -> FastAPI:
        """The service's routes and the shared error mapping without the runtime, trusting this test
        session's token issuer as the real service does through its settings."""
        app = create_edge(
            title="repair on its twin",
            routers=routers(Edge(self.unit_of_work, self.clock, self.policy, self.plans, sla=self.sla)),
        )
        install_verifier(app, session_verifier())
        return app

    def client(self, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app()), base_url="http://repair", headers=headers or {}
        )

    def consuming(self) -> InMemoryService[RepairTables, InMemoryRepairUnitOfWork]:
        """The service's consumers on faststream's in-memory broker and this twin's store."""

        def joining(tx: MemoryTransaction[RepairTables]) -> InMemoryRepairUnitOfWork:
            return InMemoryRepairUnitOfWork(transaction=tx)

        return InMemoryService(
            self.store, [subscription(joining, self.clock, self.policy)], lambda _: self.unit_of_work()
        )
