"""Steps that bring the in-memory twin to a state, each through the real handlers (for unit tests)."""

from __future__ import annotations

from datetime import timedelta

from orders.domain import commands
from orders.domain.cart import Cart
from orders.domain.customer import ContactDetails
from orders.domain.lines import ReservedUnit
from orders.domain.model import Order
from orders.domain.rules import ACCESSORY, DEVICE
from orders.domain.vouchers import VoucherToApply
from orders.service_layer import carts, checkout, orders, projections, reservations, sale_allocations, voucher_holds
from reloop_contracts.amounts import Money
from services.orders.tests.fakes import OrdersTwin

PHONE = "IPH13-128-BLK-EX"
CHARGER = "CHG-USB-C-20W"
PHONE_PRICE = Money(45900, "EUR")
CHARGER_PRICE = Money(1990, "EUR")
WAREHOUSE = "WH-PAR"
UNIT = "U-1001"
CUSTOMER = "cust-1"
"""The customer the steps below act for, unless they name another."""


async def price_list(twin: OrdersTwin) -> None:
    """The catalog listed and priced a phone and a charger in France a day ago."""
    since = twin.clock.now() - timedelta(days=1)
    for sku, kind, price in ((PHONE, DEVICE, PHONE_PRICE), (CHARGER, ACCESSORY, CHARGER_PRICE)):
        await projections.record_listing(commands.RecordListing(sku, kind, f"{sku} for tests", since), twin.uow())
        await projections.record_price(commands.RecordPrice(sku, "FR", price, since), twin.uow())


async def cart_with(twin: OrdersTwin, *lines: tuple[str, str, int], customer_id: str = CUSTOMER) -> Cart:
    cart = await carts.open_cart(commands.OpenCart("FR", customer_id), twin.uow(), twin.clock)
    for sku, kind, quantity in lines:
        await carts.add_cart_line(
            commands.AddCartLine(cart.cart_id, customer_id, sku, kind, quantity), twin.uow(), twin.clock
        )
    return twin.tables.carts[cart.cart_id]


def checkout_of(
    cart: Cart, token: str = "tok_visa", key: str | None = None, contact: ContactDetails | None = None
) -> commands.Checkout:
    return commands.Checkout(cart.cart_id, cart.customer_id, "ship", None, "card", token, key, contact)


async def checked_out(
    twin: OrdersTwin, token: str = "tok_visa", contact: ContactDetails | None = None, customer_id: str = CUSTOMER
) -> Order:
    """A phone and two chargers checked out, waiting for inventory's hold."""
    await price_list(twin)
    cart = await cart_with(twin, (PHONE, DEVICE, 1), (CHARGER, ACCESSORY, 2), customer_id=customer_id)
    result = await checkout.checkout(checkout_of(cart, token, contact=contact), twin.uow(), twin.sealer, twin.clock)
    return result.order


async def checked_out_with_vouchers(
    twin: OrdersTwin, *vouchers: tuple[str, int], token: str | None = "tok_visa"
) -> Order:
    """A phone and two chargers checked out with these (code, amount in EUR cents) vouchers; the
    card, if `token`, pays the rest. The order waits for inventory's hold and trade-in's answers."""
    await price_list(twin)
    cart = await cart_with(twin, (PHONE, DEVICE, 1), (CHARGER, ACCESSORY, 2))
    applied = tuple(VoucherToApply.typed(code, Money(amount, "EUR")) for code, amount in vouchers)
    cmd = commands.Checkout(
        cart.cart_id, cart.customer_id, "ship", None, "card" if token else None, token, vouchers=applied
    )
    return (await checkout.checkout(cmd, twin.uow(), twin.sealer, twin.clock)).order


def held(order: Order) -> commands.ConfirmReservation:
    """Inventory holds every line in the warehouse, the device line on `UNIT`."""
    return commands.ConfirmReservation(
        order.reservation_id,
        tuple(ReservedUnit(line.line_id, UNIT if line.kind == DEVICE else None, WAREHOUSE) for line in order.lines),
    )


async def placed(twin: OrdersTwin, contact: ContactDetails | None = None) -> Order:
    order = await checked_out(twin, contact=contact)
    await reservations.when_reservation_confirmed_take_payment(held(order), twin.uow(), twin.clock)
    return twin.tables.orders[order.order_id]


async def placed_with_vouchers(twin: OrdersTwin, *vouchers: tuple[str, int], token: str | None = "tok_visa") -> Order:
    """`checked_out_with_vouchers`, every voucher held by trade-in and the stock by inventory."""
    order = await checked_out_with_vouchers(twin, *vouchers, token=token)
    until = twin.clock.now() + timedelta(minutes=20)
    for n, voucher in enumerate(order.vouchers):
        answer = commands.RecordVoucherHold(voucher.hold_id, f"V-{n}", until, "orders")
        await voucher_holds.when_voucher_held_take_payment_if_all_is_held(answer, twin.uow(), twin.clock)
    await reservations.when_reservation_confirmed_take_payment(held(order), twin.uow(), twin.clock)
    return twin.tables.orders[order.order_id]


async def delivered_with_vouchers(
    twin: OrdersTwin, *vouchers: tuple[str, int], token: str | None = "tok_visa"
) -> Order:
    return await _deliver(twin, await placed_with_vouchers(twin, *vouchers, token=token))


async def delivered(twin: OrdersTwin, contact: ContactDetails | None = None) -> Order:
    return await _deliver(twin, await placed(twin, contact))


async def _deliver(twin: OrdersTwin, order: Order) -> Order:
    """Inventory applied the placed order's sale, the warehouse shipped it and it arrived."""
    uow, clock = twin.uow, twin.clock
    await sale_allocations.when_sale_allocated_mark_stock_committed(
        commands.CommitSaleStock(order.order_id, ()), uow(), clock
    )
    await orders.fulfil_order(commands.FulfilOrder(order.order_id, "TRACK-1"), uow(), clock)
    await orders.deliver_order(commands.DeliverOrder(order.order_id), uow(), clock)
    return twin.tables.orders[order.order_id]


def line_of(order: Order, kind: str) -> str:
    return next(line.line_id for line in order.lines if line.kind == kind)
