"""After the sale: fulfilment, delivery and returns within the legal withdrawal period."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orders.domain import events
from orders.domain.errors import InvalidReturn, WithdrawalPeriodOver, WrongState
from orders.domain.lines import LineStatus, OrderStatus, ReservedUnit
from orders.domain.rules import WITHDRAWAL_PERIOD
from reloop_contracts.amounts import Money
from services.orders.tests.builders import NOW, delivered, last, placed, recorded


def test_a_placed_order_is_fulfilled_only_once_inventory_applied_the_sale() -> None:
    order = placed()
    with pytest.raises(WrongState) as refused:
        order.fulfil("TRACK-1", NOW)
    assert refused.value.field == "stock_committed"

    order.stock_committed_by_inventory((), NOW)
    order.fulfil("TRACK-1", NOW)
    fulfilled = last(order)
    assert isinstance(fulfilled, events.OrderFulfilled)
    assert (fulfilled.location_id, fulfilled.tracking_reference) == ("WH-PAR", "TRACK-1")


def test_inventory_serving_a_line_with_another_unit_is_announced_as_a_substitution() -> None:
    order = placed()
    order.stock_committed_by_inventory((ReservedUnit("L1", "U-5005", "WH-PAR"),), NOW)
    assert order.stock_committed
    assert order.line("L1").unit_id == "U-5005"
    assert recorded(order, events.OrderLineChanged)[-1].change == "substituted"


def test_delivery_opens_a_fourteen_day_withdrawal_period() -> None:
    order = delivered()
    assert timedelta(days=14) == WITHDRAWAL_PERIOD
    assert order.withdrawal_deadline == NOW + timedelta(days=14)
    delivered_event = last(order)
    assert isinstance(delivered_event, events.OrderDelivered)
    assert delivered_event.withdrawal_deadline == NOW + timedelta(days=14)


def test_a_return_within_the_withdrawal_period_is_requested() -> None:
    order = delivered()
    request = order.request_return("ret-1", ["L1"], "changed my mind", NOW + timedelta(days=13, hours=23))
    assert request.line_ids == ("L1",)
    requested = last(order)
    assert isinstance(requested, events.ReturnRequested)
    assert (requested.return_id, requested.line_ids) == ("ret-1", ("L1",))


def test_a_return_after_the_withdrawal_deadline_is_refused_naming_the_deadline() -> None:
    order = delivered()
    with pytest.raises(WithdrawalPeriodOver) as refused:
        order.request_return("ret-1", ["L1"], "changed my mind", NOW + timedelta(days=14, seconds=1))
    assert refused.value.field == "withdrawal_deadline"
    assert order.returns == []


def test_a_return_before_delivery_is_refused_naming_the_status() -> None:
    with pytest.raises(WrongState) as refused:
        placed().request_return("ret-1", ["L1"], "changed my mind", NOW)
    assert refused.value.field == "status"


def test_a_line_can_be_returned_only_once_and_only_if_it_is_in_the_order() -> None:
    order = delivered()
    order.request_return("ret-1", ["L1"], "changed my mind", NOW)
    for line_ids in (["L1"], ["L7"]):
        with pytest.raises(InvalidReturn) as refused:
            order.request_return("ret-2", line_ids, "again", NOW)
        assert refused.value.field == "line_ids"


def test_receiving_a_return_refunds_its_lines_and_records_the_return_at_the_sale_location() -> None:
    order = delivered()
    order.request_return("ret-1", ["L2"], "not needed", NOW)
    due = order.receive_return("ret-1")
    assert due.amount == Money(2 * 1990, "EUR")
    order.return_refunded("ret-1", due, "ref-1", NOW)

    assert order.line("L2").status is LineStatus.RETURNED
    assert order.status is OrderStatus.DELIVERED  # the phone is kept
    received = last(order)
    assert isinstance(received, events.ReturnReceived)
    assert received.location_id == "WH-PAR"
    assert [(line.line_id, line.quantity, line.refund) for line in received.lines] == [("L2", 2, due.amount)]
    with pytest.raises(WrongState):
        order.receive_return("ret-1")


def test_returning_every_line_makes_the_order_returned() -> None:
    order = delivered()
    order.request_return("ret-1", ["L1", "L2"], "not as described", NOW)
    order.return_refunded("ret-1", order.receive_return("ret-1"), "ref-1", NOW)
    assert order.status is OrderStatus.RETURNED
