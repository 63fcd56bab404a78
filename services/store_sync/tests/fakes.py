"""Store-sync's in-memory twin: the unit of work and repositories on a `MemoryStore`, for unit tests.

The fake repositories keep the SQL ones' invariants: a taken id is refused the same way (False,
or the error the constraint would raise), an aggregate loaded is a copy (a change not saved is not
kept), and they track aggregates on the unit of work exactly where the SQL repositories do (a
locked or added shop, a shipment loaded or added). Contact details are sealed by the real sealer
on an in-memory key store. A plain module: import what you use, never from conftest.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from reloop_contracts.common import SealedPersonalData
from reloop_shared.clock import FixedClock
from reloop_shared.http.pagination import Key
from reloop_shared.memory import InMemoryUnitOfWork, MemoryStore, MemoryTransaction
from reloop_shared.memory_service import InMemoryService
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.personal_data import InMemoryKeyStore, PersonalDataSealer
from reloop_shared.recording import EventRecorder
from reloop_shared.unit_of_work import TrackedAggregates
from store_sync.adapters.personal_data import ContactSealer
from store_sync.adapters.translators import to_contract
from store_sync.adapters.waiting_returns import from_waiting, waiting_return
from store_sync.domain.collected_devices import CollectedDevice, ShippedDevice
from store_sync.domain.collection import Shipment
from store_sync.domain.commands import LocationCount
from store_sync.domain.days import DayTotals
from store_sync.domain.errors import NotFound
from store_sync.domain.events import DomainEvent
from store_sync.domain.journal import WAITING, Entry, OnRecord, ShopJournal, Submitted
from store_sync.domain.partner import SkuMapping
from store_sync.domain.policy import CustomerDataPolicy
from store_sync.domain.shops import Operator, Shop
from store_sync.domain.tax import TaxSplit
from store_sync.domain.transactions import Return
from store_sync.domain.voucher_holds import VoucherHold
from store_sync.entrypoints.consumers import subscription
from store_sync.service_layer.ports import Erased, FeedItem, Quarantined, ToQuarantine
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork

SERVICE = "store-sync"


class UniqueViolation(Exception):
    """What PostgreSQL would raise: a primary key inserted twice (a bug, never a business answer)."""


@dataclass
class TransactionRow:
    shop_id: str
    client_txn_id: str
    kind: str
    canonical_id: str
    fingerprint: str
    source: str
    status: str
    occurred_at: datetime
    business_date: date
    amount_minor: int
    tax_minor: int
    currency: str
    subject_id: str | None
    customer_id: str | None
    sale_txn_id: str | None
    waiting: dict[str, Any] | None


@dataclass
class QuarantineRow:
    quarantine_id: int
    shop_id: str
    operator_id: str | None
    source: str
    ticket_key: str
    client_txn_id: str | None
    ticket: dict[str, Any]
    customer: dict[str, Any] | None
    subject_id: str | None
    customer_id: str | None
    reason: str
    field: str | None
    partner_sku: str | None
    status: str
    attempts: int
    business_date: date | None
    quarantined_at: datetime
    replayed_at: datetime | None = None
    outcome: str | None = None


@dataclass
class CollectedRow:
    shop_id: str
    device: ShippedDevice
    collected_at: datetime
    shipment_id: str | None = None


@dataclass
class CredentialRow:
    shop_id: str
    key_hash: bytes
    revoked: bool = False


@dataclass
class FeedSkuRow:
    seq: int
    kind: str | None = None
    title: str | None = None
    grade: str | None = None
    discontinued_at: datetime | None = None


@dataclass
class FeedPriceRow:
    amount_minor: int
    currency: str
    seq: int


@dataclass
class FeedAvailabilityRow:
    location_kind: str
    market: str
    available: int
    seq: int


@dataclass
class StoreSyncTables:
    """Store-sync's tables, keyed as their primary keys are."""

    operators: dict[str, Operator] = field(default_factory=dict)
    shops: dict[str, Shop] = field(default_factory=dict)
    credentials: dict[str, CredentialRow] = field(default_factory=dict)
    transactions: dict[tuple[str, str], TransactionRow] = field(default_factory=dict)
    sku_mappings: dict[tuple[str, str], SkuMapping] = field(default_factory=dict)
    unit_identifiers: dict[str, str] = field(default_factory=dict)
    quarantine: dict[int, QuarantineRow] = field(default_factory=dict)
    collected: dict[tuple[str, str], CollectedRow] = field(default_factory=dict)
    shipments: dict[str, Shipment] = field(default_factory=dict)
    feed_skus: dict[str, FeedSkuRow] = field(default_factory=dict)
    feed_prices: dict[tuple[str, str, datetime], FeedPriceRow] = field(default_factory=dict)
    feed_availability: dict[tuple[str, str], FeedAvailabilityRow] = field(default_factory=dict)
    feed_as_of: dict[str, datetime] = field(default_factory=dict)
    voucher_holds: dict[tuple[str, str], VoucherHold] = field(default_factory=dict)
    last_quarantine_id: int = 0
    last_feed_seq: int = 0


