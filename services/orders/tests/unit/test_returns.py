"""Returns within the withdrawal period, on the in-memory twin: requested, then refunded on receipt."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orders.domain import commands
from orders.domain.errors import WithdrawalPeriodOver, WrongState
from orders.domain.lines import LineStatus, OrderStatus
from orders.domain.rules import ACCESSORY, DEVICE, WITHDRAWAL_PERIOD
from orders.service_layer import returns
from reloop_contracts import orders as orders_contract
from reloop_contracts import sales
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import delivered, line_of


async def test_a_returned_parcel_is_refunded_and_recorded_as_a_return_like_a_shops() -> None:
    twin = OrdersTwin()
    order = await delivered(twin)
    charger_line = line_of(order, ACCESSORY)
    request = await returns.request_return(
        commands.RequestReturn(order.order_id, order.customer_id, (charger_line,), "not needed"), twin.uow(), twin.clock
    )
    [requested] = twin.store.published(orders_contract.ReturnRequested)
    assert (requested.return_id, requested.line_ids) == (request.return_id, [charger_line])

    await returns.receive_return(commands.ReceiveReturn(order.order_id, request.return_id), twin.uow(), twin.clock)
    kept = twin.tables.orders[order.order_id]
    assert kept.line(charger_line).status is LineStatus.RETURNED
    assert kept.status is OrderStatus.DELIVERED  # the phone is kept
    [(_, reference, refunded)] = twin.tables.ledger_refunds.values()
    assert (reference, refunded.amount_minor) == (f"{order.order_id}/return/{request.return_id}", 2 * 1990)
    [recorded] = twin.store.published(sales.ReturnRecorded)
    assert (recorded.sale_id, recorded.channel, [line.line_id for line in recorded.lines]) == (
        order.order_id,
        "online",
        [charger_line],
    )


async def test_every_line_back_makes_the_order_returned() -> None:
    twin = OrdersTwin()
    order = await delivered(twin)
    every_line = (line_of(order, DEVICE), line_of(order, ACCESSORY))
    request = await returns.request_return(
        commands.RequestReturn(order.order_id, order.customer_id, every_line, "changed my mind"), twin.uow(), twin.clock
    )
    returned = await returns.receive_return(
        commands.ReceiveReturn(order.order_id, request.return_id), twin.uow(), twin.clock
    )
    assert returned.status is twin.tables.orders[order.order_id].status is OrderStatus.RETURNED


async def test_a_return_asked_for_after_the_withdrawal_period_is_refused() -> None:
    twin = OrdersTwin()
    order = await delivered(twin)
    twin.clock.advance(WITHDRAWAL_PERIOD + timedelta(minutes=1))
    with pytest.raises(WithdrawalPeriodOver) as late:
        await returns.request_return(
            commands.RequestReturn(order.order_id, order.customer_id, (line_of(order, ACCESSORY),), "late"),
            twin.uow(),
            twin.clock,
        )
    assert late.value.field == "withdrawal_deadline"
    assert twin.tables.orders[order.order_id].returns == []


async def test_a_parcel_received_twice_is_refunded_once() -> None:
    twin = OrdersTwin()
    order = await delivered(twin)
    request = await returns.request_return(
        commands.RequestReturn(order.order_id, order.customer_id, (line_of(order, ACCESSORY),), "not needed"),
        twin.uow(),
        twin.clock,
    )
    receive = commands.ReceiveReturn(order.order_id, request.return_id)
    await returns.receive_return(receive, twin.uow(), twin.clock)
    with pytest.raises(WrongState) as twice:
        await returns.receive_return(receive, twin.uow(), twin.clock)
    assert twice.value.field == "return_id"
    assert len(twin.tables.ledger_refunds) == 1
