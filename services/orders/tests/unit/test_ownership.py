"""A customer acts only on their own carts and orders, on the in-memory twin: another customer's is
not found, answered exactly as one that does not exist, and nothing changes."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable

import pytest

from orders.domain import commands
from orders.domain.errors import NotFound
from orders.domain.lines import Substitute
from orders.domain.rules import ACCESSORY, DEVICE
from orders.service_layer import carts, checkout, orders, reservations, returns, views
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import (
    CHARGER,
    PHONE,
    WAREHOUSE,
    cart_with,
    checkout_of,
    delivered,
    line_of,
    price_list,
)

STRANGER = "cust-2"


async def test_another_customers_cart_is_not_found_for_any_step_and_stays_as_it_was() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    cart = await cart_with(twin, (PHONE, DEVICE, 1))
    before = copy.deepcopy(twin.tables.carts)
    line = cart.lines[0].line_id
    steps: list[Callable[[], Awaitable[object]]] = [
        lambda: views.priced_cart(cart.cart_id, STRANGER, twin.reads, twin.clock),
        lambda: carts.add_cart_line(
            commands.AddCartLine(cart.cart_id, STRANGER, CHARGER, ACCESSORY, 1), twin.uow(), twin.clock
        ),
        lambda: carts.remove_cart_line(commands.RemoveCartLine(cart.cart_id, STRANGER, line), twin.uow()),
        lambda: checkout.checkout(
            commands.Checkout(cart.cart_id, STRANGER, "ship", None, "card", "tok_visa"),
            twin.uow(),
            twin.sealer,
            twin.clock,
        ),
    ]
    for step in steps:
        with pytest.raises(NotFound) as refused:
            await step()
        assert (str(refused.value), refused.value.field) == (f"no cart {cart.cart_id}", "cart_id")

    assert twin.tables.carts == before
    assert (twin.tables.orders, twin.store.outbox) == ({}, [])


async def test_another_customers_order_is_not_found_for_any_request_and_stays_as_it_was() -> None:
    twin = OrdersTwin()
    order = await delivered(twin)
    before, published = copy.deepcopy(twin.tables.orders), list(twin.store.outbox)
    steps: list[Callable[[], Awaitable[object]]] = [
        lambda: views.order(order.order_id, STRANGER, twin.reads),
        lambda: orders.cancel_order(commands.CancelOrder(order.order_id, STRANGER), twin.uow(), twin.clock),
        lambda: orders.accept_substitute(
            commands.AcceptSubstitute(order.order_id, STRANGER, line_of(order, DEVICE)), twin.uow(), twin.clock
        ),
        lambda: returns.request_return(
            commands.RequestReturn(order.order_id, STRANGER, (line_of(order, ACCESSORY),), "not mine"),
            twin.uow(),
            twin.clock,
        ),
    ]
    for step in steps:
        with pytest.raises(NotFound) as refused:
            await step()
        assert (str(refused.value), refused.value.field) == (f"no order {order.order_id}", "order_id")

    assert twin.tables.orders == before
    assert twin.store.outbox == published


async def test_a_substitute_is_accepted_only_by_the_orders_customer() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    cart = await cart_with(twin, (PHONE, DEVICE, 1))
    order = (await checkout.checkout(checkout_of(cart), twin.uow(), twin.sealer, twin.clock)).order
    phone_line = line_of(order, DEVICE)
    offer = Substitute(phone_line, PHONE, "U-2002", WAREHOUSE)
    rejected = commands.RejectReservation(order.reservation_id, "unit_sold", (phone_line,), (offer,))
    await reservations.when_reservation_rejected_offer_substitutes(rejected, twin.uow(), twin.clock)

    with pytest.raises(NotFound):
        await orders.accept_substitute(
            commands.AcceptSubstitute(order.order_id, STRANGER, phone_line), twin.uow(), twin.clock
        )
    waiting = twin.tables.orders[order.order_id].reservation_id
    accepted = await orders.accept_substitute(
        commands.AcceptSubstitute(order.order_id, order.customer_id, phone_line), twin.uow(), twin.clock
    )
    assert (waiting, accepted.reservation_id) == (order.order_id, f"{order.order_id}-2")
