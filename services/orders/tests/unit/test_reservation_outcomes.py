"""What orders does with inventory's answers to its holds, on the in-memory twin: payment taken on
a confirmed hold, substitutes offered on a rejection, the order cancelled when the hold lapses."""

from __future__ import annotations

import dataclasses

import pytest

from orders.domain import commands
from orders.domain.errors import ReservationMismatch
from orders.domain.lines import LineStatus, OrderStatus, PaymentKind, ReservedUnit, Substitute
from orders.domain.rules import ACCESSORY, DEVICE
from orders.service_layer import orders, reservations
from reloop_contracts import inventory, sales
from reloop_contracts import orders as orders_contract
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import UNIT, WAREHOUSE, checked_out, held, line_of, placed


async def test_a_confirmed_hold_is_paid_and_the_order_placed_and_recorded_as_an_online_sale() -> None:
    twin = OrdersTwin()
    order = await placed(twin)

    assert (order.status, order.payment_token, order.location_id) == (OrderStatus.PLACED, None, WAREHOUSE)
    assert [p.kind for p in order.payments] == [PaymentKind.AUTHORIZATION, PaymentKind.CAPTURE]
    [(capture_id, (_, captured))] = twin.tables.ledger_captures.items()
    assert captured == order.total
    [sale] = twin.store.published(sales.SaleRecorded)
    assert (sale.sale_id, sale.channel, sale.location_id) == (order.order_id, "online", WAREHOUSE)
    assert [(p.method, p.reference) for p in sale.payments] == [("card", capture_id)]
    [placed_event] = twin.store.published(orders_contract.OrderPlaced)
    assert {line.unit_id for line in placed_event.lines} == {UNIT, None}


async def test_a_declined_card_gives_the_hold_back_and_cancels_the_order() -> None:
    twin = OrdersTwin()
    order = await checked_out(twin, token="tok_declined")
    await reservations.when_reservation_confirmed_take_payment(held(order), twin.uow(), twin.clock)

    kept = twin.tables.orders[order.order_id]
    assert (kept.status, kept.payment_token) == (OrderStatus.PAYMENT_FAILED, None)
    assert twin.tables.ledger_captures == {}
    [release] = twin.store.published(inventory.ReservationReleaseRequested)
    assert (release.reservation_id, release.reason) == (order.order_id, "payment_declined")
    [cancelled] = twin.store.published(orders_contract.OrderCancelled)
    assert cancelled.reason == "payment_declined: card_declined"


async def test_a_confirmation_of_a_hold_orders_did_not_ask_for_or_no_longer_waits_for_changes_nothing() -> None:
    twin = OrdersTwin()
    order = await placed(twin)
    outbox = list(twin.store.outbox)
    await reservations.when_reservation_confirmed_take_payment(held(order), twin.uow(), twin.clock)
    shops_hold = dataclasses.replace(held(order), reservation_id="till-hold-7")
    await reservations.when_reservation_confirmed_take_payment(shops_hold, twin.uow(), twin.clock)

    assert twin.store.outbox == outbox
    assert len(twin.tables.ledger_authorizations) == 1


async def test_a_hold_without_a_unit_for_a_device_line_is_refused_and_takes_no_payment() -> None:
    twin = OrdersTwin()
    order = await checked_out(twin)
    no_unit = commands.ConfirmReservation(
        order.reservation_id, tuple(ReservedUnit(line.line_id, None, WAREHOUSE) for line in order.lines)
    )
    with pytest.raises(ReservationMismatch):
        await reservations.when_reservation_confirmed_take_payment(no_unit, twin.uow(), twin.clock)

    assert twin.tables.orders[order.order_id].status is OrderStatus.RESERVING
    assert twin.tables.ledger_authorizations == {}


