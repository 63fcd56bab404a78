"""Queries for the HTTP API on PostgreSQL: no unit of work, no locks, one snapshot per answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from orders.adapters.price_list import PostgresPriceList
from orders.adapters.repository import PostgresCarts, PostgresOrders
from orders.domain.cart import Cart
from orders.domain.events import DomainEvent
from orders.domain.model import Order
from orders.service_layer.ports import StorefrontSku
from reloop_shared.db.types import Pool
from reloop_shared.unit_of_work import TrackedAggregates


class PostgresOrdersReads:
    def __init__(self, pool: Callable[[], Pool]) -> None:
        # The pool exists once the runtime started: asked for on each read.
        self.pool = pool

    async def order(self, order_id: str) -> Order | None:
        async with self.pool().acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            # One snapshot: the order row, its lines, payments and returns as of the same moment.
            untracked: TrackedAggregates[DomainEvent] = TrackedAggregates([])
            return await PostgresOrders(conn, untracked).get(order_id)

    async def cart(self, cart_id: str, now: datetime) -> tuple[Cart, dict[str, StorefrontSku]] | None:
        async with self.pool().acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            cart = await PostgresCarts(conn).get(cart_id)
            if cart is None:
                return None
            return cart, await PostgresPriceList(conn).skus([line.sku for line in cart.lines], cart.market, now)

    async def storefront_sku(self, sku: str, market: str, now: datetime) -> StorefrontSku:
        async with self.pool().acquire() as conn:
            return (await PostgresPriceList(conn).skus([sku], market, now))[sku]
