"""What orders does with trade-in's answers to its voucher holds (trade-in.vouchers.v1), and with
the answers that never come.

The topic carries every voucher's facts and the holds tills asked for too: an answer that names no
hold of orders' is skipped, never dead-lettered. Each handler joins the consuming transaction, so
the order's change, the payment and the outgoing events commit with the processed-event record.
"""

from __future__ import annotations

import logging

from orders.domain import commands
from orders.service_layer.payment_step import take_payment_when_due
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_shared.clock import Clock

log = logging.getLogger(__name__)

REQUESTER = "orders"
SWEEP_BATCH = 100


async def when_voucher_held_take_payment_if_all_is_held(
    cmd: commands.RecordVoucherHold, uow: OrdersUnitOfWork, clock: Clock
) -> None:
    if cmd.requested_by != REQUESTER:
        return  # a till's hold
    async with uow:
        order = await uow.orders.for_hold(cmd.hold_id, for_update=True)
        if order is None:
            return
        at = clock.now()
        if not order.voucher_held(cmd.hold_id, cmd.voucher_id, cmd.held_until, at):
            log.info("late voucher hold skipped", extra={"hold_id": cmd.hold_id, "status": order.status})
            return
        await take_payment_when_due(order, uow, at)
        await uow.orders.save(order)
        await uow.commit()


async def when_voucher_refused_fail_the_order(
    cmd: commands.RecordVoucherRefusal, uow: OrdersUnitOfWork, clock: Clock
) -> None:
    if cmd.requested_by not in (REQUESTER, None):  # None: a refusal written before requests were events
        return
    async with uow:
        order = await uow.orders.for_hold(cmd.hold_id, for_update=True)
        if order is None or not order.voucher_refused(cmd.hold_id, cmd.voucher_id, cmd.reason, clock.now()):
            return
        await uow.orders.save(order)
        await uow.commit()


async def fail_orders_without_voucher_answers(uow: OrdersUnitOfWork, clock: Clock, *, batch: int = SWEEP_BATCH) -> int:
    """Fail the orders whose vouchers' answers are overdue (one batch; a full batch: call again)
    and give their stock back. Run periodically: the deadline is a row, not a timer in memory."""
    async with uow:
        now = clock.now()
        due = await uow.orders.awaiting_voucher_answers(now, batch)
        for order in due:
            if order.voucher_answers_overdue(now):
                await uow.orders.save(order)
        await uow.commit()
    return len(due)
