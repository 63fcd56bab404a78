"""The customer's own order: shown, a substitute accepted, cancelled, a return requested. Another
customer's order answers 404, exactly as one that does not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from orders.domain import commands
from orders.entrypoints.http.dependencies import HttpDependencies
from orders.entrypoints.http.schemas import (
    OrderOut,
    OrderSummaryOut,
    ReturnIn,
    ReturnOut,
    SubstituteIn,
    order_out,
    order_summary_out,
    return_out,
)
from orders.service_layer import orders, returns, views
from reloop_shared.auth.principal import Principal
from reloop_shared.http.authentication import customer
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of


def router(on: HttpDependencies) -> APIRouter:
    router = APIRouter(tags=["storefront"])

    @router.get("/orders", summary="The customer's own orders, newest first, a page at a time")
    async def my_orders(
        page: Annotated[PageRequest, Depends(keyed_by(datetime, str))], who: Principal = customer()
    ) -> Page[OrderSummaryOut]:
        found = await views.orders_of(who.subject, on.reads, after=page.after, limit=page.limit + 1)
        items, cursor = page_of(found, page, lambda o: (o.created_at, o.order_id))
        return Page(items=[order_summary_out(o) for o in items], next_cursor=cursor)

    @router.get("/orders/{order_id}", summary="The customer's order")
    async def get_order(order_id: str, who: Principal = customer()) -> OrderOut:
        return order_out(await views.order(order_id, who.subject, on.reads))

    @router.post("/orders/{order_id}/substitutes/accept", status_code=202)
    async def accept_substitute(order_id: str, body: SubstituteIn, who: Principal = customer()) -> OrderOut:
        command = commands.AcceptSubstitute(order_id, who.subject, body.line_id, body.unit_id)
        return order_out(await orders.accept_substitute(command, on.uow(), on.clock))

    @router.post("/orders/{order_id}/cancel")
    async def cancel(order_id: str, who: Principal = customer()) -> OrderOut:
        return order_out(await orders.cancel_order(commands.CancelOrder(order_id, who.subject), on.uow(), on.clock))

    @router.post("/orders/{order_id}/returns", status_code=201)
    async def request_return(order_id: str, body: ReturnIn, who: Principal = customer()) -> ReturnOut:
        command = commands.RequestReturn(order_id, who.subject, tuple(body.line_ids), body.reason)
        return return_out(await returns.request_return(command, on.uow(), on.clock))

    return router
