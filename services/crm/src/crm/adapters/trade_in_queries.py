"""Read-side SQL of the trade-in figures, over the anonymous voucher, redemption, shop trade-in and
grading facts. Each query computes a figure as `domain/trade_in_figures.py` defines it.

Ninety days are 2160 hours: an interval in days would follow the session's time zone across a
daylight-saving change. Text is ordered byte-wise (`COLLATE "C"`), as Python sorts it.
"""

from __future__ import annotations

from datetime import datetime

from crm.domain.trade_in_figures import (
    ONLINE,
    REDEMPTION_WINDOW,
    BasketUplift,
    GradingAccuracy,
    HubVolume,
    PlaceShare,
    RedemptionRate,
)
from reloop_shared.db.types import Connection

_WINDOW_HOURS = int(REDEMPTION_WINDOW.total_seconds()) // 3600

_DECIDABLE = f"""
WITH first AS (
    SELECT DISTINCT ON (voucher_id) voucher_id, redeemed_at,
           CASE WHEN channel = '{ONLINE}' OR shop_id IS NULL THEN '{ONLINE}' ELSE shop_id END AS place
    FROM redemption_facts
    ORDER BY voucher_id, redeemed_at, sale_id COLLATE "C"
),
decidable AS (
    SELECT v.market, f.place,
           coalesce(f.redeemed_at <= v.issued_at + make_interval(hours => {_WINDOW_HOURS}), false) AS in_time,
           count(*) OVER (PARTITION BY v.market) AS market_decidable
    FROM voucher_facts v LEFT JOIN first f USING (voucher_id)
    WHERE v.issued_at <= $1::timestamptz - make_interval(hours => {_WINDOW_HOURS})
)
"""

_RATES = (
    _DECIDABLE
    + """
SELECT market, count(*) AS decidable, count(*) FILTER (WHERE in_time) AS redeemed_in_time
FROM decidable GROUP BY market ORDER BY market COLLATE "C"
"""
)

_SHARES = (
    _DECIDABLE
    + """
SELECT market, place, max(market_decidable) AS decidable, count(*) AS redeemed_in_time
FROM decidable WHERE in_time
GROUP BY market, place ORDER BY market COLLATE "C", place COLLATE "C"
"""
)

_RATIOS = f"""
WITH ratios AS (
    SELECT v.market,
           CASE WHEN r.channel = '{ONLINE}' OR r.shop_id IS NULL THEN '{ONLINE}' ELSE r.shop_id END AS place,
           r.basket_minor::float8 / v.amount_minor AS ratio
    FROM redemption_facts r JOIN voucher_facts v USING (voucher_id)
    WHERE r.redeemed_at <= $1::timestamptz
)
SELECT market, place, count(*) AS redemptions,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) AS median_ratio, avg(ratio) AS mean_ratio
FROM ratios
GROUP BY GROUPING SETS ((market), (market, place))
ORDER BY market COLLATE "C", place COLLATE "C" NULLS FIRST
"""

_HUBS = """
SELECT shop_id, to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, count(*) AS trade_ins
FROM shop_trade_in_facts WHERE recorded_at <= $1::timestamptz
GROUP BY shop_id, month ORDER BY shop_id COLLATE "C", month
"""

_GRADING = """
SELECT shop_id, count(*) AS checks, count(*) FILTER (WHERE accurate) AS accurate
FROM grading_check_facts WHERE checked_at <= $1::timestamptz
GROUP BY shop_id ORDER BY shop_id COLLATE "C"
"""


class TradeInQueries:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def redemption_rates(self, as_of: datetime) -> list[RedemptionRate]:
        rows = await self.conn.fetch(_RATES, as_of)
        return [RedemptionRate(r["market"], r["decidable"], r["redeemed_in_time"]) for r in rows]

    async def redemption_shares(self, as_of: datetime) -> list[PlaceShare]:
        rows = await self.conn.fetch(_SHARES, as_of)
        return [PlaceShare(r["market"], r["place"], r["decidable"], r["redeemed_in_time"]) for r in rows]

    async def basket_uplift(self, as_of: datetime) -> tuple[list[BasketUplift], list[BasketUplift]]:
        """Per market, and per market and place."""
        rows = await self.conn.fetch(_RATIOS, as_of)
        found = [
            BasketUplift(r["market"], r["place"], r["redemptions"], r["median_ratio"], r["mean_ratio"]) for r in rows
        ]
        return [u for u in found if u.place is None], [u for u in found if u.place is not None]

    async def hub_volumes(self, as_of: datetime) -> list[HubVolume]:
        rows = await self.conn.fetch(_HUBS, as_of)
        return [HubVolume(r["shop_id"], r["month"], r["trade_ins"]) for r in rows]

    async def grading_accuracy(self, as_of: datetime) -> list[GradingAccuracy]:
        rows = await self.conn.fetch(_GRADING, as_of)
        return [GradingAccuracy(r["shop_id"], r["checks"], r["accurate"]) for r in rows]
