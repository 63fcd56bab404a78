"""Vouchers paying an order, on plain objects: what a checkout may name, how the order waits for
both inventory and trade-in before the card pays the rest, and how it fails when a voucher cannot."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orders.domain import events
from orders.domain.errors import InvalidCheckout, WrongState
from orders.domain.lines import LineStatus, OrderStatus
from orders.domain.model import Order
from orders.domain.vouchers import VOUCHER_ANSWER_TIMEOUT, VoucherState, VoucherToApply, hold_id
from reloop_contracts.amounts import Money
from reloop_contracts.voucher_codes import voucher_code_hash
from services.orders.tests.builders import (
    HELD,
    NOW,
    ORDER_ID,
    PHONE,
    approved,
    recorded,
    voucher_code,
    with_vouchers,
)

TOTAL = 45900 + 2 * 1990
HELD_UNTIL = NOW + timedelta(minutes=20)


def hold_all(order: Order) -> None:
    for n, voucher in enumerate(order.vouchers):
        assert order.voucher_held(voucher.hold_id, f"V-{n}", HELD_UNTIL, NOW)


def test_a_voucher_is_kept_as_its_hash_and_last_four_characters_however_it_was_typed() -> None:
    typed = VoucherToApply.typed("trd 7kq2-m9wd-4htz-r8ce", Money(100, "EUR"))
    printed = VoucherToApply.typed("TRD-7KQ2-M9WD-4HTZ-R8CE", Money(100, "EUR"))

    assert typed == printed
    assert (typed.code_hash, typed.hint) == (voucher_code_hash("7KQ2M9WD4HTZR8CE"), "R8CE")
    assert "7KQ2" not in repr(typed)


def test_checkout_asks_trade_in_to_hold_each_voucher_under_a_hold_id_of_the_order_after_the_stock() -> None:
    order = with_vouchers(10000, 5000)

    assert [type(e) for e in order.recorder.events] == [
        events.ReservationRequested,
        events.VoucherHoldRequested,
        events.VoucherHoldRequested,
    ]
    first, second = recorded(order, events.VoucherHoldRequested)
    assert (first.hold_id, second.hold_id) == (hold_id(ORDER_ID, 0), hold_id(ORDER_ID, 1))
    assert (first.code_hash, first.amount, first.market, first.order_id) == (
        voucher_code_hash(voucher_code(1)),
        Money(10000, "EUR"),
        "FR",
        ORDER_ID,
    )
    assert [(v.state, v.hint) for v in order.vouchers] == [
        (VoucherState.REQUESTED, "0001"),
        (VoucherState.REQUESTED, "0002"),
    ]
    assert order.vouchers_answer_by == NOW + VOUCHER_ANSWER_TIMEOUT
    assert order.card_amount == Money(TOTAL - 15000, "EUR")


def test_an_order_without_vouchers_waits_for_no_answer() -> None:
    order = with_vouchers()
    assert (order.vouchers, order.vouchers_answer_by) == ([], None)
    assert not recorded(order, events.VoucherHoldRequested)


@pytest.mark.parametrize(
    ("amounts", "field"),
    [
        ((TOTAL, 1), "vouchers"),
        ((100, 100, 100, 100), "vouchers"),
    ],
    ids=["worth more than the order", "more than a few"],
)
def test_vouchers_worth_more_than_the_order_or_too_many_are_refused(amounts: tuple[int, ...], field: str) -> None:
    with pytest.raises(InvalidCheckout) as refused:
        with_vouchers(*amounts)
    assert refused.value.field == field


def test_the_same_voucher_twice_is_refused_even_typed_differently() -> None:
    twice = [
        VoucherToApply.typed("TRD-AAAA-BBBB-CCCC-0001", Money(100, "EUR")),
        VoucherToApply.typed("aaaa bbbb cccc 0001", Money(200, "EUR")),
    ]
    with pytest.raises(InvalidCheckout) as refused:
        Order.checkout(ORDER_ID, "c", "cust-1", "FR", [PHONE], "ship", None, "card", "tok", NOW, vouchers=twice)
    assert refused.value.field == "vouchers"


def test_a_voucher_in_another_currency_than_the_cart_is_refused_naming_the_currency() -> None:
    pounds = [VoucherToApply.typed(voucher_code(1), Money(100, "GBP"))]
    with pytest.raises(InvalidCheckout) as refused:
        Order.checkout(ORDER_ID, "c", "cust-1", "FR", [PHONE], "ship", None, "card", "tok", NOW, vouchers=pounds)
    assert refused.value.field == "vouchers.amount.currency"


def test_without_a_card_the_vouchers_must_pay_the_whole_order() -> None:
    with pytest.raises(InvalidCheckout) as refused:
        with_vouchers(TOTAL - 1, token=None)
    assert refused.value.field == "payment"

    paid_by_vouchers = with_vouchers(TOTAL - 100, 100, token=None)
    assert (paid_by_vouchers.card_amount, paid_by_vouchers.payment_token) == (Money(0, "EUR"), None)


def test_held_stock_is_not_paid_for_until_every_voucher_is_held_then_the_card_pays_the_rest() -> None:
    order = with_vouchers(10000, 5000)

    assert order.confirm_reservation(ORDER_ID, HELD, NOW) is None
    assert order.voucher_held(order.vouchers[0].hold_id, "V-1", HELD_UNTIL, NOW)
    assert order.payment_due() is None
    assert order.voucher_held(order.vouchers[1].hold_id, "V-2", HELD_UNTIL, NOW)

    assert order.payment_due() == Money(TOTAL - 15000, "EUR")
    assert order.vouchers_answer_by is None
    order.payment_captured(approved(Money(TOTAL - 15000, "EUR")), "cap-1", NOW)
    [placed] = recorded(order, events.OrderPlaced)
    assert [(v.hold_id, v.amount.amount_minor) for v in placed.vouchers] == [
        (order.vouchers[0].hold_id, 10000),
        (order.vouchers[1].hold_id, 5000),
    ]
    assert (placed.capture_id, placed.total) == ("cap-1", Money(TOTAL, "EUR"))


def test_vouchers_held_before_the_stock_wait_for_it_and_the_stock_confirmation_takes_the_payment() -> None:
    order = with_vouchers(10000)
    hold_all(order)
    assert order.payment_due() is None

    assert order.confirm_reservation(ORDER_ID, HELD, NOW) == Money(TOTAL - 10000, "EUR")


def test_an_order_the_vouchers_pay_entirely_is_placed_without_a_card() -> None:
    order = with_vouchers(TOTAL, token=None)
    hold_all(order)
    assert order.confirm_reservation(ORDER_ID, HELD, NOW) == Money(0, "EUR")
    with pytest.raises(WrongState):
        order.payment_captured(approved(Money(0, "EUR")), "cap-1", NOW)

    order.paid_with_vouchers(NOW)
    assert (order.status, order.payments) == (OrderStatus.PLACED, [])
    [placed] = recorded(order, events.OrderPlaced)
    assert placed.capture_id is None
    assert [v.amount.amount_minor for v in placed.vouchers] == [TOTAL]


def test_a_refused_voucher_fails_the_order_with_its_reason_and_gives_the_stock_back() -> None:
    order = with_vouchers(10000, 5000)
    order.confirm_reservation(ORDER_ID, HELD, NOW)
    assert order.voucher_held(order.vouchers[0].hold_id, "V-1", HELD_UNTIL, NOW)

    assert order.voucher_refused(order.vouchers[1].hold_id, "V-2", "insufficient_balance", NOW)

    assert (order.status, order.cancel_reason) == (OrderStatus.PAYMENT_FAILED, "voucher_refused:insufficient_balance")
    assert (order.payment_token, order.vouchers_answer_by) == (None, None)
    assert [(v.state, v.refusal) for v in order.vouchers] == [
        (VoucherState.HELD, None),
        (VoucherState.REFUSED, "insufficient_balance"),
    ]
    [release] = recorded(order, events.ReservationReleaseRequested)
    assert (release.reservation_id, release.reason) == (ORDER_ID, "voucher_refused:insufficient_balance")
    [cancelled] = recorded(order, events.OrderCancelled)
    assert cancelled.reason == "voucher_refused:insufficient_balance"


def test_an_order_short_of_stock_still_records_its_vouchers_answers_and_a_refusal_has_no_stock_to_release() -> None:
    order = with_vouchers(10000, 5000)
    assert order.reservation_rejected(ORDER_ID, ["L1"], [], NOW)
    assert order.voucher_held(order.vouchers[0].hold_id, "V-1", HELD_UNTIL, NOW)
    assert order.voucher_refused(order.vouchers[1].hold_id, "unknown", "unknown_code", NOW)

    assert order.status is OrderStatus.PAYMENT_FAILED
    assert not recorded(order, events.ReservationReleaseRequested)


def test_answers_the_order_no_longer_waits_for_change_nothing() -> None:
    order = with_vouchers(10000)
    held_id = order.vouchers[0].hold_id
    assert not order.voucher_held("another-hold", "V-9", HELD_UNTIL, NOW)
    assert order.voucher_held(held_id, "V-1", HELD_UNTIL, NOW)
    assert not order.voucher_refused(held_id, "V-1", "expired", NOW), "answered already"

    order.cancel(NOW)
    late = with_vouchers(10000)
    late.cancel(NOW)
    assert not late.voucher_held(late.vouchers[0].hold_id, "V-1", HELD_UNTIL, NOW)
    assert late.vouchers[0].state is VoucherState.REQUESTED


def test_an_order_still_waiting_for_a_voucher_at_its_deadline_fails_and_gives_the_stock_back() -> None:
    order = with_vouchers(10000, 5000)
    order.confirm_reservation(ORDER_ID, HELD, NOW)
    order.voucher_held(order.vouchers[0].hold_id, "V-1", HELD_UNTIL, NOW)
    deadline = NOW + VOUCHER_ANSWER_TIMEOUT

    assert not order.voucher_answers_overdue(deadline - timedelta(seconds=1))
    assert order.voucher_answers_overdue(deadline)

    assert (order.status, order.cancel_reason) == (OrderStatus.PAYMENT_FAILED, "voucher_no_answer")
    [release] = recorded(order, events.ReservationReleaseRequested)
    assert release.reason == "voucher_no_answer"
    assert not order.voucher_held(order.vouchers[1].hold_id, "V-2", HELD_UNTIL, deadline), "too late"
    assert not order.voucher_answers_overdue(deadline), "failed once"


def test_a_line_dropped_before_the_sale_lowers_what_the_last_voucher_pays_never_below_zero_for_the_card() -> None:
    order = with_vouchers(45900, 3980, token=None)
    hold_all(order)
    order.drop_line("L2", "broken", NOW)  # the chargers (3 980) go

    assert order.line("L2").status is LineStatus.DROPPED
    assert order.confirm_reservation(ORDER_ID, HELD, NOW) == Money(0, "EUR")
    order.paid_with_vouchers(NOW)
    [placed] = recorded(order, events.OrderPlaced)
    assert [v.amount.amount_minor for v in placed.vouchers] == [45900]
    assert placed.total == Money(45900, "EUR")
