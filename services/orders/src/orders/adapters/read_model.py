"""Queries for the HTTP API (reads need no unit of work and take no locks)."""

from __future__ import annotations

from datetime import datetime

from orders.adapters.price_list import PriceList, StorefrontSku
from orders.adapters.repository import CartRepository, OrderRepository
from orders.domain.cart import Cart
from orders.domain.model import Order
from reloop_shared.db.types import Connection


class OrdersReadModel:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def order(self, order_id: str) -> Order | None:
        # One snapshot: the order row, its lines, payments and returns as of the same moment.
        async with self.conn.transaction(isolation="repeatable_read", readonly=True):
            return await OrderRepository(self.conn, []).get(order_id)

    async def cart(self, cart_id: str, now: datetime) -> tuple[Cart, dict[str, StorefrontSku]] | None:
        """The cart with what each of its SKUs costs and how many are available right now."""
        async with self.conn.transaction(isolation="repeatable_read", readonly=True):
            cart = await CartRepository(self.conn).get(cart_id)
            if cart is None:
                return None
            return cart, await PriceList(self.conn).skus([line.sku for line in cart.lines], cart.market, now)

    async def storefront_sku(self, sku: str, market: str, now: datetime) -> StorefrontSku | None:
        view = (await PriceList(self.conn).skus([sku], market, now))[sku]
        known = view.kind is not None or view.price is not None or view.discontinued
        return view if known else None