async def test_a_rejected_hold_offers_substitutes_and_accepting_them_asks_for_a_new_hold() -> None:
    twin = OrdersTwin()
    order = await checked_out(twin)
    phone_line = line_of(order, DEVICE)
    offer = Substitute(phone_line, "IPH13-128-BLK-EX", "U-2002", "SHOP-LYON-1")
    rejected = commands.RejectReservation(order.reservation_id, "unit_sold", (phone_line,), (offer,))
    await reservations.when_reservation_rejected_offer_substitutes(rejected, twin.uow(), twin.clock)

    waiting = twin.tables.orders[order.order_id]
    assert (waiting.status, waiting.unavailable_lines, waiting.substitutes) == (
        OrderStatus.STOCK_UNAVAILABLE,
        [phone_line],
        [offer],
    )

    await orders.accept_substitute(
        commands.AcceptSubstitute(order.order_id, order.customer_id, phone_line), twin.uow(), twin.clock
    )
    again = twin.tables.orders[order.order_id]
    assert (again.status, again.reservation_id) == (OrderStatus.RESERVING, f"{order.order_id}-2")
    requested = twin.store.published(inventory.ReservationRequested)
    assert [r.reservation_id for r in requested] == [order.order_id, f"{order.order_id}-2"]
    assert {line.line_id: line.unit_id for line in requested[-1].lines}[phone_line] == "U-2002"


async def test_a_lapsed_hold_cancels_the_order_and_a_released_one_changes_nothing() -> None:
    twin = OrdersTwin()
    order = await checked_out(twin)
    released = commands.EndReservation(order.reservation_id, "released", "cancelled_by_customer")
    await reservations.when_reservation_expired_cancel_the_order(released, twin.uow(), twin.clock)
    assert twin.tables.orders[order.order_id].status is OrderStatus.RESERVING

    expired = commands.EndReservation(order.reservation_id, "expired", "hold_expired")
    await reservations.when_reservation_expired_cancel_the_order(expired, twin.uow(), twin.clock)
    assert twin.tables.orders[order.order_id].status is OrderStatus.CANCELLED
    [cancelled] = twin.store.published(orders_contract.OrderCancelled)
    assert cancelled.reason == "reservation_expired"


async def test_a_held_unit_moved_before_the_sale_is_followed_without_telling_the_customer() -> None:
    twin = OrdersTwin()
    order = await checked_out(twin)
    phone_line = line_of(order, DEVICE)
    moved = commands.ReallocateReservedUnit(order.reservation_id, phone_line, "U-3003", "WH-LYON")
    await reservations.when_reservation_reallocated_follow_the_unit(moved, twin.uow(), twin.clock)

    line = twin.tables.orders[order.order_id].line(phone_line)
    assert (line.unit_id, line.location_id) == ("U-3003", "WH-LYON")
    assert twin.store.published(orders_contract.OrderLineChanged) == []


async def test_a_line_broken_before_the_sale_is_dropped_without_a_refund() -> None:
    twin = OrdersTwin()
    order = await checked_out(twin)
    phone_line = line_of(order, DEVICE)
    broken = commands.BreakReservedLine(order.reservation_id, phone_line, "unit_damaged")
    await reservations.when_reservation_broken_drop_the_line(broken, twin.uow(), twin.clock)

    kept = twin.tables.orders[order.order_id]
    assert kept.line(phone_line).status is LineStatus.DROPPED
    assert [line.kind for line in kept.active_lines] == [ACCESSORY]
    assert twin.tables.ledger_refunds == {}


async def test_a_line_broken_after_the_sale_is_dropped_and_refunded() -> None:
    twin = OrdersTwin()
    order = await placed(twin)
    phone_line = line_of(order, DEVICE)
    broken = commands.BreakReservedLine(order.reservation_id, phone_line, "unit_damaged")
    await reservations.when_reservation_broken_drop_the_line(broken, twin.uow(), twin.clock)

    [(_, reference, refunded)] = twin.tables.ledger_refunds.values()
    assert (reference, refunded.amount_minor) == (f"{order.order_id}/line/{phone_line}", 45900)
    [changed] = twin.store.published(orders_contract.OrderLineChanged)
    assert (changed.line_id, changed.change) == (phone_line, "dropped")
    assert changed.refunded is not None
    assert changed.refunded.amount_minor == 45900
