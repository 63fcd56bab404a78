"""The centres' parts on PostgreSQL: stock rows locked in part order, and the journal of moves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from asyncpg import Record

from reloop_shared.db.types import Connection
from reloop_shared.unit_of_work import TrackedAggregates
from repair.domain.events import DomainEvent, PartNeed
from repair.domain.parts import PartStock
from repair.service_layer.ports import PartMove


def _stock(row: Record) -> PartStock:
    return PartStock(
        row["centre_id"],
        row["part_sku"],
        row["on_hand"],
        row["reserved"],
        row["reorder_point"],
        row["below_reorder_point"],
    )


class PostgresPartsRepository:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen

    def _tracked(self, stock: PartStock) -> PartStock:
        self.seen.append(stock)
        return stock

    async def lock(self, centre_id: str, part_skus: Sequence[str]) -> dict[str, PartStock]:
        # In part order, so two tickets needing the same parts queue instead of deadlocking.
        rows = await self.conn.fetch(
            "SELECT * FROM parts_stock WHERE centre_id = $1 AND part_sku = ANY($2::text[]) "
            "ORDER BY part_sku FOR UPDATE",
            centre_id,
            sorted(set(part_skus)),
        )
        return {r["part_sku"]: self._tracked(_stock(r)) for r in rows}

    async def stock(self, centre_id: str, part_sku: str) -> PartStock:
        # The row is made first (empty) so the lock holds for a part the centre never stocked too.
        await self.conn.execute(
            "INSERT INTO parts_stock (centre_id, part_sku, on_hand, reserved) VALUES ($1, $2, 0, 0) "
            "ON CONFLICT (centre_id, part_sku) DO NOTHING",
            centre_id,
            part_sku,
        )
        row = await self.conn.fetchrow(
            "SELECT * FROM parts_stock WHERE centre_id = $1 AND part_sku = $2 FOR UPDATE", centre_id, part_sku
        )
        assert row is not None
        return self._tracked(_stock(row))

    async def save(self, stocks: Sequence[PartStock]) -> None:
        await self.conn.executemany(
            """
            UPDATE parts_stock SET on_hand = $3, reserved = $4, reorder_point = $5, below_reorder_point = $6
             WHERE centre_id = $1 AND part_sku = $2
            """,
            [(s.centre_id, s.part_sku, s.on_hand, s.reserved, s.reorder_point, s.below_reorder_point) for s in stocks],
        )
        for stock in stocks:
            self.seen.append(stock)

    async def record_moves(
        self, ticket_id: str | None, centre_id: str, needs: Sequence[PartNeed], move: PartMove, at: datetime
    ) -> None:
        await self.conn.executemany(
            "INSERT INTO part_reservations (ticket_id, centre_id, part_sku, quantity, move, at) "
            "VALUES ($1, $2, $3, $4, $5, $6)",
            [(ticket_id, centre_id, n.part_sku, n.quantity, move, at) for n in needs],
        )

    async def find(self, centre_id: str, after: str | None, limit: int) -> list[PartStock]:
        rows = await self.conn.fetch(
            "SELECT * FROM parts_stock WHERE centre_id = $1 AND ($2::text IS NULL OR part_sku > $2) "
            "ORDER BY part_sku LIMIT $3",
            centre_id,
            after,
            limit,
        )
        return [_stock(r) for r in rows]