def _json(value: Any) -> Any:
    """What a JSONB column gives back."""
    return json.loads(json.dumps(value))


class FakeOperators:
    def __init__(self, tables: StoreSyncTables) -> None:
        self.tables = tables

    async def get(self, operator_id: str, *, for_update: bool = False) -> Operator | None:
        found = self.tables.operators.get(operator_id)
        return dataclasses.replace(found) if found else None

    async def add(self, operator: Operator) -> bool:
        if operator.operator_id in self.tables.operators:
            return False
        self.tables.operators[operator.operator_id] = dataclasses.replace(operator)
        return True

    async def set_policy(self, operator_id: str, policy: CustomerDataPolicy) -> None:
        if operator_id in self.tables.operators:
            self.tables.operators[operator_id].policy = policy


class FakeShops:
    def __init__(self, tables: StoreSyncTables, seen: TrackedAggregates[DomainEvent]) -> None:
        self.tables = tables
        self.seen = seen

    def _load(self, stored: Shop) -> Shop:
        # The SQL joins the operator: its policy and till format are read, not stored on the shop.
        operator = self.tables.operators.get(stored.operator_id or "")
        return dataclasses.replace(
            stored,
            operator_policy=operator.policy if operator else None,
            pos_format=operator.pos_format if operator else "reloop",
            recorder=EventRecorder(),
        )

    async def get(self, shop_id: str) -> Shop | None:
        stored = self.tables.shops.get(shop_id)
        return self._load(stored) if stored else None

    async def lock(self, shop_id: str) -> Shop:
        stored = self.tables.shops.get(shop_id)
        if stored is None:
            raise NotFound(f"no shop {shop_id}", field="shop_id")
        shop = self._load(stored)
        self.seen.append(shop)
        return shop

    async def lock_of_operator(self, operator_id: str) -> list[Shop]:
        shops = [self._load(s) for _, s in sorted(self.tables.shops.items()) if s.operator_id == operator_id]
        for shop in shops:
            self.seen.append(shop)
        return shops

    async def lock_all(self, shop_ids: Iterable[str]) -> list[Shop]:
        wanted = set(shop_ids)
        shops = [self._load(s) for _, s in sorted(self.tables.shops.items()) if s.shop_id in wanted]
        for shop in shops:
            self.seen.append(shop)
        return shops

    async def add(self, shop: Shop) -> bool:
        self.seen.append(shop)
        if shop.shop_id in self.tables.shops:
            return False
        self.tables.shops[shop.shop_id] = dataclasses.replace(shop, recorder=EventRecorder())
        return True

    async def save_policy(self, shop: Shop) -> None:
        self.tables.shops[shop.shop_id].own_policy = shop.own_policy


class FakeCredentials:
    def __init__(self, tables: StoreSyncTables) -> None:
        self.tables = tables

    async def add(self, shop_id: str, key_id: str, key_hash: bytes) -> None:
        if key_id in self.tables.credentials:
            raise UniqueViolation(f"shop_credentials: key {key_id}")
        self.tables.credentials[key_id] = CredentialRow(shop_id, key_hash)

    async def revoke(self, shop_id: str, key_id: str) -> bool:
        row = self.tables.credentials.get(key_id)
        if row is None or row.shop_id != shop_id or row.revoked:
            return False
        row.revoked = True
        return True


