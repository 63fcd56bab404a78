"""Sellable stock per location, on PostgreSQL: free units, or free accessory quantity."""

from __future__ import annotations

from collections.abc import Mapping

from inventory.domain.events import LocationAvailable
from reloop_shared.db.types import Connection

_UNITS = """
    SELECT u.sku, u.location_id, l.kind, l.market, count(*) AS available
    FROM units u JOIN locations l USING (location_id)
    WHERE u.sku = ANY($1::text[]) AND u.status = 'available'
    GROUP BY u.sku, u.location_id, l.kind, l.market ORDER BY u.sku, u.location_id
"""
_ACCESSORIES = """
    SELECT s.sku, s.location_id, l.kind, l.market, s.on_hand - s.reserved AS available
    FROM accessory_stock s JOIN locations l USING (location_id)
    WHERE s.sku = ANY($1::text[]) AND s.on_hand - s.reserved > 0 ORDER BY s.sku, s.location_id
"""


class AvailabilityQuery:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def for_sku(self, sku: str, kind: str) -> list[LocationAvailable]:
        return (await self.for_skus({sku: kind}))[sku]

    async def for_skus(self, kinds: Mapping[str, str]) -> dict[str, list[LocationAvailable]]:
        """Availability of many SKUs (sku -> kind) in at most two queries."""
        result: dict[str, list[LocationAvailable]] = {sku: [] for sku in kinds}
        devices = [sku for sku, kind in kinds.items() if kind != "accessory"]
        accessories = [sku for sku, kind in kinds.items() if kind == "accessory"]
        for query, skus in ((_UNITS, devices), (_ACCESSORIES, accessories)):
            if skus:
                for r in await self.conn.fetch(query, skus):
                    result[r["sku"]].append(
                        LocationAvailable(r["location_id"], r["kind"], r["market"], int(r["available"]))
                    )
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
