"""SQL of CRM's smaller tables: shops (declared, or from store-sync's registry) and segment entries."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from reloop_shared.db.types import Connection


class ReferenceRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def save_shop(
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

    async def save_registered_shop(
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

    async def add_segment_entry(
        self, entry_id: str, segment: str, occasion: str, profile_id: uuid.UUID, entered_at: datetime
    ) -> bool:
        status = await self.conn.execute(
            "INSERT INTO segment_entries (entry_id, segment, occasion, profile_id, entered_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            entry_id,
            segment,
            occasion,
            profile_id,
            entered_at,
        )
        return status.endswith(" 1")

    async def entered(self, entry_ids: list[str]) -> set[str]:
        rows = await self.conn.fetch("SELECT entry_id FROM segment_entries WHERE entry_id = ANY($1::text[])", entry_ids)
        return {r["entry_id"] for r in rows}
