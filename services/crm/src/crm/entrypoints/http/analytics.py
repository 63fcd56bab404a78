"""Channel analytics: shops and their catchments, return and attach rates, halo around openings;
the trade-in figures and the repair plan's.
Declaring a shop needs `crm:write`; the reports, which say nothing about anyone, `crm:read`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from crm.domain import commands
from crm.entrypoints.http import scopes
from crm.entrypoints.http.edge import Edge
from crm.entrypoints.http.schemas import ShopIn, published
from crm.read_model import channel_reports, repair_reports, trade_in_reports
from crm.service_layer import shops
from reloop_shared.http.authentication import requires


def router(edge: Edge) -> APIRouter:
    routes = APIRouter(tags=["analytics"])

    @routes.post(
        "/shops",
        status_code=201,
        summary="Declare a shop's catchment and opening date",
        dependencies=[requires(scopes.WRITE)],
    )
    async def declare_shop(body: ShopIn) -> dict[str, Any]:
        command = commands.DeclareShop(body.shop_id, body.kind, body.market, body.prefixes(), body.opened_on)
        return published(await shops.declare_shop(command, edge.unit_of_work(), edge.clock))

    @routes.get(
        "/analytics/channels",
        summary="Return rate and attach rates per channel",
        dependencies=[requires(scopes.READ)],
    )
    async def channels(
        since: datetime | None = None,
        until: datetime | None = None,
        market: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    ) -> list[dict[str, Any]]:
        async with edge.pool().acquire() as conn:
            return await channel_reports.channel_report(conn, since, until, market)

    @routes.get(
        "/analytics/halo",
        summary="Online sales around shop openings (halo or not)",
        dependencies=[requires(scopes.READ)],
    )
    async def halo(window_days: Annotated[int, Query(ge=1, le=730)] = 90) -> dict[str, Any]:
        async with edge.pool().acquire() as conn:
            return await channel_reports.halo_report(conn, timedelta(days=window_days))

    @routes.get(
        "/analytics/trade-ins",
        summary="Voucher redemption and basket uplift, trade-ins per hub, shops' grading accuracy",
        dependencies=[requires(scopes.READ)],
    )
    async def trade_ins(as_of: datetime | None = None) -> dict[str, Any]:
        """As of `as_of` (default: now); a time without a zone is read as UTC."""
        at = as_of or edge.clock.now()
        async with edge.pool().acquire() as conn:
            return await trade_in_reports.trade_in_report(conn, at if at.tzinfo else at.replace(tzinfo=UTC))

    @routes.get(
        "/analytics/repairs",
        summary="Repair plan members, churn and claims per member, per market and month",
        dependencies=[requires(scopes.READ)],
    )
    async def repairs(as_of: datetime | None = None) -> dict[str, Any]:
        """As of `as_of` (default: now); a time without a zone is read as UTC."""
        at = as_of or edge.clock.now()
        async with edge.pool().acquire() as conn:
            return await repair_reports.repair_report(conn, at if at.tzinfo else at.replace(tzinfo=UTC))

    return routes
