"""The catalog projection and the derivation rules on PostgreSQL (`migrations/0004`)."""

from __future__ import annotations

from asyncpg import Record

from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from trade_in.domain.catalog_resale import SkuListing
from trade_in.domain.pricing import DerivationRule, GridKey, ResalePrice


def _listing(row: Record) -> SkuListing:
    return SkuListing(row["sku"], row["model_family"], row["storage_gb"], row["grade"], row["discontinued"])


def _price(row: Record) -> ResalePrice:
    return ResalePrice(row["sku"], row["market"], Money(row["amount_minor"], row["currency"]), row["effective_at"])


class PostgresResalePrices:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def save_listing(self, listing: SkuListing) -> None:
        await self.conn.execute(
            """
            INSERT INTO catalog_skus (sku, model_family, storage_gb, grade) VALUES ($1, $2, $3, $4)
            ON CONFLICT (sku) DO UPDATE SET
                model_family = EXCLUDED.model_family, storage_gb = EXCLUDED.storage_gb, grade = EXCLUDED.grade
            """,
            listing.sku,
            listing.model_family,
            listing.storage_gb,
            listing.grade,
        )

    async def discontinue(self, sku: str) -> None:
        await self.conn.execute("UPDATE catalog_skus SET discontinued = true WHERE sku = $1", sku)

    async def price_of(self, sku: str, market: str) -> tuple[SkuListing | None, ResalePrice | None]:
        row = await self.conn.fetchrow(
            """
            SELECT s.*, p.market, p.currency, p.amount_minor, p.effective_at
            FROM catalog_skus s LEFT JOIN catalog_resale_prices p ON p.sku = s.sku AND p.market = $2
            WHERE s.sku = $1
            """,
            sku,
            market,
        )
        if row is None:
            return None, None
        return _listing(row), None if row["market"] is None else _price(row)

    async def save_price(self, price: ResalePrice) -> None:
        # The WHERE keeps the rule the handler decided by (`supersedes`) should two transactions
        # ever apply prices of one SKU at once: an older price never overwrites a newer one.
        await self.conn.execute(
            """
            INSERT INTO catalog_resale_prices (sku, market, currency, amount_minor, effective_at)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (sku, market) DO UPDATE SET
                currency = EXCLUDED.currency, amount_minor = EXCLUDED.amount_minor,
                effective_at = EXCLUDED.effective_at
            WHERE catalog_resale_prices.effective_at < EXCLUDED.effective_at
            """,
            price.sku,
            price.market,
            price.price.currency,
            price.price.amount_minor,
            price.effective_at,
        )

    async def priced_for(self, key: GridKey) -> list[tuple[SkuListing, ResalePrice]]:
        rows = await self.conn.fetch(
            """
            SELECT s.*, p.market, p.currency, p.amount_minor, p.effective_at
            FROM catalog_skus s JOIN catalog_resale_prices p ON p.sku = s.sku AND p.market = $1
            WHERE s.model_family = $2 AND s.storage_gb = $3 AND s.grade = $4
            ORDER BY s.sku
            """,
            key.market,
            key.model_family,
            key.storage_gb,
            key.grade,
        )
        return [(_listing(row), _price(row)) for row in rows]


def _rule(row: Record) -> DerivationRule:
    return DerivationRule(
        row["market"],
        row["model_family"],
        row["margin_bps"],
        row["monthly_decay_bps"],
        Money(row["floor_minor"], row["currency"]),
    )


class PostgresDerivationRules:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def put(self, rule: DerivationRule) -> None:
        await self.conn.execute(
            """
            INSERT INTO grid_derivation_rules
                (market, model_family, margin_bps, monthly_decay_bps, currency, floor_minor)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (market, COALESCE(model_family, '')) DO UPDATE SET
                margin_bps = EXCLUDED.margin_bps, monthly_decay_bps = EXCLUDED.monthly_decay_bps,
                currency = EXCLUDED.currency, floor_minor = EXCLUDED.floor_minor, updated_at = now()
            """,
            rule.market,
            rule.model_family,
            rule.margin_bps,
            rule.monthly_decay_bps,
            rule.floor.currency,
            rule.floor.amount_minor,
        )

    async def remove(self, market: str, model_family: str | None) -> bool:
        removed = await self.conn.fetchval(
            """
            WITH gone AS (
                DELETE FROM grid_derivation_rules
                WHERE market = $1 AND model_family IS NOT DISTINCT FROM $2 RETURNING 1
            )
            SELECT count(*) FROM gone
            """,
            market,
            model_family,
        )
        return bool(removed)

    async def of_market(self, market: str) -> list[DerivationRule]:
        rows = await self.conn.fetch(
            """
            SELECT * FROM grid_derivation_rules WHERE market = $1
            ORDER BY model_family IS NOT NULL, model_family
            """,
            market,
        )
        return [_rule(row) for row in rows]
