"""Holds: reserve (all lines or nothing), release, extend, and expire by themselves.

Load, decide, save: what a request (or the holds to end) needs is loaded in one call, the pure
rules of `domain.holding` decide, and the unit of work saves what changed with the events raised.
"""

from __future__ import annotations

from inventory.domain import commands
from inventory.domain.holding import expire, give_back, hold
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.clock import SYSTEM_CLOCK, Clock


async def reserve(cmd: commands.Reserve, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> str:
    """confirmed | rejected | duplicate (a redelivered request was answered already)."""
    async with uow:
        context = await uow.holds.for_request(cmd)
        decision = hold(cmd, context, clock.now())
        if decision.reservation is not None:
            await uow.reservations.add(decision.reservation)
        elif decision.rejection is not None:
            uow.track(decision.rejection)
            await uow.reservations.reject(cmd.reservation_id, decision.reason)
        await uow.commit()
    return decision.outcome


async def release(cmd: commands.ReleaseReservation, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> bool:
    """False if there is no such hold, or it had ended already."""
    async with uow:
        held = await uow.holds.held([cmd.reservation_id])
        found = held.holds.get(cmd.reservation_id)
        released = found is not None and give_back(found, held, "released", cmd.reason, clock.now())
        await uow.commit()
    return released


async def extend(cmd: commands.ExtendReservation, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> bool:
    async with uow:
        reservation = await uow.reservations.get(cmd.reservation_id)
        if reservation is None or not reservation.active:
            return False
        reservation.extend(cmd.hold_seconds, clock.now())
        await uow.commit()
    return True


async def expire_due(uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK, limit: int = 200) -> int:
    """Expire every hold whose time is up (up to `limit`, earliest first), in one transaction; run
    periodically, holds release by themselves. A hold consumed or released meanwhile is left alone."""
    async with uow:
        now = clock.now()
        due = await uow.reservations.due(limit, now)
        held = await uow.holds.held(due) if due else None
        expired = expire(held, now) if held is not None else []
        await uow.commit()
    return len(expired)
