"""A centre's parts: receipts, and the reservations, consumption and releases the tickets make.

Stock rows are locked in part order for the whole transaction, so concurrent tickets reserving the
same parts are decided one after the other and never reserve more than is on the shelf.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from reloop_shared.clock import Clock
from repair.domain import commands
from repair.domain.events import PartNeed
from repair.domain.parts import PartStock, merged, reserve_all
from repair.domain.tickets import Ticket
from repair.service_layer.unit_of_work import RepairUnitOfWork


async def _locked(uow: RepairUnitOfWork, ticket: Ticket) -> dict[str, PartStock]:
    return await uow.parts.lock(ticket.centre_id, [n.part_sku for n in merged(ticket.parts)])


async def hold_parts(uow: RepairUnitOfWork, ticket: Ticket, at: datetime) -> bool:
    """Reserve the ticket's parts if the centre has them all; False (nothing reserved) if not."""
    stocks = await _locked(uow, ticket)
    if not reserve_all(stocks, ticket.parts, at=at):
        return False
    ticket.parts_held()
    await uow.parts.save(list(stocks.values()))
    await uow.parts.record_moves(ticket.ticket_id, ticket.centre_id, merged(ticket.parts), "reserved", at)
    return True


async def release_parts(uow: RepairUnitOfWork, ticket: Ticket, at: datetime) -> None:
    stocks = await _locked(uow, ticket)
    for need in merged(ticket.parts):
        stocks[need.part_sku].release(need.quantity, at=at)
    ticket.parts_let_go()
    await uow.parts.save(list(stocks.values()))
    await uow.parts.record_moves(ticket.ticket_id, ticket.centre_id, merged(ticket.parts), "released", at)


async def follow_the_answer(uow: RepairUnitOfWork, ticket: Ticket, at: datetime) -> None:
    """The parts after a quote's answer: released when declined, reserved when accepted (if the
    centre has them all now; else when the repair starts)."""
    if ticket.holds_parts_to_release:
        await release_parts(uow, ticket, at)
    elif ticket.wants_parts_reserved:
        await hold_parts(uow, ticket, at)


async def lock_in_order(uow: RepairUnitOfWork, tickets: Sequence[Ticket]) -> None:
    """Lock every part these tickets need, centre by centre in part order, before any is moved: a
    transaction touching several tickets' parts then takes its locks in the same order as a single
    ticket's, so it never deadlocks with one."""
    by_centre: dict[str, set[str]] = {}
    for ticket in tickets:
        by_centre.setdefault(ticket.centre_id, set()).update(n.part_sku for n in ticket.parts)
    for centre_id in sorted(by_centre):
        if by_centre[centre_id]:
            await uow.parts.lock(centre_id, sorted(by_centre[centre_id]))


async def consume_parts(uow: RepairUnitOfWork, ticket: Ticket, fitted: Sequence[PartNeed], at: datetime) -> None:
    if not fitted:
        return
    stocks = await _locked(uow, ticket)
    for need in merged(fitted):
        stocks[need.part_sku].consume(need.quantity, at=at)
    await uow.parts.save(list(stocks.values()))
    await uow.parts.record_moves(ticket.ticket_id, ticket.centre_id, merged(fitted), "consumed", at)


async def receive_parts(cmd: commands.ReceiveParts, uow: RepairUnitOfWork, clock: Clock) -> PartStock:
    """Parts arrived at a centre (and, when given, its reorder point for the part changes)."""
    async with uow:
        at = clock.now()
        stock = await uow.parts.stock(cmd.centre_id, cmd.part_sku)
        # The parts first: a new point is judged against the shelf as it now is.
        stock.receive(cmd.quantity, at=at)
        if cmd.reorder_point is not None:
            stock.set_reorder_point(cmd.reorder_point, at=at)
        await uow.parts.save([stock])
        await uow.parts.record_moves(None, cmd.centre_id, [PartNeed(cmd.part_sku, cmd.quantity)], "received", at)
        await uow.commit()
    return stock
