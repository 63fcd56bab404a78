"""Units on PostgreSQL, with an identity map: one object per unit in a transaction, so a batch of
sales decided in memory never sees a stale copy of a unit it already changed."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from inventory.domain.device_history import IdentifierInStock
from inventory.domain.events import DomainEvent
from inventory.domain.origins import TradeInOrigin
from inventory.domain.units import Unit
from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from reloop_shared.http.pagination import Key
from reloop_shared.unit_of_work import TrackedAggregates

STATE = (
    "unit_id, sku, identifier_kind, identifier, grade, location_id, status, reservation_id, sale_id, "
    "sale_channel, transfer_to, status_before_transit, previous_unit_id"
)
"""The unit's own fields, one column each."""

COLUMNS = f"{STATE}, origin_trade_in_id, acquired_for_minor, acquired_for_currency"

ONE_LIVE_PER_IDENTIFIER = "units_one_live_per_identifier"
"""The partial unique index of migration 0004: one unit still ours per device identifier."""


def unit_of(row: asyncpg.Record) -> Unit:
    return Unit(**{key: row[key] for key in STATE.split(", ")}, origin=_origin_of(row))


def _origin_of(row: asyncpg.Record) -> TradeInOrigin | None:
    if row["origin_trade_in_id"] is None:
        return None
    return TradeInOrigin(row["origin_trade_in_id"], Money(row["acquired_for_minor"], row["acquired_for_currency"]))


class UnitRepository:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen
        self.loaded: dict[str, Unit] = {}
        self.locked: set[str] = set()

    async def get(self, unit_id: str, *, for_update: bool = False) -> Unit | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT {COLUMNS} FROM units WHERE unit_id = $1{lock}", unit_id)
        return self.track(row, locked=for_update) if row else None

    async def many(self, unit_ids: Sequence[str], *, for_update: bool = False) -> dict[str, Unit]:
        lock = " FOR UPDATE" if for_update else ""
        rows = await self.conn.fetch(
            f"SELECT {COLUMNS} FROM units WHERE unit_id = ANY($1::text[]) ORDER BY unit_id{lock}", list(unit_ids)
        )
        return {row["unit_id"]: self.track(row, locked=for_update) for row in rows}

    async def carrying(self, identifier: str) -> list[Unit]:
        return (await self.carrying_any([identifier])).get(identifier, [])

    async def carrying_any(self, identifiers: Sequence[str]) -> dict[str, list[Unit]]:
        rows = await self.conn.fetch(
            f"SELECT {COLUMNS} FROM units WHERE identifier = ANY($1::text[]) ORDER BY unit_id", list(identifiers)
        )
        found: dict[str, list[Unit]] = {}
        for row in rows:
            found.setdefault(row["identifier"], []).append(self.track(row, locked=False))
        return found

    async def from_trade_in(self, trade_in_id: str) -> Unit | None:
        row = await self.conn.fetchrow(f"SELECT {COLUMNS} FROM units WHERE origin_trade_in_id = $1", trade_in_id)
        return self.track(row, locked=False) if row else None

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
            SELECT {COLUMNS} FROM units
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
        return here + [self.track(row, locked=True) for row in rows]

    async def candidates(self, wanted: dict[str, int], location_ids: Sequence[str]) -> list[Unit]:
        """Up to `wanted[sku]` available units of each SKU at each of the locations, locked, lowest
        ids first, leaving out units this transaction holds already (they count as in memory)."""
        if not wanted or not location_ids:
            return []
        pairs = [(sku, location, n) for sku, n in sorted(wanted.items()) for location in sorted(set(location_ids))]
        rows = await self.conn.fetch(
            f"""
            SELECT u.* FROM unnest($1::text[], $2::text[], $3::int[]) AS w (sku, location_id, n)
            CROSS JOIN LATERAL (
                SELECT {COLUMNS} FROM units
                WHERE sku = w.sku AND location_id = w.location_id AND status = 'available'
                  AND NOT (unit_id = ANY($4::text[]))
                ORDER BY unit_id LIMIT w.n
                FOR UPDATE SKIP LOCKED
            ) u
            """,
            [p[0] for p in pairs],
            [p[1] for p in pairs],
            [p[2] for p in pairs],
            list(self.loaded),
        )
        return [self.track(row, locked=True) for row in rows]

    async def add(self, unit: Unit) -> None:
        origin = unit.origin
        try:
            await self.conn.execute(
                f"INSERT INTO units ({COLUMNS}) VALUES ({', '.join(f'${n}' for n in range(1, 17))})",
                *(getattr(unit, column) for column in STATE.split(", ")),
                origin.trade_in_id if origin else None,
                origin.acquired_for.amount_minor if origin else None,
                origin.acquired_for.currency if origin else None,
            )
        except asyncpg.UniqueViolationError as clash:
            # Another transaction received the same device between our read and this insert.
            if clash.constraint_name != ONE_LIVE_PER_IDENTIFIER:
                raise
            raise IdentifierInStock(
                f"{unit.identifier_kind} {unit.identifier} is in stock already as another unit, received meanwhile",
                field="identifier.value",
            ) from clash
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

    async def search(
        self, sku: str | None, location_id: str | None, status: str | None, after: Key | None, limit: int
    ) -> list[Unit]:
        (after_id,) = after or (None,)
        rows = await self.conn.fetch(
            f"""
            SELECT {COLUMNS} FROM units
            WHERE ($1::text IS NULL OR sku = $1) AND ($2::text IS NULL OR location_id = $2)
              AND ($3::text IS NULL OR status = $3) AND ($5::text IS NULL OR unit_id > $5)
            ORDER BY unit_id LIMIT $4
            """,
            sku,
            location_id,
            status,
            limit,
            after_id,
        )
        return [unit_of(row) for row in rows]

    def forget(self) -> None:
        self.loaded.clear()
        self.locked.clear()

    def track(self, row: asyncpg.Record, *, locked: bool) -> Unit:
        """One object per unit; a copy read before its lock is replaced by the locked row, unless
        this transaction already changed it (then it holds the lock and the latest state)."""
        known = self.loaded.get(row["unit_id"])
        if known is not None and (not locked or known.unit_id in self.locked or known.recorder.events):
            return known
        unit = unit_of(row)
        self.loaded[unit.unit_id] = unit
        if locked:
            self.locked.add(unit.unit_id)
        self.seen.append(unit)
        return unit
