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
from orders.domain.vouchers import VoucherToApply
from orders.service_layer import carts, checkout
from orders.service_layer.ports import StorefrontSku
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_contracts import NonNegativeMoney, catalog, inventory, trade_in
from reloop_contracts.amounts import Money
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
    token: str | None = "tok_visa",
    contact: ContactDetails | None = None,
    customer_id: str | None = None,
    vouchers: tuple[tuple[str, int], ...] = (),
) -> CheckedOut:
    """The catalog lists and prices a phone and a charger; a shopper checks out one phone and two
    chargers in France, with `vouchers` (code, EUR cents) if any. The order waits for inventory's
    hold (and trade-in's answers)."""
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
    applied = tuple(VoucherToApply.typed(code, Money(amount, "EUR")) for code, amount in vouchers)
    method = "card" if token is not None else None
    cmd = commands.Checkout(
        cart.cart_id, cart.customer_id, "ship", None, method, token, contact=contact, vouchers=applied
    )
    order = (await checkout.checkout(cmd, uow(), storefront.sealer, clock)).order
    requested = await service.published(inventory.ReservationRequested)
    [request] = [r for r in requested if r.reservation_id == order.reservation_id]
    return CheckedOut(order, request)


async def hold_requests(service: Orders, order_id: str) -> list[trade_in.VoucherHoldRequested]:
    """What orders asked trade-in to hold for this order, in order."""
    return [r for r in await service.published(trade_in.VoucherHoldRequested) if r.reference == order_id]


def voucher_held(request: trade_in.VoucherHoldRequested, voucher_id: str) -> trade_in.VoucherHeld:
    """Trade-in's yes: the amount is set aside for twenty minutes."""
    return trade_in.VoucherHeld(
        voucher_id=voucher_id,
        hold_id=request.hold_id,
        amount=request.amount,
        held_until=request.requested_at + timedelta(minutes=20),
        requested_by=request.requested_by,
        at=request.requested_at,
    )


def voucher_refused(
    request: trade_in.VoucherHoldRequested, voucher_id: str, reason: str
) -> trade_in.VoucherHoldRefused:
    """Trade-in's no, and why."""
    return trade_in.VoucherHoldRefused(
        hold_id=request.hold_id,
        voucher_id=voucher_id,
        reason=cast(trade_in.HoldRefusal, reason),
        requested_by=request.requested_by,
        at=request.requested_at,
    )


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
