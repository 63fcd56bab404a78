"""The collection hub's SQL: devices waiting at shops and the shipments that take them away."""

from __future__ import annotations

import json

from reloop_shared.db.types import Connection
from reloop_shared.http.pagination import Key
from reloop_shared.unit_of_work import TrackedAggregates
from store_sync.domain.collected_devices import CollectedDevice, ShippedDevice
from store_sync.domain.collection import Shipment
from store_sync.domain.events import DomainEvent


class ShipmentRepository:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen

    async def waiting(
        self, shop_id: str, *, for_update: bool = False, after: Key | None = None, limit: int | None = None
    ) -> list[CollectedDevice]:
        lock = " FOR UPDATE" if for_update else ""
        at, source_id, unit_id = after or (None, None, None)
        rows = await self.conn.fetch(
            f"""
            SELECT * FROM collected_devices WHERE shop_id = $1 AND shipment_id IS NULL
                AND ($2::timestamptz IS NULL OR (collected_at, source_id, unit_id) > ($2, $3::text, $4::text))
            ORDER BY collected_at, source_id, unit_id LIMIT $5{lock}
            """,
            shop_id,
            at,
            source_id,
            unit_id,
            limit,
        )
        return [
            CollectedDevice(
                r["shop_id"],
                ShippedDevice(r["unit_id"], r["kind"], r["source_id"], r["sku"], r["identifier_kind"], r["identifier"]),
                r["collected_at"],
            )
            for r in rows
        ]

    async def get(self, shipment_id: str, *, for_update: bool = False) -> Shipment | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM shipments WHERE shipment_id = $1{lock}", shipment_id)
        if row is None:
            return None
        shipment = Shipment(
            shipment_id=row["shipment_id"],
            shop_id=row["shop_id"],
            to_location_id=row["to_location_id"],
            devices=tuple(ShippedDevice(**d) for d in json.loads(row["devices"])),
            dispatched_at=row["dispatched_at"],
            carrier_reference=row["carrier_reference"],
            status=row["status"],
            received_at=row["received_at"],
            received=tuple(row["received_unit_ids"]),
            missing=tuple(row["missing_unit_ids"]),
        )
        self.seen.append(shipment)
        return shipment

    async def add(self, shipment: Shipment) -> None:
        self.seen.append(shipment)
        await self.conn.execute(
            """
            INSERT INTO shipments (shipment_id, shop_id, to_location_id, devices, carrier_reference, status,
                dispatched_at)
            VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)
            """,
            shipment.shipment_id,
            shipment.shop_id,
            shipment.to_location_id,
            json.dumps([d.__dict__ for d in shipment.devices]),
            shipment.carrier_reference,
            shipment.status,
            shipment.dispatched_at,
        )
        await self.conn.executemany(
            "UPDATE collected_devices SET shipment_id = $1 WHERE source_id = $2 AND unit_id = $3",
            [(shipment.shipment_id, d.source_id, d.unit_id) for d in shipment.devices],
        )

    async def save_receipt(self, shipment: Shipment) -> None:
        await self.conn.execute(
            """
            UPDATE shipments SET status = $2, received_at = $3, received_unit_ids = $4, missing_unit_ids = $5
            WHERE shipment_id = $1
            """,
            shipment.shipment_id,
            shipment.status,
            shipment.received_at,
            list(shipment.received),
            list(shipment.missing),
        )
