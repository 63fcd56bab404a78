"""What orders does with inventory's account of how it applied an online sale
(inventory.sale-allocations.v1): the stock is committed, a line followed to another unit, or a line
inventory could not serve dropped and refunded."""

from __future__ import annotations

from orders.domain import commands
from orders.service_layer.refunds import refund_dropped_line
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_shared.clock import Clock


async def when_sale_allocated_mark_stock_committed(
    cmd: commands.CommitSaleStock, uow: OrdersUnitOfWork, clock: Clock
) -> None:
    async with uow:
        order = await uow.orders.get(cmd.sale_id, for_update=True)  # an online sale id is its order id
        if order is None or not order.stock_committed_by_inventory(cmd.replacements, clock.now()):
            return
        await uow.orders.save(order)
        await uow.commit()


async def when_sale_line_reallocated_follow_the_unit(
    cmd: commands.ReallocateSoldLine, uow: OrdersUnitOfWork, clock: Clock
) -> None:
    async with uow:
        order = await uow.orders.get(cmd.sale_id, for_update=True)
        if order is None or not order.reallocate(cmd.line_id, cmd.unit_id, cmd.location_id, clock.now()):
            return
        await uow.orders.save(order)
        await uow.commit()


async def when_sale_unallocated_refund_the_line(
    cmd: commands.DropSoldLine, uow: OrdersUnitOfWork, clock: Clock
) -> None:
    async with uow:
        order = await uow.orders.get(cmd.sale_id, for_update=True)
        if order is None:
            return
        at = clock.now()
        due = order.drop_line(cmd.line_id, cmd.reason, at)
        if due is None:
            return
        await refund_dropped_line(order, due, uow, at)
        await uow.orders.save(order)
        await uow.commit()
