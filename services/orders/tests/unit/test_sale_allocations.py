"""What orders does with inventory's account of how it applied an online sale, on the in-memory twin."""

from __future__ import annotations

from orders.domain import commands
from orders.domain.lines import LineStatus, OrderStatus, ReservedUnit
from orders.domain.rules import ACCESSORY, DEVICE
from orders.service_layer import sale_allocations
from reloop_contracts import orders as orders_contract
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import WAREHOUSE, line_of, placed


async def test_an_allocated_sale_commits_the_stock_and_follows_any_unit_inventory_served_instead() -> None:
    twin = OrdersTwin()
    order = await placed(twin)
    phone_line = line_of(order, DEVICE)
    allocated = commands.CommitSaleStock(order.order_id, (ReservedUnit(phone_line, "U-5005", WAREHOUSE),))
    await sale_allocations.when_sale_allocated_mark_stock_committed(allocated, twin.uow(), twin.clock)

    kept = twin.tables.orders[order.order_id]
    assert (kept.stock_committed, kept.line(phone_line).unit_id) == (True, "U-5005")
    [changed] = twin.store.published(orders_contract.OrderLineChanged)
    assert (changed.line_id, changed.change, changed.unit_id) == (phone_line, "substituted", "U-5005")


async def test_a_sold_line_moved_to_another_unit_is_followed_and_the_customer_told() -> None:
    twin = OrdersTwin()
    order = await placed(twin)
    phone_line = line_of(order, DEVICE)
    moved = commands.ReallocateSoldLine(order.order_id, phone_line, "U-6006", "WH-LYON")
    await sale_allocations.when_sale_line_reallocated_follow_the_unit(moved, twin.uow(), twin.clock)

    assert twin.tables.orders[order.order_id].line(phone_line).unit_id == "U-6006"
    [changed] = twin.store.published(orders_contract.OrderLineChanged)
    assert (changed.change, changed.unit_id) == ("substituted", "U-6006")


async def test_unallocated_lines_are_refunded_and_the_order_goes_with_its_last_line() -> None:
    twin = OrdersTwin()
    order = await placed(twin)
    for kind in (DEVICE, ACCESSORY):
        dropped = commands.DropSoldLine(order.order_id, line_of(order, kind), "no_stock")
        await sale_allocations.when_sale_unallocated_refund_the_line(dropped, twin.uow(), twin.clock)

    kept = twin.tables.orders[order.order_id]
    assert {line.status for line in kept.lines} == {LineStatus.DROPPED}
    assert (kept.status, kept.cancel_reason) == (OrderStatus.CANCELLED, "no_lines_left")
    refunds = sorted(amount.amount_minor for _, _, amount in twin.tables.ledger_refunds.values())
    assert refunds == [2 * 1990, 45900]
    changes = twin.store.published(orders_contract.OrderLineChanged)
    assert [(c.change, c.refunded.amount_minor if c.refunded else None) for c in changes] == [
        ("dropped", 45900),
        ("dropped", 2 * 1990),
    ]
    assert [c.reason for c in twin.store.published(orders_contract.OrderCancelled)] == ["no_lines_left"]


async def test_allocations_of_a_sale_orders_does_not_know_change_nothing() -> None:
    twin = OrdersTwin()
    await placed(twin)
    outbox = list(twin.store.outbox)
    await sale_allocations.when_sale_allocated_mark_stock_committed(
        commands.CommitSaleStock("till-sale-9", ()), twin.uow(), twin.clock
    )
    await sale_allocations.when_sale_unallocated_refund_the_line(
        commands.DropSoldLine("till-sale-9", "L1", "no_stock"), twin.uow(), twin.clock
    )
    assert twin.store.outbox == outbox
    assert twin.tables.ledger_refunds == {}
