"""The storefront's projections: the catalog's price list and inventory's availability, per market."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from orders.domain.cart import Listing
from orders.service_layer.ports import StorefrontSku
from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection

_LISTINGS = """
SELECT s.sku, l.kind, l.title, l.discontinued_at IS NOT NULL AND l.discontinued_at <= $3 AS discontinued,
       p.amount_minor, p.currency, (a.by_market ->> $2)::int AS available
FROM unnest($1::text[]) AS s (sku)
LEFT JOIN sku_listings l ON l.sku = s.sku
LEFT JOIN LATERAL (
    SELECT amount_minor, currency FROM sku_prices
    WHERE sku = s.sku AND market = $2 AND effective_at <= $3
    ORDER BY effective_at DESC LIMIT 1
) p ON true
LEFT JOIN sku_availability a ON a.sku = s.sku
"""


class PostgresPriceList:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def record_listing(self, sku: str, kind: str, title: str, listed_at: datetime) -> None:
        await self.conn.execute(
            """
            INSERT INTO sku_listings (sku, kind, title, listed_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (sku) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title, listed_at = EXCLUDED.listed_at
            """,
            sku,
            kind,
            title,
            listed_at,
        )

    async def record_price(self, sku: str, market: str, price: Money, effective_at: datetime) -> None:
        await self.conn.execute(
            """
            INSERT INTO sku_prices (sku, market, amount_minor, currency, effective_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (sku, market, effective_at) DO UPDATE
                SET amount_minor = EXCLUDED.amount_minor, currency = EXCLUDED.currency
            """,
            sku,
            market,
            price.amount_minor,
            price.currency,
            effective_at,
        )

    async def record_discontinued(self, sku: str, discontinued_at: datetime) -> None:
        await self.conn.execute(
            """
            INSERT INTO sku_listings (sku, discontinued_at) VALUES ($1, $2)
            ON CONFLICT (sku) DO UPDATE SET discontinued_at = EXCLUDED.discontinued_at
            """,
            sku,
            discontinued_at,
        )

    async def record_availability(self, sku: str, by_market: Mapping[str, int], as_of: datetime) -> None:
        # Each event is a full snapshot of the SKU: the newest wins, an older one changes nothing.
        await self.conn.execute(
            """
            INSERT INTO sku_availability (sku, by_market, as_of) VALUES ($1, $2::jsonb, $3)
            ON CONFLICT (sku) DO UPDATE SET by_market = EXCLUDED.by_market, as_of = EXCLUDED.as_of
            WHERE sku_availability.as_of < EXCLUDED.as_of
            """,
            sku,
            json.dumps(dict(by_market)),
            as_of,
        )

    async def skus(self, skus: Sequence[str], market: str, now: datetime) -> dict[str, StorefrontSku]:
        """What each SKU costs in `market` now, whether it is still sold and how many can be had."""
        rows = await self.conn.fetch(_LISTINGS, list(dict.fromkeys(skus)), market, now)
        return {
            row["sku"]: StorefrontSku(
                sku=row["sku"],
                market=market,
                kind=row["kind"],
                title=row["title"],
                price=Money(row["amount_minor"], row["currency"]) if row["amount_minor"] is not None else None,
                discontinued=bool(row["discontinued"]),
                available=row["available"],
            )
            for row in rows
        }

    async def listings(self, skus: Sequence[str], market: str, now: datetime) -> dict[str, Listing]:
        return {sku: view.listing for sku, view in (await self.skus(skus, market, now)).items()}
