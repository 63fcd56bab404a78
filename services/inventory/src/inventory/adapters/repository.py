"""All of inventory's SQL: units, accessory stock, holds, locations, the SKU projection, the sales
ledger and the availability query."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from inventory.domain.reservations import HeldLine, Reservation
from inventory.domain.stock import AccessoryStock
from inventory.domain.units import Unit
from reloop_shared.db.types import Connection

_UNIT_COLUMNS = (
    "unit_id, sku, identifier_kind, identifier, grade, location_id, status, reservation_id, sale_id, "
    "sale_channel, transfer_to, status_before_transit"
)


def _unit(row: asyncpg.Record) -> Unit:
    return Unit(**{key: row[key] for key in _UNIT_COLUMNS.split(", ")})


@dataclass(frozen=True)
class Location:
    location_id: str
    kind: str
    market: str
    name: str
    address: str


_KNOWN_LOCATIONS: dict[str, Location] = {}
"""Locations this process has seen: they change rarely, and every sale names one."""


class LocationRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, location_id: str) -> Location | None:
        known = _KNOWN_LOCATIONS.get(location_id)
        if known is not None:
            return known
        row = await self.conn.fetchrow(
            "SELECT location_id, kind, market, name, address FROM locations WHERE location_id = $1", location_id
        )
        if row is None:
            return None
        location = Location(**dict(row))
        _KNOWN_LOCATIONS[location_id] = location
        return location

    async def upsert(self, location: Location) -> None:
        await self.conn.execute(
            """
            INSERT INTO locations (location_id, kind, market, name, address) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (location_id) DO UPDATE SET kind = EXCLUDED.kind, market = EXCLUDED.market,
                name = EXCLUDED.name, address = EXCLUDED.address
            """,
            location.location_id,
            location.kind,
            location.market,
            location.name,
            location.address,
        )
        _KNOWN_LOCATIONS.pop(location.location_id, None)

    async def eligible(self, market: str, location_id: str | None) -> list[str]:
        """Where stock may come from: the named location only (a shop hold, click-and-collect), or
        else the market's warehouses and refurbishment centres, which ship online orders."""
        if location_id is not None:
            return [location_id]
        rows = await self.conn.fetch(
            "SELECT location_id FROM locations WHERE market = $1 AND kind IN ('warehouse', 'refurbishment_centre') "
            "ORDER BY kind = 'refurbishment_centre', location_id",
            market,
        )
        return [row["location_id"] for row in rows]

    async def all(self) -> list[Location]:
        rows = await self.conn.fetch("SELECT location_id, kind, market, name, address FROM locations ORDER BY 1")
        return [Location(**dict(row)) for row in rows]


@dataclass(frozen=True)
class SkuInfo:
    sku: str
    kind: str
    grade: str | None
    product_id: str
    discontinued: bool


class SkuRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.known: dict[str, SkuInfo] = {}

    async def get(self, sku: str) -> SkuInfo | None:
        row = await self.conn.fetchrow(
            "SELECT sku, kind, grade, product_id, discontinued FROM skus WHERE sku = $1", sku
        )
        return SkuInfo(**dict(row)) if row else None

    async def lock(self, skus: Iterable[str]) -> dict[str, SkuInfo]:
        """Lock the SKUs' rows in a fixed order (no deadlocks): stock changes of one SKU go one at a
        time, so each availability event is computed from the state the previous one left."""
        rows = await self.conn.fetch(
            "SELECT sku, kind, grade, product_id, discontinued FROM skus WHERE sku = ANY($1::text[]) "
            "ORDER BY sku FOR UPDATE",
            sorted(set(skus)),
        )
        locked = {row["sku"]: SkuInfo(**dict(row)) for row in rows}
        self.known.update(locked)
        return locked

    async def upsert(self, sku: str, kind: str, grade: str | None, product_id: str) -> None:
        await self.conn.execute(
            """
            INSERT INTO skus (sku, kind, grade, product_id) VALUES ($1, $2, $3, $4)
            ON CONFLICT (sku) DO UPDATE SET kind = EXCLUDED.kind, grade = EXCLUDED.grade,
                product_id = EXCLUDED.product_id
            """,
            sku,
            kind,
            grade,
            product_id,
        )

    async def discontinue(self, sku: str) -> None:
        await self.conn.execute("UPDATE skus SET discontinued = true WHERE sku = $1", sku)


