"""The trade-in service's in-memory twin: its tables in dicts, repositories over them with the same
answers and refusals as PostgreSQL (the one-open-trade-in-per-device index included), the unit of
work that binds them with the vouchers' (`voucher_fakes`), its HTTP edge and its consumers (a plain
module: import what you use, never from conftest)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from reloop_contracts.amounts import Money
from reloop_localstack.testing import session_verifier
from reloop_shared.clock import FixedClock
from reloop_shared.http.app import create_edge
from reloop_shared.http.authentication import install_verifier
from reloop_shared.memory import InMemoryUnitOfWork, MemoryStore, MemoryTransaction
from reloop_shared.memory_service import InMemoryService
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.recording import EventRecorder
from reloop_shared.unit_of_work import TrackedAggregates
from services.trade_in.tests.catalog_fakes import (
    CatalogTables,
    InMemoryDerivationRules,
    InMemoryResalePrices,
    derived_from_catalog,
)
from services.trade_in.tests.voucher_fakes import ConstraintViolation, InMemoryVoucherRepository, VoucherTables
from trade_in.adapters.translators import to_contract
from trade_in.domain.counter_offers import CounterOfferPolicy
from trade_in.domain.devices import DeviceIdentifier
from trade_in.domain.errors import DeviceAlreadyOpen
from trade_in.domain.events import DomainEvent
from trade_in.domain.grades import is_worse
from trade_in.domain.policy import TradeInPolicy
from trade_in.domain.pricing import GridEntry, GridKey
from trade_in.domain.trade_ins import TradeIn
from trade_in.entrypoints.consumers import subscription
from trade_in.entrypoints.http import routers
from trade_in.entrypoints.http.edge import Edge
from trade_in.entrypoints.http.vouchers import voucher_routes
from trade_in.service_layer.ports import DenyListEntry, GradingAccuracy, TradeInQuery
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = TradeInPolicy(
    quote_validity=timedelta(days=21),
    counter_offers=CounterOfferPolicy(timedelta(days=7), "decline"),
    voucher_bonus_bps={"FR": 1000},
)


@dataclass(frozen=True)
class PayoutRow:
    reference: str
    amount: Money
    paid_at: datetime


@dataclass
class TradeInTables:
    """The migrations' tables: trade-ins (with their history), grid, deny list, payouts, vouchers."""

    trade_ins: dict[str, TradeIn] = field(default_factory=dict)
    price_grid: dict[GridKey, GridEntry] = field(default_factory=dict)
    deny_list: dict[DeviceIdentifier, DenyListEntry] = field(default_factory=dict)
    payouts: dict[str, PayoutRow] = field(default_factory=dict)
    vouchers: VoucherTables = field(default_factory=VoucherTables)
    catalog: CatalogTables = field(default_factory=CatalogTables)


def _row(trade_in: TradeIn) -> TradeIn:
    """What a row keeps: the state, not the recorder (a copy, so the caller's changes are not saved
    until it saves them)."""
    return replace(trade_in, history=list(trade_in.history), recorder=EventRecorder())


