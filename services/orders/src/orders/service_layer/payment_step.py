"""The saga's last step, shared by whichever answer completes it (inventory's hold or trade-in's
last voucher hold): once the stock is held and every voucher set aside, the card pays the rest, or
nothing when the vouchers pay it all."""

from __future__ import annotations

from datetime import datetime

from orders.domain.model import Order
from orders.service_layer.unit_of_work import OrdersUnitOfWork


async def take_payment_when_due(order: Order, uow: OrdersUnitOfWork, at: datetime) -> None:
    due = order.payment_due()
    if due is None:
        return  # still waiting for the stock or a voucher, or the order moved on
    if due.amount_minor == 0:
        order.paid_with_vouchers(at)
        return
    authorization = await uow.payments.authorize(order.order_id, due, order.payment_token or "")
    if authorization.approved:
        capture_id = await uow.payments.capture(authorization.authorization_id, due)
        order.payment_captured(authorization, capture_id, at)
    else:
        order.payment_declined(authorization, at)
