"""Transfers, stock counts and the devices collected at shops, on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from inventory.domain.transfers import Transfer
from inventory.service_layer.ports import CollectedDevice
from reloop_shared.db.types import Connection
from reloop_shared.http.pagination import Key


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

    async def get(self, transfer_id: str) -> Transfer | None:
        row = await self.conn.fetchrow(
            "SELECT to_location_id, unit_ids, status FROM transfers WHERE transfer_id = $1 FOR UPDATE", transfer_id
        )
        return Transfer(transfer_id, row["to_location_id"], list(row["unit_ids"]), row["status"]) if row else None

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


class CollectedDeviceRepository:
    """Trade-ins and repair devices travelling from the shops: not stock, but followed."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def dispatched(self, shipment_id: str, to_location_id: str, devices: Sequence[CollectedDevice]) -> None:
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

    async def at(
        self, location_id: str | None, status: str | None, after: Key | None, limit: int
    ) -> list[dict[str, Any]]:
        (after_id,) = after or (None,)
        rows = await self.conn.fetch(
            """
            SELECT unit_id, kind, source_id, sku, identifier_kind, identifier, location_id, status, shipment_id
            FROM collected_devices
            WHERE ($1::text IS NULL OR location_id = $1) AND ($2::text IS NULL OR status = $2)
              AND ($3::text IS NULL OR unit_id > $3)
            ORDER BY unit_id LIMIT $4
            """,
            location_id,
            status,
            after_id,
            limit,
        )
        return [dict(row) for row in rows]
