"""The trade-in figures, shaped for the API and `reloop report` (definitions in the README)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm.adapters.trade_in_queries import TradeInQueries
from crm.domain.trade_in_figures import REDEMPTION_WINDOW, BasketUplift
from reloop_shared.db.types import Connection


def _uplift(u: BasketUplift) -> dict[str, Any]:
    where = {"market": u.market} if u.place is None else {"market": u.market, "place": u.place}
    return {**where, "redemptions": u.redemptions, "median_ratio": u.median_ratio, "mean_ratio": u.mean_ratio}


async def trade_in_report(conn: Connection, as_of: datetime) -> dict[str, Any]:
    """Voucher redemption in time and basket uplift per market and per place, trade-ins per
    collection hub and month, and each shop's grading accuracy, as of `as_of`."""
    queries = TradeInQueries(conn)
    per_market, per_place = await queries.basket_uplift(as_of)
    return {
        "as_of": as_of.isoformat(),
        "window_days": REDEMPTION_WINDOW.days,
        "redemption": [
            {"market": r.market, "decidable": r.decidable, "redeemed_in_time": r.redeemed_in_time, "rate": r.rate}
            for r in await queries.redemption_rates(as_of)
        ],
        "redemption_by_place": [
            {
                "market": s.market,
                "place": s.place,
                "decidable": s.decidable,
                "redeemed_in_time": s.redeemed_in_time,
                "share": s.share,
            }
            for s in await queries.redemption_shares(as_of)
        ],
        "basket_uplift": [_uplift(u) for u in per_market],
        "basket_uplift_by_place": [_uplift(u) for u in per_place],
        "hub_volumes": [
            {"shop_id": h.shop_id, "month": h.month, "trade_ins": h.trade_ins} for h in await queries.hub_volumes(as_of)
        ],
        "grading_accuracy": [
            {"shop_id": g.shop_id, "checks": g.checks, "accurate": g.accurate, "accuracy": g.accuracy}
            for g in await queries.grading_accuracy(as_of)
        ],
    }
