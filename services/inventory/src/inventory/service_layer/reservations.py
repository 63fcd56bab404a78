"""Holds: reserve (all lines or nothing), release, extend, and expire by themselves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from inventory.domain import commands, events
from inventory.domain.reservations import HeldLine, Reservation
from inventory.domain.units import Unit
from inventory.domain.verdicts import Verdicts
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.clock import SYSTEM_CLOCK, Clock


async def reserve(cmd: commands.Reserve, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> str:
    """Hold every line, or nothing: a rejection says which lines failed and offers substitutes
    (another unit of the same SKU, hence the same grade, at an eligible location)."""
    async with uow:
        if await uow.reservations.known(cmd.reservation_id):
            return "duplicate"  # a redelivered request was answered already
        skus = await uow.skus.lock(line.sku for line in cmd.lines)
        unknown = [line.line_id for line in cmd.lines if line.sku not in skus]
        if unknown:
            return await _reject(uow, cmd, "unknown_sku", "no such SKU in the catalog", unknown, ())
        locations = await uow.locations.eligible(cmd.market, cmd.location_id)
        at = clock.now()
        held: list[HeldLine] = []
        taken: list[Unit] = []
        failed: list[str] = []
        substitutes: list[events.OfferedSubstitute] = []
        for line in cmd.lines:
            if line.kind == "service":
                continue  # plans are not stock
            if line.kind == "accessory":
                location = await uow.stock.with_free_stock(line.sku, locations, line.quantity)
                if location is None:
                    failed.append(line.line_id)
                    continue
                stock = await uow.stock.get(line.sku, location)
                if not stock.reserve(line.quantity, cmd.reservation_id, at):
                    failed.append(line.line_id)
                    continue
                held.append(HeldLine(line.line_id, line.kind, line.sku, line.quantity, None, location))
                continue
            unit = await _claim_unit(uow, line, locations, exclude=[u.unit_id for u in taken])
            if unit is None:
                failed.append(line.line_id)
                alternative = await uow.units.find_available(
                    line.sku, locations, exclude=[u.unit_id for u in taken] + ([line.unit_id] if line.unit_id else [])
                )
                substitutes += [
                    events.OfferedSubstitute(line.line_id, line.sku, u.unit_id, u.location_id) for u in alternative
                ]
                continue
            unit.reserve(cmd.reservation_id, at)
            taken.append(unit)
            held.append(HeldLine(line.line_id, line.kind, line.sku, 1, unit.unit_id, unit.location_id))
        if failed:
            reason = (
                "unit_taken" if any(line.unit_id for line in cmd.lines if line.line_id in failed) else "unavailable"
            )
            # All or nothing: what was held in memory is dropped; only the answer is recorded.
            uow.discard_changes()
            return await _reject(uow, cmd, reason, f"lines {', '.join(failed)} cannot be served", failed, substitutes)
        reservation = Reservation.confirm(
            cmd.reservation_id, cmd.channel, cmd.market, cmd.location_id, held, cmd.hold_seconds, at
        )
        await uow.reservations.add(reservation)
        await uow.commit()
    return "confirmed"


async def _claim_unit(
    uow: InventoryUnitOfWork, line: commands.RequestedLine, locations: list[str], exclude: list[str]
) -> Unit | None:
    if line.unit_id is None:
        found = await uow.units.find_available(line.sku, locations, exclude=exclude)
        return found[0] if found else None
    unit = await uow.units.get(line.unit_id, for_update=True)
    if unit is None or unit.sku != line.sku or unit.status != "available" or unit.location_id not in locations:
        return None
    return unit


async def _reject(
    uow: InventoryUnitOfWork,
    cmd: commands.Reserve,
    reason: str,
    detail: str,
    failed: list[str],
    substitutes: list[events.OfferedSubstitute] | tuple[events.OfferedSubstitute, ...],
) -> str:
    uow.track(
        Verdicts.of(events.ReservationRejected(cmd.reservation_id, reason, detail, tuple(failed), tuple(substitutes)))
    )
    await uow.reservations.reject(cmd.reservation_id, reason)
    await uow.commit()
    return "rejected"


async def release(cmd: commands.ReleaseReservation, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> bool:
    async with uow:
        reservation = await uow.reservations.get(cmd.reservation_id, for_update=False)
        if reservation is None or not reservation.active:
            return False
        await _end(uow, reservation, "released", cmd.reason, clock.now())
        await uow.commit()
    return True


async def extend(cmd: commands.ExtendReservation, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> bool:
    async with uow:
        reservation = await uow.reservations.get(cmd.reservation_id)
        if reservation is None or not reservation.active:
            return False
        reservation.extend(cmd.hold_seconds, clock.now())
        await uow.commit()
    return True


async def expire_due(make_uow: Callable[[], InventoryUnitOfWork], clock: Clock = SYSTEM_CLOCK, limit: int = 200) -> int:
    """Expire every hold whose time is up; run periodically, holds release by themselves."""
    async with make_uow() as uow:
        due = await uow.reservations.due(limit, clock.now())
    expired = 0
    for reservation_id in due:
        if await expire_one(reservation_id, make_uow(), clock):
            expired += 1
    return expired


async def expire_one(reservation_id: str, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> bool:
    """End one hold whose time is up (a no-op if it was consumed or released meanwhile)."""
    async with uow:
        reservation = await uow.reservations.get(reservation_id, for_update=False)
        if reservation is None or not reservation.is_expired(clock.now()):
            return False
        await _end(uow, reservation, "expired", "the hold was not used in time", clock.now())
        await uow.commit()
    return True


async def _end(uow: InventoryUnitOfWork, reservation: Reservation, outcome: str, reason: str, at: datetime) -> None:
    """Give back what the hold still holds, then end it. Locks go SKU first, then rows, as
    everywhere else in inventory, so concurrent sales and holds cannot deadlock."""
    await uow.skus.lock(line.sku for line in reservation.lines)
    locked = await uow.reservations.get(reservation.reservation_id)
    assert locked is not None
    if not locked.active:
        return
    for line in locked.lines:
        if line.unit_id is not None:
            unit = await uow.units.get(line.unit_id, for_update=True)
            if unit is not None and unit.status == "reserved" and unit.reservation_id == locked.reservation_id:
                unit.release(f"hold {outcome}", at)
        elif line.kind == "accessory":
            stock = await uow.stock.get(line.sku, line.location_id)
            stock.release(line.quantity, locked.reservation_id, at)
    locked.end(outcome, reason, at)
