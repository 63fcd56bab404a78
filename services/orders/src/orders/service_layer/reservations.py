"""What orders does with inventory's answer to its holds (inventory.reservations.v1).

Each handler runs inside the consuming transaction: the order change, the ledger entries and the
outgoing events commit with the record that the event was processed, or not at all. An outcome
for a hold orders did not ask for (a shop's) or no longer waits for (an older attempt) is skipped.
"""

from __future__ import annotations

import logging

from orders.domain import commands
from orders.service_layer.payment_step import take_payment_when_due
from orders.service_layer.refunds import refund_dropped_line
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_shared.clock import Clock

log = logging.getLogger(__name__)


async def when_reservation_confirmed_take_payment(
    cmd: commands.ConfirmReservation, uow: OrdersUnitOfWork, clock: Clock
) -> None:
    async with uow:
        order = await uow.orders.for_reservation(cmd.reservation_id, for_update=True)
        if order is None:
            return
        if not order.awaits_stock(cmd.reservation_id):
            log.info("stale confirmation skipped", extra={"reservation_id": cmd.reservation_id, "status": order.status})
            return
        at = clock.now()
        # A hold that does not fit the order raises ReservationMismatch: the consumer dead-letters it.
        order.confirm_reservation(cmd.reservation_id, cmd.held, at)
        # The vouchers may still be unanswered: then the last answer takes the payment.
        await take_payment_when_due(order, uow, at)
        await uow.orders.save(order)
        await uow.commit()


async def when_reservation_rejected_offer_substitutes(
    cmd: commands.RejectReservation, uow: OrdersUnitOfWork, clock: Clock
) -> None:
    async with uow:
        order = await uow.orders.for_reservation(cmd.reservation_id, for_update=True)
        if order is None or not order.reservation_rejected(
            cmd.reservation_id, cmd.failed_lines, cmd.substitutes, clock.now()
        ):
            return
        await uow.orders.save(order)
        await uow.commit()


async def when_reservation_expired_cancel_the_order(
    cmd: commands.EndReservation, uow: OrdersUnitOfWork, clock: Clock
) -> None:
    if cmd.outcome != "expired":
        return  # released on our request or consumed by our sale: the order already moved on
    async with uow:
        order = await uow.orders.for_reservation(cmd.reservation_id, for_update=True)
        if order is None or not order.reservation_expired(cmd.reservation_id, clock.now()):
            return
        await uow.orders.save(order)
        await uow.commit()


async def when_reservation_reallocated_follow_the_unit(
    cmd: commands.ReallocateReservedUnit, uow: OrdersUnitOfWork, clock: Clock
) -> None:
    async with uow:
        order = await uow.orders.for_reservation(cmd.reservation_id, for_update=True)
        if order is None or not order.reservation_reallocated(
            cmd.reservation_id, cmd.line_id, cmd.unit_id, cmd.location_id, clock.now()
        ):
            return
        await uow.orders.save(order)
        await uow.commit()


async def when_reservation_broken_drop_the_line(
    cmd: commands.BreakReservedLine, uow: OrdersUnitOfWork, clock: Clock
) -> None:
    async with uow:
        order = await uow.orders.for_reservation(cmd.reservation_id, for_update=True)
        if order is None:
            return
        at = clock.now()
        due = order.reservation_broken(cmd.reservation_id, cmd.line_id, cmd.reason, at)
        if due is not None:
            await refund_dropped_line(order, due, uow, at)
        await uow.orders.save(order)
        await uow.commit()