class FakeJournal:
    def __init__(self, tables: StoreSyncTables) -> None:
        self.tables = tables

    async def open(self, shop: Shop, batch: Sequence[Submitted]) -> ShopJournal:
        ids = {item.txn.client_txn_id for item in batch}
        ids |= {item.txn.sale_txn_id for item in batch if isinstance(item.txn, Return) and item.txn.sale_txn_id}
        sales = {item.txn.client_txn_id for item in batch if item.txn.KIND == "sale"}
        rows = [r for (shop_id, _), r in self.tables.transactions.items() if shop_id == shop.shop_id]
        on_record = {
            r.client_txn_id: OnRecord(r.client_txn_id, r.kind, r.canonical_id, r.fingerprint, r.status)
            for r in rows
            if r.client_txn_id in ids
        }
        waiting = [r for r in rows if r.status == WAITING and r.sale_txn_id in sales]
        return ShopJournal(shop, on_record, [_waiting_entry(r) for r in waiting])

    async def save(self, journal: ShopJournal) -> None:
        shop = journal.shop
        for entry in journal.entries:
            key = (shop.shop_id, entry.txn.client_txn_id)
            if key in self.tables.transactions:
                raise UniqueViolation(f"pos_transactions: {key}")
            self.tables.transactions[key] = _transaction_row(shop, entry)
        for entry in journal.released:
            row = self.tables.transactions[(shop.shop_id, entry.txn.client_txn_id)]
            row.status, row.waiting = "recorded", None
        for collected in journal.collected:
            key = (collected.device.source_id, collected.device.unit_id)
            self.tables.collected.setdefault(
                key, CollectedRow(collected.shop_id, collected.device, collected.collected_at)
            )

    async def days(self, shop: Shop, business_dates: Iterable[date]) -> dict[date, DayTotals]:
        return {day: self._day(shop, day) for day in set(business_dates)}

    def _day(self, shop: Shop, day: date) -> DayTotals:
        rows = [
            r
            for r in self.tables.transactions.values()
            if r.shop_id == shop.shop_id and r.business_date == day and r.status == "recorded"
        ]
        totals = DayTotals.empty(shop.currency)
        sales = [r for r in rows if r.kind == "sale"]
        returns = [r for r in rows if r.kind == "return"]
        return dataclasses.replace(
            totals,
            sales=len(sales),
            sales_amount=dataclasses.replace(totals.sales_amount, amount_minor=sum(r.amount_minor for r in sales)),
            sales_tax=dataclasses.replace(totals.sales_amount, amount_minor=sum(r.tax_minor for r in sales)),
            returns=len(returns),
            refunds=dataclasses.replace(totals.refunds, amount_minor=sum(r.amount_minor for r in returns)),
            trade_ins=sum(1 for r in rows if r.kind == "trade_in"),
            repairs=sum(1 for r in rows if r.kind == "repair"),
        )


def _transaction_row(shop: Shop, entry: Entry) -> TransactionRow:
    txn, customer = entry.txn, entry.customer
    waiting = None
    if entry.status == WAITING:
        assert isinstance(txn, Return)
        waiting = json.loads(waiting_return(txn, customer))
    return TransactionRow(
        shop.shop_id,
        txn.client_txn_id,
        txn.KIND,
        entry.canonical_id,
        entry.fingerprint,
        entry.source,
        entry.status,
        txn.occurred_at,
        entry.business_date,
        entry.tax.gross,
        entry.tax.tax,
        shop.currency,
        customer.subject_id if customer else None,
        customer.customer_id if customer else None,
        entry.sale_txn_id,
        waiting,
    )


def _waiting_entry(row: TransactionRow) -> Entry:
    assert row.waiting is not None
    ret, customer = from_waiting(row.waiting)
    return Entry(
        txn=ret,
        canonical_id=row.canonical_id,
        fingerprint=row.fingerprint,
        source=row.source,
        business_date=row.business_date,
        status=row.status,
        tax=TaxSplit(row.amount_minor, row.amount_minor - row.tax_minor, row.tax_minor),
        subject_id=row.subject_id,
        customer=customer,
        stored=True,
    )