class UnitRepository:
    """Units, with an identity map: one object per unit in a transaction, so a batch of sales
    decided in memory never sees a stale copy of a unit it already changed."""

    def __init__(self, conn: Connection, seen: list[Any]) -> None:
        self.conn = conn
        self.seen = seen
        self.loaded: dict[str, Unit] = {}
        self.locked: set[str] = set()

    async def get(self, unit_id: str, *, for_update: bool = False) -> Unit | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT {_UNIT_COLUMNS} FROM units WHERE unit_id = $1{lock}", unit_id)
        return self._track(row, locked=for_update) if row else None

    async def many(self, unit_ids: Sequence[str], *, for_update: bool = False) -> dict[str, Unit]:
        lock = " FOR UPDATE" if for_update else ""
        rows = await self.conn.fetch(
            f"SELECT {_UNIT_COLUMNS} FROM units WHERE unit_id = ANY($1::text[]) ORDER BY unit_id{lock}",
            list(unit_ids),
        )
        return {row["unit_id"]: self._track(row, locked=for_update) for row in rows}

    async def identifier_taken(self, identifier: str) -> bool:
        return bool(await self.conn.fetchval("SELECT EXISTS (SELECT 1 FROM units WHERE identifier = $1)", identifier))

    async def find_available(
        self, sku: str, location_ids: Sequence[str], *, exclude: Sequence[str] = (), limit: int = 1
    ) -> list[Unit]:
        """Available units of `sku` at the given locations (in that order of preference), locked;
        units another transaction is taking are skipped, not waited for. Units this transaction
        already holds count as they are in memory, not as the database still has them."""
        order = {location: rank for rank, location in enumerate(location_ids)}
        here = sorted(
            (
                u
                for u in self.loaded.values()
                if u.sku == sku and u.status == "available" and u.location_id in order and u.unit_id not in exclude
            ),
            key=lambda u: (order[u.location_id], u.unit_id),
        )
        if len(here) >= limit:
            return here[:limit]
        rows = await self.conn.fetch(
            f"""
            SELECT {_UNIT_COLUMNS} FROM units
            WHERE sku = $1 AND status = 'available' AND location_id = ANY($2::text[])
              AND NOT (unit_id = ANY($3::text[]))
            ORDER BY array_position($2::text[], location_id), unit_id
            LIMIT $4
            FOR UPDATE SKIP LOCKED
            """,
            sku,
            list(location_ids),
            [*exclude, *self.loaded],
            limit - len(here),
        )
        return here + [self._track(row, locked=True) for row in rows]

    async def at_location(self, location_id: str, statuses: Sequence[str]) -> list[Unit]:
        rows = await self.conn.fetch(
            f"SELECT {_UNIT_COLUMNS} FROM units WHERE location_id = $1 AND status = ANY($2::text[]) FOR UPDATE",
            location_id,
            list(statuses),
        )
        return [self._track(row, locked=True) for row in rows]

    async def add(self, unit: Unit) -> None:
        await self.conn.execute(
            f"INSERT INTO units ({_UNIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            *(getattr(unit, column) for column in _UNIT_COLUMNS.split(", ")),
        )
        self.loaded[unit.unit_id] = unit
        self.locked.add(unit.unit_id)
        self.seen.append(unit)

    async def save(self, units: Sequence[Unit]) -> None:
        """Write changed units back, in one round trip however many there are."""
        await self.conn.executemany(
            """
            UPDATE units SET sku = $2, grade = $3, location_id = $4, status = $5, reservation_id = $6, sale_id = $7,
                sale_channel = $8, transfer_to = $9, status_before_transit = $10, updated_at = now()
            WHERE unit_id = $1
            """,
            [
                (
                    unit.unit_id,
                    unit.sku,
                    unit.grade,
                    unit.location_id,
                    unit.status,
                    unit.reservation_id,
                    unit.sale_id,
                    unit.sale_channel,
                    unit.transfer_to,
                    unit.status_before_transit,
                )
                for unit in units
            ],
        )

    async def search(self, sku: str | None, location_id: str | None, status: str | None, limit: int) -> list[Unit]:
        rows = await self.conn.fetch(
            f"""
            SELECT {_UNIT_COLUMNS} FROM units
            WHERE ($1::text IS NULL OR sku = $1) AND ($2::text IS NULL OR location_id = $2)
              AND ($3::text IS NULL OR status = $3)
            ORDER BY unit_id LIMIT $4
            """,
            sku,
            location_id,
            status,
            limit,
        )
        return [_unit(row) for row in rows]

    def _track(self, row: asyncpg.Record, *, locked: bool) -> Unit:
        """One object per unit; a copy read before its lock is replaced by the locked row, unless
        this transaction already changed it (then it holds the lock and the latest state)."""
        known = self.loaded.get(row["unit_id"])
        if known is not None and (not locked or known.unit_id in self.locked or known.recorder.events):
            return known
        unit = _unit(row)
        self.loaded[unit.unit_id] = unit
        if locked:
            self.locked.add(unit.unit_id)
        self.seen.append(unit)
        return unit