class InMemoryTradeIns:
    def __init__(self, tables: TradeInTables, seen: TrackedAggregates[DomainEvent]) -> None:
        self.tables = tables
        self.seen = seen

    def _loaded(self, row: TradeIn) -> TradeIn:
        trade_in = _row(row)
        self.seen.append(trade_in)
        return trade_in

    async def get(self, trade_in_id: str, *, for_update: bool = False) -> TradeIn | None:
        # No lock to take: the twin's transactions run one at a time.
        row = self.tables.trade_ins.get(trade_in_id)
        return None if row is None else self._loaded(row)

    def _check_unique(self, trade_in: TradeIn) -> None:
        identifier = trade_in.device.identifier
        if identifier is not None and trade_in.is_open:
            for other in self.tables.trade_ins.values():
                if (
                    other.trade_in_id != trade_in.trade_in_id
                    and other.is_open
                    and other.device.identifier == identifier
                ):
                    raise DeviceAlreadyOpen(
                        f"{identifier.kind} {identifier.value} is in another open trade-in", field="identifier"
                    )
        for other in self.tables.trade_ins.values():
            if other.trade_in_id == trade_in.trade_in_id:
                continue
            if trade_in.drop_off_id is not None and other.drop_off_id == trade_in.drop_off_id:
                raise ConstraintViolation(f"drop-off {trade_in.drop_off_id} is trade-in {other.trade_in_id}")
            if trade_in.unit_id is not None and other.unit_id == trade_in.unit_id:
                raise ConstraintViolation(f"unit {trade_in.unit_id} is trade-in {other.trade_in_id}")

    async def add(self, trade_in: TradeIn) -> None:
        if trade_in.trade_in_id in self.tables.trade_ins:
            raise ConstraintViolation(f"trade-in {trade_in.trade_in_id} exists already")
        self._check_unique(trade_in)
        self.tables.trade_ins[trade_in.trade_in_id] = _row(trade_in)
        self.seen.append(trade_in)

    async def save(self, trade_in: TradeIn) -> None:
        stored = self.tables.trade_ins[trade_in.trade_in_id]
        if trade_in.history[: len(stored.history)] != stored.history:
            raise ConstraintViolation("a trade-in's history is appended, never rewritten")
        self._check_unique(trade_in)
        self.tables.trade_ins[trade_in.trade_in_id] = _row(trade_in)
        self.seen.append(trade_in)

    async def open_with(self, identifier: DeviceIdentifier) -> str | None:
        return next(
            (t.trade_in_id for t in self.tables.trade_ins.values() if t.is_open and t.device.identifier == identifier),
            None,
        )

    async def by_drop_off(self, drop_off_id: str) -> TradeIn | None:
        row = next((t for t in self.tables.trade_ins.values() if t.drop_off_id == drop_off_id), None)
        return None if row is None else self._loaded(row)

    async def due(self, at: datetime, limit: int) -> list[TradeIn]:
        due = [
            t
            for t in self.tables.trade_ins.values()
            if (t.status in ("quoted", "accepted") and t.expires_at is not None and t.expires_at <= at)
            or (t.status == "counter_offered" and t.answer_by is not None and t.answer_by < at)
        ]
        return [self._loaded(t) for t in sorted(due, key=lambda t: t.trade_in_id)[:limit]]

    async def find(self, query: TradeInQuery, after: tuple[datetime, str] | None, limit: int) -> list[TradeIn]:
        matching = [
            t
            for t in self.tables.trade_ins.values()
            if (query.customer_id is None or t.customer_id == query.customer_id)
            and (query.status is None or t.status == query.status)
            and (query.market is None or t.market == query.market)
            and (query.shop_id is None or t.shop_id == query.shop_id)
            and (after is None or (t.quoted_at, t.trade_in_id) < after)
        ]
        matching.sort(key=lambda t: (t.quoted_at, t.trade_in_id), reverse=True)
        return [self._loaded(t) for t in matching[:limit]]

    async def grading_accuracy(self, shop_id: str) -> GradingAccuracy:
        checked = [
            t
            for t in self.tables.trade_ins.values()
            if t.shop_id == shop_id and t.drop_off_id is not None and t.grade is not None and t.shop_grade is not None
        ]
        accurate = sum(1 for t in checked if t.grade and t.shop_grade and not is_worse(t.grade, t.shop_grade))
        return GradingAccuracy(shop_id, len(checked), accurate)


class InMemoryPriceGrid:
    def __init__(self, tables: TradeInTables) -> None:
        self.tables = tables

    async def get(self, key: GridKey) -> GridEntry | None:
        # Set by hand wins; else derived from the catalog's resale prices, as on PostgreSQL.
        return self.tables.price_grid.get(key) or await derived_from_catalog(self.tables.catalog, key)

    async def put(self, entry: GridEntry) -> None:
        self.tables.price_grid[entry.key] = entry

    async def find(
        self, market: str, model_family: str | None, after: tuple[str, int, str] | None, limit: int
    ) -> list[GridEntry]:
        def order(e: GridEntry) -> tuple[str, int, str]:
            return (e.key.model_family, e.key.storage_gb, e.key.grade)

        found = [
            e
            for e in self.tables.price_grid.values()
            if e.key.market == market
            and (model_family is None or e.key.model_family == model_family)
            and (after is None or order(e) > after)
        ]
        return sorted(found, key=order)[:limit]


