"""The public API's queries on PostgreSQL: the read side's SQL, through the pool (no unit of work)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from asyncpg import Record

from catalog.domain.errors import NotFound
from catalog.service_layer.views import ProductView, SkuQuery, SkuView
from reloop_contracts.amounts import Money
from reloop_shared.db.types import Pool
from reloop_shared.http.pagination import Key

_SEARCH = """
WITH current_prices AS (
    SELECT DISTINCT ON (sku, market) sku, market, amount_minor, currency
    FROM sku_prices WHERE effective_at <= now()
    ORDER BY sku, market, effective_at DESC
)
SELECT s.*, p.brand, p.model, p.category,
       COALESCE(jsonb_object_agg(cp.market, jsonb_build_array(cp.amount_minor, cp.currency))
                FILTER (WHERE cp.market IS NOT NULL), '{}'::jsonb) AS prices
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
  AND ($13::text IS NULL OR s.sku = $13)  -- one SKU: the single-SKU read shares the search
  AND ($12::text IS NULL OR (p.brand, p.model, s.sku) > ($12, $14, $15))  -- keyset: after the last served
GROUP BY s.sku, p.brand, p.model, p.category
ORDER BY p.brand, p.model, s.sku
LIMIT $11
"""


class PostgresCatalogViews:
    """Takes the pool lazily: the runtime opens it when it starts, after the app is built."""

    def __init__(self, pool: Callable[[], Pool]) -> None:
        self._pool = pool

    async def search(self, query: SkuQuery, after: Key | None, limit: int) -> list[SkuView]:
        return [_sku_view(row) for row in await self._fetch_skus(query, after, limit, only=None)]

    async def sku(self, sku: str) -> SkuView:
        rows = await self._fetch_skus(SkuQuery(include_discontinued=True), None, 1, only=sku)
        if not rows:
            raise NotFound(f"no SKU {sku}", field="sku")
        return _sku_view(rows[0])

    async def product(self, product_id: str) -> ProductView:
        async with self._pool().acquire() as conn:
            row = await conn.fetchrow("SELECT * FROM products WHERE product_id = $1", product_id)
            if row is None:
                raise NotFound(f"no product {product_id}", field="product_id")
            skus = await conn.fetch("SELECT sku FROM skus WHERE product_id = $1 ORDER BY sku", product_id)
        return ProductView(
            row["product_id"],
            row["brand"],
            row["model"],
            row["category"],
            json.loads(row["attributes"]),
            [r["sku"] for r in skus],
        )

    async def _fetch_skus(self, query: SkuQuery, after: Key | None, limit: int, *, only: str | None) -> list[Record]:
        brand, model, sku = after or (None, None, None)
        async with self._pool().acquire() as conn:
            return await conn.fetch(
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
                limit,
                brand,
                only,
                model,
                sku,
            )


def _sku_view(row: Record) -> SkuView:
    prices: dict[str, list[Any]] = json.loads(row["prices"]) if isinstance(row["prices"], str) else row["prices"]
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
        prices={market: Money(int(amount), str(currency)) for market, (amount, currency) in prices.items()},
    )
