"""What the storefront and the customer see: reads without a unit of work, locks or events.

A customer sees only their own carts and orders; another's answers as one that does not exist."""

from __future__ import annotations

from orders.domain.cart import Cart
from orders.domain.errors import NotFound
from orders.domain.model import Order
from orders.service_layer.ports import OrdersReads, OrderSummary, StorefrontSku
from reloop_shared.clock import Clock
from reloop_shared.http.pagination import Key


async def storefront_sku(sku: str, market: str, reads: OrdersReads, clock: Clock) -> StorefrontSku:
    view = await reads.storefront_sku(sku, market, clock.now())
    if not view.known:
        raise NotFound(f"no SKU {sku}", field="sku")
    return view


async def priced_cart(
    cart_id: str, customer_id: str, reads: OrdersReads, clock: Clock
) -> tuple[Cart, dict[str, StorefrontSku]]:
    """The customer's cart, with what each of its SKUs costs and how many are available right now."""
    found = await reads.cart(cart_id, clock.now())
    if found is None or found[0].customer_id != customer_id:
        raise NotFound(f"no cart {cart_id}", field="cart_id")
    return found


async def order(order_id: str, customer_id: str, reads: OrdersReads) -> Order:
    """The customer's order."""
    found = await reads.order(order_id)
    if found is None or found.customer_id != customer_id:
        raise NotFound(f"no order {order_id}", field="order_id")
    return found


async def orders_of(customer_id: str, reads: OrdersReads, *, after: Key | None, limit: int) -> list[OrderSummary]:
    """The customer's own orders, newest first: no other customer's order is ever among them."""
    return await reads.orders_of(customer_id, after, limit)
