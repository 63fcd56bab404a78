"""Giving money back: the domain splits it (vouchers first), the card's part goes through the
payment port, then the order records both. Store credit needs no call: trade-in puts it back on the
vouchers when it reads the return the order publishes."""

from __future__ import annotations

from datetime import datetime

from orders.domain.errors import PaymentFailed
from orders.domain.lines import RefundDue
from orders.domain.model import Order
from orders.service_layer.unit_of_work import OrdersUnitOfWork


async def refund_to_card(order: Order, due: RefundDue, uow: OrdersUnitOfWork) -> str | None:
    """The provider's refund id of the card's part; None when the vouchers take it all."""
    card = due.split.card
    if card.amount_minor == 0:
        return None
    if order.capture_id is None:
        raise PaymentFailed(f"order {order.order_id} owes {card} to a card but was never captured")
    return await uow.payments.refund(order.capture_id, card, due.reference)


async def refund_dropped_line(order: Order, due: RefundDue, uow: OrdersUnitOfWork, at: datetime) -> None:
    order.line_refunded(due, await refund_to_card(order, due, uow), at)
