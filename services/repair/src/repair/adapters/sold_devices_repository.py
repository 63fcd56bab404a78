"""The units reloop sold (the warranty's projection) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence

from reloop_shared.db.types import Connection
from repair.domain.coverage import SoldDevice


class PostgresSoldDevices:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def record(self, devices: Sequence[SoldDevice]) -> None:
        # The first sale of a unit is its warranty's start; a copy of the event changes nothing.
        await self.conn.executemany(
            "INSERT INTO sold_devices (unit_id, sku, sale_id, market, sold_at) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (unit_id) DO NOTHING",
            [(d.unit_id, d.sku, d.sale_id, d.market, d.sold_at) for d in devices],
        )

    async def get(self, unit_id: str) -> SoldDevice | None:
        row = await self.conn.fetchrow("SELECT * FROM sold_devices WHERE unit_id = $1", unit_id)
        if row is None:
            return None
        return SoldDevice(row["unit_id"], row["sku"], row["sale_id"], row["market"], row["sold_at"])
