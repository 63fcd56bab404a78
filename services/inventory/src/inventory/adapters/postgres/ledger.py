"""The ledger of applied sales and returns on PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

from inventory.domain.ledger import AppliedSale, LedgerLine, LineMove
from reloop_shared.db.types import Connection


class SalesLedgerRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def already_applied(self, sale_ids: Sequence[str]) -> set[str]:
        rows = await self.conn.fetch(
            "SELECT sale_id FROM applied_sales WHERE sale_id = ANY($1::text[])", sorted(set(sale_ids))
        )
        return {row["sale_id"] for row in rows}

    async def many(self, sale_ids: Sequence[str]) -> dict[str, AppliedSale]:
        """Applied sales with all their lines (two round trips however many)."""
        if not sale_ids:
            return {}
        rows = await self.conn.fetch(
            "SELECT sale_id, channel, market, location_id FROM applied_sales WHERE sale_id = ANY($1::text[])",
            sorted(set(sale_ids)),
        )
        sales = {row["sale_id"]: AppliedSale(**dict(row), lines=[]) for row in rows}
        lines = await self.conn.fetch(
            "SELECT sale_id, line_id, kind, sku, unit_id, quantity, location_id FROM sale_lines "
            "WHERE sale_id = ANY($1::text[]) ORDER BY sale_id, line_id",
            list(sales),
        )
        for line in lines:
            sales[line["sale_id"]].lines.append(
                LedgerLine(
                    line["line_id"], line["kind"], line["sku"], line["unit_id"], line["quantity"], line["location_id"]
                )
            )
        return sales

    async def save(self, applied: Sequence[AppliedSale], moves: Sequence[LineMove]) -> None:
        if applied:
            await self.conn.executemany(
                "INSERT INTO applied_sales (sale_id, channel, market, location_id) VALUES ($1, $2, $3, $4)",
                [(s.sale_id, s.channel, s.market, s.location_id) for s in applied],
            )
            lines = [
                (s.sale_id, x.line_id, x.kind, x.sku, x.unit_id, x.quantity, x.location_id)
                for s in applied
                for x in s.lines
            ]
            if lines:
                await self.conn.executemany(
                    "INSERT INTO sale_lines (sale_id, line_id, kind, sku, unit_id, quantity, location_id) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    lines,
                )
        new = {s.sale_id for s in applied}
        earlier = [m for m in moves if m.sale_id not in new]
        if earlier:
            await self.conn.executemany(
                "UPDATE sale_lines SET unit_id = $3, location_id = COALESCE($4, location_id) "
                "WHERE sale_id = $1 AND line_id = $2",
                [(m.sale_id, m.line_id, m.unit_id, m.location_id) for m in earlier],
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
