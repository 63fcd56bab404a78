"""Reads of tickets and parts for the HTTP edge (no change, no events)."""

from __future__ import annotations

from datetime import datetime

from repair.domain.errors import NotFound
from repair.domain.parts import PartStock
from repair.domain.tickets import Ticket
from repair.service_layer.ports import TicketQuery
from repair.service_layer.unit_of_work import RepairUnitOfWork


async def ticket_view(uow: RepairUnitOfWork, ticket_id: str, *, customer_id: str | None = None) -> Ticket:
    """The ticket with its history; with `customer_id`, only that customer's (another's is a 404)."""
    async with uow:
        ticket = await uow.tickets.get(ticket_id)
    if ticket is None or (customer_id is not None and ticket.customer_id != customer_id):
        raise NotFound(f"no ticket {ticket_id}", field="ticket_id")
    return ticket


async def tickets(
    uow: RepairUnitOfWork, query: TicketQuery, after: tuple[datetime, str] | None, limit: int
) -> list[Ticket]:
    async with uow:
        return await uow.tickets.find(query, after, limit)


async def parts_stock(uow: RepairUnitOfWork, centre_id: str, after: str | None, limit: int) -> list[PartStock]:
    async with uow:
        return await uow.parts.find(centre_id, after, limit)
