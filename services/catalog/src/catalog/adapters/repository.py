"""All of the catalog's SQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from catalog.domain.events import EventRecorder
from catalog.domain.model import Price, Product, Sku
from reloop_shared.db.types import Connection


class ProductRepository:
    def __init__(self, conn: Connection, seen: list[Any]) -> None:
        self.conn = conn
        self.seen = seen

    async def get(self, product_id: str) -> Product | None:
        row = await self.conn.fetchrow("SELECT * FROM products WHERE product_id = $1", product_id)
        if row is None:
            return None
        product = Product(row["product_id"], row["brand"], row["model"], row["category"], json.loads(row["attributes"]))
        self.seen.append(product)
        return product

    async def save(self, product: Product, published_at: datetime) -> None:
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
            published_at,
        )
        self.seen.append(product)


class SkuRepository:
    def __init__(self, conn: Connection, seen: list[Any]) -> None:
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
        item = Sku(
            sku=row["sku"],
            product_id=row["product_id"],
            kind=row["kind"],
            title=row["title"],
            grade=row["grade"],
            storage_gb=row["storage_gb"],
            colour=row["colour"],
            prices={
                p["market"]: Price(p["market"], p["amount_minor"], p["currency"], p["effective_at"]) for p in prices
            },
            discontinued_at=row["discontinued_at"],
            recorder=EventRecorder(),
        )
        self.seen.append(item)
        return item

    async def add(self, item: Sku, listed_at: datetime) -> None:
        await self.conn.execute(
            """
            INSERT INTO skus (sku, product_id, kind, title, grade, storage_gb, colour, listed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """,
            item.sku,
            item.product_id,
            item.kind,
            item.title,
            item.grade,
            item.storage_gb,
            item.colour,
            listed_at,
        )
        self.seen.append(item)

    async def add_price(self, sku: str, price: Price) -> None:
        await self.conn.execute(
            "INSERT INTO sku_prices (sku, market, amount_minor, currency, effective_at) VALUES ($1, $2, $3, $4, $5)",
            sku,
            price.market,
            price.amount_minor,
            price.currency,
            price.effective_at,
        )

    async def mark_discontinued(self, sku: str, at: datetime, reason: str) -> None:
        await self.conn.execute(
            "UPDATE skus SET discontinued_at = $2, discontinued_reason = $3 WHERE sku = $1", sku, at, reason
        )


@dataclass(frozen=True)
class SkuView:
    sku: str
    product_id: str
    brand: str
    model: str
    category: str
    kind: str
    title: str
    grade: str | None
    storage_gb: int | None
    colour: str | None
    discontinued: bool
    prices: dict[str, tuple[int, str]]


@dataclass(frozen=True)
class SkuQuery:
    market: str | None = None
    category: str | None = None
    brand: str | None = None
    model: str | None = None
    grade: str | None = None
    kind: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    text: str | None = None
    include_discontinued: bool = False
    limit: int = 20
    offset: int = 0


_SEARCH = """
WITH current_prices AS (
    SELECT DISTINCT ON (sku, market) sku, market, amount_minor, currency
    FROM sku_prices WHERE effective_at <= now()
    ORDER BY sku, market, effective_at DESC
)
SELECT s.*, p.brand, p.model, p.category,
       COALESCE(jsonb_object_agg(cp.market, jsonb_build_array(cp.amount_minor, cp.currency))
                FILTER (WHERE cp.market IS NOT NULL), '{}'::jsonb) AS prices,
       count(*) OVER () AS total
FROM skus s
JOIN products p ON p.product_id = s.product_id
LEFT JOIN current_prices cp ON cp.sku = s.sku
WHERE ($1::text IS NULL OR p.category = $1)
  AND ($2::text IS NULL OR lower(p.brand) = lower($2))
  AND ($3::text IS NULL OR lower(p.model) LIKE '%' || lower($3) || '%')
  AND ($4::text IS NULL OR s.grade = $4)
  AND ($5::text IS NULL OR s.kind = $5)
  AND ($6::boolean OR s.discontinued_at IS NULL)
  AND ($7::text IS NULL OR lower(s.title || ' ' || p.brand || ' ' || p.model) LIKE '%' || lower($7) || '%')
  AND ($8::text IS NULL OR EXISTS (
        SELECT 1 FROM current_prices q WHERE q.sku = s.sku AND q.market = $8
          AND ($9::bigint IS NULL OR q.amount_minor >= $9) AND ($10::bigint IS NULL OR q.amount_minor <= $10)))
GROUP BY s.sku, p.brand, p.model, p.category
ORDER BY p.brand, p.model, s.sku
LIMIT $11 OFFSET $12
"""


class CatalogReadModel:
    """Queries for the public API (reads need no unit of work)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def search(self, query: SkuQuery) -> tuple[list[SkuView], int]:
        rows = await self.conn.fetch(
            _SEARCH,
            query.category,
            query.brand,
            query.model,
            query.grade,
            query.kind,
            query.include_discontinued,
            query.text,
            query.market,
            query.min_price,
            query.max_price,
            query.limit,
            query.offset,
        )
        total = int(rows[0]["total"]) if rows else 0
        return [_view(row) for row in rows], total

    async def sku(self, sku: str) -> SkuView | None:
        rows = await self.conn.fetch(
            _SEARCH.replace("WHERE ($1::text IS NULL", "WHERE s.sku = $13 AND ($1::text IS NULL"),
            None,
            None,
            None,
            None,
            None,
            True,
            None,
            None,
            None,
            None,
            1,
            0,
            sku,
        )
        return _view(rows[0]) if rows else None

    async def product(self, product_id: str) -> dict[str, Any] | None:
        row = await self.conn.fetchrow("SELECT * FROM products WHERE product_id = $1", product_id)
        if row is None:
            return None
        skus = await self.conn.fetch("SELECT sku FROM skus WHERE product_id = $1 ORDER BY sku", product_id)
        return {
            "product_id": row["product_id"],
            "brand": row["brand"],
            "model": row["model"],
            "category": row["category"],
            "attributes": json.loads(row["attributes"]),
            "skus": [r["sku"] for r in skus],
        }


def _view(row: Any) -> SkuView:
    prices: Sequence[Any] = json.loads(row["prices"]) if isinstance(row["prices"], str) else row["prices"]
    return SkuView(
        sku=row["sku"],
        product_id=row["product_id"],
        brand=row["brand"],
        model=row["model"],
        category=row["category"],
        kind=row["kind"],
        title=row["title"],
        grade=row["grade"],
        storage_gb=row["storage_gb"],
        colour=row["colour"],
        discontinued=row["discontinued_at"] is not None,
        prices={market: (int(v[0]), str(v[1])) for market, v in dict(prices).items()},
    )
