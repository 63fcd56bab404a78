"""Order use cases asked for over HTTP: by the customer (substitutes, cancel) and the warehouse.

A customer acts only on their own orders: another customer's order is answered exactly as one that
does not exist (`NotFound`), so whether it exists does not leak. The warehouse acts on any order."""

from __future__ import annotations

from orders.domain import commands
from orders.domain.errors import NotFound
from orders.domain.model import Order
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_shared.clock import Clock


async def locked_order(uow: OrdersUnitOfWork, order_id: str) -> Order:
    order = await uow.orders.get(order_id, for_update=True)
    if order is None:
        raise NotFound(f"no order {order_id}", field="order_id")
    return order


async def customers_order(uow: OrdersUnitOfWork, order_id: str, customer_id: str) -> Order:
    """The customer's own order, locked; another's is not found, as if it did not exist."""
    order = await uow.orders.get(order_id, for_update=True)
    if order is None or order.customer_id != customer_id:
        raise NotFound(f"no order {order_id}", field="order_id")
    return order


async def accept_substitute(cmd: commands.AcceptSubstitute, uow: OrdersUnitOfWork, clock: Clock) -> Order:
    async with uow:
        order = await customers_order(uow, cmd.order_id, cmd.customer_id)
        order.accept_substitute(cmd.line_id, cmd.unit_id, clock.now())
        await uow.orders.save(order)
        await uow.commit()
    return order


async def cancel_order(cmd: commands.CancelOrder, uow: OrdersUnitOfWork, clock: Clock) -> Order:
    async with uow:
        order = await customers_order(uow, cmd.order_id, cmd.customer_id)
        order.cancel(clock.now())
        await uow.orders.save(order)
        await uow.commit()
    return order


async def fulfil_order(cmd: commands.FulfilOrder, uow: OrdersUnitOfWork, clock: Clock) -> Order:
    async with uow:
        order = await locked_order(uow, cmd.order_id)
        order.fulfil(cmd.tracking_reference, clock.now())
        await uow.orders.save(order)
        await uow.commit()
    return order


async def deliver_order(cmd: commands.DeliverOrder, uow: OrdersUnitOfWork, clock: Clock) -> Order:
    async with uow:
        order = await locked_order(uow, cmd.order_id)
        order.deliver(clock.now())
        await uow.orders.save(order)
        await uow.commit()
    return order