class StockRepository:
    def __init__(self, conn: Connection, seen: list[Any]) -> None:
        self.conn = conn
        self.seen = seen
        self.loaded: dict[tuple[str, str], AccessoryStock] = {}

    async def get(self, sku: str, location_id: str) -> AccessoryStock:
        """The stock row, locked, created empty the first time an item is seen at a location."""
        known = self.loaded.get((sku, location_id))
        if known is not None:
            return known
        await self.conn.execute(
            "INSERT INTO accessory_stock (sku, location_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", sku, location_id
        )
        row = await self.conn.fetchrow(
            "SELECT on_hand, reserved FROM accessory_stock WHERE sku = $1 AND location_id = $2 FOR UPDATE",
            sku,
            location_id,
        )
        assert row is not None
        stock = AccessoryStock(sku, location_id, row["on_hand"], row["reserved"])
        self.loaded[(sku, location_id)] = stock
        self.seen.append(stock)
        return stock

    async def with_free_stock(self, sku: str, location_ids: Sequence[str], quantity: int) -> str | None:
        """The first of `location_ids` (in that order) with `quantity` free."""
        return await self.conn.fetchval(  # type: ignore[no-any-return]
            """
            SELECT location_id FROM accessory_stock
            WHERE sku = $1 AND location_id = ANY($2::text[]) AND on_hand - reserved >= $3
            ORDER BY array_position($2::text[], location_id) LIMIT 1
            """,
            sku,
            list(location_ids),
            quantity,
        )

    async def save(self, stock: AccessoryStock) -> None:
        await self.conn.execute(
            "UPDATE accessory_stock SET on_hand = $3, reserved = $4 WHERE sku = $1 AND location_id = $2",
            stock.sku,
            stock.location_id,
            stock.on_hand,
            stock.reserved,
        )

    async def at_location(self, location_id: str) -> list[AccessoryStock]:
        rows = await self.conn.fetch("SELECT sku FROM accessory_stock WHERE location_id = $1 ORDER BY sku", location_id)
        return [await self.get(row["sku"], location_id) for row in rows]


