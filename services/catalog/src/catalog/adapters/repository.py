"""The catalog's repositories on PostgreSQL: all of the write side's SQL."""

from __future__ import annotations

import json

import asyncpg

from catalog.domain.errors import AlreadyExists
from catalog.domain.events import DomainEvent
from catalog.domain.model import Price, Product, Sku
from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from reloop_shared.unit_of_work import TrackedAggregates


class PostgresProducts:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen

    async def get(self, product_id: str) -> Product | None:
        row = await self.conn.fetchrow("SELECT * FROM products WHERE product_id = $1", product_id)
        if row is None:
            return None
        product = Product(
            row["product_id"],
            row["brand"],
            row["model"],
            row["category"],
            json.loads(row["attributes"]),
            row["published_at"],
        )
        self.seen.append(product)
        return product

    async def save(self, product: Product) -> None:
        await self.conn.execute(
            """
            INSERT INTO products (product_id, brand, model, category, attributes, published_at)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6)
            ON CONFLICT (product_id) DO UPDATE SET brand = EXCLUDED.brand, model = EXCLUDED.model,
                category = EXCLUDED.category, attributes = EXCLUDED.attributes, published_at = EXCLUDED.published_at
            """,
            product.product_id,
            product.brand,
            product.model,
            product.category,
            json.dumps(product.attributes),
            product.published_at,
        )
        self.seen.append(product)


class PostgresSkus:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen

    async def get(self, sku: str, *, for_update: bool = False) -> Sku | None:
        # Row lock: two repricings of one SKU are serialised, so their events keep their order.
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM skus WHERE sku = $1{lock}", sku)
        if row is None:
            return None
        prices = await self.conn.fetch(
            """
            SELECT DISTINCT ON (market) market, amount_minor, currency, effective_at
            FROM sku_prices WHERE sku = $1 ORDER BY market, effective_at DESC
            """,
            sku,
        )
        found = Sku(
            sku=row["sku"],
            product_id=row["product_id"],
            kind=row["kind"],
            title=row["title"],
            grade=row["grade"],
            storage_gb=row["storage_gb"],
            colour=row["colour"],
            listed_at=row["listed_at"],
            prices={
                p["market"]: Price(p["market"], Money(p["amount_minor"], p["currency"]), p["effective_at"])
                for p in prices
            },
            discontinued_at=row["discontinued_at"],
            discontinued_reason=row["discontinued_reason"],
        )
        self.seen.append(found)
        return found

    async def add(self, sku: Sku) -> None:
        try:
            await self.conn.execute(
                """
                INSERT INTO skus (sku, product_id, kind, title, grade, storage_gb, colour, listed_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """,
                sku.sku,
                sku.product_id,
                sku.kind,
                sku.title,
                sku.grade,
                sku.storage_gb,
                sku.colour,
                sku.listed_at,
            )
        except asyncpg.UniqueViolationError as error:
            # Listed by a concurrent request between our check and this insert.
            raise AlreadyExists(f"SKU {sku.sku} already exists", field="sku") from error
        self.seen.append(sku)

    async def add_price(self, sku: str, price: Price) -> None:
        await self.conn.execute(
            "INSERT INTO sku_prices (sku, market, amount_minor, currency, effective_at) VALUES ($1, $2, $3, $4, $5)",
            sku,
            price.market,
            price.amount.amount_minor,
            price.amount.currency,
            price.effective_at,
        )

    async def mark_discontinued(self, sku: Sku) -> None:
        await self.conn.execute(
            "UPDATE skus SET discontinued_at = $2, discontinued_reason = $3 WHERE sku = $1",
            sku.sku,
            sku.discontinued_at,
            sku.discontinued_reason,
        )
