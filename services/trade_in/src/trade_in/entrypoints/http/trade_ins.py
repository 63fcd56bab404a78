"""Trade-ins as staff handle them: receipt, holds, inspection, returns, payout, resale, reads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from reloop_shared.auth.principal import Principal
from reloop_shared.http.authentication import requires
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of
from trade_in.domain import commands
from trade_in.domain.trade_ins import Status
from trade_in.entrypoints.http.edge import Edge, TradeInId, newest_after
from trade_in.entrypoints.http.schemas import (
    GradingAccuracyOut,
    InspectionIn,
    PayoutOut,
    ReadyIn,
    ReceiptIn,
    TradeInOut,
)
from trade_in.entrypoints.http.scopes import INSPECT, PAYOUT, READ
from trade_in.service_layer import inspection, intake, payouts, refurbishment, views
from trade_in.service_layer.ports import TradeInQuery

Filter = Annotated[str | None, Query(min_length=1, max_length=64)]


def router(on: Edge) -> APIRouter:
    routes = APIRouter(tags=["trade-ins"])

    @routes.post("/trade-ins/{trade_in_id}/receipt", summary="The device arrived at the centre: the hard checks")
    async def receipt(trade_in_id: TradeInId, body: ReceiptIn, who: Principal = requires(INSPECT)) -> TradeInOut:
        command = commands.ReceiveDevice(
            trade_in_id, body.location_id, body.identifier.identifier(), body.activation_locked, who.subject
        )
        return TradeInOut.of(await intake.receive_device(command, on.unit_of_work(), on.clock))

    @routes.post("/trade-ins/{trade_in_id}/release-hold", summary="Clear a hold: the trade-in goes on")
    async def release(trade_in_id: TradeInId, who: Principal = requires(INSPECT)) -> TradeInOut:
        command = commands.ReleaseHold(trade_in_id, who.subject)
        return TradeInOut.of(await intake.release_hold(command, on.unit_of_work(), on.clock))

    @routes.post("/trade-ins/{trade_in_id}/inspection", summary="Grade the device (a shop's drop-off: check the shop)")
    async def inspect(trade_in_id: TradeInId, body: InspectionIn, who: Principal = requires(INSPECT)) -> TradeInOut:
        command = commands.InspectDevice(trade_in_id, body.grade, tuple(body.findings), who.subject)
        return TradeInOut.of(await inspection.inspect_device(command, on.unit_of_work(), on.clock, on.policy))

    @routes.post("/trade-ins/{trade_in_id}/returned", summary="The device is back with its owner")
    async def returned(trade_in_id: TradeInId, who: Principal = requires(INSPECT)) -> TradeInOut:
        command = commands.MarkReturned(trade_in_id, who.subject)
        return TradeInOut.of(await inspection.mark_returned(command, on.unit_of_work(), on.clock))

    @routes.post("/trade-ins/{trade_in_id}/payout", summary="Pay the customer (once, however often asked)")
    async def payout(trade_in_id: TradeInId, who: Principal = requires(PAYOUT)) -> PayoutOut:
        command = commands.PayOut(trade_in_id, who.subject)
        return PayoutOut.of(await payouts.pay_out(command, on.unit_of_work(), on.clock, on.policy))

    @routes.post("/trade-ins/{trade_in_id}/ready-for-sale", summary="Refurbished and graded: a unit for inventory")
    async def ready(trade_in_id: TradeInId, body: ReadyIn, who: Principal = requires(INSPECT)) -> TradeInOut:
        command = commands.MarkReadyForSale(trade_in_id, body.sku, body.grade, who.subject)
        return TradeInOut.of(await refurbishment.mark_ready_for_sale(command, on.unit_of_work(), on.clock))

    @routes.get("/trade-ins", summary="Trade-ins, newest first", dependencies=[requires(READ)])
    async def list_trade_ins(
        page: Annotated[PageRequest, Depends(keyed_by(datetime, str))],
        customer_id: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
        status: Status | None = None,
        market: Filter = None,
        shop_id: Filter = None,
    ) -> Page[TradeInOut]:
        query = TradeInQuery(customer_id=customer_id, status=status, market=market, shop_id=shop_id)
        found = await views.trade_ins(on.unit_of_work(), query, newest_after(page), page.limit + 1)
        items, cursor = page_of(found, page, lambda t: (t.quoted_at, t.trade_in_id))
        return Page(items=[TradeInOut.of(t) for t in items], next_cursor=cursor)

    @routes.get("/trade-ins/{trade_in_id}", summary="A trade-in with its history", dependencies=[requires(READ)])
    async def get_trade_in(trade_in_id: TradeInId) -> TradeInOut:
        return TradeInOut.of(await views.trade_in_view(on.unit_of_work(), trade_in_id))

    @routes.get(
        "/shops/{shop_id}/grading-accuracy",
        summary="How often a shop's grade held at the centre",
        dependencies=[requires(READ)],
    )
    async def grading_accuracy(shop_id: TradeInId) -> GradingAccuracyOut:
        return GradingAccuracyOut.of(await views.grading_accuracy(on.unit_of_work(), shop_id))

    return routes
