"""Holds on PostgreSQL: the hold row and its lines, one object per hold in a transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from inventory.domain.events import DomainEvent
from inventory.domain.reservations import HeldLine, Reservation
from reloop_shared.db.types import Connection
from reloop_shared.unit_of_work import TrackedAggregates


class ReservationRepository:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen
        self.loaded: dict[str, Reservation] = {}
        self.locked: set[str] = set()

    async def get(self, reservation_id: str, *, for_update: bool = True) -> Reservation | None:
        return (await self.many([reservation_id], for_update=for_update)).get(reservation_id)

    async def many(self, reservation_ids: Sequence[str], *, for_update: bool = True) -> dict[str, Reservation]:
        """The holds (locked, by default, in id order), their lines read only for holds this
        transaction did not already have in hand."""
        lock = " FOR UPDATE" if for_update else ""
        rows = await self.conn.fetch(
            f"SELECT * FROM reservations WHERE reservation_id = ANY($1::text[]) ORDER BY reservation_id{lock}",
            sorted(set(reservation_ids)),
        )
        found: dict[str, Reservation] = {}
        fresh: list[asyncpg.Record] = []
        for row in rows:
            known = self.loaded.get(row["reservation_id"])
            if known is not None and (not for_update or known.reservation_id in self.locked or known.recorder.events):
                found[known.reservation_id] = known
            else:
                fresh.append(row)
        if fresh:
            lines = await self.conn.fetch(
                "SELECT * FROM reservation_lines WHERE reservation_id = ANY($1::text[]) "
                "ORDER BY reservation_id, line_id",
                [row["reservation_id"] for row in fresh],
            )
            for row in fresh:
                reservation = Reservation(
                    reservation_id=row["reservation_id"],
                    channel=row["channel"],
                    market=row["market"],
                    status=row["status"],
                    expires_at=row["expires_at"],
                    lines=[
                        HeldLine(r["line_id"], r["kind"], r["sku"], r["quantity"], r["unit_id"], r["location_id"])
                        for r in lines
                        if r["reservation_id"] == row["reservation_id"]
                    ],
                    location_id=row["location_id"],
                )
                found[reservation.reservation_id] = self.loaded[reservation.reservation_id] = reservation
                if for_update:
                    self.locked.add(reservation.reservation_id)
                self.seen.append(reservation)
        return found

    async def holding(self, unit_ids: Sequence[str]) -> dict[str, Reservation]:
        """The active holds one of whose lines holds one of `unit_ids`, locked."""
        rows = await self.conn.fetch(
            """
            SELECT DISTINCT r.reservation_id FROM reservation_lines l JOIN reservations r USING (reservation_id)
            WHERE l.unit_id = ANY($1::text[]) AND r.status = 'active'
            """,
            list(unit_ids),
        )
        return await self.many([row["reservation_id"] for row in rows]) if rows else {}

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

    async def due(self, limit: int, now: datetime) -> list[str]:
        """Ids of holds past their expiry (each is re-checked under its lock when expired)."""
        rows = await self.conn.fetch(
            "SELECT reservation_id FROM reservations WHERE status = 'active' AND expires_at <= $2 "
            "ORDER BY expires_at LIMIT $1",
            limit,
            now,
        )
        return [row["reservation_id"] for row in rows]

    def forget(self) -> None:
        self.loaded.clear()
        self.locked.clear()

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
