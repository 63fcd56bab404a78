"""Paying an order with store-credit vouchers, on the in-memory twin: checkout asks trade-in to
hold each voucher through the outbox, the order is paid once the stock and every voucher are held
(the card for the rest, or no card at all), a refusal or a silence fails it and gives the stock
back, and answers for holds that are not orders' are none of its business."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orders.domain import commands
from orders.domain.lines import OrderStatus, PaymentKind
from orders.domain.model import Order
from orders.domain.vouchers import VOUCHER_ANSWER_TIMEOUT, VoucherState
from orders.service_layer import reservations, voucher_holds
from reloop_contracts import inventory, sales, trade_in
from reloop_contracts import orders as orders_contract
from reloop_contracts.voucher_codes import voucher_code_hash
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import checked_out_with_vouchers, held

TOTAL = 45900 + 2 * 1990
FIRST, SECOND = "TRD-7KQ2-M9WD-4HTZ-R8CE", "trd 2222 3333 4444 5555"
HELD_UNTIL = datetime(2026, 11, 2, 10, 20, tzinfo=UTC)


def hold(order: Order, n: int, requested_by: str = "orders") -> commands.RecordVoucherHold:
    return commands.RecordVoucherHold(order.vouchers[n].hold_id, f"V-{n}", HELD_UNTIL, requested_by)


def refusal(order: Order, n: int, reason: str = "insufficient_balance") -> commands.RecordVoucherRefusal:
    return commands.RecordVoucherRefusal(order.vouchers[n].hold_id, f"V-{n}", reason, "orders")


async def test_checkout_asks_trade_in_to_hold_each_voucher_through_the_outbox_keyed_by_the_codes_hash() -> None:
    twin = OrdersTwin()
    order = await checked_out_with_vouchers(twin, (FIRST, 10000), (SECOND, 5000))

    rows = [row for row in twin.store.outbox if isinstance(row.event, trade_in.VoucherHoldRequested)]
    assert [row.topic for row in rows] == [trade_in.HOLD_REQUESTS.name] * 2
    assert [row.key for row in rows] == [voucher_code_hash(FIRST), voucher_code_hash(SECOND)]
    first = rows[0].event
    assert isinstance(first, trade_in.VoucherHoldRequested)
    assert (first.hold_id, first.requested_by, first.shop_id, first.reference, first.market) == (
        order.vouchers[0].hold_id,
        "orders",
        None,
        order.order_id,
        "FR",
    )
    assert (first.amount.amount_minor, first.amount.currency) == (10000, "EUR")
    kept = twin.tables.orders[order.order_id]
    assert [(v.hint, v.state) for v in kept.vouchers] == [
        ("R8CE", VoucherState.REQUESTED),
        ("5555", VoucherState.REQUESTED),
    ]
    assert kept.vouchers_answer_by == twin.clock.now() + VOUCHER_ANSWER_TIMEOUT


async def test_the_code_in_clear_is_kept_nowhere_and_sent_nowhere() -> None:
    twin = OrdersTwin()
    await checked_out_with_vouchers(twin, (FIRST, 10000))

    assert "7KQ2" not in repr(twin.tables).upper()
    assert all(b"7KQ2" not in row.value.upper() for row in twin.store.outbox)


async def test_once_the_stock_and_every_voucher_are_held_the_card_pays_the_rest_and_the_sale_names_each_voucher() -> (
    None
):
    twin = OrdersTwin()
    order = await checked_out_with_vouchers(twin, (FIRST, 10000), (SECOND, 5000))
    await voucher_holds.when_voucher_held_take_payment_if_all_is_held(hold(order, 0), twin.uow(), twin.clock)
    await reservations.when_reservation_confirmed_take_payment(held(order), twin.uow(), twin.clock)
    assert twin.tables.orders[order.order_id].status is OrderStatus.RESERVING, "a voucher is still unanswered"
    assert twin.tables.ledger_authorizations == {}

    await voucher_holds.when_voucher_held_take_payment_if_all_is_held(hold(order, 1), twin.uow(), twin.clock)

    kept = twin.tables.orders[order.order_id]
    assert kept.status is OrderStatus.PLACED
    assert [(p.kind, p.amount.amount_minor) for p in kept.payments] == [
        (PaymentKind.AUTHORIZATION, TOTAL - 15000),
        (PaymentKind.CAPTURE, TOTAL - 15000),
    ]
    assert [(v.state, v.voucher_id) for v in kept.vouchers] == [(VoucherState.HELD, "V-0"), (VoucherState.HELD, "V-1")]
    [sale] = twin.store.published(sales.SaleRecorded)
    assert [
        (p.method, p.amount.amount_minor, p.reference, p.voucher_code_hash, p.voucher_code) for p in sale.payments
    ] == [
        ("voucher", 10000, kept.vouchers[0].hold_id, voucher_code_hash(FIRST), None),
        ("voucher", 5000, kept.vouchers[1].hold_id, voucher_code_hash(SECOND), None),
        ("card", TOTAL - 15000, kept.capture_id, None, None),
    ]
    assert sale.total.amount_minor == TOTAL


async def test_an_order_the_vouchers_pay_entirely_is_placed_without_a_card_or_a_token() -> None:
    twin = OrdersTwin()
    order = await checked_out_with_vouchers(twin, (FIRST, TOTAL), token=None)
    await reservations.when_reservation_confirmed_take_payment(held(order), twin.uow(), twin.clock)
    await voucher_holds.when_voucher_held_take_payment_if_all_is_held(hold(order, 0), twin.uow(), twin.clock)

    kept = twin.tables.orders[order.order_id]
    assert (kept.status, kept.payments) == (OrderStatus.PLACED, [])
    assert twin.tables.ledger_authorizations == {}
    [sale] = twin.store.published(sales.SaleRecorded)
    assert [(p.method, p.amount.amount_minor) for p in sale.payments] == [("voucher", TOTAL)]
    [placed] = twin.store.published(orders_contract.OrderPlaced)
    assert placed.total.amount_minor == TOTAL


async def test_a_refused_voucher_fails_the_order_naming_the_refusal_and_gives_the_stock_back() -> None:
    twin = OrdersTwin()
    order = await checked_out_with_vouchers(twin, (FIRST, 10000), (SECOND, 5000))
    await reservations.when_reservation_confirmed_take_payment(held(order), twin.uow(), twin.clock)
    await voucher_holds.when_voucher_held_take_payment_if_all_is_held(hold(order, 0), twin.uow(), twin.clock)
    await voucher_holds.when_voucher_refused_fail_the_order(refusal(order, 1), twin.uow(), twin.clock)

    kept = twin.tables.orders[order.order_id]
    assert (kept.status, kept.cancel_reason) == (OrderStatus.PAYMENT_FAILED, "voucher_refused:insufficient_balance")
    assert kept.vouchers[1].refusal == "insufficient_balance"
    assert twin.tables.ledger_authorizations == {}
    [release] = twin.store.published(inventory.ReservationReleaseRequested)
    assert release.reservation_id == order.reservation_id
    [cancelled] = twin.store.published(orders_contract.OrderCancelled)
    assert cancelled.reason == "voucher_refused:insufficient_balance"
    assert twin.store.published(sales.SaleRecorded) == []


async def test_answers_to_holds_that_are_not_orders_change_nothing() -> None:
    twin = OrdersTwin()
    order = await checked_out_with_vouchers(twin, (FIRST, 10000))
    outbox = list(twin.store.outbox)
    tills = hold(order, 0, requested_by="store-sync")
    unknown = commands.RecordVoucherRefusal("till-hold-9", "unknown", "unknown_code", "orders")
    await voucher_holds.when_voucher_held_take_payment_if_all_is_held(tills, twin.uow(), twin.clock)
    await voucher_holds.when_voucher_refused_fail_the_order(unknown, twin.uow(), twin.clock)

    assert twin.tables.orders[order.order_id].vouchers[0].state is VoucherState.REQUESTED
    assert twin.store.outbox == outbox


async def test_the_sweep_fails_orders_whose_vouchers_were_not_answered_in_time_and_a_late_answer_changes_nothing() -> (
    None
):
    twin = OrdersTwin()
    waiting = await checked_out_with_vouchers(twin, (FIRST, 10000))
    await reservations.when_reservation_confirmed_take_payment(held(waiting), twin.uow(), twin.clock)
    twin.clock.advance(VOUCHER_ANSWER_TIMEOUT - timedelta(seconds=1))
    assert await voucher_holds.fail_orders_without_voucher_answers(twin.uow(), twin.clock) == 0

    twin.clock.advance(timedelta(seconds=1))
    assert await voucher_holds.fail_orders_without_voucher_answers(twin.uow(), twin.clock) == 1
    assert await voucher_holds.fail_orders_without_voucher_answers(twin.uow(), twin.clock) == 0, "swept once"
    await voucher_holds.when_voucher_held_take_payment_if_all_is_held(hold(waiting, 0), twin.uow(), twin.clock)

    kept = twin.tables.orders[waiting.order_id]
    assert (kept.status, kept.cancel_reason) == (OrderStatus.PAYMENT_FAILED, "voucher_no_answer")
    assert kept.vouchers[0].state is VoucherState.REQUESTED
    assert twin.tables.ledger_authorizations == {}
    [release] = twin.store.published(inventory.ReservationReleaseRequested)
    assert release.reason == "voucher_no_answer"
