"""Sellable stock per location, on PostgreSQL: free units, or free accessory quantity."""

from __future__ import annotations

from collections.abc import Mapping

from inventory.domain.events import LocationAvailable
from reloop_shared.db.types import Connection
from reloop_shared.http.pagination import Key

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

    async def overview(self, market: str | None, after: Key | None, limit: int) -> list[tuple[str, str, int]]:
        after_sku, after_market = after or (None, None)
        rows = await self.conn.fetch(
            """
            SELECT sku, market, available FROM (
                SELECT u.sku, l.market, count(*) AS available FROM units u JOIN locations l USING (location_id)
                WHERE u.status = 'available' AND ($1::text IS NULL OR l.market = $1) GROUP BY u.sku, l.market
                UNION ALL
                SELECT s.sku, l.market, sum(s.on_hand - s.reserved)::bigint FROM accessory_stock s
                JOIN locations l USING (location_id)
                WHERE ($1::text IS NULL OR l.market = $1) GROUP BY s.sku, l.market
            ) per_market
            WHERE ($2::text IS NULL OR (sku, market) > ($2, $3::text))
            ORDER BY sku, market LIMIT $4
            """,
            market,
            after_sku,
            after_market,
            limit,
        )
        return [(r["sku"], r["market"], int(r["available"])) for r in rows]
