"""Carts: opened, shown at today's prices, lines added and removed, by the customer signed in
(their storefront token says who; a body never does)."""

from __future__ import annotations

from fastapi import APIRouter

from orders.domain import commands
from orders.entrypoints.http.dependencies import HttpDependencies
from orders.entrypoints.http.schemas import CartIn, CartLineIn, CartOut, cart_out
from orders.service_layer import carts, views
from reloop_shared.auth.principal import Principal
from reloop_shared.http.authentication import customer


def router(on: HttpDependencies) -> APIRouter:
    router = APIRouter(tags=["storefront"])

    async def priced(cart_id: str, customer_id: str) -> CartOut:
        return cart_out(*await views.priced_cart(cart_id, customer_id, on.reads, on.clock))

    @router.post("/carts", status_code=201, summary="Open a cart for the customer signed in")
    async def open_cart(body: CartIn, who: Principal = customer()) -> CartOut:
        cart = await carts.open_cart(commands.OpenCart(body.market, who.subject), on.uow(), on.clock)
        return await priced(cart.cart_id, who.subject)

    @router.get("/carts/{cart_id}", summary="The customer's cart at today's prices")
    async def get_cart(cart_id: str, who: Principal = customer()) -> CartOut:
        return await priced(cart_id, who.subject)

    @router.post("/carts/{cart_id}/lines", status_code=201)
    async def add_line(cart_id: str, body: CartLineIn, who: Principal = customer()) -> CartOut:
        command = commands.AddCartLine(cart_id, who.subject, body.sku, body.kind, body.quantity)
        await carts.add_cart_line(command, on.uow(), on.clock)
        return await priced(cart_id, who.subject)

    @router.delete("/carts/{cart_id}/lines/{line_id}")
    async def remove_line(cart_id: str, line_id: str, who: Principal = customer()) -> CartOut:
        await carts.remove_cart_line(commands.RemoveCartLine(cart_id, who.subject, line_id), on.uow())
        return await priced(cart_id, who.subject)

    return router
