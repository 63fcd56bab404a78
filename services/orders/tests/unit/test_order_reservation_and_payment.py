"""From checkout to a placed (or failed) order: the order's rules on plain objects."""

from __future__ import annotations

import pytest

from orders.domain import events
from orders.domain.errors import InvalidSubstitute, ReservationMismatch, WrongState
from orders.domain.lines import LineStatus, OrderStatus, ReservedUnit, Substitute
from orders.domain.payments import Authorization
from orders.domain.rules import CHECKOUT_HOLD_SECONDS
from reloop_contracts.amounts import Money
from services.orders.tests.builders import HELD, NOW, ORDER_ID, approved, checked_out, placed, recorded


def test_checkout_asks_inventory_to_hold_every_line_under_the_order_id() -> None:
    order = checked_out()
    [requested] = recorded(order, events.ReservationRequested)
    assert order.status is OrderStatus.RESERVING
    assert requested.reservation_id == ORDER_ID
    assert requested.hold_seconds == CHECKOUT_HOLD_SECONDS == 900
    assert requested.location_id is None
    assert [(line.line_id, line.quantity) for line in requested.lines] == [("L1", 1), ("L2", 2)]


def test_click_and_collect_holds_the_stock_at_the_pickup_shop() -> None:
    order = checked_out(fulfilment="click_and_collect", pickup="SHOP-LYON-1")
    [requested] = recorded(order, events.ReservationRequested)
    assert requested.location_id == "SHOP-LYON-1"


def test_a_confirmed_reservation_and_an_approved_payment_place_the_order_with_the_reserved_units() -> None:
    order = checked_out()
    amount = order.confirm_reservation(ORDER_ID, HELD, NOW)
    assert amount == Money(45900 + 2 * 1990, "EUR")
    order.payment_captured(approved(amount), "cap-1", NOW)

    assert order.status is OrderStatus.PLACED
    assert order.payment_token is None
    assert order.location_id == "WH-PAR"
    [placed_event] = recorded(order, events.OrderPlaced)
    assert [(line.line_id, line.unit_id) for line in placed_event.lines] == [("L1", "U-1001"), ("L2", None)]
    assert (placed_event.total, placed_event.capture_id, placed_event.location_id) == (amount, "cap-1", "WH-PAR")


def test_the_sale_happens_where_the_accessories_were_held_since_devices_are_found_by_unit() -> None:
    order = checked_out()
    held = (ReservedUnit("L1", "U-1001", "WH-LILLE"), ReservedUnit("L2", None, "WH-PARIS"))
    amount = order.confirm_reservation(ORDER_ID, held, NOW)
    assert amount is not None
    order.payment_captured(approved(amount), "cap-1", NOW)
    assert order.location_id == "WH-PARIS"
    assert recorded(order, events.OrderPlaced)[0].location_id == "WH-PARIS"


def test_a_click_and_collect_sale_happens_at_the_pickup_shop() -> None:
    order = checked_out(fulfilment="click_and_collect", pickup="SHOP-LYON-1")
    held = (ReservedUnit("L1", "U-1001", "SHOP-LYON-1"), ReservedUnit("L2", None, "SHOP-LYON-1"))
    order.confirm_reservation(ORDER_ID, held, NOW)
    assert order.location_id == "SHOP-LYON-1"


def test_a_declined_payment_fails_the_order_releases_the_hold_and_cancels_it() -> None:
    order = checked_out(token="tok_declined")
    amount = order.confirm_reservation(ORDER_ID, HELD, NOW)
    assert amount is not None
    order.payment_declined(Authorization("auth-9", amount, approved=False, decline_reason="card_declined"), NOW)

    assert order.status is OrderStatus.PAYMENT_FAILED
    assert [type(e) for e in order.recorder.events[-2:]] == [events.ReservationReleaseRequested, events.OrderCancelled]
    [release] = recorded(order, events.ReservationReleaseRequested)
    assert release.reservation_id == ORDER_ID
    assert not recorded(order, events.OrderPlaced)


def test_a_rejected_reservation_leaves_the_order_short_of_stock_with_the_substitutes_for_its_failed_lines() -> None:
    order = checked_out()
    offered = [Substitute("L1", "IPH13-128-BLK-EX", "U-2002", "WH-LIL"), Substitute("L9", "OTHER", "U-3", "WH")]
    assert order.reservation_rejected(ORDER_ID, ["L1"], offered, NOW)

    assert order.status is OrderStatus.STOCK_UNAVAILABLE
    assert order.unavailable_lines == ["L1"]
    assert order.substitutes == offered[:1]


def test_accepting_a_substitute_reserves_again_under_a_new_id_pinned_to_that_unit() -> None:
    order = checked_out()
    order.reservation_rejected(ORDER_ID, ["L1"], [Substitute("L1", "IPH13-128-BLK-EX", "U-2002", "WH-LIL")], NOW)
    order.accept_substitute("L1", "U-2002", NOW)

    assert order.status is OrderStatus.RESERVING
    assert order.reservation_id == f"{ORDER_ID}-2"
    requested = recorded(order, events.ReservationRequested)[-1]
    assert requested.reservation_id == f"{ORDER_ID}-2"
    assert {line.line_id: line.unit_id for line in requested.lines} == {"L1": "U-2002", "L2": None}


