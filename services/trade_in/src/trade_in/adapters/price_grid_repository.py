"""The buy-back grid on PostgreSQL: the entries set by hand, and where there is none, the entry
derived from the catalog's resale prices (`domain.catalog_resale.entry_from_catalog`)."""

from __future__ import annotations

from asyncpg import Record

from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from trade_in.adapters.catalog_resale_repository import PostgresDerivationRules, PostgresResalePrices
from trade_in.domain.catalog_resale import entry_from_catalog
from trade_in.domain.pricing import GridEntry, GridKey


def _entry(row: Record) -> GridEntry:
    return GridEntry(
        GridKey(row["market"], row["model_family"], row["storage_gb"], row["grade"]),
        Money(row["price_minor"], row["currency"]),
        row["released_on"],
        row["monthly_decay_bps"],
        Money(row["floor_minor"], row["currency"]),
    )


class PostgresPriceGrid:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, key: GridKey) -> GridEntry | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM price_grid WHERE market = $1 AND model_family = $2 AND storage_gb = $3 AND grade = $4",
            key.market,
            key.model_family,
            key.storage_gb,
            key.grade,
        )
        if row is not None:
            return _entry(row)  # set by hand: it wins, what it overrides need not be read
        rules = await PostgresDerivationRules(self.conn).of_market(key.market)
        if not rules:
            return None
        return entry_from_catalog(key, rules, await PostgresResalePrices(self.conn).priced_for(key))

    async def put(self, entry: GridEntry) -> None:
        key = entry.key
        await self.conn.execute(
            """
            INSERT INTO price_grid (market, model_family, storage_gb, grade, currency, price_minor, floor_minor,
                                    released_on, monthly_decay_bps)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (market, model_family, storage_gb, grade) DO UPDATE SET
                currency = EXCLUDED.currency, price_minor = EXCLUDED.price_minor, floor_minor = EXCLUDED.floor_minor,
                released_on = EXCLUDED.released_on, monthly_decay_bps = EXCLUDED.monthly_decay_bps, updated_at = now()
            """,
            key.market,
            key.model_family,
            key.storage_gb,
            key.grade,
            entry.price.currency,
            entry.price.amount_minor,
            entry.floor.amount_minor,
            entry.released_on,
            entry.monthly_decay_bps,
        )

    async def find(
        self, market: str, model_family: str | None, after: tuple[str, int, str] | None, limit: int
    ) -> list[GridEntry]:
        rows = await self.conn.fetch(
            """
            SELECT * FROM price_grid
            WHERE market = $1 AND ($2::text IS NULL OR model_family = $2)
              AND ($3::text IS NULL OR (model_family, storage_gb, grade) > ($3, $4, $5))
            ORDER BY model_family, storage_gb, grade
            LIMIT $6
            """,
            market,
            model_family,
            after[0] if after else None,
            after[1] if after else None,
            after[2] if after else None,
            limit,
        )
        return [_entry(row) for row in rows]