class InMemoryDenyList:
    def __init__(self, tables: TradeInTables) -> None:
        self.tables = tables

    async def check(self, identifier: DeviceIdentifier) -> str | None:
        entry = self.tables.deny_list.get(identifier)
        return None if entry is None else entry.reason

    async def add(self, entry: DenyListEntry) -> None:
        self.tables.deny_list[entry.identifier] = entry

    async def remove(self, identifier: DeviceIdentifier) -> bool:
        return self.tables.deny_list.pop(identifier, None) is not None

    async def find(self, after: tuple[str, str] | None, limit: int) -> list[DenyListEntry]:
        entries = sorted(self.tables.deny_list.values(), key=lambda e: (e.identifier.kind, e.identifier.value))
        return [e for e in entries if after is None or (e.identifier.kind, e.identifier.value) > after][:limit]


class InMemoryPayoutLedger:
    def __init__(self, tables: TradeInTables) -> None:
        self.tables = tables

    async def transfer(self, trade_in_id: str, amount: Money, at: datetime) -> str:
        row = self.tables.payouts.setdefault(
            trade_in_id, PayoutRow(f"PAY-{len(self.tables.payouts) + 1:06d}", amount, at)
        )
        return row.reference


class InMemoryTradeInUnitOfWork(InMemoryUnitOfWork[DomainEvent, TradeInTables], TradeInUnitOfWork):
    def __init__(
        self,
        store: MemoryStore[TradeInTables] | None = None,
        *,
        transaction: MemoryTransaction[TradeInTables] | None = None,
    ) -> None:
        super().__init__(OutboxWriter("trade-in"), to_contract, store=store, transaction=transaction)

    def bind(self, tables: TradeInTables) -> None:
        self.trade_ins = InMemoryTradeIns(tables, self.seen)
        self.price_grid = InMemoryPriceGrid(tables)
        self.deny_list = InMemoryDenyList(tables)
        self.payouts = InMemoryPayoutLedger(tables)
        self.vouchers = InMemoryVoucherRepository(tables.vouchers)
        self.resale_prices = InMemoryResalePrices(tables.catalog)
        self.derivation_rules = InMemoryDerivationRules(tables.catalog)


class TradeInTwin:
    """The trade-in service on memory: a store, units of work on it, its HTTP edge, its consumers."""

    def __init__(self, clock: FixedClock | None = None, policy: TradeInPolicy = POLICY) -> None:
        self.store: MemoryStore[TradeInTables] = MemoryStore(TradeInTables())
        self.clock = clock or FixedClock(START)
        self.policy = policy

    @property
    def tables(self) -> TradeInTables:
        return self.store.tables

    def unit_of_work(self) -> InMemoryTradeInUnitOfWork:
        return InMemoryTradeInUnitOfWork(self.store)

    def app(self) -> FastAPI:
        """The service's routes and the shared error mapping without the runtime, trusting this test
        session's token issuer as the real service does through its settings."""
        app = create_edge(
            title="trade-in on its twin",
            routers=[
                *routers(Edge(self.unit_of_work, self.clock, self.policy)),
                voucher_routes(self.unit_of_work, self.clock, validity=self.policy.voucher_validity),
            ],
        )
        install_verifier(app, session_verifier())
        return app

    def client(self, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app()), base_url="http://trade-in", headers=headers or {}
        )

    def consuming(self) -> InMemoryService[TradeInTables, InMemoryTradeInUnitOfWork]:
        """The service's consumers on faststream's in-memory broker and this twin's store."""

        def joining(tx: MemoryTransaction[TradeInTables]) -> InMemoryTradeInUnitOfWork:
            return InMemoryTradeInUnitOfWork(transaction=tx)

        subscriptions = [
            subscription(
                joining,
                self.clock,
                hold_for=self.policy.voucher_hold,
                refund_validity=self.policy.voucher_refund_validity,
            )
        ]
        return InMemoryService(self.store, subscriptions, lambda _: self.unit_of_work())
