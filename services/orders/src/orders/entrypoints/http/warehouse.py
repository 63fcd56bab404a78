"""The warehouse's actions on any order: shipped or ready to collect, delivered, a parcel back.
Staff only, with the `orders:warehouse` scope."""

from __future__ import annotations

from fastapi import APIRouter

from orders.domain import commands
from orders.entrypoints.http.dependencies import HttpDependencies
from orders.entrypoints.http.schemas import FulfilIn, OrderOut, order_out
from orders.entrypoints.http.scopes import WAREHOUSE
from orders.service_layer import orders, returns
from reloop_shared.http.authentication import requires


def router(on: HttpDependencies) -> APIRouter:
    router = APIRouter(tags=["warehouse"], dependencies=[requires(WAREHOUSE)])

    @router.post("/orders/{order_id}/fulfil", summary="Shipped, or ready to collect")
    async def fulfil(order_id: str, body: FulfilIn | None = None) -> OrderOut:
        command = commands.FulfilOrder(order_id, body.tracking_reference if body else None)
        return order_out(await orders.fulfil_order(command, on.uow(), on.clock))

    @router.post("/orders/{order_id}/deliver", summary="Delivered or collected")
    async def deliver(order_id: str) -> OrderOut:
        return order_out(await orders.deliver_order(commands.DeliverOrder(order_id), on.uow(), on.clock))

    @router.post("/orders/{order_id}/returns/{return_id}/receive", summary="The parcel is back")
    async def receive_return(order_id: str, return_id: str) -> OrderOut:
        command = commands.ReceiveReturn(order_id, return_id)
        return order_out(await returns.receive_return(command, on.uow(), on.clock))

    return router
