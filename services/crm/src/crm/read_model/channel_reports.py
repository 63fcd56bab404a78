"""The channel analytics, shaped for the API and `reloop report` (definitions in the README)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from crm.adapters.analytics_queries import AnalyticsQueries
from crm.domain.analytics import ChannelFigures, Comparison
from reloop_shared.db.types import Connection


def _channel(f: ChannelFigures) -> dict[str, Any]:
    return {
        "channel": f.channel,
        "sales": f.sales,
        "returned_sales": f.returned_sales,
        "return_rate": f.return_rate,
        "units_sold": f.units_sold,
        "units_returned": f.units_returned,
        "unit_return_rate": f.unit_return_rate,
        "device_sales": f.device_sales,
        "accessory_attach_rate": f.accessory_attach_rate,
        "service_attach_rate": f.service_attach_rate,
        "accessories_per_sale": f.accessories_per_sale,
        "services_per_sale": f.services_per_sale,
    }


def _comparison(c: Comparison) -> dict[str, Any]:
    return {
        "online_before": c.before,
        "online_after": c.after,
        "growth": c.growth,
        "control_before": c.control_before,
        "control_after": c.control_after,
        "control_growth": c.control_growth,
        "lift": c.lift,
        "verdict": c.verdict,
    }


async def channel_report(
    conn: Connection, since: datetime | None = None, until: datetime | None = None, market: str | None = None
) -> list[dict[str, Any]]:
    return [_channel(f) for f in await AnalyticsQueries(conn).channels(since, until, market)]


async def halo_report(conn: Connection, window: timedelta) -> dict[str, Any]:
    """Per shop (its catchment) and per market (from its first shop's opening), online sales before
    and after the opening against markets without a shop."""
    queries = AnalyticsQueries(conn)
    shops = await queries.shops()
    with_shop = await queries.markets_with_a_shop()
    per_shop = []
    for shop in shops:
        around = await queries.online_around(shop.market, shop.catchment_prefixes, shop.opened_on, window, with_shop)
        per_shop.append(
            {
                "shop_id": shop.shop_id,
                "kind": shop.kind,
                "market": shop.market,
                "opened_on": shop.opened_on.isoformat(),
                "catchment_prefixes": shop.catchment_prefixes,
                **_comparison(around),
            }
        )
    per_market = []
    for market in sorted({s.market for s in shops}):
        first = min(s.opened_on for s in shops if s.market == market)
        around = await queries.online_around(market, None, first, window, with_shop)
        per_market.append({"market": market, "first_opened_on": first.isoformat(), **_comparison(around)})
    return {
        "window_days": window.days,
        "markets_with_a_shop": with_shop,
        "shops": per_shop,
        "markets": per_market,
    }
