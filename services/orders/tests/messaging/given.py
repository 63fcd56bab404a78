"""Steps that bring orders under test to a state, the same way in memory and on the real stack: the
catalog and inventory by delivering their events, the shopper through the storefront's handlers on
the service's own unit of work. Every id is new: on the real stack, topics last the whole session.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from orders.domain import commands
from orders.domain.customer import ContactDetails
from orders.domain.model import Order
from orders.domain.rules import ACCESSORY, DEVICE
from orders.service_layer import carts, checkout
from orders.service_layer.ports import StorefrontSku
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_contracts import NonNegativeMoney, catalog, inventory
from reloop_contracts.common import ItemKind
from reloop_shared.memory_service import ServiceUnderTest
from services.orders.tests.messaging.under_test import Storefront

Orders = ServiceUnderTest[OrdersUnitOfWork]
WAREHOUSE = "WH-PAR"
PHONE_MINOR, CHARGER_MINOR = 45900, 1990


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


@dataclass(frozen=True)
class CheckedOut:
    order: Order
    request: inventory.ReservationRequested
    """What orders asked inventory to hold for it."""

    @property
    def order_id(self) -> str:
        return self.order.order_id

    def line(self, kind: str) -> str:
        return next(line.line_id for line in self.order.lines if line.kind == kind)


def listing(sku: str, kind: str, storefront: Storefront) -> catalog.SkuListed:
    since = storefront.clock.now() - timedelta(days=1)
    return catalog.SkuListed(
        sku=sku, product_id=f"product-{sku}", kind=cast(ItemKind, kind), title=f"{sku} for tests", listed_at=since
    )


def price(sku: str, amount_minor: int, storefront: Storefront, market: str = "FR") -> catalog.SkuPriced:
    since = storefront.clock.now() - timedelta(days=1)
    money = NonNegativeMoney(amount_minor=amount_minor, currency="EUR")
    return catalog.SkuPriced(sku=sku, market=market, price=money, effective_at=since)


async def checked_out(
    service: Orders,
    storefront: Storefront,
    *,
    token: str = "tok_visa",
    contact: ContactDetails | None = None,
    customer_id: str | None = None,
) -> CheckedOut:
    """The catalog lists and prices a phone and a charger; a shopper checks out one phone and two
    chargers in France. The order waits for inventory's hold."""
    phone, charger = unique("IPH13"), unique("CHG")
    await service.deliver(
        listing(phone, DEVICE, storefront),
        price(phone, PHONE_MINOR, storefront),
        listing(charger, ACCESSORY, storefront),
        price(charger, CHARGER_MINOR, storefront),
        producer="catalog",
    )
    clock, uow = storefront.clock, service.unit_of_work
    cart = await carts.open_cart(commands.OpenCart("FR", customer_id or unique("cust")), uow(), clock)
    for sku, kind, quantity in ((phone, DEVICE, 1), (charger, ACCESSORY, 2)):
        await carts.add_cart_line(
            commands.AddCartLine(cart.cart_id, cart.customer_id, sku, kind, quantity), uow(), clock
        )
    cmd = commands.Checkout(cart.cart_id, cart.customer_id, "ship", None, "card", token, contact=contact)
    order = (await checkout.checkout(cmd, uow(), storefront.sealer, clock)).order
    requested = await service.published(inventory.ReservationRequested)
    [request] = [r for r in requested if r.reservation_id == order.reservation_id]
    return CheckedOut(order, request)


def held(request: inventory.ReservationRequested, unit: str) -> inventory.ReservationConfirmed:
    """Inventory holds every requested line in the warehouse, the device line on `unit`."""
    return inventory.ReservationConfirmed(
        reservation_id=request.reservation_id,
        lines=[
            inventory.ReservedLine(
                line_id=line.line_id,
                kind=line.kind,
                sku=line.sku,
                quantity=line.quantity,
                unit_id=unit if line.kind == DEVICE else None,
                location_id=WAREHOUSE,
            )
            for line in request.lines
        ],
        expires_at=request.requested_at + timedelta(seconds=request.hold_seconds),
    )


async def placed(service: Orders, storefront: Storefront, *, contact: ContactDetails | None = None) -> CheckedOut:
    """Checked out, held by inventory and paid: an online sale."""
    bought = await checked_out(service, storefront, contact=contact)
    await service.deliver(held(bought.request, unique("U")), producer="inventory")
    return bought


async def order_of(service: Orders, order_id: str) -> Order:
    """The order as the service keeps it now, read in a transaction of its own."""
    async with service.unit_of_work() as uow:
        order = await uow.orders.get(order_id)
    assert order is not None, f"no order {order_id}"
    return order


async def shown(service: Orders, sku: str, storefront: Storefront, market: str = "FR") -> StorefrontSku:
    """What the storefront shows of `sku` in `market` now."""
    async with service.unit_of_work() as uow:
        found = await uow.price_list.skus([sku], market, storefront.clock.now())
    return found[sku]