class ReservationRepository:
    def __init__(self, conn: Connection, seen: list[Any]) -> None:
        self.conn = conn
        self.seen = seen
        self.loaded: dict[str, Reservation] = {}
        self.locked: set[str] = set()

    async def get(self, reservation_id: str, *, for_update: bool = True) -> Reservation | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM reservations WHERE reservation_id = $1{lock}", reservation_id)
        if row is None:
            return None
        known = self.loaded.get(reservation_id)
        if known is not None and (not for_update or reservation_id in self.locked or known.recorder.events):
            return known
        lines = await self.conn.fetch(
            "SELECT * FROM reservation_lines WHERE reservation_id = $1 ORDER BY line_id", reservation_id
        )
        reservation = Reservation(
            reservation_id=row["reservation_id"],
            channel=row["channel"],
            market=row["market"],
            status=row["status"],
            expires_at=row["expires_at"],
            lines=[
                HeldLine(r["line_id"], r["kind"], r["sku"], r["quantity"], r["unit_id"], r["location_id"])
                for r in lines
            ],
            location_id=row["location_id"],
        )
        self.loaded[reservation_id] = reservation
        if for_update:
            self.locked.add(reservation_id)
        self.seen.append(reservation)
        return reservation

    async def many(self, reservation_ids: Sequence[str], *, for_update: bool = True) -> dict[str, Reservation]:
        found = {}
        for reservation_id in sorted(set(reservation_ids)):
            reservation = await self.get(reservation_id, for_update=for_update)
            if reservation is not None:
                found[reservation_id] = reservation
        return found

    async def holding(self, unit_id: str) -> Reservation | None:
        for reservation in self.loaded.values():
            if reservation.active and reservation.line_holding(unit_id) is not None:
                return reservation
        reservation_id = await self.conn.fetchval(
            """
            SELECT r.reservation_id FROM reservation_lines l JOIN reservations r USING (reservation_id)
            WHERE l.unit_id = $1 AND r.status = 'active'
            """,
            unit_id,
        )
        found = await self.get(reservation_id) if reservation_id else None
        return found if found is not None and found.line_holding(unit_id) is not None else None

    async def known(self, reservation_id: str) -> bool:
        return bool(
            await self.conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM reservations WHERE reservation_id = $1) "
                "OR EXISTS (SELECT 1 FROM reservation_rejections WHERE reservation_id = $1)",
                reservation_id,
            )
        )

    async def add(self, reservation: Reservation) -> None:
        await self.conn.execute(
            "INSERT INTO reservations (reservation_id, channel, market, location_id, status, expires_at) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            reservation.reservation_id,
            reservation.channel,
            reservation.market,
            reservation.location_id,
            reservation.status,
            reservation.expires_at,
        )
        await self._write_lines(reservation)
        self.loaded[reservation.reservation_id] = reservation
        self.locked.add(reservation.reservation_id)
        self.seen.append(reservation)

    async def save(self, reservation: Reservation) -> None:
        await self.conn.execute(
            "UPDATE reservations SET status = $2, expires_at = $3 WHERE reservation_id = $1",
            reservation.reservation_id,
            reservation.status,
            reservation.expires_at,
        )
        await self.conn.execute("DELETE FROM reservation_lines WHERE reservation_id = $1", reservation.reservation_id)
        await self._write_lines(reservation)

    async def reject(self, reservation_id: str, reason: str) -> None:
        await self.conn.execute(
            "INSERT INTO reservation_rejections (reservation_id, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            reservation_id,
            reason,
        )

    async def due(self, limit: int) -> list[str]:
        """Ids of holds past their expiry (each is re-checked under its lock when expired)."""
        rows = await self.conn.fetch(
            "SELECT reservation_id FROM reservations WHERE status = 'active' AND expires_at <= now() "
            "ORDER BY expires_at LIMIT $1",
            limit,
        )
        return [row["reservation_id"] for row in rows]

    async def _write_lines(self, reservation: Reservation) -> None:
        if reservation.lines:
            await self.conn.executemany(
                "INSERT INTO reservation_lines (reservation_id, line_id, kind, sku, quantity, unit_id, location_id) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                [
                    (reservation.reservation_id, x.line_id, x.kind, x.sku, x.quantity, x.unit_id, x.location_id)
                    for x in reservation.lines
                ],
            )


@dataclass
class LedgerLine:
    line_id: str
    kind: str
    sku: str
    unit_id: str | None
    quantity: int
    location_id: str


@dataclass
class AppliedSale:
    sale_id: str
    channel: str
    market: str
    location_id: str
    lines: list[LedgerLine]


