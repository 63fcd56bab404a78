"""Returns within the legal withdrawal period: requested by the customer, refunded on receipt."""

from __future__ import annotations

import uuid

from orders.domain import commands
from orders.domain.lines import ReturnRequest
from orders.domain.model import Order
from orders.service_layer.orders import customers_order, locked_order
from orders.service_layer.refunds import refund_to_card
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_shared.clock import Clock


async def request_return(cmd: commands.RequestReturn, uow: OrdersUnitOfWork, clock: Clock) -> ReturnRequest:
    """The customer asks to send lines of their own order back."""
    async with uow:
        order = await customers_order(uow, cmd.order_id, cmd.customer_id)
        request = order.request_return(str(uuid.uuid4()), cmd.line_ids, cmd.reason, clock.now())
        await uow.orders.save(order)
        await uow.commit()
    return request


async def receive_return(cmd: commands.ReceiveReturn, uow: OrdersUnitOfWork, clock: Clock) -> Order:
    """The warehouse has the parcel: refund it (store credit onto the order's vouchers first, the
    card for the rest) and record the return, as a shop counter would."""
    async with uow:
        order = await locked_order(uow, cmd.order_id)
        due = order.receive_return(cmd.return_id)
        order.return_refunded(cmd.return_id, due, await refund_to_card(order, due, uow), clock.now())
        await uow.orders.save(order)
        await uow.commit()
    return order
