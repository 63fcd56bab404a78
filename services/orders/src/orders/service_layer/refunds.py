"""Giving money back through the payment port, then recording it on the order."""

from __future__ import annotations

from datetime import datetime

from orders.domain.errors import PaymentFailed
from orders.domain.lines import RefundDue
from orders.domain.model import Order
from orders.service_layer.unit_of_work import OrdersUnitOfWork


async def refund(order: Order, due: RefundDue, uow: OrdersUnitOfWork) -> str:
    if order.capture_id is None:
        raise PaymentFailed(f"order {order.order_id} owes {due.amount} but was never captured")
    return await uow.payments.refund(order.capture_id, due.amount, due.reference)


async def refund_dropped_line(order: Order, due: RefundDue, uow: OrdersUnitOfWork, at: datetime) -> None:
    order.line_refunded(due, await refund(order, due, uow), at)
