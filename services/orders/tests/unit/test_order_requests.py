"""What the customer and the warehouse ask of an order over HTTP, on the in-memory twin."""

from __future__ import annotations

import pytest

from orders.domain import commands
from orders.domain.errors import NotFound, WrongState
from orders.domain.lines import OrderStatus
from orders.domain.rules import WITHDRAWAL_PERIOD
from orders.service_layer import orders, sale_allocations
from reloop_contracts import inventory
from reloop_contracts import orders as orders_contract
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import checked_out, delivered, placed


async def test_cancelling_while_the_stock_is_being_held_gives_the_hold_back() -> None:
    twin = OrdersTwin()
    order = await checked_out(twin)
    cancelled = await orders.cancel_order(
        commands.CancelOrder(order.order_id, order.customer_id), twin.uow(), twin.clock
    )

    assert cancelled.status is twin.tables.orders[order.order_id].status is OrderStatus.CANCELLED
    [release] = twin.store.published(inventory.ReservationReleaseRequested)
    assert (release.reservation_id, release.reason) == (order.order_id, "cancelled_by_customer")
    assert [c.reason for c in twin.store.published(orders_contract.OrderCancelled)] == ["cancelled_by_customer"]


async def test_a_placed_order_cannot_be_cancelled_and_stays_placed() -> None:
    twin = OrdersTwin()
    order = await placed(twin)
    with pytest.raises(WrongState) as refused:
        await orders.cancel_order(commands.CancelOrder(order.order_id, order.customer_id), twin.uow(), twin.clock)
    assert refused.value.field == "status"
    assert twin.tables.orders[order.order_id].status is OrderStatus.PLACED


async def test_an_order_is_fulfilled_only_once_inventory_applied_its_sale() -> None:
    twin = OrdersTwin()
    order = await placed(twin)
    with pytest.raises(WrongState) as early:
        await orders.fulfil_order(commands.FulfilOrder(order.order_id), twin.uow(), twin.clock)
    assert early.value.field == "stock_committed"

    await sale_allocations.when_sale_allocated_mark_stock_committed(
        commands.CommitSaleStock(order.order_id, ()), twin.uow(), twin.clock
    )
    await orders.fulfil_order(commands.FulfilOrder(order.order_id, "TRACK-9"), twin.uow(), twin.clock)
    assert twin.tables.orders[order.order_id].status is OrderStatus.FULFILLED
    [fulfilled] = twin.store.published(orders_contract.OrderFulfilled)
    assert (fulfilled.fulfilment, fulfilled.tracking_reference) == ("ship", "TRACK-9")


async def test_a_delivered_order_starts_the_withdrawal_period() -> None:
    twin = OrdersTwin()
    order = await delivered(twin)

    assert (order.status, order.delivered_at) == (OrderStatus.DELIVERED, twin.clock.now())
    [announced] = twin.store.published(orders_contract.OrderDelivered)
    assert announced.withdrawal_deadline == twin.clock.now() + WITHDRAWAL_PERIOD


async def test_asking_about_an_order_that_does_not_exist_is_not_found() -> None:
    twin = OrdersTwin()
    with pytest.raises(NotFound) as missing:
        await orders.deliver_order(commands.DeliverOrder("no-such-order"), twin.uow(), twin.clock)
    assert missing.value.field == "order_id"
