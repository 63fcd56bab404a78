"""SQL of the shops the channel analytics compare: declared in CRM, or from store-sync's registry."""

from __future__ import annotations

from datetime import date, datetime

from crm.domain.shops import ShopOnRecord
from reloop_shared.db.types import Connection


class ShopRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def declare(
        self, shop_id: str, kind: str, market: str, prefixes: list[str], opened_on: date, declared_at: datetime
    ) -> None:
        """The latest declaration of a shop wins, whatever order declarations are read in, and over
        what the registry said."""
        await self.conn.execute(
            """
            INSERT INTO shops (shop_id, kind, market, catchment_prefixes, opened_on, declared_at, source)
            VALUES ($1, $2, $3, $4, $5, $6, 'declared')
            ON CONFLICT (shop_id) DO UPDATE SET kind = excluded.kind, market = excluded.market,
                catchment_prefixes = excluded.catchment_prefixes, opened_on = excluded.opened_on,
                declared_at = excluded.declared_at, source = 'declared'
            WHERE shops.source = 'registry' OR excluded.declared_at >= shops.declared_at
            """,
            shop_id,
            kind,
            market,
            prefixes,
            opened_on,
            declared_at,
        )

    async def register(
        self, shop_id: str, kind: str, market: str, prefixes: list[str], opened_on: date, registered_at: datetime
    ) -> None:
        """A shop as store-sync's registry knows it, unless it was declared in CRM."""
        await self.conn.execute(
            """
            INSERT INTO shops (shop_id, kind, market, catchment_prefixes, opened_on, declared_at, source)
            VALUES ($1, $2, $3, $4, $5, $6, 'registry')
            ON CONFLICT (shop_id) DO NOTHING
            """,
            shop_id,
            kind,
            market,
            prefixes,
            opened_on,
            registered_at,
        )

    async def get(self, shop_id: str) -> ShopOnRecord | None:
        row = await self.conn.fetchrow(
            "SELECT shop_id, kind, market, catchment_prefixes, opened_on, source FROM shops WHERE shop_id = $1",
            shop_id,
        )
        return ShopOnRecord(**dict(row)) if row is not None else None
