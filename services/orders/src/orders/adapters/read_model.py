"""Queries for the HTTP API on PostgreSQL: no unit of work, no locks, one snapshot per answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from orders.adapters.price_list import PostgresPriceList
from orders.adapters.repository import PostgresCarts, PostgresOrders
from orders.domain.cart import Cart
from orders.domain.events import DomainEvent
from orders.domain.model import Order
from orders.service_layer.ports import OrderSummary, StorefrontSku
from reloop_contracts.amounts import Money
from reloop_shared.db.types import Pool
from reloop_shared.http.pagination import Key
from reloop_shared.unit_of_work import TrackedAggregates

_ORDERS_OF = """
SELECT o.order_id, o.status, o.market, o.created_at, o.placed_at,
       COALESCE(sum(l.unit_price_minor * l.quantity) FILTER (WHERE l.status = 'active'), 0) AS total_minor,
       (array_agg(l.currency ORDER BY l.position))[1] AS currency
FROM orders o JOIN order_lines l USING (order_id)
WHERE o.customer_id = $1 AND ($2::timestamptz IS NULL OR (o.created_at, o.order_id) < ($2, $3::text))
GROUP BY o.order_id
ORDER BY o.created_at DESC, o.order_id DESC
LIMIT $4
"""
"""A customer's orders, newest first, from `orders_customer (customer_id, created_at DESC)`; the
total is `Order.total`'s rule in SQL (active lines only), so a page is one query, not one per order."""


class PostgresOrdersReads:
    def __init__(self, pool: Callable[[], Pool]) -> None:
        # The pool exists once the runtime started: asked for on each read.
        self.pool = pool

    async def order(self, order_id: str) -> Order | None:
        async with self.pool().acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            # One snapshot: the order row, its lines, payments and returns as of the same moment.
            untracked: TrackedAggregates[DomainEvent] = TrackedAggregates([])
            return await PostgresOrders(conn, untracked).get(order_id)

    async def orders_of(self, customer_id: str, after: Key | None, limit: int) -> list[OrderSummary]:
        created_at, order_id = after or (None, None)
        async with self.pool().acquire() as conn:
            rows = await conn.fetch(_ORDERS_OF, customer_id, created_at, order_id, limit)
        return [
            OrderSummary(
                r["order_id"],
                r["status"],
                r["market"],
                r["created_at"],
                r["placed_at"],
                Money(int(r["total_minor"]), r["currency"]),
            )
            for r in rows
        ]

    async def cart(self, cart_id: str, now: datetime) -> tuple[Cart, dict[str, StorefrontSku]] | None:
        async with self.pool().acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            cart = await PostgresCarts(conn).get(cart_id)
            if cart is None:
                return None
            return cart, await PostgresPriceList(conn).skus([line.sku for line in cart.lines], cart.market, now)

    async def storefront_sku(self, sku: str, market: str, now: datetime) -> StorefrontSku:
        async with self.pool().acquire() as conn:
            return (await PostgresPriceList(conn).skus([sku], market, now))[sku]