class FakePartnerMappings:
    def __init__(self, tables: StoreSyncTables) -> None:
        self.tables = tables

    async def skus(self, operator_id: str, codes: Iterable[str]) -> dict[str, SkuMapping]:
        mappings = self.tables.sku_mappings
        return {code: mappings[(operator_id, code)] for code in set(codes) if (operator_id, code) in mappings}

    async def all_skus(self, operator_id: str, after: Key | None, limit: int) -> list[SkuMapping]:
        found = sorted((code, m) for (op, code), m in self.tables.sku_mappings.items() if op == operator_id)
        return [m for code, m in found if after is None or (code,) > after][:limit]

    async def map_sku(self, operator_id: str, mapping: SkuMapping, at: datetime) -> None:
        self.tables.sku_mappings[(operator_id, mapping.partner_sku)] = mapping

    async def units(self, identifiers: Iterable[str]) -> dict[str, str]:
        known = self.tables.unit_identifiers
        return {i: known[i] for i in set(identifiers) if i in known}

    async def learn_unit(self, identifier: str, unit_id: str) -> None:
        self.tables.unit_identifiers[identifier] = unit_id


class FakeQuarantine:
    def __init__(self, tables: StoreSyncTables) -> None:
        self.tables = tables

    async def put(self, item: ToQuarantine, at: datetime) -> int:
        row = next(
            (
                r
                for r in self.tables.quarantine.values()
                if (r.shop_id, r.ticket_key, r.status) == (item.shop_id, item.ticket_key, "open")
            ),
            None,
        )
        if row is None:
            self.tables.last_quarantine_id += 1
            quarantine_id = self.tables.last_quarantine_id
            self.tables.quarantine[quarantine_id] = QuarantineRow(
                quarantine_id,
                item.shop_id,
                item.operator_id,
                item.source,
                item.ticket_key,
                item.client_txn_id,
                _json(item.ticket),
                _json(item.customer),
                item.subject_id,
                item.customer_id,
                item.reason,
                item.field,
                item.partner_sku,
                "open",
                1,
                item.business_date,
                at,
            )
            return quarantine_id
        # The open entry of a ticket sent again: its reason is updated, what it kept of the customer too.
        row.ticket = _json(item.ticket)
        row.customer = _json(item.customer) if item.customer is not None else row.customer
        row.subject_id = item.subject_id or row.subject_id
        row.customer_id = item.customer_id or row.customer_id
        row.reason, row.field, row.partner_sku = item.reason, item.field, item.partner_sku
        row.business_date = item.business_date
        row.attempts += 1
        return row.quarantine_id

    async def put_all(self, items: Sequence[ToQuarantine], at: datetime) -> list[int]:
        return [await self.put(item, at) for item in items]

    async def resolve(self, outcomes: Sequence[tuple[str, str, str]], at: datetime) -> None:
        by_key = {(shop_id, key): outcome for shop_id, key, outcome in outcomes}
        for row in self.tables.quarantine.values():
            outcome = by_key.get((row.shop_id, row.ticket_key))
            if row.status == "open" and outcome is not None:
                row.status, row.replayed_at, row.outcome, row.customer = "replayed", at, outcome, None

    async def still_open(self, quarantine_ids: Sequence[int]) -> set[int]:
        rows = self.tables.quarantine
        return {i for i in quarantine_ids if i in rows and rows[i].status == "open"}

    async def get(self, quarantine_id: int, *, for_update: bool = False) -> Quarantined | None:
        row = self.tables.quarantine.get(quarantine_id)
        return _quarantined(row) if row else None

    async def open_items(
        self,
        *,
        operator_id: str | None = None,
        shop_id: str | None = None,
        after: Key | None = None,
        limit: int | None = None,
    ) -> list[Quarantined]:
        rows = sorted(self.tables.quarantine.values(), key=lambda r: r.quarantine_id)
        found = [
            _quarantined(r)
            for r in rows
            if r.status == "open"
            and _matches(r, operator_id, shop_id)
            and (after is None or (r.quarantine_id,) > after)
        ]
        return found[:limit]

    async def listing(
        self, *, operator_id: str | None, shop_id: str | None, status: str | None, after: Key | None, limit: int
    ) -> list[Quarantined]:
        rows = sorted(self.tables.quarantine.values(), key=lambda r: -r.quarantine_id)
        found = [
            r
            for r in rows
            if _matches(r, operator_id, shop_id)
            and status in (None, r.status)
            and (after is None or (r.quarantine_id,) < after)
        ]
        return [_quarantined(r) for r in found[:limit]]

    async def open_counts(self, shop_id: str, business_dates: Iterable[date]) -> dict[date, int]:
        days = set(business_dates)
        counts: dict[date, int] = {}
        for row in self.tables.quarantine.values():
            if row.shop_id == shop_id and row.status == "open" and row.business_date in days:
                counts[row.business_date] = counts.get(row.business_date, 0) + 1
        return counts


