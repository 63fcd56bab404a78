"""The catalog's refurbished SKUs and their current prices per market on PostgreSQL (all of their SQL)."""

from __future__ import annotations

from collections.abc import Sequence

from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from repair.domain.resale_values import CatalogSku, ResalePrice, SkuOnSale


class PostgresResalePrices:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def save_listing(self, listing: CatalogSku) -> None:
        await self.conn.execute(
            """
            INSERT INTO catalog_skus (sku, model_family, storage_gb, grade) VALUES ($1, $2, $3, $4)
            ON CONFLICT (sku) DO UPDATE
               SET model_family = excluded.model_family, storage_gb = excluded.storage_gb, grade = excluded.grade
            """,
            listing.sku,
            listing.model_family,
            listing.storage_gb,
            listing.grade,
        )

    async def price_of(self, sku: str, market: str) -> tuple[CatalogSku | None, ResalePrice | None]:
        # FOR UPDATE: two prices of one SKU and market are decided one after the other.
        row = await self.conn.fetchrow(
            """
            SELECT s.sku, s.model_family, s.storage_gb, s.grade, p.currency, p.amount_minor, p.effective_at
              FROM catalog_skus s LEFT JOIN catalog_prices p ON p.sku = s.sku AND p.market = $2
             WHERE s.sku = $1
               FOR UPDATE OF s
            """,
            sku,
            market,
        )
        if row is None:
            return None, None
        listing = CatalogSku(row["sku"], row["model_family"], row["storage_gb"], row["grade"])
        if row["currency"] is None:
            return listing, None
        price = ResalePrice(sku, market, Money(row["amount_minor"], row["currency"]), row["effective_at"])
        return listing, price

    async def save_price(self, price: ResalePrice) -> None:
        await self.conn.execute(
            """
            INSERT INTO catalog_prices (sku, market, currency, amount_minor, effective_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (sku, market) DO UPDATE
               SET currency = excluded.currency, amount_minor = excluded.amount_minor,
                   effective_at = excluded.effective_at
            """,
            price.sku,
            price.market,
            price.price.currency,
            price.price.amount_minor,
            price.effective_at,
        )

    async def discontinue(self, sku: str) -> None:
        await self.conn.execute("UPDATE catalog_skus SET discontinued = true WHERE sku = $1", sku)

    async def around(self, market: str, skus: Sequence[str], models: Sequence[str]) -> list[SkuOnSale]:
        rows = await self.conn.fetch(
            """
            WITH families AS (
                SELECT model_family FROM catalog_skus WHERE sku = ANY($2::text[])
                UNION SELECT unnest($3::text[])
            )
            SELECT s.sku, s.model_family, s.discontinued, p.currency, p.amount_minor
              FROM catalog_skus s LEFT JOIN catalog_prices p ON p.sku = s.sku AND p.market = $1
             WHERE s.sku = ANY($2::text[]) OR s.model_family IN (SELECT model_family FROM families)
             ORDER BY s.sku
            """,
            market,
            list(skus),
            list(models),
        )
        return [
            SkuOnSale(
                r["sku"],
                r["model_family"],
                r["discontinued"],
                None if r["currency"] is None else Money(r["amount_minor"], r["currency"]),
            )
            for r in rows
        ]
