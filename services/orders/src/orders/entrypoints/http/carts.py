"""Carts: opened, shown at today's prices, lines added and removed."""

from __future__ import annotations

from fastapi import APIRouter

from orders.domain import commands
from orders.entrypoints.http.dependencies import HttpDependencies
from orders.entrypoints.http.schemas import CartIn, CartLineIn, CartOut, cart_out
from orders.service_layer import carts, views


def router(on: HttpDependencies) -> APIRouter:
    router = APIRouter(tags=["storefront"])

    async def priced(cart_id: str) -> CartOut:
        return cart_out(*await views.priced_cart(cart_id, on.reads, on.clock))

    @router.post("/carts", status_code=201)
    async def open_cart(body: CartIn) -> CartOut:
        cart = await carts.open_cart(commands.OpenCart(body.market, body.customer_id), on.uow(), on.clock)
        return await priced(cart.cart_id)

    @router.get("/carts/{cart_id}", summary="The cart at today's prices")
    async def get_cart(cart_id: str) -> CartOut:
        return await priced(cart_id)

    @router.post("/carts/{cart_id}/lines", status_code=201)
    async def add_line(cart_id: str, body: CartLineIn) -> CartOut:
        command = commands.AddCartLine(cart_id, body.sku, body.kind, body.quantity)
        await carts.add_cart_line(command, on.uow(), on.clock)
        return await priced(cart_id)

    @router.delete("/carts/{cart_id}/lines/{line_id}")
    async def remove_line(cart_id: str, line_id: str) -> CartOut:
        await carts.remove_cart_line(commands.RemoveCartLine(cart_id, line_id), on.uow())
        return await priced(cart_id)

    return router
