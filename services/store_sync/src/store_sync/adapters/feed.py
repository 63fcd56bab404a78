"""Feeds to shops: the catalog's SKUs and prices and inventory's availability, projected from
their events, and read back per shop from a cursor.

Every change takes the next `feed_seq` while holding one transaction-scoped advisory lock, so seq
order is commit order: a till that asks for "everything after seq N" never misses a change that
committed after it asked. A change that leaves a row as it was keeps its old seq (no churn for
the tills).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from reloop_shared.db.types import Connection
from store_sync.domain.commands import LocationCount
from store_sync.service_layer.ports import FeedItem

_FEED_LOCK = 0x5709_F33D


class FeedProjection:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._locked = False

    async def _lock(self) -> None:
        if not self._locked:
            await self.conn.execute("SELECT pg_advisory_xact_lock($1)", _FEED_LOCK)
            self._locked = True

    async def listing(self, sku: str, kind: str, title: str, grade: str | None) -> None:
        await self._lock()
        await self.conn.execute(
            """
            INSERT INTO feed_skus (sku, kind, title, grade, seq) VALUES ($1, $2, $3, $4, nextval('feed_seq'))
            ON CONFLICT (sku) DO UPDATE SET kind = EXCLUDED.kind, title = EXCLUDED.title, grade = EXCLUDED.grade,
                seq = EXCLUDED.seq
            WHERE (feed_skus.kind, feed_skus.title, feed_skus.grade) IS DISTINCT FROM
                (EXCLUDED.kind, EXCLUDED.title, EXCLUDED.grade)
            """,
            sku,
            kind,
            title,
            grade,
        )

    async def discontinued(self, sku: str, at: datetime) -> None:
        await self._lock()
        await self.conn.execute(
            """
            INSERT INTO feed_skus (sku, discontinued_at, seq) VALUES ($1, $2, nextval('feed_seq'))
            ON CONFLICT (sku) DO UPDATE SET discontinued_at = EXCLUDED.discontinued_at, seq = EXCLUDED.seq
            WHERE feed_skus.discontinued_at IS NULL
            """,
            sku,
            at,
        )

    async def price(self, sku: str, market: str, amount_minor: int, currency: str, effective_at: datetime) -> None:
        await self._lock()
        await self.conn.execute(
            """
            INSERT INTO feed_prices (sku, market, amount_minor, currency, effective_at, seq)
            VALUES ($1, $2, $3, $4, $5, nextval('feed_seq'))
            ON CONFLICT (sku, market, effective_at) DO UPDATE SET amount_minor = EXCLUDED.amount_minor,
                currency = EXCLUDED.currency, seq = EXCLUDED.seq
            WHERE (feed_prices.amount_minor, feed_prices.currency) IS DISTINCT FROM
                (EXCLUDED.amount_minor, EXCLUDED.currency)
            """,
            sku,
            market,
            amount_minor,
            currency,
            effective_at,
        )

    async def availability(self, sku: str, by_location: tuple[LocationCount, ...], as_of: datetime) -> None:
        """Inventory's latest picture of a SKU; an older one arriving late is ignored. A location
        missing from the picture has nothing available any more."""
        await self._lock()
        newer = await self.conn.fetchval(
            """
            INSERT INTO feed_availability_as_of (sku, as_of) VALUES ($1, $2)
            ON CONFLICT (sku) DO UPDATE SET as_of = EXCLUDED.as_of WHERE feed_availability_as_of.as_of < EXCLUDED.as_of
            RETURNING true
            """,
            sku,
            as_of,
        )
        if not newer:
            return
        await self.conn.execute(
            """
            UPDATE feed_availability SET available = 0, seq = nextval('feed_seq')
            WHERE sku = $1 AND available <> 0 AND NOT (location_id = ANY($2::text[]))
            """,
            sku,
            [c.location_id for c in by_location],
        )
        if by_location:
            await self.conn.executemany(
                """
                INSERT INTO feed_availability (sku, location_id, location_kind, market, available, seq)
                VALUES ($1, $2, $3, $4, $5, nextval('feed_seq'))
                ON CONFLICT (sku, location_id) DO UPDATE SET location_kind = EXCLUDED.location_kind,
                    market = EXCLUDED.market, available = EXCLUDED.available, seq = EXCLUDED.seq
                WHERE feed_availability.available <> EXCLUDED.available
                """,
                [(sku, c.location_id, c.location_kind, c.market, c.available) for c in by_location],
            )

    async def changes(self, shop_id: str, market: str, cursor: int, limit: int, now: datetime) -> list[FeedItem]:
        """What changed for this shop after `cursor`, oldest change first, one item per SKU."""
        rows = await self.conn.fetch(_CHANGED, shop_id, market, cursor, limit, now)
        return [_item(r) for r in rows]


_CHANGED = """
WITH changed AS (
    SELECT sku, seq FROM feed_skus WHERE seq > $3
    UNION ALL
    SELECT sku, seq FROM feed_prices WHERE market = $2 AND seq > $3
    UNION ALL
    SELECT sku, seq FROM feed_availability
    WHERE seq > $3 AND (location_id = $1 OR (location_kind = 'warehouse' AND market = $2))
), page AS (
    SELECT sku, max(seq) AS seq FROM changed GROUP BY sku ORDER BY max(seq) LIMIT $4
)
SELECT page.sku, page.seq, s.kind, s.title, s.grade, s.discontinued_at IS NOT NULL AS discontinued,
    cur.amount_minor AS price_minor, cur.currency AS price_currency, cur.effective_at AS price_from,
    nxt.amount_minor AS next_minor, nxt.currency AS next_currency, nxt.effective_at AS next_from,
    coalesce((SELECT available FROM feed_availability a WHERE a.sku = page.sku AND a.location_id = $1), 0) AS here,
    coalesce((SELECT sum(available) FROM feed_availability a
              WHERE a.sku = page.sku AND a.location_kind = 'warehouse' AND a.market = $2), 0) AS warehouse
FROM page
LEFT JOIN feed_skus s USING (sku)
LEFT JOIN LATERAL (SELECT * FROM feed_prices p WHERE p.sku = page.sku AND p.market = $2 AND p.effective_at <= $5
                   ORDER BY effective_at DESC LIMIT 1) cur ON true
LEFT JOIN LATERAL (SELECT * FROM feed_prices p WHERE p.sku = page.sku AND p.market = $2 AND p.effective_at > $5
                   ORDER BY effective_at LIMIT 1) nxt ON true
ORDER BY page.seq
"""


def _item(r: Any) -> FeedItem:
    price = (r["price_minor"], r["price_currency"], r["price_from"]) if r["price_minor"] is not None else None
    upcoming = (r["next_minor"], r["next_currency"], r["next_from"]) if r["next_minor"] is not None else None
    return FeedItem(
        r["sku"],
        r["seq"],
        r["kind"],
        r["title"],
        r["grade"],
        r["discontinued"] or False,
        price,
        upcoming,
        int(r["here"]),
        int(r["warehouse"]),
    )
