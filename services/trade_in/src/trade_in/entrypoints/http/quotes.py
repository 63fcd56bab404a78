"""Quotes and what the customer does with them, with their own token (the subject is the customer
id; another customer's trade-in answers 404), and quotes shop staff make on a customer's behalf."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from reloop_shared.auth.principal import Principal
from reloop_shared.http.authentication import customer, requires
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of
from trade_in.domain import commands
from trade_in.entrypoints.http.edge import Edge, TradeInId, newest_after
from trade_in.entrypoints.http.schemas import AcceptIn, AnswerIn, QuoteIn, ShipmentIn, ShopQuoteIn, TradeInOut
from trade_in.entrypoints.http.scopes import INSPECT
from trade_in.service_layer import inspection, quotes, views
from trade_in.service_layer.ports import TradeInQuery


def _by(who: Principal) -> str:
    return f"customer:{who.subject}"


def router(on: Edge) -> APIRouter:
    routes = APIRouter(tags=["quotes"])

    @routes.post("/quotes", status_code=201, summary="Quote a device for the customer signed in")
    async def quote(body: QuoteIn, who: Principal = customer()) -> TradeInOut:
        command = commands.QuoteTradeIn(
            body.market,
            who.subject,
            "online",
            None,
            body.model_family,
            body.storage_gb,
            body.category,
            body.identifier.identifier() if body.identifier else None,
            body.condition(),
            _by(who),
        )
        return TradeInOut.of(await quotes.quote_trade_in(command, on.unit_of_work(), on.clock, on.policy))

    @routes.post(
        "/shop-quotes",
        status_code=201,
        summary="Quote a device at a shop's counter, on a customer's behalf",
    )
    async def shop_quote(body: ShopQuoteIn, who: Principal = requires(INSPECT)) -> TradeInOut:
        command = commands.QuoteTradeIn(
            body.market,
            body.customer_id,
            body.channel,
            body.shop_id,
            body.model_family,
            body.storage_gb,
            body.category,
            body.identifier.identifier() if body.identifier else None,
            body.condition(),
            who.subject,
        )
        return TradeInOut.of(await quotes.quote_trade_in(command, on.unit_of_work(), on.clock, on.policy))

    @routes.post(
        "/shop-quotes/{trade_in_id}/accept",
        summary="The customer at the counter accepts the quote (shop staff record it)",
    )
    async def accept_at_shop(trade_in_id: TradeInId, body: AcceptIn, who: Principal = requires(INSPECT)) -> TradeInOut:
        command = commands.AcceptQuote(trade_in_id, body.payout_method, body.shipment_reference, None, who.subject)
        return TradeInOut.of(await quotes.accept_quote(command, on.unit_of_work(), on.clock))

    @routes.get("/quotes/{trade_in_id}", summary="The customer's own quote and what became of it")
    async def get_quote(trade_in_id: TradeInId, who: Principal = customer()) -> TradeInOut:
        return TradeInOut.of(await views.trade_in_view(on.unit_of_work(), trade_in_id, customer_id=who.subject))

    @routes.get("/me/trade-ins", summary="The customer's own trade-ins, newest first")
    async def my_trade_ins(
        # The guard first: a stranger learns nothing, not even that a cursor is malformed.
        who: Annotated[Principal, customer()],
        page: Annotated[PageRequest, Depends(keyed_by(datetime, str))],
    ) -> Page[TradeInOut]:
        found = await views.trade_ins(
            on.unit_of_work(), TradeInQuery(customer_id=who.subject), newest_after(page), page.limit + 1
        )
        items, cursor = page_of(found, page, lambda t: (t.quoted_at, t.trade_in_id))
        return Page(items=[TradeInOut.of(t) for t in items], next_cursor=cursor)

    @routes.post("/trade-ins/{trade_in_id}/accept", summary="Accept the quote and choose how to be paid")
    async def accept(trade_in_id: TradeInId, body: AcceptIn, who: Principal = customer()) -> TradeInOut:
        command = commands.AcceptQuote(trade_in_id, body.payout_method, body.shipment_reference, who.subject, _by(who))
        return TradeInOut.of(await quotes.accept_quote(command, on.unit_of_work(), on.clock))

    @routes.post("/trade-ins/{trade_in_id}/shipment", summary="The device is on its way (the parcel's reference)")
    async def shipment(trade_in_id: TradeInId, body: ShipmentIn, who: Principal = customer()) -> TradeInOut:
        command = commands.RecordShipment(trade_in_id, body.shipment_reference, who.subject, _by(who))
        return TradeInOut.of(await quotes.record_shipment(command, on.unit_of_work(), on.clock))

    @routes.post("/trade-ins/{trade_in_id}/cancel", summary="Cancel before the device is received")
    async def cancel(trade_in_id: TradeInId, who: Principal = customer()) -> TradeInOut:
        command = commands.CancelTradeIn(trade_in_id, who.subject, _by(who))
        return TradeInOut.of(await quotes.cancel_trade_in(command, on.unit_of_work(), on.clock))

    @routes.post("/trade-ins/{trade_in_id}/counter-offer/answer", summary="Accept or decline a counter-offer")
    async def answer(trade_in_id: TradeInId, body: AnswerIn, who: Principal = customer()) -> TradeInOut:
        command = commands.AnswerCounterOffer(trade_in_id, body.accepted, who.subject, _by(who))
        return TradeInOut.of(await inspection.answer_counter_offer(command, on.unit_of_work(), on.clock))

    return routes