def _matches(row: QuarantineRow, operator_id: str | None, shop_id: str | None) -> bool:
    return operator_id in (None, row.operator_id) and shop_id in (None, row.shop_id)


def _quarantined(row: QuarantineRow) -> Quarantined:
    values = dataclasses.asdict(row)
    del values["subject_id"], values["customer_id"]
    return Quarantined(**values)


class FakeShipments:
    def __init__(self, tables: StoreSyncTables, seen: TrackedAggregates[DomainEvent]) -> None:
        self.tables = tables
        self.seen = seen

    async def waiting(
        self, shop_id: str, *, for_update: bool = False, after: Key | None = None, limit: int | None = None
    ) -> list[CollectedDevice]:
        rows = [r for r in self.tables.collected.values() if r.shop_id == shop_id and r.shipment_id is None]
        rows.sort(key=lambda r: (r.collected_at, r.device.source_id, r.device.unit_id))
        found = [
            CollectedDevice(r.shop_id, r.device, r.collected_at)
            for r in rows
            if after is None or (r.collected_at, r.device.source_id, r.device.unit_id) > after
        ]
        return found[:limit]

    async def get(self, shipment_id: str, *, for_update: bool = False) -> Shipment | None:
        stored = self.tables.shipments.get(shipment_id)
        if stored is None:
            return None
        shipment = dataclasses.replace(stored, recorder=EventRecorder())
        self.seen.append(shipment)
        return shipment

    async def add(self, shipment: Shipment) -> None:
        self.seen.append(shipment)
        if shipment.shipment_id in self.tables.shipments:
            raise UniqueViolation(f"shipments: {shipment.shipment_id}")
        self.tables.shipments[shipment.shipment_id] = dataclasses.replace(shipment, recorder=EventRecorder())
        for device in shipment.devices:
            row = self.tables.collected.get((device.source_id, device.unit_id))
            if row is not None:
                row.shipment_id = shipment.shipment_id

    async def save_receipt(self, shipment: Shipment) -> None:
        stored = self.tables.shipments[shipment.shipment_id]
        stored.status, stored.received_at = shipment.status, shipment.received_at
        stored.received, stored.missing = shipment.received, shipment.missing


