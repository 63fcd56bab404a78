"""The in-memory twin of inventory's storage, for unit tests (a plain module: import what you use).

Tables are dicts of rows; every repository keeps the real one's invariants: unique keys refused
with the same asyncpg errors, one object per row in a transaction, aggregates tracked on the unit
of work exactly where the SQL repositories track them, and a loaded aggregate is a copy (a change
not saved is not kept). Sales load through the same `SaleContextLoader` as on PostgreSQL.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from asyncpg.exceptions import ForeignKeyViolationError, UniqueViolationError
from fastapi import FastAPI

from inventory.adapters.hold_contexts import HoldContextLoader
from inventory.adapters.sale_contexts import SaleContextLoader
from inventory.adapters.translators import to_contract
from inventory.domain.catalog import SkuInfo
from inventory.domain.device_history import IdentifierInStock, is_ours
from inventory.domain.events import DomainEvent, EventRecorder, LocationAvailable
from inventory.domain.ledger import AppliedSale, LineMove
from inventory.domain.locations import Location, shipping_order
from inventory.domain.reservations import Reservation
from inventory.domain.stock import AccessoryStock
from inventory.domain.transfers import Transfer
from inventory.domain.units import Unit
from inventory.entrypoints.consumers import subscriptions
from inventory.entrypoints.http import routers
from inventory.service_layer.ports import CollectedDevice
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_localstack.testing import session_verifier
from reloop_shared.clock import FixedClock
from reloop_shared.http.app import create_edge
from reloop_shared.http.authentication import install_verifier
from reloop_shared.http.pagination import Key
from reloop_shared.memory import InMemoryUnitOfWork, MemoryStore, MemoryTransaction
from reloop_shared.memory_service import InMemoryService
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.unit_of_work import TrackedAggregates

Row = TypeVar("Row", Unit, AccessoryStock, Reservation)
NOW = datetime(2026, 11, 2, 10, tzinfo=UTC)


@dataclass
class InventoryTables:
    locations: dict[str, Location] = field(default_factory=dict)
    skus: dict[str, SkuInfo] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    stock: dict[tuple[str, str], AccessoryStock] = field(default_factory=dict)
    reservations: dict[str, Reservation] = field(default_factory=dict)
    rejections: dict[str, str] = field(default_factory=dict)
    applied_sales: dict[str, AppliedSale] = field(default_factory=dict)
    applied_returns: dict[str, tuple[str, str]] = field(default_factory=dict)
    transfers: dict[str, Transfer] = field(default_factory=dict)
    counts: dict[str, tuple[str, str, list[dict[str, Any]]]] = field(default_factory=dict)
    collected: dict[str, dict[str, Any]] = field(default_factory=dict)


def row_copy(aggregate: Row) -> Row:
    """What a table keeps of an aggregate, or what a read hands out: a copy recording nothing."""
    recorder = aggregate.recorder
    aggregate.recorder = EventRecorder()
    try:
        copied = copy.deepcopy(aggregate)
    finally:
        aggregate.recorder = recorder
    return copied


class FakeLocations:
    def __init__(self, tables: InventoryTables) -> None:
        self.tables = tables

    async def get(self, location_id: str) -> Location | None:
        return self.tables.locations.get(location_id)

    async def many(self, location_ids: Iterable[str]) -> dict[str, Location]:
        return {x: self.tables.locations[x] for x in set(location_ids) if x in self.tables.locations}

    async def upsert(self, location: Location) -> None:
        self.tables.locations[location.location_id] = location

    async def eligible(self, market: str, location_id: str | None) -> list[str]:
        return [location_id] if location_id is not None else (await self.shipping([market]))[market]

    async def shipping(self, markets: Iterable[str]) -> dict[str, list[str]]:
        places = self.tables.locations.values()
        return {market: shipping_order(x for x in places if x.market == market) for market in set(markets)}

    async def all(self, after: Key | None, limit: int) -> list[Location]:
        ordered = sorted(self.tables.locations.values(), key=lambda x: x.location_id)
        return [x for x in ordered if after is None or (x.location_id,) > after][:limit]

    async def of_kind(self, kind: str) -> list[Location]:
        return sorted((x for x in self.tables.locations.values() if x.kind == kind), key=lambda x: x.location_id)


class FakeSkus:
    def __init__(self, tables: InventoryTables) -> None:
        self.tables = tables

    async def get(self, sku: str) -> SkuInfo | None:
        return self.tables.skus.get(sku)

    async def lock(self, skus: Iterable[str]) -> dict[str, SkuInfo]:
        return {sku: self.tables.skus[sku] for sku in sorted(set(skus)) if sku in self.tables.skus}

    async def kinds(self, skus: Iterable[str]) -> dict[str, str]:
        return {sku: info.kind for sku, info in (await self.lock(skus)).items()}

    async def upsert(self, sku: str, kind: str, grade: str | None, product_id: str) -> None:
        known = self.tables.skus.get(sku)
        self.tables.skus[sku] = SkuInfo(sku, kind, grade, product_id, known.discontinued if known else False)

    async def discontinue(self, sku: str) -> None:
        known = self.tables.skus.get(sku)
        if known is not None:
            self.tables.skus[sku] = SkuInfo(known.sku, known.kind, known.grade, known.product_id, True)


class FakeUnits:
    def __init__(self, tables: InventoryTables, seen: TrackedAggregates[DomainEvent]) -> None:
        self.tables = tables
        self.seen = seen
        self.loaded: dict[str, Unit] = {}
        self.locked: set[str] = set()

    async def get(self, unit_id: str, *, for_update: bool = False) -> Unit | None:
        row = self.tables.units.get(unit_id)
        return self._track(row, locked=for_update) if row else None

    async def many(self, unit_ids: Sequence[str], *, for_update: bool = False) -> dict[str, Unit]:
        rows = [self.tables.units[x] for x in sorted(set(unit_ids)) if x in self.tables.units]
        return {row.unit_id: self._track(row, locked=for_update) for row in rows}

    async def carrying(self, identifier: str) -> list[Unit]:
        return (await self.carrying_any([identifier])).get(identifier, [])

    async def carrying_any(self, identifiers: Sequence[str]) -> dict[str, list[Unit]]:
        found: dict[str, list[Unit]] = {}
        for row in sorted(self.tables.units.values(), key=lambda u: u.unit_id):
            if row.identifier in identifiers:
                found.setdefault(row.identifier, []).append(self._track(row, locked=False))
        return found

    async def from_trade_in(self, trade_in_id: str) -> Unit | None:
        for row in self.tables.units.values():
            if row.origin is not None and row.origin.trade_in_id == trade_in_id:
                return self._track(row, locked=False)
        return None

    async def find_available(
        self, sku: str, location_ids: Sequence[str], *, exclude: Sequence[str] = (), limit: int = 1
    ) -> list[Unit]:
        order = {location: rank for rank, location in enumerate(location_ids)}

        def free(units: Iterable[Unit]) -> list[Unit]:
            found = [
                u
                for u in units
                if u.sku == sku and u.status == "available" and u.location_id in order and u.unit_id not in exclude
            ]
            return sorted(found, key=lambda u: (order[u.location_id], u.unit_id))

        here = free(self.loaded.values())
        if len(here) >= limit:
            return here[:limit]
        stored = free(u for u in self.tables.units.values() if u.unit_id not in self.loaded)
        return here + [self._track(row, locked=True) for row in stored[: limit - len(here)]]

    async def candidates(self, wanted: dict[str, int], location_ids: Sequence[str]) -> list[Unit]:
        found: list[Unit] = []
        for sku, n in sorted(wanted.items()):
            for location in sorted(set(location_ids)):
                rows = sorted(
                    (
                        u
                        for u in self.tables.units.values()
                        if u.sku == sku
                        and u.location_id == location
                        and u.status == "available"
                        and u.unit_id not in self.loaded
                    ),
                    key=lambda u: u.unit_id,
                )
                found += [self._track(row, locked=True) for row in rows[:n]]
        return found

    async def add(self, unit: Unit) -> None:
        if unit.unit_id in self.tables.units:
            raise UniqueViolationError(f"duplicate key value violates unique constraint: unit {unit.unit_id}")
        if is_ours(unit) and self._ours_elsewhere(unit):
            # What the PostgreSQL repository answers when units_one_live_per_identifier refuses.
            raise IdentifierInStock(
                f"{unit.identifier_kind} {unit.identifier} is in stock already as another unit, received meanwhile",
                field="identifier.value",
            )
        if unit.previous_unit_id is not None and any(
            u.previous_unit_id == unit.previous_unit_id for u in self.tables.units.values()
        ):
            raise UniqueViolationError(f"duplicate key value violates units_one_successor: {unit.previous_unit_id}")
        if unit.origin is not None and any(
            u.origin is not None and u.origin.trade_in_id == unit.origin.trade_in_id for u in self.tables.units.values()
        ):
            raise UniqueViolationError(f"duplicate key value violates units_one_per_trade_in: {unit.origin}")
        self.tables.units[unit.unit_id] = row_copy(unit)
        self.loaded[unit.unit_id] = unit
        self.locked.add(unit.unit_id)
        self.seen.append(unit)

    async def save(self, units: Sequence[Unit]) -> None:
        for unit in units:
            if is_ours(unit) and self._ours_elsewhere(unit):
                raise UniqueViolationError(
                    f"duplicate key value violates units_one_live_per_identifier: {unit.identifier}"
                )
            if unit.unit_id in self.tables.units:
                self.tables.units[unit.unit_id] = row_copy(unit)

    def _ours_elsewhere(self, unit: Unit) -> bool:
        """Whether another unit still ours carries the identifier (the partial unique index)."""
        return any(
            u.identifier == unit.identifier and u.unit_id != unit.unit_id and is_ours(u)
            for u in self.tables.units.values()
        )

    async def search(
        self, sku: str | None, location_id: str | None, status: str | None, after: Key | None, limit: int
    ) -> list[Unit]:
        found = [
            row_copy(u)
            for u in sorted(self.tables.units.values(), key=lambda u: u.unit_id)
            if (sku is None or u.sku == sku)
            and (location_id is None or u.location_id == location_id)
            and (status is None or u.status == status)
            and (after is None or (u.unit_id,) > after)
        ]
        return found[:limit]

    def forget(self) -> None:
        self.loaded.clear()
        self.locked.clear()

    def _track(self, row: Unit, *, locked: bool) -> Unit:
        known = self.loaded.get(row.unit_id)
        if known is not None and (not locked or known.unit_id in self.locked or known.recorder.events):
            return known
        unit = self.loaded[row.unit_id] = row_copy(row)
        if locked:
            self.locked.add(unit.unit_id)
        self.seen.append(unit)
        return unit


class FakeStock:
    def __init__(self, tables: InventoryTables, seen: TrackedAggregates[DomainEvent]) -> None:
        self.tables = tables
        self.seen = seen
        self.loaded: dict[tuple[str, str], AccessoryStock] = {}

    async def get(self, sku: str, location_id: str) -> AccessoryStock:
        return (await self.many([(sku, location_id)]))[(sku, location_id)]

    async def many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], AccessoryStock]:
        found = {key: self.loaded[key] for key in keys if key in self.loaded}
        for sku, location_id in sorted(set(keys) - set(found)):
            if sku not in self.tables.skus or location_id not in self.tables.locations:
                raise ForeignKeyViolationError(f"no SKU {sku} or no location {location_id}")
            row = self.tables.stock.setdefault((sku, location_id), AccessoryStock(sku, location_id))
            stock = found[(sku, location_id)] = self.loaded[(sku, location_id)] = row_copy(row)
            self.seen.append(stock)
        return found

    async def free(self, skus: Iterable[str], location_ids: Sequence[str]) -> dict[tuple[str, str], AccessoryStock]:
        wanted, places = set(skus), set(location_ids)
        keys = sorted(
            key for key, row in self.tables.stock.items() if key[0] in wanted and key[1] in places and row.available > 0
        )
        return await self.many(keys)

    async def save(self, stock: Sequence[AccessoryStock]) -> None:
        for row in stock:
            self.tables.stock[(row.sku, row.location_id)] = row_copy(row)

    def forget(self) -> None:
        self.loaded.clear()


class FakeReservations:
    def __init__(self, tables: InventoryTables, seen: TrackedAggregates[DomainEvent]) -> None:
        self.tables = tables
        self.seen = seen
        self.loaded: dict[str, Reservation] = {}
        self.locked: set[str] = set()

    async def get(self, reservation_id: str, *, for_update: bool = True) -> Reservation | None:
        return (await self.many([reservation_id], for_update=for_update)).get(reservation_id)

    async def many(self, reservation_ids: Sequence[str], *, for_update: bool = True) -> dict[str, Reservation]:
        found: dict[str, Reservation] = {}
        for reservation_id in sorted(set(reservation_ids)):
            row = self.tables.reservations.get(reservation_id)
            if row is None:
                continue
            known = self.loaded.get(reservation_id)
            if known is not None and (not for_update or reservation_id in self.locked or known.recorder.events):
                found[reservation_id] = known
                continue
            reservation = found[reservation_id] = self.loaded[reservation_id] = row_copy(row)
            if for_update:
                self.locked.add(reservation_id)
            self.seen.append(reservation)
        return found

    async def holding(self, unit_ids: Sequence[str]) -> dict[str, Reservation]:
        wanted = set(unit_ids)
        holding = [
            r.reservation_id
            for r in self.tables.reservations.values()
            if r.status == "active" and any(x.unit_id in wanted for x in r.lines)
        ]
        return await self.many(holding) if holding else {}

    async def known(self, reservation_id: str) -> bool:
        return reservation_id in self.tables.reservations or reservation_id in self.tables.rejections

    async def add(self, reservation: Reservation) -> None:
        if reservation.reservation_id in self.tables.reservations:
            raise UniqueViolationError(f"duplicate key value violates unique constraint: {reservation.reservation_id}")
        self.tables.reservations[reservation.reservation_id] = row_copy(reservation)
        self.loaded[reservation.reservation_id] = reservation
        self.locked.add(reservation.reservation_id)
        self.seen.append(reservation)

    async def save(self, reservation: Reservation) -> None:
        self.tables.reservations[reservation.reservation_id] = row_copy(reservation)

    async def reject(self, reservation_id: str, reason: str) -> None:
        self.tables.rejections.setdefault(reservation_id, reason)

    async def due(self, limit: int, now: datetime) -> list[str]:
        due = [r for r in self.tables.reservations.values() if r.status == "active" and r.expires_at <= now]
        return [r.reservation_id for r in sorted(due, key=lambda r: r.expires_at)][:limit]

    def forget(self) -> None:
        self.loaded.clear()
        self.locked.clear()


class FakeLedger:
    def __init__(self, tables: InventoryTables) -> None:
        self.tables = tables

    async def already_applied(self, sale_ids: Sequence[str]) -> set[str]:
        return {x for x in sale_ids if x in self.tables.applied_sales}

    async def many(self, sale_ids: Sequence[str]) -> dict[str, AppliedSale]:
        return {x: copy.deepcopy(self.tables.applied_sales[x]) for x in set(sale_ids) if x in self.tables.applied_sales}

    async def save(self, applied: Sequence[AppliedSale], moves: Sequence[LineMove]) -> None:
        for sale in applied:
            if sale.sale_id in self.tables.applied_sales:
                raise UniqueViolationError(f"duplicate key value violates unique constraint: {sale.sale_id}")
            self.tables.applied_sales[sale.sale_id] = copy.deepcopy(sale)
        new = {s.sale_id for s in applied}
        for move in moves:
            stored = self.tables.applied_sales.get(move.sale_id)
            if stored is not None and move.sale_id not in new:
                stored.move(move.line_id, move.unit_id, move.location_id)

    async def return_applied(self, return_id: str) -> bool:
        return return_id in self.tables.applied_returns

    async def record_return(self, return_id: str, sale_id: str, location_id: str) -> None:
        if return_id in self.tables.applied_returns:
            raise UniqueViolationError(f"duplicate key value violates unique constraint: {return_id}")
        self.tables.applied_returns[return_id] = (sale_id, location_id)


class FakeTransfers:
    def __init__(self, tables: InventoryTables) -> None:
        self.tables = tables

    async def add(self, transfer_id: str, to_location_id: str, unit_ids: Sequence[str]) -> None:
        if transfer_id in self.tables.transfers:
            raise UniqueViolationError(f"duplicate key value violates unique constraint: {transfer_id}")
        if to_location_id not in self.tables.locations:
            raise ForeignKeyViolationError(f"no location {to_location_id}")
        self.tables.transfers[transfer_id] = Transfer(transfer_id, to_location_id, list(unit_ids), "in_transit")

    async def get(self, transfer_id: str) -> Transfer | None:
        return self.tables.transfers.get(transfer_id)

    async def mark_received(self, transfer_id: str) -> None:
        found = self.tables.transfers[transfer_id]
        self.tables.transfers[transfer_id] = Transfer(transfer_id, found.to_location_id, found.unit_ids, "received")


class FakeCounts:
    def __init__(self, tables: InventoryTables) -> None:
        self.tables = tables

    async def exists(self, count_id: str) -> bool:
        return count_id in self.tables.counts

    async def add(self, count_id: str, location_id: str, reason: str, adjustments: list[dict[str, Any]]) -> None:
        if count_id in self.tables.counts:
            raise UniqueViolationError(f"duplicate key value violates unique constraint: {count_id}")
        self.tables.counts[count_id] = (location_id, reason, copy.deepcopy(adjustments))


class FakeAvailability:
    def __init__(self, tables: InventoryTables) -> None:
        self.tables = tables

    async def for_sku(self, sku: str, kind: str) -> list[LocationAvailable]:
        return (await self.for_skus({sku: kind}))[sku]

    async def for_skus(self, kinds: Mapping[str, str]) -> dict[str, list[LocationAvailable]]:
        return {sku: self._free(sku, kind) for sku, kind in kinds.items()}

    async def overview(self, market: str | None, after: Key | None, limit: int) -> list[tuple[str, str, int]]:
        totals: dict[tuple[str, str], int] = {}
        for sku, info in self.tables.skus.items():
            for count in self._free(sku, info.kind, positive_only=False):
                if market is None or count.market == market:
                    totals[(sku, count.market)] = totals.get((sku, count.market), 0) + count.available
        found = [(sku, m, n) for (sku, m), n in sorted(totals.items()) if after is None or (sku, m) > after]
        return found[:limit]

    def _free(self, sku: str, kind: str, *, positive_only: bool = True) -> list[LocationAvailable]:
        free: dict[str, int] = {}
        if kind == "accessory":
            for (item, location_id), row in self.tables.stock.items():
                if item == sku and (row.available > 0 or not positive_only):
                    free[location_id] = row.available
        else:
            for unit in self.tables.units.values():
                if unit.sku == sku and unit.status == "available":
                    free[unit.location_id] = free.get(unit.location_id, 0) + 1
        places = self.tables.locations
        return [
            LocationAvailable(x, places[x].kind, places[x].market, n) for x, n in sorted(free.items()) if x in places
        ]


class FakeCollectedDevices:
    def __init__(self, tables: InventoryTables) -> None:
        self.tables = tables

    async def dispatched(self, shipment_id: str, to_location_id: str, devices: Sequence[CollectedDevice]) -> None:
        for unit_id, kind, source_id, sku, identifier_kind, identifier in devices:
            known = self.tables.collected.get(unit_id)
            row = known or {
                "unit_id": unit_id,
                "kind": kind,
                "source_id": source_id,
                "sku": sku,
                "identifier_kind": identifier_kind,
                "identifier": identifier,
            }
            self.tables.collected[unit_id] = {
                **row,
                "location_id": to_location_id,
                "status": "in_transit",
                "shipment_id": shipment_id,
            }

    async def arrived(self, shipment_id: str, received: Sequence[str], missing: Sequence[str]) -> None:
        for status, unit_ids in (("received", received), ("missing", missing)):
            for unit_id in unit_ids:
                row = self.tables.collected.get(unit_id)
                if row is not None and row["shipment_id"] == shipment_id:
                    row["status"] = status

    async def at(
        self, location_id: str | None, status: str | None, after: Key | None, limit: int
    ) -> list[dict[str, Any]]:
        return [
            dict(row)
            for unit_id, row in sorted(self.tables.collected.items())
            if (location_id is None or row["location_id"] == location_id)
            and (status is None or row["status"] == status)
            and (after is None or (unit_id,) > after)
        ][:limit]


class InMemoryInventoryUnitOfWork(InMemoryUnitOfWork[DomainEvent, InventoryTables], InventoryUnitOfWork):
    def bind(self, tables: InventoryTables) -> None:
        locations = self.locations = FakeLocations(tables)
        skus = self.skus = FakeSkus(tables)
        units = self.units = FakeUnits(tables, self.seen)
        stock = self.stock = FakeStock(tables, self.seen)
        reservations = self.reservations = FakeReservations(tables, self.seen)
        ledger = self.ledger = FakeLedger(tables)
        self.sales = SaleContextLoader(locations, skus, units, stock, reservations, ledger)
        self.holds = HoldContextLoader(locations, skus, units, stock, reservations)
        self.transfers = FakeTransfers(tables)
        self.counts = FakeCounts(tables)
        self.availability = FakeAvailability(tables)
        self.collected = FakeCollectedDevices(tables)


OUTBOX = OutboxWriter("inventory")


class Twin:
    """Inventory in memory: a store, a clock standing still, units of work on them, and ways to
    arrange rows the way a test needs them."""

    def __init__(self, at: datetime = NOW) -> None:
        self.store: MemoryStore[InventoryTables] = MemoryStore(InventoryTables())
        self.clock = FixedClock(at)

    @property
    def tables(self) -> InventoryTables:
        return self.store.tables

    def uow(self) -> InMemoryInventoryUnitOfWork:
        return InMemoryInventoryUnitOfWork(OUTBOX, to_contract, store=self.store)

    def app(self) -> FastAPI:
        """Inventory's routes, their guards and the shared error mapping, without the runtime (no
        database, no relay): what `create_app` serves, minus operations. It trusts this test
        session's token issuer (`staff_headers`), as the service under test does."""
        app = create_edge(title="inventory on its twin", routers=routers(self.uow))
        install_verifier(app, session_verifier())
        return app

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app()), base_url="http://inventory")

    def location(self, location_id: str, kind: str = "own_shop", market: str = "FR") -> str:
        self.tables.locations[location_id] = Location(location_id, kind, market, location_id)
        return location_id

    def sku(self, sku: str, kind: str = "refurbished_device", grade: str | None = "good") -> str:
        self.tables.skus[sku] = SkuInfo(sku, kind, grade if kind == "refurbished_device" else None, f"p-{sku}")
        return sku

    def unit(
        self, unit_id: str, sku: str, location_id: str, status: str = "available", *, serial: str = "", **fields: Any
    ) -> Unit:
        grade = self.tables.skus[sku].grade or "good"
        unit = Unit(unit_id, sku, "serial", serial or f"SN-{unit_id}", grade, location_id, status, **fields)
        self.tables.units[unit_id] = unit
        return unit

    def stock(self, sku: str, location_id: str, on_hand: int, reserved: int = 0) -> AccessoryStock:
        row = self.tables.stock[(sku, location_id)] = AccessoryStock(sku, location_id, on_hand, reserved)
        return row


def consuming_service(twin: Twin) -> InMemoryService[InventoryTables, InMemoryInventoryUnitOfWork]:
    """Inventory's consumers on faststream's in-memory broker and the twin's store: the same
    subscriptions as the service's, their units of work joining the consuming transaction."""

    def joining(tx: MemoryTransaction[InventoryTables]) -> InMemoryInventoryUnitOfWork:
        return InMemoryInventoryUnitOfWork(OUTBOX, to_contract, transaction=tx)

    return InMemoryService(twin.store, subscriptions(joining), lambda _: twin.uow())
