"""The workshop's diagnosis: what is wrong, what it takes, who is asked to pay. The parts it needs
are reserved at once when the centre has them all, so a ticket that will be repaired holds its
parts before another takes them."""

from __future__ import annotations

from reloop_shared.clock import Clock
from repair.domain import commands
from repair.domain.tickets import Diagnosis, Ticket
from repair.domain.workshop_policy import WorkshopPolicy
from repair.service_layer.lookup import ticket_of
from repair.service_layer.parts import hold_parts
from repair.service_layer.unit_of_work import RepairUnitOfWork


async def diagnose_device(
    cmd: commands.DiagnoseDevice, uow: RepairUnitOfWork, policy: WorkshopPolicy, clock: Clock
) -> Ticket:
    async with uow:
        ticket = await ticket_of(uow, cmd.ticket_id)
        at = clock.now()
        diagnosis = Diagnosis(cmd.findings, cmd.parts, cmd.estimate, cmd.repairable, cmd.resale_value)
        ticket.diagnose(diagnosis, policy, by=cmd.by, at=at)
        if ticket.wants_parts_reserved:
            await hold_parts(uow, ticket, at)
        await uow.tickets.save(ticket)
        await uow.commit()
    return ticket