class FakeFeed:
    def __init__(self, tables: StoreSyncTables) -> None:
        self.tables = tables

    def _next_seq(self) -> int:
        self.tables.last_feed_seq += 1
        return self.tables.last_feed_seq

    async def listing(self, sku: str, kind: str, title: str, grade: str | None) -> None:
        row = self.tables.feed_skus.get(sku)
        if row is None:
            self.tables.feed_skus[sku] = FeedSkuRow(self._next_seq(), kind, title, grade)
        elif (row.kind, row.title, row.grade) != (kind, title, grade):
            row.kind, row.title, row.grade, row.seq = kind, title, grade, self._next_seq()

    async def discontinued(self, sku: str, at: datetime) -> None:
        row = self.tables.feed_skus.get(sku)
        if row is None:
            self.tables.feed_skus[sku] = FeedSkuRow(self._next_seq(), discontinued_at=at)
        elif row.discontinued_at is None:
            row.discontinued_at, row.seq = at, self._next_seq()

    async def price(self, sku: str, market: str, amount_minor: int, currency: str, effective_at: datetime) -> None:
        row = self.tables.feed_prices.get((sku, market, effective_at))
        if row is None:
            self.tables.feed_prices[(sku, market, effective_at)] = FeedPriceRow(
                amount_minor, currency, self._next_seq()
            )
        elif (row.amount_minor, row.currency) != (amount_minor, currency):
            row.amount_minor, row.currency, row.seq = amount_minor, currency, self._next_seq()

    async def availability(self, sku: str, by_location: tuple[LocationCount, ...], as_of: datetime) -> None:
        known = self.tables.feed_as_of.get(sku)
        if known is not None and known >= as_of:
            return
        self.tables.feed_as_of[sku] = as_of
        present = {c.location_id for c in by_location}
        for (row_sku, location_id), row in self.tables.feed_availability.items():
            if row_sku == sku and row.available != 0 and location_id not in present:
                row.available, row.seq = 0, self._next_seq()
        for count in by_location:
            found = self.tables.feed_availability.get((sku, count.location_id))
            if found is None:
                self.tables.feed_availability[(sku, count.location_id)] = FeedAvailabilityRow(
                    count.location_kind, count.market, count.available, self._next_seq()
                )
            elif found.available != count.available:
                found.location_kind, found.market = count.location_kind, count.market
                found.available, found.seq = count.available, self._next_seq()

    async def changes(self, shop_id: str, market: str, cursor: int, limit: int, now: datetime) -> list[FeedItem]:
        t = self.tables
        changed: dict[str, int] = {}
        seqs = [(sku, row.seq) for sku, row in t.feed_skus.items()]
        seqs += [(sku, row.seq) for (sku, m, _), row in t.feed_prices.items() if m == market]
        seqs += [
            (sku, row.seq)
            for (sku, location_id), row in t.feed_availability.items()
            if location_id == shop_id or (row.location_kind == "warehouse" and row.market == market)
        ]
        for sku, seq in seqs:
            if seq > cursor:
                changed[sku] = max(seq, changed.get(sku, 0))
        page = sorted(changed.items(), key=lambda item: item[1])[:limit]
        return [self._item(sku, seq, shop_id, market, now) for sku, seq in page]

    def _item(self, sku: str, seq: int, shop_id: str, market: str, now: datetime) -> FeedItem:
        t = self.tables
        listed = t.feed_skus.get(sku)
        prices = sorted((at, row) for (s, m, at), row in t.feed_prices.items() if s == sku and m == market)
        current = [(at, row) for at, row in prices if at <= now]
        upcoming = [(at, row) for at, row in prices if at > now]
        here = t.feed_availability.get((sku, shop_id))
        warehouse = sum(
            row.available
            for (s, _), row in t.feed_availability.items()
            if s == sku and row.location_kind == "warehouse" and row.market == market
        )
        return FeedItem(
            sku,
            seq,
            listed.kind if listed else None,
            listed.title if listed else None,
            listed.grade if listed else None,
            bool(listed and listed.discontinued_at),
            (current[-1][1].amount_minor, current[-1][1].currency, current[-1][0]) if current else None,
            (upcoming[0][1].amount_minor, upcoming[0][1].currency, upcoming[0][0]) if upcoming else None,
            here.available if here else 0,
            warehouse,
        )


class FakePersonalRecords:
    def __init__(self, tables: StoreSyncTables) -> None:
        self.tables = tables

    async def erase(self, subject_ids: Sequence[str], customer_ids: Sequence[str]) -> Erased:
        subjects, customers = set(subject_ids), set(customer_ids)
        found: list[str | None] = []
        for txn in self.tables.transactions.values():
            if txn.subject_id in subjects or txn.customer_id in customers:
                txn.customer_id = None
                if txn.waiting is not None and txn.waiting.get("customer") is not None:
                    txn.waiting["customer"].update(customer_id=None, sealed=None)
                found.append(txn.subject_id)
        for ticket in self.tables.quarantine.values():
            if ticket.subject_id in subjects or ticket.customer_id in customers:
                ticket.customer_id = None
                if ticket.customer is not None:
                    ticket.customer = {k: v for k, v in ticket.customer.items() if k not in ("sealed", "customer_id")}
                found.append(ticket.subject_id)
        return Erased(len(found), sorted({s for s in found if s}))


