"""Accessory stock rows on PostgreSQL: one object per (sku, location) in a transaction, locked."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from inventory.domain.events import DomainEvent
from inventory.domain.stock import AccessoryStock
from reloop_shared.db.types import Connection
from reloop_shared.unit_of_work import TrackedAggregates


class StockRepository:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen
        self.loaded: dict[tuple[str, str], AccessoryStock] = {}

    async def get(self, sku: str, location_id: str) -> AccessoryStock:
        return (await self.many([(sku, location_id)]))[(sku, location_id)]

    async def many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], AccessoryStock]:
        """The stock rows of (sku, location) pairs, locked in a fixed order, each created empty the
        first time an item is seen at a location."""
        found = {key: self.loaded[key] for key in keys if key in self.loaded}
        missing = sorted(set(keys) - set(found))
        if not missing:
            return found
        skus, locations = [k[0] for k in missing], [k[1] for k in missing]
        await self.conn.execute(
            "INSERT INTO accessory_stock (sku, location_id) SELECT * FROM unnest($1::text[], $2::text[]) "
            "ON CONFLICT DO NOTHING",
            skus,
            locations,
        )
        rows = await self.conn.fetch(
            """
            SELECT s.sku, s.location_id, s.on_hand, s.reserved
            FROM accessory_stock s JOIN unnest($1::text[], $2::text[]) AS k (sku, location_id) USING (sku, location_id)
            ORDER BY s.sku, s.location_id FOR UPDATE OF s
            """,
            skus,
            locations,
        )
        for row in rows:
            stock = AccessoryStock(row["sku"], row["location_id"], row["on_hand"], row["reserved"])
            found[(stock.sku, stock.location_id)] = self.loaded[(stock.sku, stock.location_id)] = stock
            self.seen.append(stock)
        return found

    async def free(self, skus: Iterable[str], location_ids: Sequence[str]) -> dict[tuple[str, str], AccessoryStock]:
        """The rows of `skus` at `location_ids` with stock free, locked in a fixed order. A row this
        transaction holds already counts as it is in memory."""
        rows = await self.conn.fetch(
            """
            SELECT sku, location_id, on_hand, reserved FROM accessory_stock
            WHERE sku = ANY($1::text[]) AND location_id = ANY($2::text[]) AND on_hand > reserved
            ORDER BY sku, location_id FOR UPDATE
            """,
            sorted(set(skus)),
            sorted(set(location_ids)),
        )
        found: dict[tuple[str, str], AccessoryStock] = {}
        for row in rows:
            key = (row["sku"], row["location_id"])
            stock = self.loaded.get(key)
            if stock is None:
                stock = self.loaded[key] = AccessoryStock(
                    row["sku"], row["location_id"], row["on_hand"], row["reserved"]
                )
                self.seen.append(stock)
            found[key] = stock
        return found

    async def save(self, stock: Sequence[AccessoryStock]) -> None:
        await self.conn.executemany(
            "UPDATE accessory_stock SET on_hand = $3, reserved = $4 WHERE sku = $1 AND location_id = $2",
            [(x.sku, x.location_id, x.on_hand, x.reserved) for x in stock],
        )

    def forget(self) -> None:
        self.loaded.clear()