class SalesLedger:
    """Which sales and returns inventory already applied, and with which units.

    Sales applied in this transaction are kept in memory and written in two round trips on
    `flush`, and lookups see them: a later sale of the same batch may need to compensate one.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pending: dict[str, AppliedSale] = {}

    async def already_applied(self, sale_ids: Sequence[str]) -> set[str]:
        rows = await self.conn.fetch(
            "SELECT sale_id FROM applied_sales WHERE sale_id = ANY($1::text[])", list(sale_ids)
        )
        return {row["sale_id"] for row in rows} | (set(sale_ids) & set(self.pending))

    def record(self, sale: AppliedSale) -> None:
        self.pending[sale.sale_id] = sale

    async def flush(self) -> None:
        sales, self.pending = list(self.pending.values()), {}
        if not sales:
            return
        await self.conn.executemany(
            "INSERT INTO applied_sales (sale_id, channel, market, location_id) VALUES ($1, $2, $3, $4)",
            [(s.sale_id, s.channel, s.market, s.location_id) for s in sales],
        )
        lines = [
            (s.sale_id, x.line_id, x.kind, x.sku, x.unit_id, x.quantity, x.location_id) for s in sales for x in s.lines
        ]
        if lines:
            await self.conn.executemany(
                "INSERT INTO sale_lines (sale_id, line_id, kind, sku, unit_id, quantity, location_id) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                lines,
            )

    async def origin(self, sale_id: str) -> tuple[str, str, str] | None:
        """(channel, market, location) of an applied sale."""
        if sale_id in self.pending:
            sale = self.pending[sale_id]
            return sale.channel, sale.market, sale.location_id
        row = await self.conn.fetchrow(
            "SELECT channel, market, location_id FROM applied_sales WHERE sale_id = $1", sale_id
        )
        return (row["channel"], row["market"], row["location_id"]) if row else None

    async def line_with_unit(self, sale_id: str, unit_id: str) -> LedgerLine | None:
        if sale_id in self.pending:
            return next((x for x in self.pending[sale_id].lines if x.unit_id == unit_id), None)
        row = await self.conn.fetchrow(
            "SELECT line_id, kind, sku, unit_id, quantity, location_id FROM sale_lines "
            "WHERE sale_id = $1 AND unit_id = $2",
            sale_id,
            unit_id,
        )
        return LedgerLine(**dict(row)) if row else None

    async def move_line(self, sale_id: str, line_id: str, unit_id: str | None, location_id: str | None) -> None:
        if sale_id in self.pending:
            for line in self.pending[sale_id].lines:
                if line.line_id == line_id:
                    line.unit_id = unit_id
                    line.location_id = location_id or line.location_id
            return
        await self.conn.execute(
            "UPDATE sale_lines SET unit_id = $3, location_id = COALESCE($4, location_id) "
            "WHERE sale_id = $1 AND line_id = $2",
            sale_id,
            line_id,
            unit_id,
            location_id,
        )

    async def return_applied(self, return_id: str) -> bool:
        query = "SELECT EXISTS (SELECT 1 FROM applied_returns WHERE return_id = $1)"
        return bool(await self.conn.fetchval(query, return_id))

    async def record_return(self, return_id: str, sale_id: str, location_id: str) -> None:
        await self.conn.execute(
            "INSERT INTO applied_returns (return_id, sale_id, location_id) VALUES ($1, $2, $3)",
            return_id,
            sale_id,
            location_id,
        )


class TransferRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, transfer_id: str, to_location_id: str, unit_ids: Sequence[str]) -> None:
        await self.conn.execute(
            "INSERT INTO transfers (transfer_id, to_location_id, unit_ids, status) VALUES ($1, $2, $3, 'in_transit')",
            transfer_id,
            to_location_id,
            list(unit_ids),
        )

    async def get(self, transfer_id: str) -> tuple[str, list[str], str] | None:
        row = await self.conn.fetchrow(
            "SELECT to_location_id, unit_ids, status FROM transfers WHERE transfer_id = $1 FOR UPDATE", transfer_id
        )
        return (row["to_location_id"], list(row["unit_ids"]), row["status"]) if row else None

    async def mark_received(self, transfer_id: str) -> None:
        await self.conn.execute(
            "UPDATE transfers SET status = 'received', received_at = now() WHERE transfer_id = $1", transfer_id
        )


class CountRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def exists(self, count_id: str) -> bool:
        return bool(
            await self.conn.fetchval("SELECT EXISTS (SELECT 1 FROM stock_counts WHERE count_id = $1)", count_id)
        )

    async def add(self, count_id: str, location_id: str, reason: str, adjustments: list[dict[str, Any]]) -> None:
        await self.conn.execute(
            "INSERT INTO stock_counts (count_id, location_id, reason, adjustments) VALUES ($1, $2, $3, $4::jsonb)",
            count_id,
            location_id,
            reason,
            json.dumps(adjustments),
        )


class CollectedDevices:
    """Trade-ins and repair devices travelling from the shops: not stock, but followed."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def dispatched(
        self,
        shipment_id: str,
        to_location_id: str,
        devices: Sequence[tuple[str, str, str, str | None, str | None, str | None]],
    ) -> None:
        """(unit_id, kind, source_id, sku, identifier_kind, identifier) now in transit."""
        await self.conn.executemany(
            """
            INSERT INTO collected_devices
                (unit_id, kind, source_id, sku, identifier_kind, identifier, location_id, status, shipment_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, 'in_transit', $8)
            ON CONFLICT (unit_id) DO UPDATE SET location_id = EXCLUDED.location_id, status = 'in_transit',
                shipment_id = EXCLUDED.shipment_id, updated_at = now()
            """,
            [(*device, to_location_id, shipment_id) for device in devices],
        )

    async def arrived(self, shipment_id: str, received: Sequence[str], missing: Sequence[str]) -> None:
        await self.conn.execute(
            "UPDATE collected_devices SET status = 'received', updated_at = now() "
            "WHERE shipment_id = $1 AND unit_id = ANY($2::text[])",
            shipment_id,
            list(received),
        )
        await self.conn.execute(
            "UPDATE collected_devices SET status = 'missing', updated_at = now() "
            "WHERE shipment_id = $1 AND unit_id = ANY($2::text[])",
            shipment_id,
            list(missing),
        )

    async def at(self, location_id: str | None, status: str | None) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            """
            SELECT unit_id, kind, source_id, sku, identifier_kind, identifier, location_id, status, shipment_id
            FROM collected_devices
            WHERE ($1::text IS NULL OR location_id = $1) AND ($2::text IS NULL OR status = $2)
            ORDER BY unit_id LIMIT 1000
            """,
            location_id,
            status,
        )
        return [dict(row) for row in rows]