class FakeVoucherHolds:
    def __init__(self, tables: StoreSyncTables, seen: TrackedAggregates[DomainEvent]) -> None:
        self.tables = tables
        self.seen = seen

    def _load(self, stored: VoucherHold) -> VoucherHold:
        hold = dataclasses.replace(stored, recorder=EventRecorder())
        self.seen.append(hold)
        return hold

    async def get(self, shop_id: str, hold_id: str) -> VoucherHold | None:
        stored = self.tables.voucher_holds.get((shop_id, hold_id))
        return self._load(stored) if stored else None

    async def by_request(self, request_id: str, *, for_update: bool = False) -> VoucherHold | None:
        found = [h for h in self.tables.voucher_holds.values() if h.request_id == request_id]
        return self._load(found[0]) if found else None

    async def add(self, hold: VoucherHold) -> None:
        key = (hold.shop_id, hold.hold_id)
        if key in self.tables.voucher_holds or any(
            h.request_id == hold.request_id for h in self.tables.voucher_holds.values()
        ):
            raise UniqueViolation(f"voucher hold {key}")
        self.seen.append(hold)
        self.tables.voucher_holds[key] = dataclasses.replace(hold, recorder=EventRecorder())

    async def save_answer(self, hold: VoucherHold) -> None:
        self.tables.voucher_holds[(hold.shop_id, hold.hold_id)] = dataclasses.replace(hold, recorder=EventRecorder())


class InMemoryStoreSyncUnitOfWork(InMemoryUnitOfWork[DomainEvent, StoreSyncTables], StoreSyncUnitOfWork):
    def bind(self, tables: StoreSyncTables) -> None:
        self.operators = FakeOperators(tables)
        self.shops = FakeShops(tables, self.seen)
        self.credentials = FakeCredentials(tables)
        self.journal = FakeJournal(tables)
        self.partner = FakePartnerMappings(tables)
        self.quarantine = FakeQuarantine(tables)
        self.shipments = FakeShipments(tables, self.seen)
        self.feed = FakeFeed(tables)
        self.personal = FakePersonalRecords(tables)
        self.voucher_holds = FakeVoucherHolds(tables, self.seen)


START = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


@dataclass
class Twin:
    """Store-sync on memory: its tables and outbox, the key store behind its sealer, a clock."""

    store: MemoryStore[StoreSyncTables] = field(default_factory=lambda: MemoryStore(StoreSyncTables()))
    keys: InMemoryKeyStore = field(default_factory=InMemoryKeyStore)
    clock: FixedClock = field(default_factory=lambda: FixedClock(START))
    outbox: OutboxWriter = field(default_factory=lambda: OutboxWriter(SERVICE))

    @property
    def sealer(self) -> ContactSealer:
        return ContactSealer(PersonalDataSealer(self.keys))

    @property
    def tables(self) -> StoreSyncTables:
        return self.store.tables

    async def opened(self, personal: SealedPersonalData) -> dict[str, str] | None:
        """What a sealed copy on the bus says, as long as its subject's key exists."""
        return await PersonalDataSealer(self.keys).open(personal)

    def uow(self) -> InMemoryStoreSyncUnitOfWork:
        return InMemoryStoreSyncUnitOfWork(self.outbox, to_contract, store=self.store)


def consuming_service(twin: Twin) -> InMemoryService[StoreSyncTables, InMemoryStoreSyncUnitOfWork]:
    """Store-sync's consumers on faststream's in-memory broker and the twin's store, with the
    twin's sealer and clock (enter it to start the broker)."""

    def joining(tx: MemoryTransaction[StoreSyncTables]) -> InMemoryStoreSyncUnitOfWork:
        return InMemoryStoreSyncUnitOfWork(twin.outbox, to_contract, transaction=tx)

    consumers = subscription(joining, twin.sealer, twin.clock)
    return InMemoryService(twin.store, [consumers], lambda _: twin.uow())
