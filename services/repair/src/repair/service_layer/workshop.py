"""The workshop's steps after diagnosis: the customer's answer to a quote, the repair, its quality
check, and the device's way back. Parts follow the ticket: reserved before the repair starts,
consumed when it is done, released when it will not be."""

from __future__ import annotations

from reloop_shared.clock import Clock
from repair.domain import commands
from repair.domain.errors import NotEnoughParts
from repair.domain.tickets import Ticket
from repair.service_layer.lookup import ticket_of
from repair.service_layer.parts import consume_parts, follow_the_answer, hold_parts
from repair.service_layer.unit_of_work import RepairUnitOfWork


async def answer_quote(cmd: commands.AnswerQuote, uow: RepairUnitOfWork, clock: Clock) -> Ticket:
    async with uow:
        ticket = await ticket_of(uow, cmd.ticket_id, customer_id=cmd.customer_id)
        at = clock.now()
        ticket.answer_quote(cmd.accepted, by=cmd.by, at=at)
        await follow_the_answer(uow, ticket, at)
        await uow.tickets.save(ticket)
        await uow.commit()
    return ticket


async def advance_ticket(cmd: commands.AdvanceTicket, uow: RepairUnitOfWork, clock: Clock) -> Ticket:
    async with uow:
        ticket = await ticket_of(uow, cmd.ticket_id)
        at = clock.now()
        match cmd.step:
            case "start_repair":
                # Parts that were short at diagnosis may have arrived since: reserve them now.
                if ticket.wants_parts_reserved and not await hold_parts(uow, ticket, at):
                    raise NotEnoughParts(f"the centre {ticket.centre_id} lacks parts for this ticket", field="parts")
                ticket.start_repair(by=cmd.by, at=at)
            case "repaired":
                fitted = ticket.mark_repaired(by=cmd.by, at=at)
                await consume_parts(uow, ticket, fitted, at)
            case "quality_passed":
                ticket.quality_check(True, by=cmd.by, at=at, note=cmd.note)
            case "quality_failed":
                ticket.quality_check(False, by=cmd.by, at=at, note=cmd.note)
            case "send_back":
                ticket.send_back(by=cmd.by, at=at)
            case "hand_back":
                ticket.hand_back(by=cmd.by, at=at)
        await uow.tickets.save(ticket)
        await uow.commit()
    return ticket