@dataclass(frozen=True)
class LocationCount:
    location_id: str
    location_kind: str
    market: str
    available: int


class AvailabilityQuery:
    """Sellable stock per location for one SKU: free units, or free accessory quantity."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def for_sku(self, sku: str, kind: str) -> list[LocationCount]:
        if kind == "accessory":
            rows = await self.conn.fetch(
                """
                SELECT s.location_id, l.kind, l.market, s.on_hand - s.reserved AS available
                FROM accessory_stock s JOIN locations l USING (location_id)
                WHERE s.sku = $1 AND s.on_hand - s.reserved > 0 ORDER BY s.location_id
                """,
                sku,
            )
        else:
            rows = await self.conn.fetch(
                """
                SELECT u.location_id, l.kind, l.market, count(*) AS available
                FROM units u JOIN locations l USING (location_id)
                WHERE u.sku = $1 AND u.status = 'available'
                GROUP BY u.location_id, l.kind, l.market ORDER BY u.location_id
                """,
                sku,
            )
        return [LocationCount(r["location_id"], r["kind"], r["market"], int(r["available"])) for r in rows]

    async def for_skus(self, kinds: dict[str, str]) -> dict[str, list[LocationCount]]:
        """Availability of many SKUs (sku -> kind) in two queries."""
        result: dict[str, list[LocationCount]] = {sku: [] for sku in kinds}
        devices = [sku for sku, kind in kinds.items() if kind != "accessory"]
        accessories = [sku for sku, kind in kinds.items() if kind == "accessory"]
        if devices:
            rows = await self.conn.fetch(
                """
                SELECT u.sku, u.location_id, l.kind, l.market, count(*) AS available
                FROM units u JOIN locations l USING (location_id)
                WHERE u.sku = ANY($1::text[]) AND u.status = 'available'
                GROUP BY u.sku, u.location_id, l.kind, l.market ORDER BY u.sku, u.location_id
                """,
                devices,
            )
            for r in rows:
                result[r["sku"]].append(LocationCount(r["location_id"], r["kind"], r["market"], int(r["available"])))
        if accessories:
            rows = await self.conn.fetch(
                """
                SELECT s.sku, s.location_id, l.kind, l.market, s.on_hand - s.reserved AS available
                FROM accessory_stock s JOIN locations l USING (location_id)
                WHERE s.sku = ANY($1::text[]) AND s.on_hand - s.reserved > 0 ORDER BY s.sku, s.location_id
                """,
                accessories,
            )
            for r in rows:
                result[r["sku"]].append(LocationCount(r["location_id"], r["kind"], r["market"], int(r["available"])))
        return result

    async def overview(self, market: str | None) -> list[tuple[str, str, int]]:
        rows = await self.conn.fetch(
            """
            SELECT u.sku, l.market, count(*) AS available FROM units u JOIN locations l USING (location_id)
            WHERE u.status = 'available' AND ($1::text IS NULL OR l.market = $1) GROUP BY u.sku, l.market
            UNION ALL
            SELECT s.sku, l.market, sum(s.on_hand - s.reserved)::bigint FROM accessory_stock s
            JOIN locations l USING (location_id)
            WHERE ($1::text IS NULL OR l.market = $1) GROUP BY s.sku, l.market
            ORDER BY 1, 2
            """,
            market,
        )
        return [(r["sku"], r["market"], int(r["available"])) for r in rows]
