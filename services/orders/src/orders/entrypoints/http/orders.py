"""The customer's own order: shown, a substitute accepted, cancelled, a return requested. Another
customer's order answers 404, exactly as one that does not exist."""

from __future__ import annotations

from fastapi import APIRouter

from orders.domain import commands
from orders.entrypoints.http.dependencies import HttpDependencies
from orders.entrypoints.http.schemas import OrderOut, ReturnIn, ReturnOut, SubstituteIn, order_out, return_out
from orders.service_layer import orders, returns, views
from reloop_shared.auth.principal import Principal
from reloop_shared.http.authentication import customer


def router(on: HttpDependencies) -> APIRouter:
    router = APIRouter(tags=["storefront"])

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
