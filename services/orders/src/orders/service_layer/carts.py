"""Cart use cases: open a cart, add and remove lines. Every price comes from the price list.

A cart is its customer's alone: another customer's cart is answered exactly as one that does not
exist (`NotFound`), so whether it exists does not leak."""

from __future__ import annotations

import uuid

from orders.domain import commands
from orders.domain.cart import Cart, CartLine
from orders.domain.errors import Invalid, NotFound
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_contracts.markets import currency_of
from reloop_shared.clock import Clock


async def open_cart(cmd: commands.OpenCart, uow: OrdersUnitOfWork, clock: Clock) -> Cart:
    async with uow:
        if currency_of(cmd.market) is None:
            raise Invalid(f"reloop does not sell in market {cmd.market}", field="market")
        cart = Cart.open(str(uuid.uuid4()), cmd.market, cmd.customer_id, clock.now())
        await uow.carts.save(cart)
        await uow.commit()
    return cart


async def customers_cart(uow: OrdersUnitOfWork, cart_id: str, customer_id: str) -> Cart:
    """The customer's own cart, locked; another's is not found, as if it did not exist."""
    cart = await uow.carts.get(cart_id, for_update=True)
    if cart is None or cart.customer_id != customer_id:
        raise NotFound(f"no cart {cart_id}", field="cart_id")
    return cart


async def add_cart_line(cmd: commands.AddCartLine, uow: OrdersUnitOfWork, clock: Clock) -> CartLine:
    async with uow:
        cart = await customers_cart(uow, cmd.cart_id, cmd.customer_id)
        listings = await uow.price_list.listings([cmd.sku], cart.market, clock.now())
        line = cart.add_line(uuid.uuid4().hex[:12], cmd.sku, cmd.kind, cmd.quantity, listings.get(cmd.sku))
        await uow.carts.save(cart)
        await uow.commit()
    return line


async def remove_cart_line(cmd: commands.RemoveCartLine, uow: OrdersUnitOfWork) -> None:
    async with uow:
        cart = await customers_cart(uow, cmd.cart_id, cmd.customer_id)
        cart.remove_line(cmd.line_id)
        await uow.carts.save(cart)
        await uow.commit()
