"""Read-side SQL of the channel analytics, over the anonymous sale and return facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from crm.domain.analytics import ChannelFigures, Comparison
from reloop_shared.db.types import Connection

_CHANNELS = """
WITH r AS (SELECT sale_id, sum(units) AS units FROM return_facts GROUP BY sale_id)
SELECT s.channel,
       count(*) AS sales,
       count(r.sale_id) AS returned_sales,
       sum(s.device_units + s.accessory_units + s.service_units) AS units_sold,
       coalesce(sum(r.units), 0) AS units_returned,
       count(*) FILTER (WHERE s.device_units > 0) AS device_sales,
       count(*) FILTER (WHERE s.device_units > 0 AND s.accessory_units > 0) AS device_sales_with_accessory,
       count(*) FILTER (WHERE s.device_units > 0 AND s.service_units > 0) AS device_sales_with_service,
       sum(s.accessory_units) AS accessory_units,
       sum(s.service_units) AS service_units
FROM sale_facts s LEFT JOIN r USING (sale_id)
WHERE ($1::timestamptz IS NULL OR s.sold_at >= $1)
  AND ($2::timestamptz IS NULL OR s.sold_at < $2)
  AND ($3::text IS NULL OR s.market = $3)
GROUP BY s.channel
ORDER BY s.channel
"""

_MARKETS_WITH_A_SHOP = """
SELECT market FROM shops
UNION
SELECT DISTINCT market FROM sale_facts WHERE channel IN ('own_shop', 'partner_shop')
"""

_ONLINE_AROUND = """
SELECT
    count(*) FILTER (WHERE in_scope AND sold_at >= $4 AND sold_at < $5) AS before,
    count(*) FILTER (WHERE in_scope AND sold_at >= $5 AND sold_at < $6) AS after,
    count(*) FILTER (WHERE market <> ALL($3::text[]) AND sold_at >= $4 AND sold_at < $5) AS control_before,
    count(*) FILTER (WHERE market <> ALL($3::text[]) AND sold_at >= $5 AND sold_at < $6) AS control_after
FROM (
    SELECT market, sold_at,
           market = $1 AND ($2::text[] IS NULL OR catchment = ANY($2::text[])) AS in_scope
    FROM sale_facts
    WHERE channel = 'online' AND sold_at >= $4 AND sold_at < $6
) AS online
"""


_FIGURES = (
    "sales",
    "returned_sales",
    "units_sold",
    "units_returned",
    "device_sales",
    "device_sales_with_accessory",
    "device_sales_with_service",
    "accessory_units",
    "service_units",
)


@dataclass(frozen=True)
class Shop:
    shop_id: str
    kind: str
    market: str
    catchment_prefixes: list[str]
    opened_on: date


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


class AnalyticsQueries:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def channels(
        self, since: datetime | None, until: datetime | None, market: str | None
    ) -> list[ChannelFigures]:
        rows = await self.conn.fetch(_CHANNELS, since, until, market)
        return [ChannelFigures(r["channel"], *(int(r[k]) for k in _FIGURES)) for r in rows]

    async def shops(self) -> list[Shop]:
        rows = await self.conn.fetch(
            "SELECT shop_id, kind, market, catchment_prefixes, opened_on FROM shops ORDER BY shop_id"
        )
        return [Shop(**dict(r)) for r in rows]

    async def markets_with_a_shop(self) -> list[str]:
        return sorted(r["market"] for r in await self.conn.fetch(_MARKETS_WITH_A_SHOP))

    async def online_around(
        self, market: str, prefixes: list[str] | None, opened_on: date, window: timedelta, shop_markets: list[str]
    ) -> Comparison:
        """Online sales in the market (or only its catchment) and in markets without a shop, in the
        `window` before the opening day and the `window` from it."""
        opened = midnight(opened_on)
        row = await self.conn.fetchrow(
            _ONLINE_AROUND, market, prefixes, shop_markets, opened - window, opened, opened + window
        )
        assert row is not None
        return Comparison(row["before"], row["after"], row["control_before"], row["control_after"])