def test_a_unit_that_was_not_offered_cannot_be_accepted() -> None:
    order = checked_out()
    order.reservation_rejected(ORDER_ID, ["L1"], [Substitute("L1", "IPH13-128-BLK-EX", "U-2002", "WH-LIL")], NOW)
    with pytest.raises(InvalidSubstitute) as refused:
        order.accept_substitute("L1", "U-STOLEN", NOW)
    assert refused.value.field == "unit_id"
    assert order.status is OrderStatus.STOCK_UNAVAILABLE


def test_an_expired_hold_before_payment_cancels_the_order() -> None:
    order = checked_out()
    assert order.reservation_expired(ORDER_ID, NOW)
    assert order.status is OrderStatus.CANCELLED
    [cancelled] = recorded(order, events.OrderCancelled)
    assert cancelled.reason == "reservation_expired"


def test_an_expired_hold_after_the_sale_changes_nothing() -> None:
    order = placed()
    before = len(order.recorder.events)
    assert not order.reservation_expired(ORDER_ID, NOW)
    assert order.status is OrderStatus.PLACED
    assert len(order.recorder.events) == before


def test_an_outcome_for_an_older_reservation_attempt_is_ignored() -> None:
    order = checked_out()
    order.reservation_rejected(ORDER_ID, ["L1"], [Substitute("L1", "IPH13-128-BLK-EX", "U-2002", "WH-LIL")], NOW)
    order.accept_substitute("L1", None, NOW)
    assert order.confirm_reservation(ORDER_ID, HELD, NOW) is None
    assert not order.reservation_expired(ORDER_ID, NOW)
    assert order.status is OrderStatus.RESERVING


def test_a_confirmation_without_a_unit_for_a_device_line_is_refused() -> None:
    order = checked_out()
    with pytest.raises(ReservationMismatch):
        order.confirm_reservation(ORDER_ID, (ReservedUnit("L1", None, "WH"), ReservedUnit("L2", None, "WH")), NOW)


def test_a_unit_reallocated_after_the_sale_is_announced_as_a_substitution() -> None:
    order = placed()
    assert order.reservation_reallocated(ORDER_ID, "L1", "U-7007", "WH-LIL", NOW)
    assert order.line("L1").unit_id == "U-7007"
    change = order.recorder.events[-1]
    assert isinstance(change, events.OrderLineChanged)
    assert (change.change, change.unit_id) == ("substituted", "U-7007")


def test_a_unit_reallocated_before_the_sale_only_moves_the_line() -> None:
    order = checked_out()
    order.lines[0].unit_id = "U-1001"
    assert order.reallocate("L1", "U-7007", "WH-LIL", NOW)
    assert order.line("L1").unit_id == "U-7007"
    assert not recorded(order, events.OrderLineChanged)


def test_a_broken_line_before_the_sale_is_dropped_and_the_rest_continue() -> None:
    order = checked_out()
    assert order.drop_line("L1", "sold_in_shop", NOW) is None
    assert order.status is OrderStatus.RESERVING
    assert [line.line_id for line in order.active_lines] == ["L2"]
    assert order.total == Money(2 * 1990, "EUR")


def test_breaking_every_line_before_the_sale_cancels_the_order() -> None:
    order = checked_out()
    order.drop_line("L1", "sold_in_shop", NOW)
    order.drop_line("L2", "sold_in_shop", NOW)
    assert order.status is OrderStatus.CANCELLED


def test_a_sold_line_that_loses_its_unit_is_dropped_and_refunded_and_the_rest_continue() -> None:
    order = placed()
    due = order.reservation_broken(ORDER_ID, "L1", "sold_in_shop", NOW)
    assert due is not None
    assert due.amount == Money(45900, "EUR")
    order.line_refunded(due, "ref-1", NOW)

    assert order.status is OrderStatus.PLACED
    assert order.line("L1").status is LineStatus.DROPPED
    change = order.recorder.events[-1]
    assert isinstance(change, events.OrderLineChanged)
    assert (change.change, change.refunded) == ("dropped", Money(45900, "EUR"))
    assert order.drop_line("L1", "again", NOW) is None  # a second notice of the same loss owes nothing more


def test_losing_the_last_sold_line_cancels_the_order_after_refunding_it() -> None:
    order = placed()
    for line_id in ("L1", "L2"):
        due = order.drop_line(line_id, "sold_in_shop", NOW)
        assert due is not None
        order.line_refunded(due, f"ref-{line_id}", NOW)
    assert order.status is OrderStatus.CANCELLED
    assert isinstance(order.recorder.events[-1], events.OrderCancelled)


def test_a_reserving_order_can_be_cancelled_and_releases_its_hold() -> None:
    order = checked_out()
    order.cancel(NOW)
    assert order.status is OrderStatus.CANCELLED
    assert [type(e) for e in order.recorder.events[-2:]] == [events.ReservationReleaseRequested, events.OrderCancelled]


def test_a_placed_order_cannot_be_cancelled() -> None:
    with pytest.raises(WrongState) as refused:
        placed().cancel(NOW)
    assert refused.value.field == "status"
